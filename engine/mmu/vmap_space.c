/* SPDX-License-Identifier: MIT */
/* The VA allocator's life cycle and options. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iomem/alloc.h"
#include "vmap_impl.h"

static const char *const policy_names[] = { "global", "sharded", "sharded-cpu", NULL };

const char *const *vmap_policy_names(void)
{
	return policy_names;
}

/* policy_names' index of name, or -1. */
static int policy_index(const char *name)
{
	for (int p = 0; policy_names[p]; p++)
		if (strcmp(name, policy_names[p]) == 0)
			return p;
	return -1;
}

const char *vmap_policy_find(const char *name)
{
	int p = policy_index(name);

	return p < 0 ? NULL : policy_names[p];
}

static unsigned fls_u(unsigned x)
{
	return x ? 32u - (unsigned)__builtin_clz(x) : 0;
}

/* The allocator's locks, in the order vmap_lock_all takes them. */
static unsigned all_locks(struct vmap_space *vs, struct vmap_lock **v)
{
	unsigned n = 0;

	v[n++] = &vs->purge_lock;
	v[n++] = &vs->lock;
	for (unsigned i = 0; vs->sharded && i < vs->nr_nodes; i++) {
		v[n++] = &vs->nodes[i].busy.lock;
		v[n++] = &vs->nodes[i].lazy.lock;
		v[n++] = &vs->nodes[i].pools.lock;
	}
	return n;
}

/* The spinning locks (free, busy, lazy, pool) take the caller's strategy or, by default, a
 * spinning one, as the kernel's spinlocks spin; purge_lock, a mutex in the kernel, takes
 * the caller's or a sleeping one. */
static int init_locks(struct vmap_space *vs, const char *lock)
{
	struct vmap_lock *v[2 + 3 * VMAP_MAX_NODES];
	unsigned n = all_locks(vs, v);

	for (unsigned i = 0; i < n; i++) {
		const char *name = lock ? lock : i == 0 ? VMAP_MUTEX_DEFAULT : VMAP_LOCK_DEFAULT;
		int rc = vmap_lock_init(v[i], name);

		if (rc) {
			while (i--)
				vmap_lock_destroy(v[i]);
			return rc;
		}
	}
	return 0;
}

static void destroy_locks(struct vmap_space *vs)
{
	struct vmap_lock *v[2 + 3 * VMAP_MAX_NODES];
	unsigned n = all_locks(vs, v);

	for (unsigned i = 0; i < n; i++)
		vmap_lock_destroy(v[i]);
}

static int parse_opts(struct vmap_space *vs, const struct vmap_opts *opts)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	int p = policy_index(opts->policy ? opts->policy : "global");

	if (p < 0)
		return -ENOENT;
	vs->sharded = p > 0;
	vs->busy_by_cpu = p == 2;
	vs->ncpus = opts->ncpus ? opts->ncpus : (online > 0 ? (unsigned)online : 1);
	if (opts->nodes > VMAP_MAX_NODES || (opts->nodes && !vs->sharded))
		return -EINVAL;
	vs->nr_nodes = !vs->sharded ? 1 : opts->nodes ? opts->nodes
			: vs->ncpus < VMAP_MAX_NODES ? vs->ncpus : VMAP_MAX_NODES;
	vs->lazy_max = fls_u(vs->ncpus) * ((32ULL << 20) / PAGE_SIZE);
	return 0;
}

static int init_free_tree(struct vmap_space *vs)
{
	struct vmap_area *all = va_area_new();

	if (!all)
		return -ENOMEM;
	all->rb.start = VMALLOC_START;
	all->rb.end = VMALLOC_END;
	va_tree_insert(&vs->free_root, &all->rb);
	return 0;
}

struct vmap_space *vmap_new(struct pgtable *pt, const struct vmap_opts *opts)
{
	static const struct vmap_opts defaults;
	struct vmap_space *vs = iomem_alloc_aligned(IOMEM_ALLOC_OTHER, CACHELINE, sizeof(*vs));
	int rc = -ENOMEM;

	if (!vs)
		goto fail;
	memset(vs, 0, sizeof(*vs));
	vs->pt = pt;
	rc = parse_opts(vs, opts ? opts : &defaults);
	if (rc)
		goto fail;
	rc = -ENOMEM;
	vs->nodes = iomem_alloc_aligned(IOMEM_ALLOC_OTHER, CACHELINE,
					 vs->nr_nodes * sizeof(*vs->nodes));
	vs->purge_lists = iomem_alloc(IOMEM_ALLOC_OTHER, vs->nr_nodes * sizeof(*vs->purge_lists));
	if (!vs->nodes || !vs->purge_lists)
		goto fail;
	rc = init_free_tree(vs);
	if (!rc && (rc = init_locks(vs, opts ? opts->lock : NULL)))
		iomem_free(IOMEM_ALLOC_VA, to_area(vs->free_root));
	if (!rc) {
		vmap_drain_init(&vs->drain);
		return vs;
	}
fail:
	if (vs) {
		iomem_free(IOMEM_ALLOC_OTHER, vs->nodes);
		iomem_free(IOMEM_ALLOC_OTHER, vs->purge_lists);
		iomem_free(IOMEM_ALLOC_OTHER, vs);
	}
	errno = -rc;
	return NULL;
}

static void free_node(struct va_node *n)
{
	iomem_free(IOMEM_ALLOC_VA, to_area(n));
}

static void free_list(struct vmap_area *va)
{
	for (struct vmap_area *next; va; va = next) {
		next = va->next;
		iomem_free(IOMEM_ALLOC_VA, va);
	}
}

void vmap_free(struct vmap_space *vs)
{
	if (!vs)
		return;
	vmap_drain_destroy(&vs->drain);
	for (unsigned n = 0; n < vs->nr_nodes; n++) {
		struct vmap_node *vn = &vs->nodes[n];

		va_tree_destroy(vn->busy.root, free_node);
		free_list(vn->lazy.head);
		for (unsigned p = 0; p < MAX_VA_SIZE_PAGES; p++)
			free_list(vn->pools.pool[p].head);
	}
	va_tree_destroy(vs->free_root, free_node);
	free_list(vs->spare);
	destroy_locks(vs);
	iomem_free(IOMEM_ALLOC_OTHER, vs->nodes);
	iomem_free(IOMEM_ALLOC_OTHER, vs->purge_lists);
	iomem_free(IOMEM_ALLOC_OTHER, vs);
}

uint64_t vmap_lazy_max_pages(const struct vmap_space *vs)
{
	return vs->lazy_max;
}

const char *vmap_policy(const struct vmap_space *vs)
{
	return policy_names[vs->busy_by_cpu ? 2 : vs->sharded];
}

const char *vmap_lock_name(const struct vmap_space *vs)
{
	return vmap_lock_strategy(&vs->lock);
}

void vmap_settle(struct vmap_space *vs)
{
	vmap_drain_wait(vs);
}
