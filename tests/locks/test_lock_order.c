/* SPDX-License-Identifier: MIT */
/* The order in which a fair lock lets its waiters in, checked deterministically.
 *
 * A spinning waiter in user space can be preempted or yield at any moment, and the next
 * owner in line is then not running when its turn comes. A fair lock must not open the
 * lock to whoever runs meanwhile: pflock once did, letting every running reader in again
 * and again until the next writer ran and announced itself, which left the readers' counts
 * to the scheduler (one reader 3x the others over 10^7 acquisitions on 2 CPUs).
 *
 * Every waiter here runs under the stepper (stepper.h): the test knows when a waiter is
 * inside its lock call, and the waiter makes no move the test does not allow, so each
 * test's outcome is decided by the lock alone, on any machine, under any load:
 * - every fair strategy: once the holder unlocks with a reader and then a writer queued,
 *   nobody gets in ahead of them (a read_trylock fails, the writer waits for the reader),
 *   and the reader goes first;
 * - pflock: phase-fairness with writers queued back to back: a reader waits for one
 *   write phase, not for every writer queued ahead of it;
 * - pflock: a failed write_trylock does not let two write phases in a row carry the same
 *   phase ID (a reader that slept through the first would deadlock with the second);
 * - qrwlock, pflock, brlock: a writer waiting for a reader to leave holds new readers off. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "locks/lock.h"
#include "stepper.h"

/* Rounds a waiter is stepped to show that it does not get in: a waiter that could would
 * in one. */
#define HELD_OFF_ROUNDS 100

static void init_stepped(struct lock *l, const char *name, struct stepper *s)
{
	struct lock_spin_policy spin = stepper_policy(s);

	stepper_init(s);
	assert_int_equal(lock_init_spin(l, name, &spin), 0);
}

static bool try_read_once(struct lock *l)
{
	if (!trylock_read(l))
		return false;
	unlock_read(l);
	return true;
}

/* We hold the write lock; a reader queues, then a writer. When we unlock, neither has
 * run since it queued: nobody may get in ahead of them, the writer not ahead of the
 * reader, and the reader goes first. */
static void test_queued_writer_keeps_its_turn(void **state)
{
	const char *name = *state;
	static struct stepper s;
	static struct actor r, w;
	static struct lock l;

	init_stepped(&l, name, &s);
	lock_write(&l);
	actor_start(&r, &s, &l, "the reader", false, true);
	actor_wait_waiting(&r);
	actor_start(&w, &s, &l, "the writer", true, true);
	actor_wait_waiting(&w);
	unlock_write(&l);
	if (try_read_once(&l))
		fail_msg("%s: a read_trylock got in ahead of a queued reader and writer", name);
	if (actor_step(&w, HELD_OFF_ROUNDS))
		fail_msg("%s: the writer got in ahead of the reader queued before it", name);
	actor_finish(&r);
	actor_finish(&w);
	assert_int_equal(actor_entry(&r), 0);
	assert_int_equal(actor_entry(&w), 1);
	lock_destroy(&l);
	stepper_destroy(&s);
}

/* pflock's phases with writers queued back to back (each handing the write phase to the
 * next): a reader that arrives during a write phase goes in when that phase ends, before
 * the writers queued behind it, and holds the next write phase back until it leaves. */
static void test_pflock_one_write_phase_per_reader(void **state)
{
	enum { W = 3 };
	static struct stepper s;
	static struct actor r1, r2, w[W];
	static struct lock l;
	struct actor *all[] = { &r1, &r2, &w[0], &w[1], &w[2] };

	(void)state;
	init_stepped(&l, "pflock", &s);
	lock_write(&l);
	actor_start(&r1, &s, &l, "reader 1", false, true);
	actor_wait_waiting(&r1);
	for (int i = 0; i < W; i++) {
		actor_start(&w[i], &s, &l, "a writer", true, false);	/* each holds until go */
		actor_wait_waiting(&w[i]);
	}
	unlock_write(&l);
	if (try_read_once(&l))
		fail_msg("pflock: read_trylock got in with writers queued and none of them run");
	/* Writer 0 waits for reader 1, and the others for writer 0. */
	for (int i = 0; i < W; i++)
		if (actor_step(&w[i], HELD_OFF_ROUNDS))
			fail_msg("pflock: writer %d got in with reader 1 let in", i);
	actors_run_until((struct actor *[]){ &r1, &w[0] }, 2, &w[0]);
	assert_int_equal(actor_entry(&r1), 0);
	assert_int_equal(actor_entry(&w[0]), 1);
	/* During writer 0's phase: reader 2 waits for that phase only. */
	actor_start(&r2, &s, &l, "reader 2", false, true);
	actor_wait_waiting(&r2);
	actor_finish(&w[0]);
	actors_run_until(all, 5, &r2);
	actor_finish(&r1);
	actor_finish(&r2);
	for (int i = 1; i < W; i++)
		actor_finish(&w[i]);
	assert_int_equal(actor_entry(&r2), 2);
	for (int i = 1; i < W; i++)
		assert_int_equal(actor_entry(&w[i]), 2 + i);
	/* No writer left: the read phase is open. */
	assert_true(try_read_once(&l));
	assert_true(trylock_write(&l));
	unlock_write(&l);
	lock_destroy(&l);
	stepper_destroy(&s);
}

/* pflock: a write_trylock that fails must not break the alternation of phase IDs. A
 * reader waits for the writer bits it saw to change. Here it waits for our write phase,
 * which ends while it does not run; a write_trylock then fails, as the reader is let in
 * but has not left, and a writer comes. Were the writer's phase to carry the ID of ours,
 * the reader, never having seen the bits change, would wait for a writer that waits for
 * it to leave. (The write_trylock that announced a phase and took it back did this, and
 * one that gave back its ticket while phase IDs followed tickets.) */
static void test_pflock_failed_write_trylock_keeps_phases_apart(void **state)
{
	static struct stepper s;
	static struct actor r, w;
	static struct lock l;

	(void)state;
	init_stepped(&l, "pflock", &s);
	lock_write(&l);
	actor_start(&r, &s, &l, "the reader", false, true);
	actor_wait_waiting(&r);
	unlock_write(&l);
	/* The reader is let in but has not run: it is inside as far as a writer can tell. */
	if (trylock_write(&l))
		fail_msg("pflock: write_trylock got in with a reader let in");
	actor_start(&w, &s, &l, "the writer", true, true);
	actor_wait_waiting(&w);
	actors_run_until((struct actor *[]){ &r, &w }, 2, &w);
	actor_finish(&r);
	actor_finish(&w);
	assert_int_equal(actor_entry(&r), 0);
	assert_int_equal(actor_entry(&w), 1);
	lock_destroy(&l);
	stepper_destroy(&s);
}

/* From a thread of its own: a brlock reader slot lets its own thread read again
 * regardless. */
static void *probe_read(void *p)
{
	return (void *)(uintptr_t)try_read_once(p);
}

/* A reader holds the lock; a writer arrives and waits. New readers must now wait too. */
static void test_waiting_writer_blocks_new_readers(void **state)
{
	const char *name = *state;
	static struct stepper s;
	static struct actor w;
	static struct lock l;
	pthread_t prober;
	void *got_in;

	init_stepped(&l, name, &s);
	lock_read(&l);
	actor_start(&w, &s, &l, "the writer", true, true);
	actor_wait_waiting(&w);
	assert_int_equal(pthread_create(&prober, NULL, probe_read, &l), 0);
	pthread_join(prober, &got_in);
	if (got_in)
		fail_msg("%s: a new reader got in with a writer waiting", name);
	if (actor_step(&w, HELD_OFF_ROUNDS))
		fail_msg("%s: the writer got in with a reader inside", name);
	unlock_read(&l);
	actor_finish(&w);
	lock_destroy(&l);
	stepper_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_queued_writer_keeps_its_turn, (void *)"ticket"),
		cmocka_unit_test_prestate(test_queued_writer_keeps_its_turn, (void *)"mcs"),
		cmocka_unit_test_prestate(test_queued_writer_keeps_its_turn, (void *)"qrwlock"),
		cmocka_unit_test_prestate(test_queued_writer_keeps_its_turn, (void *)"pflock"),
		cmocka_unit_test(test_pflock_one_write_phase_per_reader),
		cmocka_unit_test(test_pflock_failed_write_trylock_keeps_phases_apart),
		cmocka_unit_test_prestate(test_waiting_writer_blocks_new_readers, (void *)"qrwlock"),
		cmocka_unit_test_prestate(test_waiting_writer_blocks_new_readers, (void *)"pflock"),
		cmocka_unit_test_prestate(test_waiting_writer_blocks_new_readers, (void *)"brlock"),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
