/* SPDX-License-Identifier: MIT */
/* A small dense index per live thread, for per-thread slots inside a lock (brlock).
 * Indices are handed out lowest first and taken back when the thread exits, so slot
 * arrays sized for the number of live threads suffice. */
#ifndef LOCKS_THREAD_INDEX_H
#define LOCKS_THREAD_INDEX_H

#define LOCK_THREAD_INDEX_MAX 4096

/* This thread's index in [0, LOCK_THREAD_INDEX_MAX), or -1 when there is none: every
 * index taken, or the thread is exiting (its index already given back). */
int lock_thread_index(void);

#endif
