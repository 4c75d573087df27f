/* SPDX-License-Identifier: MIT */
/* "vmap-spin": the VA allocator's default lock, a stand-in for the kernel's spinlock, on
 * one 32-bit word that sits inline in the struct it guards, as a kernel spinlock_t does
 * (vmap_lock.h): taking the lock and reading what it guards is one cache line.
 *
 * The kernel's free_vmap_area_lock and the vmap_node locks are spinlocks: a waiter spins,
 * and the holder, which runs with preemption off, is never descheduled inside. A user
 * thread can be: a FIFO spinlock (ticket, MCS, qspinlock) then hands the lock to a
 * waiter that is not running, and every waiter behind it spins for a time slice; a
 * sleeping lock (pthread mutex, rwlock) pays two context switches for a hold of a hundred
 * nanoseconds. This lock does what the kernel's would under those rules: a waiter spins
 * (re-trying whenever the word reads free), then parks on a futex; the lock is not handed
 * over but taken by whoever comes first (a woken waiter competes again), so a descheduled
 * waiter holds nobody up. There is no shared mode (the kernel's locks here are plain
 * spinlocks).
 *
 * The word: 0 free, 1 held, 2 held and a waiter may be parked, as in Drepper's "Futexes
 * Are Tricky" (its third mutex's locking by exchange; unlocked by exchange, as glibc's
 * low-level lock is).
 */
#ifndef IOMEM_MMU_VMAP_SPINLOCK_H
#define IOMEM_MMU_VMAP_SPINLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

static inline bool vspin_trylock(_Atomic uint32_t *word)
{
	uint32_t free_ = 0;

	/* The relaxed load keeps a spinning waiter reading a shared line, not writing it.
	 * The CAS acquires: the previous holder's critical section, published by the
	 * release in vspin_unlock, happens-before ours (LDAXR/CASA on arm64). */
	return atomic_load_explicit(word, memory_order_relaxed) == 0 &&
	       atomic_compare_exchange_strong_explicit(word, &free_, 1, memory_order_acquire,
						       memory_order_relaxed);
}

/* The blocking path, after a failed vspin_trylock: spins, then parks. */
void vspin_lock_slow(_Atomic uint32_t *word);
/* Wakes one parked waiter. */
void vspin_wake(_Atomic uint32_t *word);

static inline void vspin_unlock(_Atomic uint32_t *word)
{
	/* Release: the critical section happens-before the next acquire of the word. The
	 * futex syscall orders the wake against the sleeper's recheck of the word. */
	if (atomic_exchange_explicit(word, 0, memory_order_release) == 2)
		vspin_wake(word);
}

#endif
