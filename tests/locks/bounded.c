/* SPDX-License-Identifier: MIT */
/* Contention tests bounded by time: see bounded.h. */
#include "bounded.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "torture/lock_torture.h"

struct runner {
	const struct bounded_run *r;
	struct progress_thread *progress;
	atomic_ulong *rounds;		/* per thread */
	atomic_bool stop;
};

struct worker {
	struct runner *run;
	unsigned i;
};

static void *work(void *p)
{
	struct worker *w = p;
	struct runner *run = w->run;
	const struct bounded_run *r = run->r;
	struct progress_thread *me = &run->progress[w->i];

	progress_thread_start(me, "thread", w->i);
	for (unsigned long n = 0; !r->max_rounds || n < r->max_rounds; n++) {
		if (atomic_load_explicit(&run->stop, memory_order_relaxed))
			break;
		r->round(r->arg, w->i, me);
		atomic_store_explicit(&run->rounds[w->i], n + 1, memory_order_relaxed);
	}
	progress_set(me, PROGRESS_FINISHED);
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool enough(const struct runner *run)
{
	const struct bounded_run *r = run->r;

	for (unsigned i = 0; i < r->nthreads; i++) {
		unsigned long n = atomic_load_explicit(&run->rounds[i], memory_order_relaxed);

		if (n < r->min_rounds && (!r->max_rounds || n < r->max_rounds))
			return false;
	}
	return true;
}

static bool all_finished(const struct runner *run)
{
	for (unsigned i = 0; i < run->r->nthreads; i++)
		if (atomic_load_explicit(&run->progress[i].where, memory_order_acquire) !=
		    PROGRESS_FINISHED)
			return false;
	return true;
}

unsigned long long bounded_run(const struct bounded_run *r)
{
	struct timespec tick = { 0, 10 * 1000000 };
	/* On the heap: after a stall the threads keep it. */
	struct runner *run = calloc(1, sizeof(*run));
	struct worker *workers;
	pthread_t *tids;
	struct progress_watch watch;
	unsigned long long total = 0;
	uint64_t start = now_ms(), next_check = start + 100;

	assert_non_null(run);
	run->r = r;
	run->progress = aligned_alloc(64, r->nthreads * sizeof(*run->progress));
	run->rounds = calloc(r->nthreads, sizeof(*run->rounds));
	workers = calloc(r->nthreads, sizeof(*workers));
	tids = calloc(r->nthreads, sizeof(*tids));
	assert_non_null(run->progress);
	assert_non_null(run->rounds);
	assert_non_null(workers);
	assert_non_null(tids);
	memset(run->progress, 0, r->nthreads * sizeof(*run->progress));
	assert_int_equal(progress_watch_init(&watch, run->progress, r->nthreads, r->lock,
					     r->stall_ms ? r->stall_ms : LOCK_TORTURE_STALL_MS), 0);
	for (unsigned i = 0; i < r->nthreads; i++) {
		workers[i] = (struct worker){ run, i };
		assert_int_equal(pthread_create(&tids[i], NULL, work, &workers[i]), 0);
	}
	while (!all_finished(run)) {
		uint64_t now;

		nanosleep(&tick, NULL);
		now = now_ms();
		if (now - start >= r->run_ms && enough(run))
			atomic_store(&run->stop, true);
		if (now >= next_check) {
			next_check = now + 100;
			if (progress_check(&watch) == PROGRESS_STUCK) {
				/* The threads are stuck in the lock: left behind, as is their
				 * memory, for the process to end with the failure. */
				fail_msg("%s", progress_report(&watch));
			}
		}
	}
	for (unsigned i = 0; i < r->nthreads; i++) {
		pthread_join(tids[i], NULL);
		total += atomic_load(&run->rounds[i]);
	}
	progress_watch_destroy(&watch);
	free(tids);
	free(workers);
	free(run->rounds);
	free(run->progress);
	free(run);
	return total;
}
