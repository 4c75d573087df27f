/* SPDX-License-Identifier: MIT */
/* A watchdog that tells a slow run from a stuck one.
 *
 * Threads that take a lock over and over count their acquisitions and say where they are
 * (outside, inside a lock call, holding the lock, paused). A watchdog samples them now and
 * then. A run in which some thread acquired since the last stall window is making
 * progress, however slowly: never a deadlock. A run in which nobody acquired for a whole
 * window while some thread was not paused is stuck, and the report says what is needed to
 * find out why: each thread's acquisitions in all and in the last window, where it is,
 * the wait loop it is in (its lock's wait site), the CPU it used in the window (spinning
 * or asleep), and the lock's own state words.
 *
 * Thread side:
 *	progress_thread_start(p, "writer", i);		on the thread itself, once
 *	progress_set(p, PROGRESS_WRITE_LOCKING);	before lock_write
 *	progress_acquired(p, PROGRESS_WRITING);		once inside
 *	progress_set(p, PROGRESS_OUTSIDE);		after unlock_write
 *
 * Watchdog side:
 *	progress_watch_init(&w, threads, n, &lock, stall_ms);
 *	while (running)
 *		if (progress_check(&w) == PROGRESS_STUCK)
 *			report = progress_report(&w);
 *
 * Counters and states are relaxed atomics: the watchdog needs each value eventually, not
 * in any order with the lock's own memory. */
#ifndef TORTURE_PROGRESS_H
#define TORTURE_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "locks/lock.h"

enum progress_where {
	PROGRESS_NOT_STARTED,
	PROGRESS_OUTSIDE,	/* between lock calls */
	PROGRESS_READ_LOCKING,	/* in lock_read (or a read trylock) */
	PROGRESS_WRITE_LOCKING,	/* in lock_write (or a write trylock) */
	PROGRESS_READING,	/* holding the read side */
	PROGRESS_WRITING,	/* holding the write side */
	PROGRESS_UNLOCKING,	/* in an unlock call */
	PROGRESS_PAUSED,	/* napping on purpose (stutter): not expected to acquire */
	PROGRESS_FINISHED,
};

struct progress_thread {
	_Alignas(64) atomic_ullong acquisitions;
	atomic_int where;		/* enum progress_where */
	lock_wait_site *site;		/* the thread's wait-site slot (locks/lock.h) */
	pthread_t tid;
	const char *role;
	unsigned index;
	/* The watchdog's own: the last sample. */
	unsigned long long seen_acquisitions;
	long long seen_cpu_ns;
};

/* On the thread itself, before its first lock call. p must be zeroed (or static). */
void progress_thread_start(struct progress_thread *p, const char *role, unsigned index);

static inline void progress_set(struct progress_thread *p, enum progress_where where)
{
	if (where == PROGRESS_READ_LOCKING || where == PROGRESS_WRITE_LOCKING)
		atomic_store_explicit(p->site, NULL, memory_order_relaxed);
	atomic_store_explicit(&p->where, (int)where, memory_order_relaxed);
}

/* One more acquisition, now holding as `where` says. Only the thread writes its count. */
static inline void progress_acquired(struct progress_thread *p, enum progress_where where)
{
	atomic_store_explicit(&p->acquisitions,
			      atomic_load_explicit(&p->acquisitions, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	atomic_store_explicit(&p->where, (int)where, memory_order_relaxed);
}

enum progress_state {
	PROGRESS_MOVING,	/* an acquisition within the last stall window */
	PROGRESS_IDLE,		/* none, but every thread is paused or finished */
	PROGRESS_STUCK,		/* none for a whole window, with threads that should */
};

struct progress_watch {
	struct progress_thread *threads;
	unsigned nthreads;
	const struct lock *lock;	/* described in the report; may be NULL */
	uint64_t stall_ns;
	uint64_t last_move_ns;		/* when an acquisition was last seen */
	uint64_t last_check_ns;
	unsigned long long total_at_move;
	/* Per thread, acquisitions and CPU at last_move_ns: the report's window. */
	unsigned long long *window_acquisitions;
	long long *window_cpu_ns;
};

/* 0 or -ENOMEM. The threads need not have started. */
int progress_watch_init(struct progress_watch *w, struct progress_thread *threads,
			unsigned nthreads, const struct lock *lock, unsigned stall_ms);
void progress_watch_destroy(struct progress_watch *w);
/* Restarts the stall window (after a pause of the whole run, say). */
void progress_watch_restart(struct progress_watch *w);
/* Samples the threads. */
enum progress_state progress_check(struct progress_watch *w);
/* Sum of every thread's acquisitions. */
unsigned long long progress_total(const struct progress_watch *w);
/* The report described above, as a malloc'd string (NULL without memory); the first line
 * says whether the run is stuck or moving. */
char *progress_report(struct progress_watch *w);

const char *progress_where_name(enum progress_where where);

#endif
