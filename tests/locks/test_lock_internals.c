/* SPDX-License-Identifier: MIT */
/* Per-strategy internals the checker does not pin down: MCS queue nodes when a thread
 * holds all it has, brlock reader slots when threads outnumber them, and the thread
 * indices behind them. */
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
#include "thread_index.h"

/* Every queue node of the thread in use at once, then reused. */
static void test_mcs_all_nodes_held(void **state)
{
	enum { N = 8 };
	struct lock l[N];

	(void)state;
	for (int i = 0; i < N; i++)
		assert_int_equal(lock_init(&l[i], "mcs"), 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++)
			lock_write(&l[i]);
		for (int i = 0; i < N; i++) {
			if (trylock_write(&l[i]))
				fail_msg("mcs %d taken twice", i);
		}
		for (int i = 0; i < N; i += 2)
			unlock_write(&l[i]);
		for (int i = 1; i < N; i += 2)
			unlock_write(&l[i]);
	}
	for (int i = 0; i < N; i++) {
		assert_true(trylock_read(&l[i]));
		unlock_read(&l[i]);
		lock_destroy(&l[i]);
	}
}

/* --- brlock: more live threads than reader slots (64); the rest read exclusively. */
#define BR_READERS 70
#define BR_WRITERS 2
#define BR_ROUNDS 300
#define BR_WORDS 4

static struct lock br;
static pthread_barrier_t br_start;
static uint64_t br_words[BR_WORDS];	/* plain: protected by br */
static atomic_int br_max_index;
static atomic_ulong br_torn;

static void *br_reader(void *p)
{
	int i;

	(void)p;
	/* Taken while all are alive (before the barrier), so the indices are distinct. */
	i = lock_thread_index();
	pthread_barrier_wait(&br_start);
	for (int m = atomic_load(&br_max_index); i > m;)
		if (atomic_compare_exchange_weak(&br_max_index, &m, i))
			break;
	for (int r = 0; r < BR_ROUNDS; r++) {
		lock_read(&br);
		for (int w = 1; w < BR_WORDS; w++)
			if (br_words[w] != br_words[0])
				atomic_fetch_add(&br_torn, 1);
		unlock_read(&br);
	}
	return NULL;
}

static void *br_writer(void *p)
{
	(void)p;
	pthread_barrier_wait(&br_start);
	for (int r = 0; r < BR_ROUNDS; r++) {
		lock_write(&br);
		for (int w = 0; w < BR_WORDS; w++)
			br_words[w]++;
		unlock_write(&br);
	}
	return NULL;
}

static void test_brlock_more_threads_than_slots(void **state)
{
	pthread_t t[BR_READERS + BR_WRITERS];

	(void)state;
	assert_int_equal(lock_init(&br, "brlock"), 0);
	pthread_barrier_init(&br_start, NULL, BR_READERS + BR_WRITERS);
	for (int i = 0; i < BR_READERS + BR_WRITERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, i < BR_WRITERS ? br_writer : br_reader,
						NULL), 0);
	for (int i = 0; i < BR_READERS + BR_WRITERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&br_start);
	assert_true(atomic_load(&br_max_index) >= 64);	/* some reader had no slot */
	assert_int_equal(atomic_load(&br_torn), 0);
	for (int w = 0; w < BR_WORDS; w++)
		assert_int_equal(br_words[w], BR_WRITERS * BR_ROUNDS);
	lock_destroy(&br);
}

/* --- thread indices */
#define LIVE 10

static pthread_barrier_t all_live;

/* The index, or -100 when asking twice gave two answers. */
static void *report_index(void *p)
{
	int i = lock_thread_index();

	*(int *)p = lock_thread_index() == i ? i : -100;
	return NULL;
}

static void *report_index_while_all_live(void *p)
{
	*(int *)p = lock_thread_index();
	pthread_barrier_wait(&all_live);
	return NULL;
}

static void test_thread_indices_dense_distinct_recycled(void **state)
{
	int mine = lock_thread_index(), first, again, idx[LIVE];
	pthread_t t[LIVE];

	(void)state;
	assert_true(mine >= 0);
	assert_int_equal(pthread_create(&t[0], NULL, report_index, &first), 0);
	pthread_join(t[0], NULL);
	assert_true(first >= 0 && first != mine);
	/* The exited thread's index is the lowest free one again. */
	assert_int_equal(pthread_create(&t[0], NULL, report_index, &again), 0);
	pthread_join(t[0], NULL);
	assert_int_equal(again, first);

	pthread_barrier_init(&all_live, NULL, LIVE);
	for (int i = 0; i < LIVE; i++)
		assert_int_equal(pthread_create(&t[i], NULL, report_index_while_all_live, &idx[i]), 0);
	for (int i = 0; i < LIVE; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&all_live);
	for (int i = 0; i < LIVE; i++) {
		assert_true(idx[i] >= 0 && idx[i] != mine);
		/* Dense: the LIVE threads plus this one fit in LIVE + 1 indices... */
		assert_true(idx[i] <= LIVE + 1);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(idx[i], idx[j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcs_all_nodes_held),
		cmocka_unit_test(test_brlock_more_threads_than_slots),
		cmocka_unit_test(test_thread_indices_dense_distinct_recycled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
