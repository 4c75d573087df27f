/* SPDX-License-Identifier: MIT */
/* Every strategy through the locktorture-style checker, oversubscribed (6 threads on a
 * 2-core machine); and the checker itself: it must fail broken locks, and its watchdog
 * must call a stuck run stuck and a slow one not.
 *
 * Runs are bounded by time (with a minimum of acquisitions), so a loaded machine makes
 * them test less, not fail: exclusion and lost writes are judged whatever the scheduler
 * did. With no argument, everything runs; `test_lock_torture checker` runs the checker's
 * own tests and `test_lock_torture NAME` one strategy's (ctest runs each on its own). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "locks/lock.h"
#include "torture/lock_torture.h"

/* Per run: long enough for tens of thousands of acquisitions on an idle machine; the
 * minimum keeps a loaded one testing something. The head start of the threads running
 * when the run starts (one time slice alone with the lock) is a few thousand
 * acquisitions, under TSan too. */
#define RUN_MS 500
#define MIN_ACQUISITIONS 3000

static struct lock_torture_config oversubscribed(const char *lock)
{
	struct lock_torture_config cfg;

	lock_torture_config_default(&cfg);
	cfg.lock = lock;
	cfg.nwriters = 3;
	cfg.nreaders = 3;
	cfg.acquisitions = 0;
	cfg.duration_ms = RUN_MS;
	cfg.min_acquisitions = MIN_ACQUISITIONS;
	cfg.short_delay_ns = 200;
	cfg.long_hold_us = 200;
	cfg.long_hold_every = 5000;
	cfg.seed = 0x5eed;
	return cfg;
}

static void run(const struct lock_torture_config *cfg, struct lock_torture_result *res)
{
	int err = lock_torture_run(cfg, res);

	if (err)
		fail_msg("lock_torture_run: %s", strerror(-err));
	lock_torture_print(stdout, cfg, res);
}

/* The run held: no thread saw another where it must not, no write was lost, the lock
 * kept changing hands, and the minimum of acquisitions was made (by both roles where both
 * ran). Fairness is printed, not judged: over a time-bounded run on a shared machine a
 * thread's count follows how long the scheduler let it run outside the queue as much as
 * the lock's order, which the stepped tests (test_lock_order.c) check exactly. */
static void expect_pass(const struct lock_torture_config *cfg)
{
	struct lock_torture_result res;

	run(cfg, &res);
	assert_false(res.failed);
	assert_false(res.stalled);
	assert_int_equal(res.writes.fail, 0);
	assert_int_equal(res.reads.fail, 0);
	assert_int_equal(res.lost_writes, 0);
	assert_true(res.writes.total + res.reads.total >= cfg->min_acquisitions);
	assert_true(!cfg->nwriters || res.writes.total > 0);
	assert_true(!cfg->nreaders || res.reads.total > 0);
	lock_torture_result_free(&res);
}

static void test_strategy(void **state)
{
	struct lock_torture_config cfg = oversubscribed(*state);

	expect_pass(&cfg);
}

/* Writers only and readers only, with stutter: bursts of arrivals after each pause. */
static void test_strategy_one_role_stutter(void **state)
{
	struct lock_torture_config cfg = oversubscribed(*state);

	cfg.duration_ms /= 2;
	cfg.min_acquisitions /= 2;
	cfg.stutter_ms = 5;
	cfg.nreaders = 0;
	cfg.nwriters = 6;
	expect_pass(&cfg);
	cfg.nwriters = 0;
	cfg.nreaders = 6;
	expect_pass(&cfg);
}

/* Spinning without yielding: correct, only slow when oversubscribed, so 2 threads. */
static void test_strategy_pure_spin(void **state)
{
	const struct lock_spin_policy pure = { .mode = LOCK_SPIN_PURE, .spins = 0 };
	struct lock_torture_config cfg = oversubscribed(*state);

	cfg.spin = &pure;
	cfg.nwriters = 1;
	cfg.nreaders = 1;
	cfg.duration_ms = RUN_MS / 4;
	cfg.min_acquisitions = 1000;
	cfg.long_hold_every = 0;
	expect_pass(&cfg);
}

/* Spinning, then sleeping in the kernel: every waiter woken when its turn comes. */
static void test_strategy_park(void **state)
{
	const struct lock_spin_policy park = { .mode = LOCK_SPIN_PARK,
					       .spins = LOCK_SPIN_DEFAULT_SPINS };
	struct lock_torture_config cfg = oversubscribed(*state);

	cfg.spin = &park;
	expect_pass(&cfg);
}

static void test_busted_lock_fails(void **state)
{
	struct lock_torture_config cfg = oversubscribed(NULL);
	struct lock_torture_result res;

	(void)state;
	cfg.ops = &lock_torture_busted;
	cfg.no_data_check = true;	/* the words would be a real data race */
	cfg.duration_ms = 0;
	cfg.acquisitions = 20000;
	/* Inside most of the time, so that even on one free core a preemption lands
	 * inside and another thread walks in. */
	cfg.short_delay_ns = 20000;
	cfg.long_hold_every = 0;
	run(&cfg, &res);
	assert_true(res.failed);
	assert_true(res.writes.fail > 0);
	assert_true(res.reads.fail > 0);
	assert_string_equal(res.lock, "busted");
	lock_torture_result_free(&res);
}

/* A rwlock whose writers exclude each other but not readers. */
static pthread_mutex_t writers_only;

static int wo_init(void *impl, const struct lock_spin_policy *spin)
{
	(void)impl;
	(void)spin;
	return 0;
}

static void wo_nothing(void *impl)
{
	(void)impl;
}

static void wo_write_lock(void *impl)
{
	(void)impl;
	pthread_mutex_lock(&writers_only);
}

static void wo_write_unlock(void *impl)
{
	(void)impl;
	pthread_mutex_unlock(&writers_only);
}

static bool wo_read_trylock(void *impl)
{
	(void)impl;
	return true;
}

static bool wo_write_trylock(void *impl)
{
	(void)impl;
	return pthread_mutex_trylock(&writers_only) == 0;
}

static const struct lock_ops writers_only_lock = {
	.name = "writers-only",
	.description = "excludes writers from each other, not readers",
	.props = LOCK_PROP_SHARED_READS | LOCK_PROP_SLEEPING,
	.init = wo_init,
	.destroy = wo_nothing,
	.read_lock = wo_nothing,
	.read_unlock = wo_nothing,
	.write_lock = wo_write_lock,
	.write_unlock = wo_write_unlock,
	.read_trylock = wo_read_trylock,
	.write_trylock = wo_write_trylock,
	.impl_size = 1,
};

static void test_readers_overlapping_a_writer_fail(void **state)
{
	struct lock_torture_config cfg = oversubscribed(NULL);
	struct lock_torture_result res;

	(void)state;
	pthread_mutex_init(&writers_only, NULL);
	cfg.ops = &writers_only_lock;
	cfg.no_data_check = true;
	cfg.duration_ms = 0;
	cfg.acquisitions = 20000;
	cfg.short_delay_ns = 20000;
	cfg.long_hold_every = 0;
	run(&cfg, &res);
	assert_true(res.failed);
	assert_true(res.reads.fail > 0);	/* a reader saw a writer inside */
	lock_torture_result_free(&res);
	pthread_mutex_destroy(&writers_only);
}

/* pthread-rw claiming to be exclusive: its readers overlap, which an exclusive lock's
 * readers must not. */
static void test_exclusive_lock_with_shared_readers_fails(void **state)
{
	struct lock_ops ops = *lock_find("pthread-rw");
	struct lock_torture_config cfg = oversubscribed(NULL);
	struct lock_torture_result res;

	(void)state;
	ops.props &= ~LOCK_PROP_SHARED_READS;
	cfg.ops = &ops;
	cfg.nwriters = 0;
	cfg.nreaders = 4;
	cfg.duration_ms = 0;
	cfg.acquisitions = 20000;
	cfg.short_delay_ns = 20000;
	cfg.long_hold_every = 0;
	run(&cfg, &res);
	assert_true(res.failed);
	assert_true(res.reads.fail > 0);
	assert_int_equal(res.writes.fail, 0);
	lock_torture_result_free(&res);
}

static void test_bad_config(void **state)
{
	struct lock_torture_config cfg = oversubscribed("ticket");
	struct lock_torture_result res;

	(void)state;
	cfg.lock = "no-such-lock";
	assert_int_equal(lock_torture_run(&cfg, &res), -ENOENT);
	cfg.lock = "ticket";
	cfg.nwriters = cfg.nreaders = 0;
	assert_int_equal(lock_torture_run(&cfg, &res), -EINVAL);
	cfg.nwriters = 1;
	cfg.acquisitions = 0;
	cfg.duration_ms = 0;
	assert_int_equal(lock_torture_run(&cfg, &res), -EINVAL);
}

/* Time-limited, no acquisition bound: stops, and says it stopped on time. */
static void test_duration_only(void **state)
{
	struct lock_torture_config cfg = oversubscribed("qrwlock");
	struct lock_torture_result res;

	(void)state;
	cfg.acquisitions = 0;
	cfg.duration_ms = 50;
	cfg.min_acquisitions = 0;
	cfg.stutter_ms = 10;
	run(&cfg, &res);
	assert_false(res.failed);
	assert_false(res.timed_out);	/* there was no budget to miss */
	assert_true(res.writes.total > 0 && res.reads.total > 0);
	lock_torture_result_free(&res);

	/* A budget it cannot meet in 1 ms. */
	cfg.acquisitions = 1ULL << 40;
	cfg.duration_ms = 1;
	run(&cfg, &res);
	assert_true(res.timed_out);
	assert_false(res.failed);
	lock_torture_result_free(&res);

	/* Past the time limit until the minimum is made. */
	cfg.acquisitions = 0;
	cfg.min_acquisitions = 5000;
	cfg.stutter_ms = 0;
	run(&cfg, &res);
	assert_false(res.failed);
	assert_true(res.writes.total + res.reads.total >= cfg.min_acquisitions);
	lock_torture_result_free(&res);
}

/* --- The watchdog. A lock that is never given back: the second taker waits for good,
 * in a wait loop of its own (site below), until the test lets everyone out. */
static const char stuck_site[] = "test: waits for a release that never comes";
static atomic_bool stuck_held, stuck_let_out;

static int stuck_init(void *impl, const struct lock_spin_policy *spin)
{
	(void)impl;
	(void)spin;
	atomic_store(&stuck_held, false);
	atomic_store(&stuck_let_out, false);
	return 0;
}

static void stuck_lock(void *impl)
{
	(void)impl;
	while (atomic_exchange(&stuck_held, true) && !atomic_load(&stuck_let_out)) {
		atomic_store_explicit(lock_wait_site_slot(), stuck_site, memory_order_relaxed);
		sched_yield();
	}
}

static bool stuck_trylock(void *impl)
{
	(void)impl;
	return !atomic_exchange(&stuck_held, true);
}

static void stuck_describe_nothing(void *impl)
{
	(void)impl;
}

static int stuck_describe(const void *impl, char *buf, unsigned long len)
{
	(void)impl;
	return snprintf(buf, len, "held %d", atomic_load(&stuck_held));
}

static const struct lock_ops stuck_lock_ops = {
	.name = "never-released",
	.description = "the first taker never gives it back",
	.props = LOCK_PROP_SPINNING,
	.init = stuck_init,
	.destroy = stuck_describe_nothing,
	.read_lock = stuck_lock,
	.read_unlock = stuck_describe_nothing,
	.write_lock = stuck_lock,
	.write_unlock = stuck_describe_nothing,
	.read_trylock = stuck_trylock,
	.write_trylock = stuck_trylock,
	.describe = stuck_describe,
	.impl_size = 1,
};

static void test_stuck_run_is_reported(void **state)
{
	struct lock_torture_config cfg = oversubscribed(NULL);
	struct lock_torture_result res;

	(void)state;
	cfg.ops = &stuck_lock_ops;
	cfg.no_data_check = true;
	cfg.nwriters = 2;
	cfg.nreaders = 1;
	cfg.duration_ms = 60000;	/* the watchdog, not the time limit, ends it */
	cfg.stall_ms = 300;
	cfg.long_hold_every = 0;
	run(&cfg, &res);
	atomic_store(&stuck_let_out, true);	/* the abandoned threads may leave now */
	assert_true(res.stalled);
	assert_true(res.failed);
	assert_true(res.elapsed_s < 30);
	assert_non_null(res.stall_report);
	assert_non_null(strstr(res.stall_report, "stuck: no acquisition in"));
	assert_non_null(strstr(res.stall_report, stuck_site));
	assert_non_null(strstr(res.stall_report, "lock never-released: held 1"));
	/* One thread got in once and holds it; the others wait. */
	assert_int_equal(res.writes.total + res.reads.total, 1);
	lock_torture_result_free(&res);
}

/* A lock that takes 20 ms a call, far slower than an oversubscribed FIFO spinning lock on
 * a loaded machine: a window of 300 ms sees acquisitions, so the run is slow, not stuck. */
static pthread_mutex_t slow_mutex = PTHREAD_MUTEX_INITIALIZER;

static void slow_lock(void *impl)
{
	struct timespec ts = { 0, 20 * 1000000 };

	(void)impl;
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&slow_mutex);
}

static void slow_unlock(void *impl)
{
	(void)impl;
	pthread_mutex_unlock(&slow_mutex);
}

static bool slow_trylock(void *impl)
{
	(void)impl;
	return pthread_mutex_trylock(&slow_mutex) == 0;
}

static const struct lock_ops slow_lock_ops = {
	.name = "slow",
	.description = "every call takes 20 ms",
	.props = LOCK_PROP_SLEEPING,
	.init = stuck_init,
	.destroy = stuck_describe_nothing,
	.read_lock = slow_lock,
	.read_unlock = slow_unlock,
	.write_lock = slow_lock,
	.write_unlock = slow_unlock,
	.read_trylock = slow_trylock,
	.write_trylock = slow_trylock,
	.impl_size = 1,
};

static void test_slow_run_is_not_stuck(void **state)
{
	struct lock_torture_config cfg = oversubscribed(NULL);
	struct lock_torture_result res;

	(void)state;
	cfg.ops = &slow_lock_ops;
	cfg.duration_ms = 1000;
	cfg.min_acquisitions = 0;
	cfg.stall_ms = 300;
	cfg.long_hold_every = 0;
	run(&cfg, &res);
	assert_false(res.stalled);
	assert_false(res.failed);
	assert_null(res.stall_report);
	assert_true(res.writes.total + res.reads.total > 0);
	lock_torture_result_free(&res);
}

static void summarize(struct lock_torture_role *role, unsigned long long *counts, unsigned n)
{
	static unsigned long long no_failures[8];

	role->nthreads = n;
	role->acquisitions = counts;
	role->failures = no_failures;
	lock_torture_role_summarize(role);
}

static void test_fairness_figures(void **state)
{
	struct lock_torture_role r;

	(void)state;
	summarize(&r, (unsigned long long[]){ 10, 10, 10, 10 }, 4);
	assert_int_equal(r.total, 40);
	assert_false(r.starved);
	assert_true(r.jain > 0.99999 && r.jain < 1.00001);

	/* locktorture's flag: max/2 > min, integer division. */
	summarize(&r, (unsigned long long[]){ 10, 5 }, 2);
	assert_false(r.starved);
	summarize(&r, (unsigned long long[]){ 10, 4 }, 2);
	assert_true(r.starved);
	assert_int_equal(r.max, 10);
	assert_int_equal(r.min, 4);
	summarize(&r, (unsigned long long[]){ 11, 5 }, 2);
	assert_false(r.starved);

	/* One thread did everything: Jain = 1/n. */
	summarize(&r, (unsigned long long[]){ 0, 0, 12, 0 }, 4);
	assert_true(r.starved);
	assert_true(r.jain > 0.24999 && r.jain < 0.25001);

	/* (1+3)^2 / (2 * (1+9)) = 0.8 */
	summarize(&r, (unsigned long long[]){ 1, 3 }, 2);
	assert_true(r.jain > 0.79999 && r.jain < 0.80001);

	summarize(&r, NULL, 0);
	assert_int_equal(r.total, 0);
	assert_false(r.starved);
}

static int run_strategy(const char *name)
{
	const struct CMUnitTest spinning[] = {
		cmocka_unit_test_prestate(test_strategy, (void *)name),
		cmocka_unit_test_prestate(test_strategy_one_role_stutter, (void *)name),
		cmocka_unit_test_prestate(test_strategy_pure_spin, (void *)name),
		cmocka_unit_test_prestate(test_strategy_park, (void *)name),
	};
	const struct lock_ops *ops = lock_find(name);

	if (!ops) {
		fprintf(stderr, "test_lock_torture: no strategy '%s'\n", name);
		return 2;
	}
	/* The spin policy means nothing to a sleeping strategy: its first two tests. */
	return _cmocka_run_group_tests(name, spinning,
				       ops->props & LOCK_PROP_SPINNING ? 4 : 2, NULL, NULL);
}

static int run_checker(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fairness_figures),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_busted_lock_fails),
		cmocka_unit_test(test_readers_overlapping_a_writer_fail),
		cmocka_unit_test(test_exclusive_lock_with_shared_readers_fails),
		cmocka_unit_test(test_duration_only),
		cmocka_unit_test(test_stuck_run_is_reported),
		cmocka_unit_test(test_slow_run_is_not_stuck),
	};

	return cmocka_run_group_tests_name("checker", tests, NULL, NULL);
}

int main(int argc, char **argv)
{
	int status;

	if (argc > 2) {
		fprintf(stderr, "usage: test_lock_torture [checker|STRATEGY]\n");
		return 2;
	}
	if (argc == 2)
		return strcmp(argv[1], "checker") == 0 ? run_checker() : run_strategy(argv[1]);
	status = run_checker();
	for (const char *const *name = lock_names(); *name; name++)
		status |= run_strategy(*name);
	return status;
}
