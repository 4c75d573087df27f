/* Every strategy through the locktorture-style checker, oversubscribed (6 threads on a
 * 2-core machine); and the checker itself: it must fail broken locks. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "locks/lock.h"
#include "stress/lock_torture.h"

/* Small enough for a TSan run to take seconds per strategy. Large enough that the head
 * start of the threads running when the test starts (one time slice alone with the lock:
 * a few thousand acquisitions, under TSan too) cannot by itself raise the starvation
 * flag: each thread's share must stay well above twice that. */
#ifdef IOMEM_TSAN
#define ACQUISITIONS 150000ULL
#else
#define ACQUISITIONS 300000ULL
#endif

static struct lock_torture_config oversubscribed(const char *lock)
{
	struct lock_torture_config cfg;

	lock_torture_config_default(&cfg);
	cfg.lock = lock;
	cfg.nwriters = 3;
	cfg.nreaders = 3;
	cfg.acquisitions = ACQUISITIONS;
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

enum fairness_check { CHECK_FAIRNESS, IGNORE_FAIRNESS };

/* The run passed; with CHECK_FAIRNESS, a fair lock also shows no starvation where the lock,
 * not the scheduler, decides who goes next: among writers, and among readers of an
 * exclusive lock. Readers of a shared lock do not wait for each other, so their counts
 * follow how the scheduler shares 2 cores among 6 threads (over a run of a second or less
 * that can be uneven, and it is no property of the lock): for them, each got in. */
static void expect_pass(const struct lock_torture_config *cfg, enum fairness_check fairness)
{
	unsigned props = lock_find(cfg->lock)->props;
	struct lock_torture_result res;

	run(cfg, &res);
	assert_false(res.failed);
	assert_int_equal(res.writes.fail, 0);
	assert_int_equal(res.reads.fail, 0);
	assert_int_equal(res.lost_writes, 0);
	assert_false(res.timed_out);
	/* Every acquisition of the budget was made, and by the right role. */
	assert_int_equal(res.writes.total + res.reads.total, cfg->acquisitions);
	assert_int_equal(res.writes.total, cfg->acquisitions * cfg->nwriters /
					   (cfg->nwriters + cfg->nreaders));
	if (fairness == CHECK_FAIRNESS && (props & LOCK_PROP_FAIR)) {
		if (res.writes.starved)
			fail_msg("%s is fair but a writer starved (max/2 > min)", res.lock);
		if (!(props & LOCK_PROP_SHARED_READS) && res.reads.starved)
			fail_msg("%s is fair but a reader starved (max/2 > min)", res.lock);
		if (res.reads.nthreads && res.reads.min == 0)
			fail_msg("%s is fair but a reader never got in", res.lock);
	}
	lock_torture_result_free(&res);
}

static void test_strategy(void **state)
{
	struct lock_torture_config cfg = oversubscribed(*state);

	expect_pass(&cfg, CHECK_FAIRNESS);
}

/* Writers only and readers only, with stutter: bursts of arrivals after each pause.
 * Which threads are back in the queue when a pause ends is up to the scheduler's wake-ups,
 * which over a short run outweighs the lock's order: no fairness check. */
static void test_strategy_one_role_stutter(void **state)
{
	struct lock_torture_config cfg = oversubscribed(*state);

	cfg.acquisitions /= 4;
	cfg.stutter_ms = 5;
	cfg.nreaders = 0;
	cfg.nwriters = 6;
	expect_pass(&cfg, IGNORE_FAIRNESS);
	cfg.nwriters = 0;
	cfg.nreaders = 6;
	expect_pass(&cfg, IGNORE_FAIRNESS);
}

/* Spinning without yielding: correct, only slow when oversubscribed, so 2 threads. */
static void test_strategy_pure_spin(void **state)
{
	const struct lock_spin_policy pure = { .mode = LOCK_SPIN_PURE, .spins = 0 };
	struct lock_torture_config cfg = oversubscribed(*state);

	cfg.spin = &pure;
	cfg.nwriters = 1;
	cfg.nreaders = 1;
	cfg.acquisitions = 4000;
	cfg.long_hold_every = 0;
	expect_pass(&cfg, CHECK_FAIRNESS);
}

static void test_busted_lock_fails(void **state)
{
	struct lock_torture_config cfg = oversubscribed(NULL);
	struct lock_torture_result res;

	(void)state;
	cfg.ops = &lock_torture_busted;
	cfg.no_data_check = true;	/* the words would be a real data race */
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

#define STRATEGY_TESTS(name)                                                               \
	cmocka_unit_test_prestate(test_strategy, (void *)name),                            \
	cmocka_unit_test_prestate(test_strategy_one_role_stutter, (void *)name),           \
	cmocka_unit_test_prestate(test_strategy_pure_spin, (void *)name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fairness_figures),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_busted_lock_fails),
		cmocka_unit_test(test_readers_overlapping_a_writer_fail),
		cmocka_unit_test(test_exclusive_lock_with_shared_readers_fails),
		cmocka_unit_test(test_duration_only),
		STRATEGY_TESTS("pthread-rw"),
		STRATEGY_TESTS("pthread-mutex"),
		STRATEGY_TESTS("ticket"),
		STRATEGY_TESTS("mcs"),
		STRATEGY_TESTS("qrwlock"),
		STRATEGY_TESTS("pflock"),
		STRATEGY_TESTS("brlock"),
	};

	/* Every strategy must be listed above. */
	size_t n = 0;

	for (const char *const *names = lock_names(); *names; names++)
		n++;
	if (n != 7) {
		fprintf(stderr, "lock_names() has %zu strategies; this test knows 7\n", n);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
