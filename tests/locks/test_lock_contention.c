/* SPDX-License-Identifier: MIT */
/* Every strategy under real contention, oversubscribed (4 threads on a 2-CPU machine), with
 * each spinning strategy waiting both ways it can when threads outnumber CPUs (yielding,
 * parking): exclusion holds, and nothing hangs. Runs are bounded by time with a minimum
 * of rounds, under the progress watchdog (bounded.h): a slow machine makes them slower,
 * never failed; a lock that stops handing itself on fails with where each thread waits.
 *
 * - trylocks mixed with blocking calls (the pflock write_trylock that announced a phase
 *   and took it back hung here in 8 runs of 8);
 * - MCS: several locks held by one thread, released out of order. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bounded.h"
#include "locks/lock.h"

#define THREADS 4
#define RUN_MS 300
#define MIN_ROUNDS 500

static const char *const policies[] = { "yield", "park" };

static struct lock_spin_policy policy(const char *name)
{
	struct lock_spin_policy spin;

	assert_int_equal(lock_spin_policy_parse(name, &spin), 0);
	return spin;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* --- trylocks mixed with locks: a plain counter that writers bump, checked against an
 * atomic one, and a check inside every section. */
struct mix {
	struct lock l;
	atomic_int readers, writers;
	atomic_ulong overlaps, writes;
	unsigned long plain_writes;	/* under the write lock */
	uint64_t rng[THREADS];
};

static void mix_round(void *arg, unsigned i, struct progress_thread *p)
{
	struct mix *m = arg;
	uint64_t x = xorshift(&m->rng[i]);
	bool write = x & 1, taken = true;

	progress_set(p, write ? PROGRESS_WRITE_LOCKING : PROGRESS_READ_LOCKING);
	if (x & 2)
		taken = write ? trylock_write(&m->l) : trylock_read(&m->l);
	else if (write)
		lock_write(&m->l);
	else
		lock_read(&m->l);
	if (!taken) {
		progress_set(p, PROGRESS_OUTSIDE);
		return;
	}
	progress_acquired(p, write ? PROGRESS_WRITING : PROGRESS_READING);
	if (write) {
		if (atomic_fetch_add(&m->writers, 1) || atomic_load(&m->readers))
			atomic_fetch_add(&m->overlaps, 1);
		m->plain_writes++;
		atomic_fetch_add(&m->writes, 1);
		atomic_fetch_sub(&m->writers, 1);
		progress_set(p, PROGRESS_UNLOCKING);
		unlock_write(&m->l);
	} else {
		atomic_fetch_add(&m->readers, 1);
		if (atomic_load(&m->writers))
			atomic_fetch_add(&m->overlaps, 1);
		atomic_fetch_sub(&m->readers, 1);
		progress_set(p, PROGRESS_UNLOCKING);
		unlock_read(&m->l);
	}
	progress_set(p, PROGRESS_OUTSIDE);
}

static void test_trylocks_mixed_with_locks(void **state)
{
	const char *policy_name = *state;

	for (const char *const *name = lock_names(); *name; name++) {
		struct lock_spin_policy spin = policy(policy_name);
		struct mix *m = calloc(1, sizeof(*m));
		struct bounded_run run = {
			.nthreads = THREADS, .run_ms = RUN_MS, .min_rounds = MIN_ROUNDS,
			.round = mix_round, .arg = m,
		};

		assert_non_null(m);
		assert_int_equal(lock_init_spin(&m->l, *name, &spin), 0);
		run.lock = &m->l;
		for (int i = 0; i < THREADS; i++)
			m->rng[i] = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		bounded_run(&run);
		printf("%s/%s: %lu writes\n", *name, policy_name, atomic_load(&m->writes));
		if (atomic_load(&m->overlaps))
			fail_msg("%s/%s: %lu overlaps", *name, policy_name, atomic_load(&m->overlaps));
		assert_int_equal(m->plain_writes, atomic_load(&m->writes));
		/* Left free. */
		assert_true(trylock_write(&m->l));
		unlock_write(&m->l);
		lock_destroy(&m->l);
		free(m);
	}
}

/* --- MCS: several locks held by one thread, released out of order. */
#define NESTED 3

struct nest {
	struct lock l[NESTED];
	unsigned long counts[NESTED];	/* plain: protected by l[i] */
};

static void nest_round(void *arg, unsigned i, struct progress_thread *p)
{
	struct nest *n = arg;

	(void)i;
	progress_set(p, PROGRESS_WRITE_LOCKING);
	for (int k = 0; k < NESTED; k++)
		lock_write(&n->l[k]);
	progress_acquired(p, PROGRESS_WRITING);
	for (int k = 0; k < NESTED; k++)
		n->counts[k]++;
	/* 1, 0, 2: neither the order taken nor its reverse. */
	progress_set(p, PROGRESS_UNLOCKING);
	unlock_write(&n->l[1]);
	unlock_write(&n->l[0]);
	unlock_write(&n->l[2]);
	progress_set(p, PROGRESS_OUTSIDE);
}

static void test_mcs_nested_out_of_order(void **state)
{
	struct lock_spin_policy spin = policy(*state);
	struct nest *n = calloc(1, sizeof(*n));
	struct bounded_run run = {
		.nthreads = THREADS, .run_ms = RUN_MS, .min_rounds = MIN_ROUNDS,
		.round = nest_round, .arg = n,
	};
	unsigned long long rounds;

	assert_non_null(n);
	for (int k = 0; k < NESTED; k++)
		assert_int_equal(lock_init_spin(&n->l[k], "mcs", &spin), 0);
	run.lock = &n->l[0];
	rounds = bounded_run(&run);
	for (int k = 0; k < NESTED; k++) {
		assert_int_equal(n->counts[k], rounds);
		lock_destroy(&n->l[k]);
	}
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_trylocks_mixed_with_locks, (void *)policies[0]),
		cmocka_unit_test_prestate(test_trylocks_mixed_with_locks, (void *)policies[1]),
		cmocka_unit_test_prestate(test_mcs_nested_out_of_order, (void *)policies[0]),
		cmocka_unit_test_prestate(test_mcs_nested_out_of_order, (void *)policies[1]),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
