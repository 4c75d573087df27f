/* SPDX-License-Identifier: MIT */
/* __purge_vmap_area_lazy: one TLB flush over every lazily freed area, then their VA back
 * to the free space (the global policy) or, for pooled sizes, to their node's pools
 * after the pools decay (the sharded policy). Runs under purge_lock: in the drain worker
 * (vmap_drain.c), or synchronously for an explicit purge and before an allocation fails. */
#include "vmap_impl.h"

/* One flush over [lowest start, highest end) of the lists. */
static void flush_lazy(struct vmap_space *vs, struct vmap_area *const *lists, unsigned n,
		       struct vmap_purge_result *res)
{
	uint64_t start = UINT64_MAX, end = 0;

	for (unsigned i = 0; i < n; i++)
		for (const struct vmap_area *va = lists[i]; va; va = va->next) {
			start = va->rb.start < start ? va->rb.start : start;
			end = va->rb.end > end ? va->rb.end : end;
		}
	res->tlbi_pages = pgtable_flush_tlb_kernel_range(vs->pt, start, end);
	res->tlbi_all = res->tlbi_pages == 0;
}

static void count_purge(struct vmap_space *vs, struct vmap_purge_result *res)
{
	vs->purges++;
	vs->purged_areas += res->areas;
	vs->purged_pages += res->pages;
	atomic_fetch_sub_explicit(&vs->lazy_nr, res->pages, memory_order_relaxed);
}

/* As 5.x did: the lazy list detached under the lock, flushed outside it, then merged
 * back under the lock, which lets a waiter in between two areas (cond_resched_lock).
 * Allocations and frees wait for the merge as they waited for the pre-6.9 kernel's
 * free_vmap_area_lock; between the detach and the merge the areas are in neither the
 * lazy list nor the free tree, as the kernel's are on its local purge list. */
static bool purge_global(struct vmap_space *vs, struct vmap_purge_result *res)
{
	struct vmap_area *list, *next;

	vl_lock(&vs->lock);
	list = vs->nodes[0].lazy.head;
	vs->nodes[0].lazy.head = NULL;
	vl_unlock(&vs->lock);
	if (!list)
		return false;
	flush_lazy(vs, &list, 1, res);
	list = vmap_sort_by_addr(list);
	vl_lock(&vs->lock);
	for (; list; list = next) {
		next = list->next;
		res->areas++;
		res->pages += va_size(&list->rb) >> PAGE_SHIFT;
		vmap_free_tree_merge(vs, list);
		vl_cond_break(&vs->lock);
	}
	count_purge(vs, res);
	vl_unlock(&vs->lock);
	return true;
}

/* purge_vmap_node: pooled sizes back to the node's pools (unless populating is off), the
 * rest onto *to_free. The kernel takes the pool lock once per area (node_pool_add_va);
 * here the areas are first gathered per size without it, then each size's batch is put in
 * front of its pool under one acquisition, in the order adding them one by one would
 * give. The pools end up the same; the pool lock's line, which the node's allocating
 * thread takes on every allocation, moves once per size instead of once per area. */
static void purge_node(struct vmap_space *vs, unsigned n, struct vmap_area *list,
		       bool populate, struct vmap_area **to_free, struct vmap_purge_result *res)
{
	struct vmap_node *vn = &vs->nodes[n];
	struct va_pool *batch = vs->purge_batch;
	uint16_t *sizes = vs->purge_batch_sizes;
	unsigned nr_sizes = 0;
	struct vmap_area *next;

	for (; list; list = next) {
		uint64_t size = va_size(&list->rb);

		next = list->next;
		res->areas++;
		res->pages += size >> PAGE_SHIFT;
		if (populate && vmap_pool_fits(size)) {
			unsigned idx = vmap_pool_index(size);

			if (!batch[idx].head)
				sizes[nr_sizes++] = (uint16_t)idx;
			vmap_pool_push(&batch[idx], list);
		} else {
			list->next = *to_free;
			*to_free = list;
		}
	}
	for (unsigned i = 0; i < nr_sizes; i++) {
		vl_lock(&vn->pools.lock);
		vmap_pool_splice(vn, &batch[sizes[i]]);
		vl_unlock(&vn->pools.lock);
	}
}

/* Decays every node's pools (onto *decayed) and detaches its lazy list into
 * vs->purge_lists, each under its own lock. True when any list was non-empty. */
static bool detach_lazy(struct vmap_space *vs, bool full_decay, struct vmap_area **decayed)
{
	bool any = false;

	for (unsigned n = 0; n < vs->nr_nodes; n++) {
		struct vmap_node *vn = &vs->nodes[n];

		vmap_pool_decay(vn, full_decay, decayed);
		vl_lock(&vn->lazy.lock);
		vs->purge_lists[n] = vn->lazy.head;
		vn->lazy.head = NULL;
		vl_unlock(&vn->lazy.lock);
		any |= vs->purge_lists[n] != NULL;
	}
	return any;
}

/* reclaim_list_global. */
static void merge_list(struct vmap_space *vs, struct vmap_area *list)
{
	struct vmap_area *next;

	if (!list)
		return;
	list = vmap_sort_by_addr(list);	/* before the lock: the list is ours */
	vl_lock(&vs->lock);
	for (; list; list = next) {
		next = list->next;
		vmap_free_tree_merge(vs, list);
	}
	vl_unlock(&vs->lock);
}

/* A full decay (the allocation-failure path) empties the pools and does not refill them. */
static bool purge_sharded(struct vmap_space *vs, bool full_decay, struct vmap_purge_result *res)
{
	struct vmap_area *to_free = NULL;
	bool any = detach_lazy(vs, full_decay, &to_free);

	if (any) {
		flush_lazy(vs, vs->purge_lists, vs->nr_nodes, res);
		for (unsigned n = 0; n < vs->nr_nodes; n++)
			purge_node(vs, n, vs->purge_lists[n], !full_decay, &to_free, res);
	}
	merge_list(vs, to_free);
	if (any)
		count_purge(vs, res);
	return any;
}

bool vmap_purge_locked(struct vmap_space *vs, bool full_decay, struct vmap_purge_result *out)
{
	struct vmap_purge_result res = { 0 };
	bool any = vs->sharded ? purge_sharded(vs, full_decay, &res) : purge_global(vs, &res);

	if (out)
		*out = res;
	return any;
}

bool vmap_purge_decay(struct vmap_space *vs, bool full_decay, struct vmap_purge_result *out)
{
	bool any;

	vl_lock(&vs->purge_lock);
	any = vmap_purge_locked(vs, full_decay, out);
	vl_unlock(&vs->purge_lock);
	return any;
}

/* A synchronous purge as the drain runs it: pools decay by a quarter. */
bool vmap_purge(struct vmap_space *vs, struct vmap_purge_result *out)
{
	return vmap_purge_decay(vs, false, out);
}
