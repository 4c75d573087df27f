/* SPDX-License-Identifier: MIT */
/* "mcs": Concurrency Kit's MCS queue lock (FIFO; each waiter spins on its own queue node);
 * readers exclusive too.
 *
 * The queue node must live from lock to unlock, which are separate calls, so it cannot be
 * on the caller's stack. Each thread has a small pool of nodes (as the kernel's qspinlock
 * has a few per-CPU nodes for nesting); a lock records its holder's node, which the holder
 * gives back on unlock. A thread may hold up to MCS_NODES_PER_THREAD MCS locks at once, and
 * release them in any order.
 *
 * Lock and unlock restate ck_spinlock_mcs_lock/unlock step for step, with lock_wait() where
 * CK spins without bound: both the waiter's spin and the releaser's wait for a successor
 * that has swapped itself in but not yet linked (a preempted successor would otherwise cost
 * the releaser its time slice). A parked waiter sleeps on the lock's event count for its
 * node (a slot by the node's address), which the handover to that node bumps; a releaser
 * waiting for its successor to link sleeps on `linked`, which the link bumps. The event
 * counts are the lock's, never the nodes': a node's thread may exit once it has the lock. */
#include <ck_spinlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "locks/lock.h"
#include "wait.h"
#include "tsan_annotate.h"

#define MCS_NODES_PER_THREAD 8

struct mcs_node {
	_Alignas(64) struct ck_spinlock_mcs ck;	/* a node per line: its owner spins on it */
};

static _Thread_local struct mcs_node nodes[MCS_NODES_PER_THREAD];
static _Thread_local unsigned nodes_in_use;	/* bit i: nodes[i] is queued */

struct mcs_lock {
	ck_spinlock_mcs_t tail;
	struct ck_spinlock_mcs *holder;	/* the holder's node; written and read by the holder */
	struct ck_ec32 turns[LOCK_WAIT_SLOTS];	/* parked waiters, by node */
	struct ck_ec32 linked;		/* a parked releaser waiting for a successor's link */
	struct lock_spin_policy spin;
};

static struct ck_spinlock_mcs *node_get(void)
{
	unsigned free_nodes = ~nodes_in_use & ((1u << MCS_NODES_PER_THREAD) - 1);
	int i;

	if (!free_nodes) {
		fprintf(stderr, "mcs: a thread holds more than %d MCS locks at once\n",
			MCS_NODES_PER_THREAD);
		abort();
	}
	i = __builtin_ctz(free_nodes);
	nodes_in_use |= 1u << i;
	return &nodes[i].ck;
}

static void node_put(struct ck_spinlock_mcs *node)
{
	size_t i = (size_t)((struct mcs_node *)node - nodes);

	nodes_in_use &= ~(1u << i);
}

/* The event count a parked waiter queued with node sleeps on. */
static struct ck_ec32 *turn(struct mcs_lock *m, const struct ck_spinlock_mcs *node)
{
	return &m->turns[((uintptr_t)node / sizeof(struct mcs_node)) % LOCK_WAIT_SLOTS];
}

static int init(void *impl, const struct lock_spin_policy *spin)
{
	struct mcs_lock *m = impl;

	ck_spinlock_mcs_init(&m->tail);
	m->holder = NULL;
	for (int i = 0; i < LOCK_WAIT_SLOTS; i++)
		ck_ec32_init(&m->turns[i], 0);
	ck_ec32_init(&m->linked, 0);
	m->spin = *spin;
	return 0;
}

static void destroy(void *impl)
{
	(void)impl;
}

static void lock(void *impl)
{
	struct mcs_lock *m = impl;
	struct ck_spinlock_mcs *node = node_get(), *previous;
	struct lock_wait w;

	node->locked = true;
	node->next = NULL;
	/* the node's fields before it is seen through tail or previous->next: the
	 * predecessor's handover store to `locked` must come after ours */
	ck_pr_fence_store_atomic();

	previous = ck_pr_fas_ptr(&m->tail, node);
	if (previous) {
		ck_pr_store_ptr(&previous->next, node);
		lock_event_signal(&m->linked, &m->spin);	/* a releaser may wait for it */
		lock_wait_init(&w, &m->spin, turn(m, node), "mcs: queued, waits for the handover");
		while (ck_pr_load_uint(&node->locked))
			lock_wait(&w);
	}
	/* acquire: against the last holder's fence_unlock before its handover store (or
	 * before its CAS of tail to NULL, which our fas read) */
	ck_pr_fence_lock();
	tsan_write_acquired(m);
	m->holder = node;
}

static void unlock(void *impl)
{
	struct mcs_lock *m = impl;
	struct ck_spinlock_mcs *node = m->holder, *next;
	struct lock_wait w;

	tsan_write_releasing(m);
	ck_pr_fence_unlock();	/* release: our section before the handover or the CAS of tail */

	next = ck_pr_load_ptr(&node->next);
	if (!next) {
		if (ck_pr_load_ptr(&m->tail) == node && ck_pr_cas_ptr(&m->tail, node, NULL))
			goto out;
		lock_wait_init(&w, &m->spin, &m->linked,
			       "mcs: releasing, waits for the successor to link itself");
		while (!(next = ck_pr_load_ptr(&node->next)))
			lock_wait(&w);
	}
	ck_pr_store_uint(&next->locked, false);
	lock_event_signal(turn(m, next), &m->spin);
out:
	node_put(node);
}

static bool trylock(void *impl)
{
	struct mcs_lock *m = impl;
	struct ck_spinlock_mcs *node;

	if (ck_pr_load_ptr(&m->tail))
		return false;
	node = node_get();
	if (!ck_spinlock_mcs_trylock(&m->tail, node)) {
		node_put(node);
		return false;
	}
	tsan_write_acquired(m);
	m->holder = node;
	return true;
}

static int describe(const void *impl, char *buf, unsigned long len)
{
	const struct mcs_lock *m = impl;

	return snprintf(buf, len, "tail %s", ck_pr_load_ptr(&m->tail) ? "set (held)" : "empty (free)");
}

const struct lock_ops lock_mcs = {
	.name = "mcs",
	.description = "MCS queue lock (Concurrency Kit): FIFO, local spinning, readers exclusive too",
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
	.impl_size = sizeof(struct mcs_lock),
};
