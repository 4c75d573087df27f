/* SPDX-License-Identifier: MIT */
/* __purge_vmap_area_lazy: one TLB flush over every lazily freed area, then their VA back
 * to the free space (the global policy) or, for pooled sizes, to their node's pools
 * after the pools decay (the sharded policy). */
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

static bool purge_global(struct vmap_space *vs, struct vmap_purge_result *res)
{
	struct vmap_area *list, *next;

	lock_write(&vs->lock);
	list = vs->nodes[0].lazy;
	vs->nodes[0].lazy = NULL;
	if (list) {
		flush_lazy(vs, &list, 1, res);
		for (; list; list = next) {
			next = list->next;
			res->areas++;
			res->pages += va_size(&list->rb) >> PAGE_SHIFT;
			vmap_free_tree_merge(vs, list);
		}
		count_purge(vs, res);
	}
	unlock_write(&vs->lock);
	return res->areas != 0;
}

/* purge_vmap_node: pooled sizes back to the node's pools (unless populating is off), the
 * rest onto *to_free. */
static void purge_node(struct vmap_space *vs, unsigned n, struct vmap_area *list,
		       bool populate, struct vmap_area **to_free, struct vmap_purge_result *res)
{
	struct vmap_area *next;

	lock_write(&vs->nodes[n].lock);
	for (; list; list = next) {
		next = list->next;
		res->areas++;
		res->pages += va_size(&list->rb) >> PAGE_SHIFT;
		if (populate && vmap_pool_fits(va_size(&list->rb))) {
			vmap_pool_add(&vs->nodes[n], list);
		} else {
			list->next = *to_free;
			*to_free = list;
		}
	}
	unlock_write(&vs->nodes[n].lock);
}

/* Detaches every node's lazy list into vs->purge_lists, decaying the pools on the way
 * (onto *decayed). True when any list was non-empty. */
static bool detach_lazy(struct vmap_space *vs, bool full_decay, struct vmap_area **decayed)
{
	bool any = false;

	for (unsigned n = 0; n < vs->nr_nodes; n++) {
		lock_write(&vs->nodes[n].lock);
		vmap_pool_decay(&vs->nodes[n], full_decay, decayed);
		vs->purge_lists[n] = vs->nodes[n].lazy;
		vs->nodes[n].lazy = NULL;
		unlock_write(&vs->nodes[n].lock);
		any |= vs->purge_lists[n] != NULL;
	}
	return any;
}

static void merge_list(struct vmap_space *vs, struct vmap_area *list)
{
	struct vmap_area *next;

	if (!list)
		return;
	lock_write(&vs->lock);
	for (; list; list = next) {
		next = list->next;
		vmap_free_tree_merge(vs, list);
	}
	unlock_write(&vs->lock);
}

/* A full decay (the allocation-failure path) empties the pools and does not refill them. */
static bool purge_sharded(struct vmap_space *vs, bool full_decay, struct vmap_purge_result *res)
{
	struct vmap_area *to_free = NULL;
	bool any;

	lock_write(&vs->purge_lock);
	any = detach_lazy(vs, full_decay, &to_free);
	if (any) {
		flush_lazy(vs, vs->purge_lists, vs->nr_nodes, res);
		for (unsigned n = 0; n < vs->nr_nodes; n++)
			purge_node(vs, n, vs->purge_lists[n], !full_decay, &to_free, res);
	}
	merge_list(vs, to_free);
	if (any)
		count_purge(vs, res);
	unlock_write(&vs->purge_lock);
	return any;
}

bool vmap_purge_decay(struct vmap_space *vs, bool full_decay, struct vmap_purge_result *out)
{
	struct vmap_purge_result res = { 0 };
	bool any = vs->sharded ? purge_sharded(vs, full_decay, &res) : purge_global(vs, &res);

	if (out)
		*out = res;
	return any;
}

/* drain_vmap_area_work's purge: pools decay by a quarter. */
bool vmap_purge(struct vmap_space *vs, struct vmap_purge_result *out)
{
	return vmap_purge_decay(vs, false, out);
}
