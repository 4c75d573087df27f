/* SPDX-License-Identifier: MIT */
/* Taking a Concurrency Kit ticket spinlock with our wait (wait.h) instead of CK's endless
 * spin: the same steps as ck_spinlock_ticket_lock. Releasing is CK's own, followed by a
 * signal for a parked waiter; trylock is CK's where CK has one. CK #undefs its layout
 * macros, so the layout is restated here for the two it has.
 *
 * A parked waiter sleeps on the slot of its ticket (turns[ticket % LOCK_WAIT_SLOTS]); the
 * unlock that serves ticket t signals that slot, so it wakes the next owner only. */
#ifndef LOCKS_TICKET_WAIT_H
#define LOCKS_TICKET_WAIT_H

#include <ck_spinlock.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "wait.h"

#ifdef CK_F_SPINLOCK_TICKET_TRYLOCK
/* One word: the ticket being served in the low half, the next ticket in the high. */
#define TICKET_SERVING(t) (ck_pr_load_32(&(t)->value) & 0xffff)
#define TICKET_NEXT(t) (ck_pr_load_32(&(t)->value) >> 16)
#else
#define TICKET_SERVING(t) ck_pr_load_uint(&(t)->position)
#define TICKET_NEXT(t) ck_pr_load_uint(&(t)->next)
#endif

static inline void ticket_lock_wait(ck_spinlock_ticket_t *t, struct ck_ec32 *turns,
				    struct lock_wait *w)
{
#ifdef CK_F_SPINLOCK_TICKET_TRYLOCK
	_Static_assert(sizeof(t->value) == sizeof(uint32_t),
		       "CK ticket lock layout is the 32-bit packed one");
	uint32_t v = ck_pr_faa_32(&t->value, UINT32_C(1) << 16);
	uint32_t request = v >> 16, position = v & 0xffff;

	lock_wait_on(w, &turns[request % LOCK_WAIT_SLOTS]);
	while (request != position) {
		lock_wait(w);
		position = TICKET_SERVING(t);
	}
#else
	unsigned request = ck_pr_faa_uint(&t->next, 1);

	lock_wait_on(w, &turns[request % LOCK_WAIT_SLOTS]);
	while (TICKET_SERVING(t) != request)
		lock_wait(w);
#endif
	/* acquire: the serving ticket read as ours was stored after the last holder's
	 * fence_unlock (ck_spinlock_ticket_unlock), so its section comes before ours */
	ck_pr_fence_lock();
}

/* Takes the lock only if nobody holds it or waits for it. CK provides this only for its
 * packed one-word layout (x86, CK_F_SPINLOCK_TICKET_TRYLOCK); elsewhere (arm64) the layout
 * is two words, `next` and `position`, and this is ours: take ticket `position` by moving
 * `next` from `position` on, in one CAS.
 *
 * Correct with any stale `position`: the CAS succeeds only where `next` was p, so ticket p
 * is now ours and nobody else's; `position` never runs ahead of `next` and only the
 * holder of ticket p moves it past p; it was seen at p, so it still is: ticket p is being
 * served and we hold the lock. Ordering: the previous holder published its critical
 * section with fence_unlock before its store of `position` (ck_spinlock_ticket_unlock);
 * our load read that store, and the fence_lock after the CAS makes it an acquire (a fence
 * acquire after a load that read from a fence release), so its critical section happens
 * before ours, as after ck_spinlock_ticket_lock. Both fences are dmb ish on arm64. */
static inline bool ticket_trylock(ck_spinlock_ticket_t *t)
{
#ifdef CK_F_SPINLOCK_TICKET_TRYLOCK
	return ck_spinlock_ticket_trylock(t);
#else
	unsigned position = ck_pr_load_uint(&t->position);

	if (!ck_pr_cas_uint(&t->next, position, position + 1))
		return false;
	ck_pr_fence_lock();
	return true;
#endif
}

/* Serves the next ticket (by the holder: nobody else moves the served one) and wakes its
 * waiter if it sleeps. */
static inline void ticket_unlock_signal(ck_spinlock_ticket_t *t, struct ck_ec32 *turns,
					const struct lock_spin_policy *spin)
{
	unsigned next = (TICKET_SERVING(t) + 1) % LOCK_WAIT_SLOTS;

	ck_spinlock_ticket_unlock(t);
	lock_event_signal(&turns[next], spin);
}

static inline void ticket_turns_init(struct ck_ec32 *turns)
{
	for (int i = 0; i < LOCK_WAIT_SLOTS; i++)
		ck_ec32_init(&turns[i], 0);
}

/* "serving 4 next 6": next - serving tickets taken, the holder's among them. */
static inline int ticket_describe(const ck_spinlock_ticket_t *t, char *buf, unsigned long len)
{
	return snprintf(buf, len, "serving %u next %u", (unsigned)TICKET_SERVING(t),
			(unsigned)TICKET_NEXT(t));
}

#endif
