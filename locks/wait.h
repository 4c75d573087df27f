/* SPDX-License-Identifier: MIT */
/* The wait of every spinning strategy, per its spin policy (locks/lock.h):
 *
 *	struct lock_wait w;
 *
 *	lock_wait_init(&w, &lock->spin, &lock->event, "ticket: waits for its turn");
 *	while (!condition)
 *		lock_wait(&w);
 *
 * - yield: pause for a bounded number of rounds, then give the CPU away with
 *   sched_yield(). A waiter that only spins can burn its whole time slice while the
 *   thread it waits for (the holder, or the next in a FIFO queue) is not running, which
 *   is the normal case once threads outnumber cores.
 * - pure: only pause, however long; kept on purpose, to show that.
 * - park: pause for a bounded number of rounds, then sleep on an event count of the lock
 *   (Concurrency Kit's ck_ec: a futex behind a counter) until it changes. The strategy
 *   signals the event count (lock_event_signal) after every change of its state that a
 *   waiter on it may be waiting for; a signal with nobody asleep costs one atomic
 *   increment. Each wait loop sleeps on the event count of what it waits for, so that a
 *   handover wakes the next owner, not every sleeper: a ticket waiter on the slot of its
 *   ticket (LOCK_WAIT_SLOTS per lock), an MCS waiter on the slot of its queue node, and so
 *   on. The event counts live in the lock, which outlives every call on it.
 * - hook: call the policy's hook at every round, and nothing else (deterministic tests).
 *
 * Parking needs the event count read before the condition: lock_wait takes a snapshot at
 * the round before it first sleeps, the caller checks its condition again, and the next
 * round sleeps only while the count still equals the snapshot. A change made between
 * the snapshot and the sleep has bumped the count, so it is never slept through.
 *
 * Every round also stores the loop's site into the thread's wait-site slot, for
 * watchdogs (lock_wait_site_slot). */
#ifndef LOCKS_WAIT_H
#define LOCKS_WAIT_H

#include <ck_ec.h>
#include <ck_pr.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "locks/lock.h"

/* Defined in park.c. */
extern _Thread_local lock_wait_site lock_wait_site_of_thread;
extern const struct ck_ec_mode lock_park_mode;

/* Event counts per lock for ticket waiters: ticket t sleeps on slot t % LOCK_WAIT_SLOTS,
 * so a handover wakes one sleeper (and any a multiple of LOCK_WAIT_SLOTS behind it). */
#define LOCK_WAIT_SLOTS 8

struct lock_wait {
	const struct lock_spin_policy *spin;
	struct ck_ec32 *event;
	const char *site;
	unsigned spun;
	uint32_t seen;		/* park: the event count before the condition's last check */
	bool armed;		/* park: seen is set */
};

static inline void lock_wait_init(struct lock_wait *w, const struct lock_spin_policy *spin,
				  struct ck_ec32 *event, const char *site)
{
	w->spin = spin;
	w->event = event;
	w->site = site;
	w->spun = 0;
	w->seen = 0;
	w->armed = false;
}

/* For a loop whose event count is known only once it has queued (a ticket's slot). */
static inline void lock_wait_on(struct lock_wait *w, struct ck_ec32 *event)
{
	w->event = event;
}

static inline void lock_wait(struct lock_wait *w)
{
	/* Only this thread writes its slot; readers want the site, nothing ordered by it. */
	atomic_store_explicit(&lock_wait_site_of_thread, w->site, memory_order_relaxed);
	switch (w->spin->mode) {
	case LOCK_SPIN_HOOK:
		w->spin->hook(w->spin->hook_arg, w->site);
		return;
	case LOCK_SPIN_PURE:
		ck_pr_stall();
		return;
	case LOCK_SPIN_YIELD:
		if (w->spun < w->spin->spins) {
			w->spun++;
			ck_pr_stall();
			return;
		}
		w->spun = 0;
		sched_yield();
		return;
	case LOCK_SPIN_PARK:
		if (w->spun < w->spin->spins) {
			w->spun++;
			ck_pr_stall();
			return;
		}
		/* ck_ec32_value is an acquire: the caller's next look at the lock comes
		 * after it, so any change that look misses bumps the count afterwards. */
		if (w->armed)
			ck_ec32_wait(w->event, &lock_park_mode, w->seen, NULL);
		w->seen = ck_ec32_value(w->event);
		w->armed = true;
		return;
	}
}

/* After a change of the lock's state that may let a waiter go on. ck_ec32_inc orders
 * the change before the increment (a store-atomic fence, then the atomic add), and the
 * waiter reads the count with an acquire before it looks at the state: message passing,
 * which holds on arm64 too. Nothing to do unless the lock parks its waiters. */
static inline void lock_event_signal(struct ck_ec32 *event, const struct lock_spin_policy *spin)
{
	if (spin->mode == LOCK_SPIN_PARK)
		ck_ec32_inc(event, &lock_park_mode);
}

#endif
