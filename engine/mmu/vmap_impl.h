/* SPDX-License-Identifier: MIT */
/* The VA allocator's private state, shared by vmap_area.c (allocation, lookup, free),
 * vmap_free.c (the free tree), vmap_purge.c, vmap_pool.c (the sharded policy's node pools),
 * vmap_space.c (life cycle) and vmap_show.c (listing, stats, checks).
 *
 * Locking. "global": vs->lock covers everything, and nodes[0] is the only node.
 * "sharded": vs->lock covers the free tree; each node's lock its busy tree, lazy list and
 * pools; vs->purge_lock serialises purges. Nesting order: purge_lock, vs->lock, nodes in
 * index order (only the introspection paths nest at all).
 */
#ifndef IOMEM_MMU_VMAP_IMPL_H
#define IOMEM_MMU_VMAP_IMPL_H

#include <stdatomic.h>

#include "iomem/vmap.h"
#include "locks/lock.h"
#include "va_tree.h"

struct vmap_area {
	struct va_node rb;		/* first: in a tree as a node */
	struct vmap_area *next;		/* lazy list, pool or purge list */
	uint64_t phys, vm_size;		/* vm_size excludes the guard page */
	const char *caller;
	unsigned lazy_node;		/* the node whose lazy list (and pools) it returns to */
};

static inline struct vmap_area *to_area(struct va_node *n)
{
	return (struct vmap_area *)n;
}

struct va_pool {
	struct vmap_area *head, *tail;
	uint64_t len;
};

struct vmap_node {
	struct lock lock;
	struct va_node *busy;
	struct vmap_area *lazy;
	uint64_t allocs, frees, pool_hits;	/* under the node's lock */
	struct va_pool pool[MAX_VA_SIZE_PAGES];
} __attribute__((aligned(64)));

struct vmap_space {
	struct pgtable *pt;
	bool sharded;
	unsigned ncpus, nr_nodes;
	uint64_t lazy_max;			/* pages */
	struct lock lock;
	struct lock purge_lock;			/* sharded only */
	struct va_node *free_root;
	struct vmap_area *spare;		/* node cache, under vs->lock */
	unsigned nr_spare;
	_Atomic uint64_t lazy_nr;		/* vmap_lazy_nr, pages */
	_Atomic uint64_t alloc_failures;
	uint64_t purges, purged_areas, purged_pages;	/* under the purge's lock */
	struct vmap_area **purge_lists;		/* sharded: per node, under purge_lock */
	struct vmap_node *nodes;
};

/* The lock that guards node n's busy tree and lazy list. */
static inline struct lock *node_lock(struct vmap_space *vs, unsigned n)
{
	return vs->sharded ? &vs->nodes[n].lock : &vs->lock;
}

/* addr_to_node: 16-page zones dealt round-robin to the nodes. */
static inline unsigned addr_to_node(const struct vmap_space *vs, uint64_t addr)
{
	return (unsigned)((addr / (16 * PAGE_SIZE)) % vs->nr_nodes);
}

/* vmap_free.c (caller holds vs->lock): the lowest fit for size at align, carved out
 * (0 and *start, or -ENOMEM); merge_or_add_vmap_area. */
int vmap_free_tree_take(struct vmap_space *vs, uint64_t size, uint64_t align, uint64_t *start);
void vmap_free_tree_merge(struct vmap_space *vs, struct vmap_area *va);

/* vmap_purge.c: a purge; full_decay (the allocation-failure path) empties the pools and
 * does not refill them. */
bool vmap_purge_decay(struct vmap_space *vs, bool full_decay, struct vmap_purge_result *out);

/* Pools (sharded; caller holds the node's lock). */
bool vmap_pool_fits(uint64_t size);
void vmap_pool_add(struct vmap_node *vn, struct vmap_area *va);
/* node_pool_del_va: the first area of the size's pool if it is aligned, else NULL (and the
 * first area moves to the tail). */
struct vmap_area *vmap_pool_take(struct vmap_node *vn, uint64_t size, uint64_t align);
/* decay_va_pool_node: detaches a quarter of every pool (all of it if full) onto *list. */
void vmap_pool_decay(struct vmap_node *vn, bool full, struct vmap_area **list);

/* Takes every allocator lock, in order, for a consistent look (write side). */
void vmap_lock_all(struct vmap_space *vs);
void vmap_unlock_all(struct vmap_space *vs);

#endif
