/* SPDX-License-Identifier: MIT */
/* Deterministic lock tests: the test, not the scheduler, decides when each waiter runs.
 *
 * A lock made with stepper_policy() waits through LOCK_SPIN_HOOK: at every round of every
 * wait loop, the waiting actor blocks in the hook until the test lets it make another
 * round. So, with no timing at all:
 * - an actor that the test sees waiting (stepper_wait_waiting) is inside its lock call,
 *   past whatever it did to queue or announce itself, and blocked;
 * - while the test does not step it, it is certainly not running: a lock whose order
 *   holds only if the next owner runs at the right moment fails every time;
 * - a deadlock is a fixed point: stepping every waiter round after round changes nothing,
 *   and after STEPPER_DEADLOCK_ROUNDS rounds each the test says so, with where each
 *   waits and the lock's state.
 * Threads that are not actors (the test's own) wait with sched_yield(). */
#ifndef TESTS_LOCKS_STEPPER_H
#define TESTS_LOCKS_STEPPER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "locks/lock.h"

/* Rounds each after which waiters that all stay waiting are deadlocked: a waiter's round
 * re-reads the lock's words; with nobody else moving, more rounds read the same words. */
#define STEPPER_DEADLOCK_ROUNDS 1000

struct stepper {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned entries;	/* actors that got in so far: their entry order */
};

struct actor {
	struct stepper *s;
	struct lock *l;
	pthread_t tid;
	const char *name;
	bool writer;
	/* Under s->mu. */
	bool go;		/* once inside: leave */
	bool waiting;		/* blocked in the hook */
	bool entered, done;
	unsigned allowed;	/* rounds it may make before blocking again */
	unsigned rounds;	/* rounds made */
	unsigned entry;		/* its place among the entries */
	const char *site;	/* the wait loop of its last round */
};

void stepper_init(struct stepper *s);
void stepper_destroy(struct stepper *s);
/* The spin policy of a lock whose waiters the stepper runs. */
struct lock_spin_policy stepper_policy(struct stepper *s);

/* Starts an actor that takes l (read or write side), then waits until go to leave. */
void actor_start(struct actor *a, struct stepper *s, struct lock *l, const char *name,
		 bool writer, bool go);
/* Until a waits in the hook; fails the test if it got in instead. */
void actor_wait_waiting(struct actor *a);
/* Lets a make n rounds (it stays blocked in between); returns once it waits again or got
 * in. Whether it got in. */
bool actor_step(struct actor *a, unsigned n);
bool actor_entered(struct actor *a);
unsigned actor_entry(struct actor *a);
/* Steps the waiting actors of as[] round-robin, one round each, until `until` got in.
 * Fails the test with a deadlock report after STEPPER_DEADLOCK_ROUNDS rounds each. */
void actors_run_until(struct actor *const *as, unsigned n, struct actor *until);
/* Lets a leave once inside (stepping it until it gets in), and joins it. */
void actor_finish(struct actor *a);

#endif
