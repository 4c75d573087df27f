/* SPDX-License-Identifier: MIT */
/* Deterministic lock tests: see stepper.h. */
#include "stepper.h"

#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* A backstop for an actor that neither waits in the hook nor gets in: a wait loop that
 * does not go through lock_wait(). Nothing that works takes more than microseconds. */
#define STUCK_OUTSIDE_S 60

static _Thread_local struct actor *self;

static void hook(void *arg, const char *site)
{
	struct stepper *s = arg;
	struct actor *a = self;

	if (!a) {		/* the test's own thread */
		sched_yield();
		return;
	}
	pthread_mutex_lock(&s->mu);
	a->rounds++;
	a->site = site;
	a->waiting = true;
	pthread_cond_broadcast(&s->cv);
	while (!a->allowed)
		pthread_cond_wait(&s->cv, &s->mu);
	a->allowed--;
	a->waiting = false;
	pthread_mutex_unlock(&s->mu);
}

void stepper_init(struct stepper *s)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &attr);
	pthread_condattr_destroy(&attr);
	s->entries = 0;
}

void stepper_destroy(struct stepper *s)
{
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
}

struct lock_spin_policy stepper_policy(struct stepper *s)
{
	return (struct lock_spin_policy){ .mode = LOCK_SPIN_HOOK, .hook = hook, .hook_arg = s };
}

static void *actor_main(void *p)
{
	struct actor *a = p;
	struct stepper *s = a->s;

	self = a;
	if (a->writer)
		lock_write(a->l);
	else
		lock_read(a->l);
	pthread_mutex_lock(&s->mu);
	a->entered = true;
	a->entry = s->entries++;
	pthread_cond_broadcast(&s->cv);
	while (!a->go)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	if (a->writer)
		unlock_write(a->l);
	else
		unlock_read(a->l);
	pthread_mutex_lock(&s->mu);
	a->done = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void actor_start(struct actor *a, struct stepper *s, struct lock *l, const char *name,
		 bool writer, bool go)
{
	memset(a, 0, sizeof(*a));
	a->s = s;
	a->l = l;
	a->name = name;
	a->writer = writer;
	a->go = go;
	assert_int_equal(pthread_create(&a->tid, NULL, actor_main, a), 0);
}

/* Under s->mu: until a is at rest: waiting in the hook with no round left, holding the
 * lock (not told to go), or gone. An actor told to go is waited for until it has left, so
 * that nothing moves while the test looks. */
static void settle(struct actor *a)
{
	struct stepper *s = a->s;
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += STUCK_OUTSIDE_S;
	while (!((a->waiting && !a->allowed) || (a->entered && !a->go) || a->done)) {
		if (pthread_cond_timedwait(&s->cv, &s->mu, &deadline)) {
			pthread_mutex_unlock(&s->mu);
			fail_msg("%s neither waits in the hook nor gets in after %d s", a->name,
				 STUCK_OUTSIDE_S);
		}
	}
}

void actor_wait_waiting(struct actor *a)
{
	pthread_mutex_lock(&a->s->mu);
	settle(a);
	if (a->entered) {
		pthread_mutex_unlock(&a->s->mu);
		fail_msg("%s got in at once", a->name);
	}
	pthread_mutex_unlock(&a->s->mu);
}

bool actor_step(struct actor *a, unsigned n)
{
	bool entered;

	pthread_mutex_lock(&a->s->mu);
	for (unsigned i = 0; i < n && a->waiting; i++) {
		a->allowed = 1;
		pthread_cond_broadcast(&a->s->cv);
		settle(a);
	}
	entered = a->entered;
	pthread_mutex_unlock(&a->s->mu);
	return entered;
}

bool actor_entered(struct actor *a)
{
	bool entered;

	pthread_mutex_lock(&a->s->mu);
	entered = a->entered;
	pthread_mutex_unlock(&a->s->mu);
	return entered;
}

unsigned actor_entry(struct actor *a)
{
	unsigned entry;

	pthread_mutex_lock(&a->s->mu);
	entry = a->entry;
	pthread_mutex_unlock(&a->s->mu);
	return entry;
}

void actors_run_until(struct actor *const *as, unsigned n, struct actor *until)
{
	char state[256], report[1024];
	int len;

	for (unsigned round = 0; round < STEPPER_DEADLOCK_ROUNDS; round++) {
		for (unsigned i = 0; i < n; i++) {
			if (actor_entered(until))
				return;
			actor_step(as[i], 1);
		}
	}
	if (actor_entered(until))
		return;
	lock_describe(until->l, state, sizeof(state));
	len = snprintf(report, sizeof(report), "deadlock: %u rounds each and %s is not in;",
		       STEPPER_DEADLOCK_ROUNDS, until->name);
	pthread_mutex_lock(&until->s->mu);
	for (unsigned i = 0; i < n && len > 0 && (size_t)len < sizeof(report); i++)
		len += snprintf(report + len, sizeof(report) - (size_t)len, " %s %s%s;", as[i]->name,
				as[i]->done ? "left" : as[i]->entered ? "holds" : "waits: ",
				as[i]->waiting ? as[i]->site : "");
	pthread_mutex_unlock(&until->s->mu);
	fail_msg("%s lock: %s", report, state);
}

void actor_finish(struct actor *a)
{
	pthread_mutex_lock(&a->s->mu);
	a->go = true;
	pthread_cond_broadcast(&a->s->cv);
	pthread_mutex_unlock(&a->s->mu);
	actors_run_until(&a, 1, a);
	pthread_mutex_lock(&a->s->mu);
	settle(a);	/* told to go: until it has left */
	pthread_mutex_unlock(&a->s->mu);
	pthread_join(a->tid, NULL);
}
