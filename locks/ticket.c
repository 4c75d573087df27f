/* SPDX-License-Identifier: MIT */
/* "ticket": Concurrency Kit's ticket spinlock (FIFO); readers exclusive too. */
#include <ck_spinlock.h>

#include "locks/lock.h"
#include "ticket_wait.h"
#include "tsan_annotate.h"

struct ticket_lock {
	ck_spinlock_ticket_t ticket;
	struct ck_ec32 turns[LOCK_WAIT_SLOTS];	/* parked waiters, by ticket (ticket_wait.h) */
	struct lock_spin_policy spin;
};

static int init(void *impl, const struct lock_spin_policy *spin)
{
	struct ticket_lock *t = impl;

	ck_spinlock_ticket_init(&t->ticket);
	ticket_turns_init(t->turns);
	t->spin = *spin;
	return 0;
}

static void destroy(void *impl)
{
	(void)impl;
}

static void lock(void *impl)
{
	struct ticket_lock *t = impl;
	struct lock_wait w;

	lock_wait_init(&w, &t->spin, NULL, "ticket: waits for its ticket to be served");
	ticket_lock_wait(&t->ticket, t->turns, &w);
	tsan_write_acquired(t);
}

static void unlock(void *impl)
{
	struct ticket_lock *t = impl;

	tsan_write_releasing(t);
	ticket_unlock_signal(&t->ticket, t->turns, &t->spin);
}

static bool trylock(void *impl)
{
	struct ticket_lock *t = impl;

	if (!ticket_trylock(&t->ticket))
		return false;
	tsan_write_acquired(t);
	return true;
}

static int describe(const void *impl, char *buf, unsigned long len)
{
	const struct ticket_lock *t = impl;

	return ticket_describe(&t->ticket, buf, len);
}

const struct lock_ops lock_ticket = {
	.name = "ticket",
	.description = "ticket spinlock (Concurrency Kit): FIFO, readers exclusive too",
	.props = LOCK_PROP_FAIR | LOCK_PROP_SPINNING,
	.init = init,
	.destroy = destroy,
	.read_lock = lock,
	.read_unlock = unlock,
	.write_lock = lock,
	.write_unlock = unlock,
	.read_trylock = trylock,
	.write_trylock = trylock,
	.describe = describe,
	.impl_size = sizeof(struct ticket_lock),
};
