/* SPDX-License-Identifier: MIT */
/* Areas: allocation (the node pool or the free tree, then the busy tree), lookup, and
 * lazy free (kernel model §2.8, §2.9), under either locking policy
 * (vmap.h, vmap_impl.h). */
#include <errno.h>
#include <stdlib.h>

#include "iomem/alloc.h"
#include "vmap_cpu.h"
#include "vmap_impl.h"

/* get_count_order: ceil(log2(size)). */
static unsigned count_order(uint64_t size)
{
	return size <= 1 ? 0 : 64u - (unsigned)__builtin_clzll(size - 1);
}

uint64_t vmap_ioremap_align(uint64_t size)
{
	unsigned order = count_order((size + PAGE_SIZE - 1) & PAGE_MASK);

	if (order < PAGE_SHIFT)
		order = PAGE_SHIFT;
	if (order > IOREMAP_MAX_ORDER)
		order = IOREMAP_MAX_ORDER;
	return 1ULL << order;
}

/* --- Busy areas (caller holds the node's busy lock). */

static void busy_insert(struct vmap_node *vn, struct vmap_area *va)
{
	va_tree_insert_plain(&vn->busy.root, &va->rb);
	vn->busy.allocs++;
}

static struct vmap_area *busy_unlink(struct vmap_node *vn, uint64_t addr)
{
	struct va_node *n = va_tree_find_remove_plain(&vn->busy.root, addr);

	if (!n)
		return NULL;
	vn->busy.frees++;
	return to_area(n);
}

/* --- Allocation. */

static int alloc_global(struct vmap_space *vs, struct vmap_area *va, uint64_t size,
			uint64_t align)
{
	int rc;

	vl_lock(&vs->lock);
	rc = vmap_free_tree_take(vs, size, align, &va->rb.start);
	if (!rc) {
		va->rb.end = va->rb.start + size;
		busy_insert(&vs->nodes[0], va);
	}
	vl_unlock(&vs->lock);
	return rc;
}

/* node_alloc: an area of the CPU's node pool, or NULL (its lock only when the pool looks
 * non-empty, as the kernel peeks at the list). The area itself is reused, as the kernel
 * reuses the pooled vmap_area: a hit allocates and frees nothing. */
static struct vmap_area *node_alloc(struct vmap_node *vn, uint64_t size, uint64_t align)
{
	struct vmap_area *pooled = NULL;

	if (vmap_pool_fits(size) && vmap_pool_peek(vn, size)) {
		vl_lock(&vn->pools.lock);
		pooled = vmap_pool_take(vn, size, align);
		vn->pools.hits += pooled != NULL;
		vl_unlock(&vn->pools.lock);
	}
	return pooled;
}

/* The node of the calling thread's simulated CPU (sharded). */
static unsigned this_cpu_node(const struct vmap_space *vs)
{
	return vmap_this_cpu() % vs->nr_nodes;
}

/* A busy area into its busy node (sharded); tag: the node its lazy list is. */
static void busy_insert_sharded(struct vmap_space *vs, struct vmap_area *va, unsigned tag)
{
	unsigned n = busy_node(vs, va->rb.start, tag);

	va->rb.tag = (uint16_t)tag;
	vl_lock(&vs->nodes[n].busy.lock);
	busy_insert(&vs->nodes[n], va);
	vl_unlock(&vs->nodes[n].busy.lock);
}

/* The global free tree (sharded: only its lock), for an area not from a pool. */
static int alloc_sharded(struct vmap_space *vs, unsigned cpu_node, struct vmap_area *va,
			 uint64_t size, uint64_t align)
{
	int rc;

	vl_lock(&vs->lock);
	rc = vmap_free_tree_take(vs, size, align, &va->rb.start);
	vl_unlock(&vs->lock);
	if (rc)
		return rc;
	va->rb.end = va->rb.start + size;
	busy_insert_sharded(vs, va, cpu_node);
	return 0;
}

int vmap_get_area(struct vmap_space *vs, uint64_t size, uint64_t phys, const char *caller,
		  uint64_t *addr)
{
	unsigned cpu_node = 0;
	struct vmap_area *va;
	uint64_t align;
	int rc;

	if (!size)
		return -EINVAL;
	if (size > VMALLOC_END - VMALLOC_START - PAGE_SIZE)
		goto fail;
	size = (size + PAGE_SIZE - 1) & PAGE_MASK;
	align = vmap_ioremap_align(size);
	if (vs->sharded) {
		cpu_node = this_cpu_node(vs);
		va = node_alloc(&vs->nodes[cpu_node], size + PAGE_SIZE, align);
		if (va) {
			area_set_vm(va, phys, caller);
			busy_insert_sharded(vs, va, cpu_node);
			*addr = va->rb.start;
			return 0;
		}
	}
	va = va_area_new();
	if (!va)
		goto fail;
	area_set_vm(va, phys, caller);
	/* As the kernel's retry after a purge: the free tree only (a full decay emptied the
	 * pools). */
	for (bool purged = false;; purged = true) {
		rc = vs->sharded ? alloc_sharded(vs, cpu_node, va, size + PAGE_SIZE, align)
				 : alloc_global(vs, va, size + PAGE_SIZE, align);
		if (rc != -ENOMEM || purged)
			break;
		vmap_purge_decay(vs, true, NULL);	/* reclaim_and_purge_vmap_areas */
	}
	if (!rc) {
		*addr = va->rb.start;
		return 0;
	}
	iomem_free(IOMEM_ALLOC_VA, va);
fail:
	atomic_fetch_add_explicit(&vs->alloc_failures, 1, memory_order_relaxed);
	return -ENOMEM;
}

/* --- Lookup and free. */

static void fill_info(const struct vmap_area *va, struct vmap_info *out)
{
	*out = (struct vmap_info){
		.addr = va->rb.start,
		.size = area_vm_size(va),
		.va_end = va->rb.end,
		.phys = area_phys(va),
		.caller = area_caller(va),
	};
}

/* find_vmap_area: the address's node first, then the others in turn. */
int vmap_find(struct vmap_space *vs, uint64_t addr, struct vmap_info *out)
{
	unsigned first = addr_to_node(vs, addr), i = first;

	do {
		struct vmap_lock *l = busy_lock(vs, i);
		struct va_node *n;

		vl_lock_read(l);
		n = va_tree_find(vs->nodes[i].busy.root, addr);
		if (n)
			fill_info(to_area(n), out);
		vl_unlock_read(l);
		if (n)
			return 0;
		i = (i + 1) % vs->nr_nodes;
	} while (i != first);
	return -ENOENT;
}

static struct vmap_area *find_unlink(struct vmap_space *vs, uint64_t addr)
{
	/* under "sharded-cpu", the unmapping CPU's node first: most unmap what they mapped */
	unsigned first = vs->busy_by_cpu ? this_cpu_node(vs) : addr_to_node(vs, addr);
	unsigned i = first;

	do {
		struct vmap_lock *l = busy_lock(vs, i);
		struct vmap_area *va;

		vl_lock(l);
		va = busy_unlink(&vs->nodes[i], addr);
		vl_unlock(l);
		if (va)
			return va;
		i = (i + 1) % vs->nr_nodes;
	} while (i != first);
	return NULL;
}

/* free_vmap_area_noflush: onto the lazy list; past lazy_max_pages, the drain worker is
 * woken (the freeing thread never purges). Past VMAP_THROTTLE times that, the drain has
 * fallen behind: the free waits for it (vmap_drain.h). */
static void free_lazy(struct vmap_space *vs, struct vmap_area *va)
{
	uint64_t pages = va_size(&va->rb) >> PAGE_SHIFT;
	unsigned n = vs->sharded ? va->rb.tag : 0;
	struct vmap_lock *l = lazy_lock(vs, n);

	/* Counted before it is listed, so a purge never subtracts what was not added. */
	uint64_t nr_lazy = atomic_fetch_add_explicit(&vs->lazy_nr, pages,
						     memory_order_relaxed) + pages;

	vl_lock(l);
	va->next = vs->nodes[n].lazy.head;
	vs->nodes[n].lazy.head = va;
	vl_unlock(l);
	if (nr_lazy > vs->lazy_max)
		vmap_drain_schedule(vs);
	if (nr_lazy > VMAP_THROTTLE * vs->lazy_max)
		vmap_drain_throttle(vs);
}

int vmap_remove(struct vmap_space *vs, uint64_t addr, struct vmap_info *out)
{
	struct vmap_area *va = find_unlink(vs, addr);

	if (!va)
		return -ENOENT;
	if (out)
		fill_info(va, out);
	pgtable_unmap(vs->pt, va->rb.start, area_vm_size(va));
	free_lazy(vs, va);
	return 0;
}
