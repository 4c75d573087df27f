/* SPDX-License-Identifier: MIT */
/* Happens-before for ThreadSanitizer across Concurrency Kit's inline-asm atomics, which it
 * cannot see. Compiled only in TSan builds (IOMEM_TSAN). Strategies built on C11 atomics or
 * pthreads do not use these: TSan checks their real synchronization.
 *
 * Two sync addresses per lock model reader-writer semantics exactly: the lock itself
 * carries writer releases (to readers and writers), lock + 1 carries reader releases (to
 * writers only), so readers do not synchronize with each other. An exclusive lock uses
 * the writer pair for its readers too.
 *
 * Call the *_acquired functions right after the lock is taken, and *_releasing right
 * before it is given back. */
#ifndef LOCKS_TSAN_ANNOTATE_H
#define LOCKS_TSAN_ANNOTATE_H

#ifdef IOMEM_TSAN
#include <sanitizer/tsan_interface.h>

static inline void tsan_writer_acquired(void *lock)
{
	__tsan_acquire(lock);
}

static inline void tsan_readers_drained(void *lock)
{
	__tsan_acquire((char *)lock + 1);
}

static inline void tsan_write_releasing(void *lock)
{
	__tsan_release(lock);
}

static inline void tsan_read_acquired(void *lock)
{
	__tsan_acquire(lock);
}

static inline void tsan_read_releasing(void *lock)
{
	__tsan_release((char *)lock + 1);
}
#else
static inline void tsan_writer_acquired(void *lock) { (void)lock; }
static inline void tsan_readers_drained(void *lock) { (void)lock; }
static inline void tsan_write_releasing(void *lock) { (void)lock; }
static inline void tsan_read_acquired(void *lock) { (void)lock; }
static inline void tsan_read_releasing(void *lock) { (void)lock; }
#endif

/* The write side taken at once (no separate wait for readers to drain). */
static inline void tsan_write_acquired(void *lock)
{
	tsan_writer_acquired(lock);
	tsan_readers_drained(lock);
}

#endif
