/* SPDX-License-Identifier: MIT */
/* A locktorture-style checker for the lock strategies of locks/ (after the kernel's
 * kernel/locking/locktorture.c).
 *
 * nwriters writer and nreaders reader threads start together and take the lock over and
 * over, each acquisition counted per thread. Inside, a writer checks that it is alone (no
 * other writer: the lock_is_write_held flag; no reader: the readers counter), a reader that
 * no writer is inside (and, for a lock without LOCK_PROP_SHARED_READS, no other reader).
 * Every violation counts as a failure. Inside the lock each thread holds it for a seeded
 * random short delay, and now and then for a long one; stutter pauses every thread
 * periodically, so the lock sees bursts of arrivals.
 *
 * Unless disabled, writers also update plain (non-atomic) shared words that readers check
 * for torn values, and the final count of updates is checked for lost ones: under TSan this
 * makes the lock's happens-before checked, not only its exclusion.
 *
 * The run ends when each role has made its share of the acquisitions, or at the time
 * limit once min_acquisitions are made. Results per role: per-thread counts, failures,
 * Jain's fairness index, and locktorture's starvation flag (max/2 > min across the role's
 * threads).
 *
 * A watchdog (torture/progress.h) looks at the threads throughout. A run that acquires
 * nothing for stall_ms while some thread is not paused is stuck: the run fails at once
 * with a report of where every thread is, whatever the time limit.
 */
#ifndef TORTURE_LOCK_TORTURE_H
#define TORTURE_LOCK_TORTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "locks/lock.h"

/* The default stall window: no acquisition in this long is a deadlock or a livelock. A
 * slow run, however oversubscribed, hands the lock on within a few scheduler periods. */
#define LOCK_TORTURE_STALL_MS 10000

struct lock_torture_config {
	const char *lock;			/* strategy name; NULL = LOCK_DEFAULT */
	const struct lock_ops *ops;		/* if set, this strategy instead of lock */
	const struct lock_spin_policy *spin;	/* NULL = lock_spin_default() */
	unsigned nwriters, nreaders;
	/* Acquisitions in all, shared out between the roles in proportion to their thread
	 * counts; within a role, threads take them first come, first served. 0 = no bound
	 * (then duration_ms must be set). */
	unsigned long long acquisitions;
	unsigned duration_ms;			/* time limit; 0 = none */
	/* With duration_ms: the run goes on past the time limit until the threads have made
	 * this many acquisitions in all, so that a loaded machine still tests something. */
	unsigned long long min_acquisitions;
	unsigned stall_ms;			/* the watchdog's window; 0 = LOCK_TORTURE_STALL_MS */
	unsigned short_delay_ns;		/* hold for a random [0, short_delay_ns] */
	unsigned long_hold_us;			/* hold this long instead... */
	unsigned long_hold_every;		/* ...once in that many acquisitions; 0 = never */
	unsigned stutter_ms;			/* run this long, pause this long, ...; 0 = no */
	uint64_t seed;
	bool no_data_check;	/* skip the plain shared words (a lock known broken races) */
};

/* What one role (writers or readers) did. */
struct lock_torture_role {
	unsigned nthreads;
	unsigned long long *acquisitions;	/* per thread */
	unsigned long long *failures;		/* per thread */
	unsigned long long total, max, min, fail;
	double jain;		/* (sum x)^2 / (n sum x^2): 1 = all equal, 1/n = one thread */
	bool starved;		/* max / 2 > min */
};

struct lock_torture_result {
	const char *lock;	/* the strategy's name (static storage) */
	struct lock_spin_policy spin;	/* the policy the lock was made with */
	struct lock_torture_role writes, reads;
	unsigned long long long_holds;
	unsigned long long lost_writes;	/* writes the shared words missed (data check) */
	double elapsed_s;
	bool timed_out;		/* stopped by duration_ms before the acquisitions were made */
	bool stalled;		/* the watchdog found the run stuck */
	char *stall_report;	/* then: progress_report()'s text (malloc'd; may be NULL) */
	bool failed;		/* any failure, lost write or stall */
};

/* Fills in locktorture-like defaults: writers = readers = online CPUs, 10^6
 * acquisitions, 200 ns short delays, 1 ms long holds once in 2000 * nwriters acquisitions,
 * no stutter, seed 1. */
void lock_torture_config_default(struct lock_torture_config *cfg);

/* Runs the checker. 0 (whether or not the lock passed: see res->failed), -ENOENT for an
 * unknown lock, -EINVAL for a config that cannot end (no threads, or neither bound), or
 * another -errno. On 0, free res with lock_torture_result_free. A stalled run whose
 * threads are still stuck a second after being told to stop leaves them, and the lock,
 * behind: the caller should report and exit. */
int lock_torture_run(const struct lock_torture_config *cfg, struct lock_torture_result *res);
void lock_torture_result_free(struct lock_torture_result *res);

/* Computes total, max, min, fail, jain and starved from the per-thread arrays. */
void lock_torture_role_summarize(struct lock_torture_role *role);

/* locktorture's summary:
 *	Writes:  Total: %lld  Max/Min: %ld/%ld %s  Fail: %d %s
 *	Reads :  Total: ...                  (only with readers)
 * (the first %s "???" on starvation, the last "!!!" on failure), then a Jain's index line
 * and the end banner "<lock>-torture:--- End of test: SUCCESS|FAILURE: ...". */
void lock_torture_print(FILE *f, const struct lock_torture_config *cfg,
			const struct lock_torture_result *res);

/* Whether a fair strategy (LOCK_PROP_FAIR of the lock that ran) let a thread of either
 * role starve by locktorture's flag. Over a long run that is the lock's doing; over a
 * short one on a shared machine it is often the scheduler's (see the tests). */
bool lock_torture_fair_starved(const struct lock_torture_result *res, unsigned props);

struct bench_json;
/* The run as Google Benchmark JSON entries (report/bench_json.h): one per role that ran,
 * "torture/<lock>/writes" and ".../reads", with iterations = acquisitions, real_time =
 * the run's time per acquisition of that role, and counters threads, max, min, jain,
 * starved, failures; lost writes and a stall go on the writes entry. 0 or -ENOMEM. */
int lock_torture_json_add(struct bench_json *bj, const struct lock_torture_result *res);

/* The kernel's lock_busted: a "lock" that excludes no one, for showing that the checker
 * fails. Not in the lock registry. */
extern const struct lock_ops lock_torture_busted;

#endif
