/* Per-strategy behaviour the checker does not pin down: queued writers hold off new
 * readers (qrwlock, pflock, brlock), MCS queue nodes when a thread holds several MCS locks,
 * brlock reader slots when threads outnumber them, and the thread indices behind them. */
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

/* A backstop only, for a lock that never does what the test waits for. */
#define WATCHDOG_S 60

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct writer_arg {
	struct lock *l;
	atomic_bool done;
};

static void *take_write(void *p)
{
	struct writer_arg *w = p;

	lock_write(w->l);
	atomic_store(&w->done, true);
	unlock_write(w->l);
	return NULL;
}

/* Until a read_trylock fails; false at the watchdog. From its own thread, as a reader
 * slot of brlock lets its own thread read again regardless. */
static void *probe_until_readers_blocked(void *p)
{
	struct lock *l = p;
	double deadline = now_s() + WATCHDOG_S;

	while (trylock_read(l)) {
		unlock_read(l);
		if (now_s() > deadline)
			return (void *)0;
		sched_yield();
	}
	return (void *)1;
}

/* A reader holds the lock; a writer arrives and waits. New readers must now wait too. */
static void test_waiting_writer_blocks_new_readers(void **state)
{
	const char *name = *state;
	struct writer_arg w = { 0 };
	pthread_t writer, prober;
	struct lock l;
	void *blocked;

	assert_int_equal(lock_init(&l, name), 0);
	w.l = &l;
	lock_read(&l);
	assert_int_equal(pthread_create(&writer, NULL, take_write, &w), 0);
	assert_int_equal(pthread_create(&prober, NULL, probe_until_readers_blocked, &l), 0);
	pthread_join(prober, &blocked);
	if (!blocked)
		fail_msg("%s: new readers still got in %d s after a writer queued", name,
			 WATCHDOG_S);
	assert_false(atomic_load(&w.done));	/* we still read */
	unlock_read(&l);
	pthread_join(writer, NULL);
	assert_true(atomic_load(&w.done));
	lock_destroy(&l);
}

/* --- MCS: several locks held by one thread, released out of order. */
#define NESTED 3
#ifdef IOMEM_TSAN
#define NESTED_ROUNDS 5000
#else
#define NESTED_ROUNDS 50000
#endif
#define NESTED_THREADS 4

static struct lock nested[NESTED];
static unsigned long nested_counts[NESTED];	/* plain: protected by nested[i] */

static void *nest(void *p)
{
	(void)p;
	for (int r = 0; r < NESTED_ROUNDS; r++) {
		for (int i = 0; i < NESTED; i++)
			lock_write(&nested[i]);
		for (int i = 0; i < NESTED; i++)
			nested_counts[i]++;
		/* 1, 0, 2: neither the order taken nor its reverse. */
		unlock_write(&nested[1]);
		unlock_write(&nested[0]);
		unlock_write(&nested[2]);
	}
	return NULL;
}

static void test_mcs_nested_out_of_order(void **state)
{
	pthread_t t[NESTED_THREADS];

	(void)state;
	for (int i = 0; i < NESTED; i++) {
		assert_int_equal(lock_init(&nested[i], "mcs"), 0);
		nested_counts[i] = 0;
	}
	for (int i = 0; i < NESTED_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, nest, NULL), 0);
	for (int i = 0; i < NESTED_THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NESTED; i++) {
		assert_int_equal(nested_counts[i], (unsigned long)NESTED_ROUNDS * NESTED_THREADS);
		lock_destroy(&nested[i]);
	}
}

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
		cmocka_unit_test_prestate(test_waiting_writer_blocks_new_readers, (void *)"qrwlock"),
		cmocka_unit_test_prestate(test_waiting_writer_blocks_new_readers, (void *)"pflock"),
		cmocka_unit_test_prestate(test_waiting_writer_blocks_new_readers, (void *)"brlock"),
		cmocka_unit_test(test_mcs_nested_out_of_order),
		cmocka_unit_test(test_mcs_all_nodes_held),
		cmocka_unit_test(test_brlock_more_threads_than_slots),
		cmocka_unit_test(test_thread_indices_dense_distinct_recycled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
