/* SPDX-License-Identifier: MIT */
/* Parking (spin policy park): a waiter asleep in the kernel is woken by every change it
 * waits for. Each test makes the waiters park for certain (park:0 sleeps at the second
 * look, and the test waits until each sleeps in the kernel inside its lock call), then
 * makes the one change that lets them on; a signal missing on that path leaves a waiter
 * asleep for good, which the progress watchdog reports with where it sleeps.
 *
 * - behind a writer: every waiter (readers and writers) is woken when the writer leaves;
 * - behind a reader: a writer waiting for the readers to drain is woken by the last read
 *   unlock (qrwlock and brlock signal only then, by a test this checks). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "locks/lock.h"
#include "torture/lock_torture.h"
#include "torture/progress.h"

#define WAITERS 4
/* A backstop for a waiter that never goes to sleep: it takes microseconds. */
#define PARK_DEADLINE_S 60

struct waiter {
	struct lock *l;
	struct progress_thread *p;
	bool writer;
	pthread_t tid;
	atomic_int os_tid;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	progress_thread_start(w->p, w->writer ? "writer" : "reader", 0);
	atomic_store(&w->os_tid, (int)gettid());
	progress_set(w->p, w->writer ? PROGRESS_WRITE_LOCKING : PROGRESS_READ_LOCKING);
	if (w->writer)
		lock_write(w->l);
	else
		lock_read(w->l);
	progress_acquired(w->p, w->writer ? PROGRESS_WRITING : PROGRESS_READING);
	if (w->writer)
		unlock_write(w->l);
	else
		unlock_read(w->l);
	progress_set(w->p, PROGRESS_FINISHED);
	return NULL;
}

/* The thread's scheduler state from /proc ('S': asleep), or 0. */
static char task_state(int tid)
{
	char path[64], buf[256], *close_paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' ? close_paren[2] : 0;
}

/* Until w sleeps in the kernel inside its lock call (a site set: it waits in a loop). */
static void wait_parked(struct waiter *w)
{
	struct timespec nap = { 0, 1000000 };
	time_t deadline = time(NULL) + PARK_DEADLINE_S;

	for (;;) {
		int tid = atomic_load(&w->os_tid);

		if (tid && atomic_load(w->p->site) && task_state(tid) == 'S')
			return;
		if (atomic_load(&w->p->where) == PROGRESS_FINISHED)
			fail_msg("a %s got in while the lock was held", w->writer ? "writer" : "reader");
		if (time(NULL) > deadline)
			fail_msg("a %s is not asleep in its lock call after %d s",
				 w->writer ? "writer" : "reader", PARK_DEADLINE_S);
		nanosleep(&nap, NULL);
	}
}

/* After the change that lets them on: until every waiter is through, or stuck. */
static void wait_all_through(struct progress_watch *watch, struct waiter *ws, unsigned n)
{
	struct timespec nap = { 0, 10000000 };

	for (;;) {
		unsigned finished = 0;

		for (unsigned i = 0; i < n; i++)
			finished += atomic_load(&ws[i].p->where) == PROGRESS_FINISHED;
		if (finished == n)
			break;
		if (progress_check(watch) == PROGRESS_STUCK)
			fail_msg("%s", progress_report(watch));
		nanosleep(&nap, NULL);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(ws[i].tid, NULL);
}

/* held_for_write: the test holds the write side, else the read side; then the waiters
 * (writers where writer_mask has their bit) queue and park, one after the other. */
static void park_behind(const char *name, bool held_for_write, unsigned writer_mask)
{
	const struct lock_spin_policy park = { .mode = LOCK_SPIN_PARK, .spins = 0 };
	/* On the heap: a waiter asleep for good keeps them. */
	struct progress_thread *p = aligned_alloc(64, WAITERS * sizeof(*p));
	struct waiter *ws = calloc(WAITERS, sizeof(*ws));
	struct lock *l = malloc(sizeof(*l));
	struct progress_watch watch;

	assert_non_null(p);
	assert_non_null(ws);
	assert_non_null(l);
	memset(p, 0, WAITERS * sizeof(*p));
	assert_int_equal(lock_init_spin(l, name, &park), 0);
	assert_int_equal(progress_watch_init(&watch, p, WAITERS, l, LOCK_TORTURE_STALL_MS), 0);
	if (held_for_write)
		lock_write(l);
	else
		lock_read(l);
	for (unsigned i = 0; i < WAITERS; i++) {
		ws[i] = (struct waiter){ .l = l, .p = &p[i], .writer = writer_mask >> i & 1 };
		assert_int_equal(pthread_create(&ws[i].tid, NULL, waiter_main, &ws[i]), 0);
		wait_parked(&ws[i]);
	}
	progress_watch_restart(&watch);
	if (held_for_write)
		unlock_write(l);
	else
		unlock_read(l);
	wait_all_through(&watch, ws, WAITERS);
	progress_watch_destroy(&watch);
	lock_destroy(l);
	free(l);
	free(ws);
	free(p);
}

static void test_woken_behind_a_writer(void **state)
{
	park_behind(*state, true, 0x5);		/* writer, reader, writer, reader */
}

static void test_woken_behind_a_reader(void **state)
{
	/* A writer first: it waits for our read side to drain, the others behind it. */
	park_behind(*state, false, 0x3);
}

#define PARK_TESTS(name)                                                                   \
	cmocka_unit_test_prestate(test_woken_behind_a_writer, (void *)name),                \
	cmocka_unit_test_prestate(test_woken_behind_a_reader, (void *)name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PARK_TESTS("ticket"),
		PARK_TESTS("mcs"),
		PARK_TESTS("qrwlock"),
		PARK_TESTS("pflock"),
		PARK_TESTS("brlock"),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
