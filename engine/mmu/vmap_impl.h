/* SPDX-License-Identifier: MIT */
/* The VA allocator's private state, shared by vmap_area.c (allocation, lookup, free),
 * vmap_free.c (the free tree), vmap_purge.c, vmap_drain.c (the drain worker),
 * vmap_pool.c (the sharded policy's node pools), vmap_space.c (life cycle) and
 * vmap_show.c (listing, stats, checks).
 *
 * Locks (each a counted lock, vmap_lock.h), placed as the kernel places its own:
 *   "global":  vs->lock covers the free tree, the busy tree and the lazy list (nodes[0]
 *              is the only node; its own locks are not used);
 *   "sharded": vs->lock covers the free tree (free_vmap_area_lock); each node has a busy
 *              lock (its busy tree), a lazy lock (its lazy list) and a pool lock (its
 *              pools), as struct vmap_node has since 6.9.
 *   "sharded-cpu": the same locks; only the busy node of an area differs (busy_node).
 *   Both: vs->purge_lock (vmap_purge_lock) serialises purges: the drain worker's and the
 *   synchronous ones (an explicit purge, the allocation-failure path).
 * Nesting order: purge_lock, vs->lock, then per node busy, lazy, pool, nodes in index
 * order. Only a purge (purge_lock, then one other at a time) and the introspection paths
 * (every lock) nest at all.
 *
 * Layout: every group a different thread writes on the hot path has a cache line of its
 * own (the free tree with its lock, lazy_nr, each node's busy, lazy and pool groups); the
 * counters of a group are written under its lock, next to what that lock guards. The
 * spinning locks' words are inline (vmap_lock.h), so the free tree's, a busy and a lazy
 * group's lock, data and counters are one line (asserted below): a CPU that takes a busy
 * lock another CPU held last moves one line, as with the kernel's vmap_node, not two. A
 * pool group is larger: its lock and a size's pool may be two lines.
 */
#ifndef IOMEM_MMU_VMAP_IMPL_H
#define IOMEM_MMU_VMAP_IMPL_H

#include <stdatomic.h>
#include <stddef.h>

#include "iomem/vmap.h"
#include "va_tree.h"
#include "vmap_drain.h"
#include "vmap_lock.h"

#define CACHELINE 64

/* One cache line, allocated line-aligned (va_area_new): a tree step is one miss. The
 * kernel's vmap_area is one line too; like it, an area keeps its mapping's details in
 * the word the free tree uses for subtree maxima (the kernel's union of
 * subtree_max_size and vm): busy trees are plain (va_tree.h), so rb.kid_max holds the
 * phys and the caller while the area is busy. Its mapped size is its size less the
 * guard page. rb.tag is the node whose lazy list (and pools) it returns to. */
struct vmap_area {
	struct va_node rb;		/* first: in a tree as a node */
	struct vmap_area *next;		/* lazy list, pool or purge list */
};

_Static_assert(sizeof(struct vmap_area) <= CACHELINE, "a vmap_area is one cache line");

static inline struct vmap_area *to_area(struct va_node *n)
{
	return (struct vmap_area *)n;
}

static inline uint64_t area_phys(const struct vmap_area *va)
{
	return va->rb.kid_max[0];
}

static inline const char *area_caller(const struct vmap_area *va)
{
	return (const char *)(uintptr_t)va->rb.kid_max[1];
}

static inline uint64_t area_vm_size(const struct vmap_area *va)
{
	return va_size(&va->rb) - PAGE_SIZE;
}

static inline void area_set_vm(struct vmap_area *va, uint64_t phys, const char *caller)
{
	va->rb.kid_max[0] = phys;
	va->rb.kid_max[1] = (uintptr_t)caller;
}

/* A zeroed area, or NULL. */
struct vmap_area *va_area_new(void);

struct va_pool {
	struct vmap_area *head, *tail;
	_Atomic uint64_t len;		/* written under the pool lock; peeked without it */
};

struct vmap_node {
	struct {
		struct vmap_lock lock;
		struct va_node *root;
		uint64_t allocs, frees;		/* under the lock */
	} busy __attribute__((aligned(CACHELINE)));
	struct {
		struct vmap_lock lock;
		struct vmap_area *head;
	} lazy __attribute__((aligned(CACHELINE)));
	struct {
		struct vmap_lock lock;
		uint64_t hits;			/* under the lock */
		struct va_pool pool[MAX_VA_SIZE_PAGES];
	} pools __attribute__((aligned(CACHELINE)));
} __attribute__((aligned(CACHELINE)));

_Static_assert(offsetof(struct vmap_node, busy.frees) + sizeof(uint64_t) <= CACHELINE,
	       "a busy lock, its tree and its counters are one cache line");
_Static_assert(offsetof(struct vmap_node, lazy.head) + sizeof(void *) -
	       offsetof(struct vmap_node, lazy) <= CACHELINE,
	       "a lazy lock and its list are one cache line");

struct vmap_space {
	/* Read-mostly. */
	struct pgtable *pt;
	bool sharded;
	bool busy_by_cpu;	/* "sharded-cpu": busy trees by allocating CPU, not address */
	unsigned ncpus, nr_nodes;
	uint64_t lazy_max;			/* pages */
	struct vmap_node *nodes;
	struct vmap_area **purge_lists;		/* per node, under purge_lock */
	/* The free tree: its lock, its root and its node cache ("global": everything). */
	struct vmap_lock lock __attribute__((aligned(CACHELINE)));
	struct va_node *free_root;
	struct vmap_area *spare;		/* node cache, under vs->lock */
	unsigned nr_spare;
	/* vmap_lazy_nr (pages): every free adds to it, so it has a line of its own. */
	_Atomic uint64_t lazy_nr __attribute__((aligned(CACHELINE)));
	/* Purges. */
	struct vmap_lock purge_lock __attribute__((aligned(CACHELINE)));
	uint64_t purges, purged_areas, purged_pages;	/* under purge_lock */
	/* A purge's per-size batches for one node's pools and the sizes it used, empty
	 * between purges (under purge_lock; the group's, so off the read-mostly line). */
	struct va_pool purge_batch[MAX_VA_SIZE_PAGES];
	uint16_t purge_batch_sizes[MAX_VA_SIZE_PAGES];
	_Atomic uint64_t alloc_failures;
	struct vmap_drain drain;
};

_Static_assert(offsetof(struct vmap_space, nr_spare) + sizeof(unsigned) -
	       offsetof(struct vmap_space, lock) <= CACHELINE,
	       "the free tree's lock, root and node cache are one cache line");

/* The locks that guard node n's busy tree, lazy list and pools. */
static inline struct vmap_lock *busy_lock(struct vmap_space *vs, unsigned n)
{
	return vs->sharded ? &vs->nodes[n].busy.lock : &vs->lock;
}

static inline struct vmap_lock *lazy_lock(struct vmap_space *vs, unsigned n)
{
	return vs->sharded ? &vs->nodes[n].lazy.lock : &vs->lock;
}

/* addr_to_node: 16-page zones dealt round-robin to the nodes. */
static inline unsigned addr_to_node(const struct vmap_space *vs, uint64_t addr)
{
	return (unsigned)((addr / (16 * PAGE_SIZE)) % vs->nr_nodes);
}

/* The node whose busy tree holds a busy area at start, allocated by a CPU of node tag:
 * the address's (the kernel's), or under "sharded-cpu" the allocating CPU's. */
static inline unsigned busy_node(const struct vmap_space *vs, uint64_t start, unsigned tag)
{
	return vs->busy_by_cpu ? tag : addr_to_node(vs, start);
}

/* vmap_free.c (caller holds vs->lock): the lowest fit for size at align, carved out
 * (0 and *start, or -ENOMEM); merge_or_add_vmap_area. */
int vmap_free_tree_take(struct vmap_space *vs, uint64_t size, uint64_t align, uint64_t *start);
void vmap_free_tree_merge(struct vmap_space *vs, struct vmap_area *va);
/* A list linked by ->next, sorted by address (no lock needed: the list is the caller's).
 * The kernel's lazy areas sit in an address-sorted tree, so its purge returns them to the
 * free tree in address order; a purge here sorts its detached list to do the same. */
struct vmap_area *vmap_sort_by_addr(struct vmap_area *list);

/* vmap_purge.c: __purge_vmap_area_lazy; the caller holds purge_lock. full_decay (the
 * allocation-failure path) empties the pools and does not refill them. */
bool vmap_purge_locked(struct vmap_space *vs, bool full_decay, struct vmap_purge_result *out);
/* The same, taking purge_lock. */
bool vmap_purge_decay(struct vmap_space *vs, bool full_decay, struct vmap_purge_result *out);

/* Pools (sharded; caller holds the node's pool lock but for peek and decay). */
bool vmap_pool_fits(uint64_t size);
/* The index of a fitting size's pool. */
unsigned vmap_pool_index(uint64_t size);
/* node_pool_add_va on a pool of the caller's own (no lock: a purge's batch). */
void vmap_pool_push(struct va_pool *p, struct vmap_area *va);
/* Puts a non-empty batch of one size in front of the node's pool of that size, as pushing
 * its areas one by one from the last would, and empties the batch. */
void vmap_pool_splice(struct vmap_node *vn, struct va_pool *batch);
/* node_pool_del_va: the first area of the size's pool if it is aligned, else NULL (and the
 * first area moves to the tail). */
struct vmap_area *vmap_pool_take(struct vmap_node *vn, uint64_t size, uint64_t align);
/* Whether the size's pool looks non-empty (no lock: a hint). */
bool vmap_pool_peek(struct vmap_node *vn, uint64_t size);
/* decay_va_pool_node: detaches a quarter of every pool (all of it if full) onto *list,
 * taking the pool lock for O(1) at a time. Only under purge_lock. */
void vmap_pool_decay(struct vmap_node *vn, bool full, struct vmap_area **list);

/* Takes every allocator lock, in order, for a consistent look (write side). */
void vmap_lock_all(struct vmap_space *vs);
void vmap_unlock_all(struct vmap_space *vs);

#endif
