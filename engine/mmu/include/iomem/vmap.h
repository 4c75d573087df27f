/* SPDX-License-Identifier: MIT */
/* The vmalloc address-space allocator, as ioremap uses it (docs/kernel-model.md
 * §2.8, §2.9).
 *
 * Free space is an augmented balanced tree of free areas sorted by address, each node
 * knowing the largest free block in its subtree, searched for the lowest-address fit.
 * Every area carries one guard page after it. Freed areas are unmapped at once but their
 * VA is reusable only after a purge: one TLB flush over all lazily freed areas, then
 * their return to the free space. When more than
 * lazy_max_pages = fls(ncpus) * 32 MiB / PAGE_SIZE pages are lazily freed, the free
 * wakes the space's drain worker (drain_vmap_area_work), which purges under its own
 * purge lock while the freeing thread goes on; one drain runs at a time. An allocation
 * that finds no space purges synchronously once and retries.
 *
 * Policies (the locking choice):
 *   "global"   one lock over the free tree, the busy tree and the lazy list: the
 *              pre-6.9 design simplified (the kernel had one spinlock for each of the
 *              three and a purge mutex, all global);
 *   "sharded"  as since 6.9: busy trees and lazy lists split over nodes (an address picks
 *              the busy node; an allocation's CPU picks its lazy node), per-node pools of
 *              free areas by size (up to 256 pages) served before the global free tree,
 *              which keeps its own lock. A purge returns pooled sizes to the pools after
 *              decaying each pool by a quarter; the purge before an allocation fails
 *              empties the pools instead.
 *   "sharded-cpu" not the kernel's: "sharded" with a busy area in the busy tree of its
 *              allocating CPU's node instead of its address's, to measure what the
 *              kernel's choice costs when CPUs map into the same zones.
 * A thread's "CPU" is a number given to it on its first allocation, round-robin.
 *
 * Locks: the free tree's, each node's busy, lazy and pool locks spin (VMAP_LOCK_DEFAULT),
 * as the kernel's spinlocks do; the purge lock sleeps (VMAP_MUTEX_DEFAULT), as
 * vmap_purge_lock, a mutex, does. vmap_opts.lock puts one strategy on all of them. Each
 * counts its acquisitions, contended acquisitions and waiting time (vmap_lock_stats).
 */
#ifndef IOMEM_VMAP_H
#define IOMEM_VMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iomem/pgtable.h"

#define VMALLOC_START		0xffff800080000000ULL
#define VMALLOC_END		0xfffffbfff0000000ULL	/* exclusive */
#define IOREMAP_MAX_ORDER	PUD_SHIFT
#define MAX_VA_SIZE_PAGES	256	/* largest pooled area, guard page included */
#define VMAP_MAX_NODES		128
#define VMAP_LOCK_DEFAULT	"vmap-spin"	/* the spinning locks */
#define VMAP_MUTEX_DEFAULT	"pthread-mutex"	/* the purge lock */

struct vmap_space;

struct vmap_opts {
	const char *policy;	/* "global" (NULL), "sharded" or "sharded-cpu" */
	const char *lock;	/* lock strategy for every allocator lock; NULL = the
				 * defaults above */
	unsigned ncpus;		/* 0 = this machine's online CPUs */
	unsigned nodes;		/* sharded: node count; 0 = clamp(ncpus, 1, 128) */
};

/* Names of the policies, NULL-terminated. */
const char *const *vmap_policy_names(void);
/* The policy called name, as vmap_policy_names() spells it (a string that lives as long
 * as the program), or NULL when there is none. */
const char *vmap_policy_find(const char *name);

/* The allocator over [VMALLOC_START, VMALLOC_END), clearing entries in pt on unmap and
 * counting its TLB flushes there. NULL with errno ENOENT (unknown policy or lock),
 * EINVAL (bad counts) or ENOMEM. */
struct vmap_space *vmap_new(struct pgtable *pt, const struct vmap_opts *opts);
/* Frees every area (busy, lazy, pooled or free). No other thread may use vs. */
void vmap_free(struct vmap_space *vs);

/* 1 << clamp(get_count_order(size), PAGE_SHIFT, IOREMAP_MAX_ORDER). */
uint64_t vmap_ioremap_align(uint64_t size);

/* __get_vm_area_node(VM_IOREMAP): size is page-aligned, the area aligned as above and one
 * guard page added. phys and caller are kept for the listing (caller not copied).
 * 0 and *addr; -EINVAL for size 0; -ENOMEM when no space is left even after a purge. */
int vmap_get_area(struct vmap_space *vs, uint64_t size, uint64_t phys, const char *caller,
		  uint64_t *addr);

struct vmap_info {
	uint64_t addr;		/* start */
	uint64_t size;		/* mapped size: the guard page excluded */
	uint64_t va_end;	/* end of the area, guard page included */
	uint64_t phys;
	const char *caller;
};

/* find_vm_area: the live area containing addr (guard page included). 0 or -ENOENT. */
int vmap_find(struct vmap_space *vs, uint64_t addr, struct vmap_info *out);

/* remove_vm_area + lazy free: unlinks the live area containing addr, clears its
 * page-table entries now, and queues its VA for the next purge (waking the drain worker
 * past lazy_max_pages). 0 (and *out when not NULL) or -ENOENT. */
int vmap_remove(struct vmap_space *vs, uint64_t addr, struct vmap_info *out);

struct vmap_purge_result {
	uint64_t areas;		/* lazy areas returned to the free space */
	uint64_t pages;		/* their pages, guard pages included */
	uint64_t tlbi_pages;	/* per-page invalidations of this purge's flush */
	uint64_t tlbi_all;	/* 1 when the flush was a full one */
};

/* __purge_vmap_area_lazy, synchronously, under the purge lock (after a drain in flight).
 * Returns true when there was something to purge. */
bool vmap_purge(struct vmap_space *vs, struct vmap_purge_result *out);

/* Waits until no drain is scheduled or running: what a deterministic caller (an
 * op-script) does after a free, so the drain lands where the kernel's would have
 * completed. */
void vmap_settle(struct vmap_space *vs);

uint64_t vmap_lazy_max_pages(const struct vmap_space *vs);
const char *vmap_policy(const struct vmap_space *vs);
const char *vmap_lock_name(const struct vmap_space *vs);

struct vmap_stats {
	uint64_t allocs, alloc_failures, frees;
	uint64_t pool_hits;		/* sharded: allocations served by a node pool */
	uint64_t purges, purged_areas, purged_pages;
	uint64_t lazy_pages;		/* now */
	uint64_t busy_areas, lazy_areas, free_areas, pooled_areas;	/* now */
	uint64_t spare_areas;		/* now: area structures cached for free-tree splits */
	uint64_t busy_bytes, lazy_bytes, free_bytes, pooled_bytes;	/* now, guards included */
	uint64_t drains;		/* purges the drain worker ran (within purges) */
	uint64_t drain_throttled;	/* frees that waited for a lagging drain */
};
void vmap_stats(struct vmap_space *vs, struct vmap_stats *out);

/* One class of allocator lock: "global" (the global policy's single lock), or "free",
 * "busy", "lazy", "pool" (sharded: summed over the nodes), and "purge". */
#define VMAP_MAX_LOCK_CLASSES 5

struct vmap_lock_stat {
	const char *name;
	unsigned locks;			/* locks of the class */
	uint64_t acquisitions;
	uint64_t contended;		/* acquisitions that found the lock taken */
	uint64_t wait_ns;		/* time spent waiting in those */
};

/* Fills out[0..n) (n returned, at most VMAP_MAX_LOCK_CLASSES) without taking a lock:
 * exact at rest, approximate while threads run. */
unsigned vmap_lock_stats(struct vmap_space *vs, struct vmap_lock_stat *out);

/* /proc/vmallocinfo: live areas by address, then the lazy ones ("unpurged vm_area").
 * 0 or -EIO. */
int vmap_show(struct vmap_space *vs, FILE *out);

/* Checks every invariant (tree order, balance and subtree maxima, disjoint areas, every
 * byte of the range accounted for exactly once, free areas coalesced). 0, -EUCLEAN with a
 * message in msg, or -ENOMEM. */
int vmap_check(struct vmap_space *vs, char *msg, size_t msglen);

#endif
