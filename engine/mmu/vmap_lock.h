/* SPDX-License-Identifier: MIT */
/* The VA allocator's locks, each counting its acquisitions, its contended acquisitions and
 * the time spent waiting in them: the numbers the kernel's lock_stat (and the profile of a
 * contended test_vmalloc run) show for free_vmap_area_lock, the per-node busy, lazy and
 * pool locks, and vmap_purge_lock.
 *
 * An acquisition first tries the lock; only when that fails is it contended, and only
 * then is the clock read, around the blocking acquisition. The counters live beside the
 * data the lock guards (the caller places the struct so) and are written by the holder,
 * so counting costs no cache line the holder would not touch anyway. They are atomics
 * written with plain relaxed stores (one writer at a time: the holder), read with relaxed
 * loads by vmap_lock_stats(): exact at rest, approximate while the allocator runs.
 * A shared (read) acquisition has several holders at once, so it counts with an atomic
 * add; the allocator takes its locks for reading only on lookups (vmap_find).
 */
#ifndef IOMEM_MMU_VMAP_LOCK_H
#define IOMEM_MMU_VMAP_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "locks/lock.h"
#include "vmap_spinlock.h"

/* 40 bytes: with what it guards it fits the line the kernel's lock would share with it
 * (vmap_impl.h). The default strategy's word is inline; any other strategy of the
 * registry is reached through other. */
struct vmap_lock {
	_Atomic uint32_t word;		/* vmap-spin (vmap_spinlock.h), when other is NULL */
	_Atomic uint32_t waiting;	/* threads in the contended path now */
	_Atomic uint64_t acquired, contended, wait_ns;
	struct lock *other;		/* a registry strategy, or NULL */
};

/* strategy: a registry name, or VMAP_LOCK_DEFAULT for the inline vmap-spin word. 0,
 * -ENOENT (unknown strategy) or -ENOMEM. */
int vmap_lock_init(struct vmap_lock *vl, const char *strategy);
void vmap_lock_destroy(struct vmap_lock *vl);
/* The strategy's name. */
const char *vmap_lock_strategy(const struct vmap_lock *vl);

/* The contended path: times a blocking acquisition. */
void vmap_lock_write_slow(struct vmap_lock *vl);
void vmap_lock_read_slow(struct vmap_lock *vl);

static inline void vmap_count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline void vl_lock(struct vmap_lock *vl)
{
	if (!(vl->other ? trylock_write(vl->other) : vspin_trylock(&vl->word)))
		vmap_lock_write_slow(vl);
	vmap_count(&vl->acquired, 1);
}

static inline void vl_unlock(struct vmap_lock *vl)
{
	if (vl->other)
		unlock_write(vl->other);
	else
		vspin_unlock(&vl->word);
}

/* spin_needbreak: does anyone wait for the lock the caller holds? */
static inline bool vl_needbreak(struct vmap_lock *vl)
{
	return atomic_load_explicit(&vl->waiting, memory_order_relaxed) != 0;
}

/* cond_resched_lock: when someone waits, lets go of the lock until a waiter has had it
 * (or a while has passed), then takes it again. */
void vl_cond_break(struct vmap_lock *vl);

/* vmap-spin has no shared mode: a read acquisition of it is exclusive. */
static inline void vl_lock_read(struct vmap_lock *vl)
{
	if (!(vl->other ? trylock_read(vl->other) : vspin_trylock(&vl->word)))
		vmap_lock_read_slow(vl);
	atomic_fetch_add_explicit(&vl->acquired, 1, memory_order_relaxed);
}

static inline void vl_unlock_read(struct vmap_lock *vl)
{
	if (vl->other)
		unlock_read(vl->other);
	else
		vspin_unlock(&vl->word);
}

#endif
