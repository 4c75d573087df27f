/* SPDX-License-Identifier: MIT */
/* Contention tests bounded by time, not by scheduling luck: threads run rounds until a
 * time has passed and each has made a minimum of rounds, under the progress watchdog
 * (torture/progress.h), which fails the test only when no thread acquires anything for a
 * whole stall window, with its report of where each thread waits. However loaded the
 * machine, a correct lock passes in about run_ms; a stuck one fails in stall_ms. */
#ifndef TESTS_LOCKS_BOUNDED_H
#define TESTS_LOCKS_BOUNDED_H

#include "locks/lock.h"
#include "torture/progress.h"

struct bounded_run {
	unsigned nthreads;
	unsigned run_ms;		/* at least this long... */
	unsigned long min_rounds;	/* ...and until every thread made this many rounds */
	unsigned long max_rounds;	/* a thread stops after this many; 0 = no bound */
	unsigned stall_ms;		/* 0 = LOCK_TORTURE_STALL_MS */
	const struct lock *lock;	/* its state goes into a stall report; may be NULL */
	/* One round of thread i: its lock calls, with progress_set/progress_acquired on p
	 * around them. */
	void (*round)(void *arg, unsigned i, struct progress_thread *p);
	void *arg;
};

/* Runs it; fails the test on a stall. The rounds made, in all. */
unsigned long long bounded_run(const struct bounded_run *r);

#endif
