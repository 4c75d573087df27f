/* SPDX-License-Identifier: MIT */
/* The VA allocator's life cycle and options. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iomem/alloc.h"
#include "vmap_impl.h"

static const char *const policy_names[] = { "global", "sharded", NULL };

const char *const *vmap_policy_names(void)
{
	return policy_names;
}

static unsigned fls_u(unsigned x)
{
	return x ? 32u - (unsigned)__builtin_clz(x) : 0;
}

static int init_locks(struct vmap_space *vs, const char *lock)
{
	int rc = lock_init(&vs->lock, lock);

	if (rc)
		return rc;
	for (unsigned n = 0; vs->sharded && n < vs->nr_nodes; n++) {
		rc = lock_init(&vs->nodes[n].lock, lock);
		if (rc) {
			while (n--)
				lock_destroy(&vs->nodes[n].lock);
			lock_destroy(&vs->lock);
			return rc;
		}
	}
	if (vs->sharded && (rc = lock_init(&vs->purge_lock, lock))) {
		for (unsigned n = 0; n < vs->nr_nodes; n++)
			lock_destroy(&vs->nodes[n].lock);
		lock_destroy(&vs->lock);
	}
	return rc;
}

static int parse_opts(struct vmap_space *vs, const struct vmap_opts *opts)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	if (opts->policy && strcmp(opts->policy, "global") && strcmp(opts->policy, "sharded"))
		return -ENOENT;
	vs->sharded = opts->policy && strcmp(opts->policy, "sharded") == 0;
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
	struct vmap_area *all = iomem_alloc(IOMEM_ALLOC_VA, sizeof(*all));

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
	struct vmap_space *vs = iomem_alloc(IOMEM_ALLOC_OTHER, sizeof(*vs));
	int rc = -ENOMEM;

	if (!vs)
		goto fail;
	vs->pt = pt;
	rc = parse_opts(vs, opts ? opts : &defaults);
	if (rc)
		goto fail;
	rc = -ENOMEM;
	vs->nodes = iomem_alloc_aligned(IOMEM_ALLOC_OTHER, 64, vs->nr_nodes * sizeof(*vs->nodes));
	vs->purge_lists = iomem_alloc(IOMEM_ALLOC_OTHER, vs->nr_nodes * sizeof(*vs->purge_lists));
	if (!vs->nodes || !vs->purge_lists)
		goto fail;
	rc = init_free_tree(vs);
	if (!rc && (rc = init_locks(vs, opts ? opts->lock : NULL)))
		iomem_free(IOMEM_ALLOC_VA, to_area(vs->free_root));
	if (!rc)
		return vs;
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
	for (unsigned n = 0; n < vs->nr_nodes; n++) {
		struct vmap_node *vn = &vs->nodes[n];

		va_tree_destroy(vn->busy, free_node);
		free_list(vn->lazy);
		for (unsigned p = 0; p < MAX_VA_SIZE_PAGES; p++)
			free_list(vn->pool[p].head);
		if (vs->sharded)
			lock_destroy(&vn->lock);
	}
	va_tree_destroy(vs->free_root, free_node);
	free_list(vs->spare);
	lock_destroy(&vs->lock);
	if (vs->sharded)
		lock_destroy(&vs->purge_lock);
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
	return vs->sharded ? "sharded" : "global";
}

const char *vmap_lock_name(const struct vmap_space *vs)
{
	return lock_name(&vs->lock);
}
