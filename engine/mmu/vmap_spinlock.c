/* SPDX-License-Identifier: MIT */
/* "vmap-spin"'s blocking path; see vmap_spinlock.h. */
#include <linux/futex.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmap_spinlock.h"

#define SPINS 256

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

void vspin_lock_slow(_Atomic uint32_t *word)
{
	for (unsigned i = 0; i < SPINS; i++) {
		cpu_relax();
		if (vspin_trylock(word))
			return;
	}
	/* Park: mark the word "waiters" and sleep while it stays so; whoever takes it from
	 * here takes it as 2, so its unlock wakes the next sleeper. */
	/* Acquire for the same reason as vspin_trylock's CAS: an exchange that returns 0
	 * took the lock. */
	while (atomic_exchange_explicit(word, 2, memory_order_acquire) != 0)
		syscall(SYS_futex, word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 2, NULL, NULL, 0);
}

void vspin_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
}
