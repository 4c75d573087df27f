/* SPDX-License-Identifier: MIT */
/* "vmap-spin": the VA allocator's default lock, a stand-in for the kernel's spinlock.
 *
 * The kernel's free_vmap_area_lock and the vmap_node locks are spinlocks: a waiter spins,
 * and the holder, which runs with preemption off, is never descheduled inside. A user
 * thread can be: a FIFO spinlock (ticket, MCS, qspinlock) then hands the lock to a
 * waiter that is not running, and every waiter behind it spins for a time slice; a
 * sleeping lock (pthread mutex, rwlock) pays two context switches for a hold of a hundred
 * nanoseconds. This lock does what the kernel's would under those rules: a waiter spins
 * (SPINS rounds, re-trying whenever the word reads free), then parks on a futex; the lock
 * is not handed over but taken by whoever comes first (a woken waiter competes again),
 * so a descheduled waiter holds nobody up. Readers are exclusive too (the kernel's
 * locks here are plain spinlocks).
 *
 * The word: 0 free, 1 held, 2 held and a waiter may be parked (Drepper's "Futexes Are
 * Tricky", mutex 2). Outside the registry (lock_init_ops): it is this allocator's, not a
 * strategy for the trees.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmap_lock.h"

#define SPINS 256

struct vspin {
	_Atomic uint32_t word;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static int vspin_init(void *impl, const struct lock_spin_policy *spin)
{
	struct vspin *l = impl;

	(void)spin;
	atomic_init(&l->word, 0);
	return 0;
}

static void vspin_destroy(void *impl)
{
	(void)impl;
}

static bool vspin_trylock(void *impl)
{
	struct vspin *l = impl;
	uint32_t free_ = 0;

	/* The relaxed load keeps a spinning waiter reading a shared line, not writing it.
	 * The CAS acquires: the previous holder's critical section, published by the
	 * release in vspin_unlock, happens-before ours (LDAXR/CASA on arm64). */
	return atomic_load_explicit(&l->word, memory_order_relaxed) == 0 &&
	       atomic_compare_exchange_strong_explicit(&l->word, &free_, 1, memory_order_acquire,
						       memory_order_relaxed);
}

static void vspin_lock(void *impl)
{
	struct vspin *l = impl;

	if (vspin_trylock(l))
		return;
	for (unsigned i = 0; i < SPINS; i++) {
		cpu_relax();
		if (vspin_trylock(l))
			return;
	}
	/* Park: mark the word "waiters" and sleep while it stays so; whoever takes it from
	 * here takes it as 2, so its unlock wakes the next sleeper. */
	/* Acquire for the same reason as the CAS: an exchange that returns 0 took the lock. */
	while (atomic_exchange_explicit(&l->word, 2, memory_order_acquire) != 0)
		syscall(SYS_futex, &l->word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 2, NULL, NULL, 0);
}

static void vspin_unlock(void *impl)
{
	struct vspin *l = impl;

	/* Release: the critical section happens-before the next acquire of the word. The
	 * futex syscall orders the wake against the sleeper's recheck of the word. */
	if (atomic_exchange_explicit(&l->word, 0, memory_order_release) == 2)
		syscall(SYS_futex, &l->word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
}

static int vspin_describe(const void *impl, char *buf, unsigned long len)
{
	const struct vspin *l = impl;

	return snprintf(buf, len, "word=%u",
			(unsigned)atomic_load_explicit(&l->word, memory_order_relaxed));
}

const struct lock_ops vmap_spin_ops = {
	.name = "vmap-spin",
	.description = "the VA allocator's spinlock: spins, then parks on a futex; taken, not handed over",
	.props = LOCK_PROP_SPINNING,
	.init = vspin_init,
	.destroy = vspin_destroy,
	.read_lock = vspin_lock,
	.read_unlock = vspin_unlock,
	.write_lock = vspin_lock,
	.write_unlock = vspin_unlock,
	.read_trylock = vspin_trylock,
	.write_trylock = vspin_trylock,
	.describe = vspin_describe,
	.impl_size = sizeof(struct vspin),
};
