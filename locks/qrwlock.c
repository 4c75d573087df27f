/* "qrwlock": the Linux kernel's queued rwlock (kernel/locking/qrwlock.c,
 * include/asm-generic/qrwlock.h), on C11 atomics. No library has it.
 *
 * One 32-bit word counts readers (bits 9 and up) and holds the writer state (low 9 bits:
 * 0xff locked, 0x100 a writer waiting). Uncontended, both sides take the lock with one
 * atomic on that word. Otherwise they queue FIFO on wait_lock; a writer at the head of that
 * queue sets WAITING, which sends every new reader into the queue behind it, so writers
 * are not starved by a stream of readers and queued readers go in turn.
 *
 * Deliberately different from the kernel:
 * - The fast paths are taken only while wait_lock is free, i.e. nobody is queued. The
 *   kernel lets them barge past the queue; its queue still turns because a spinning waiter
 *   cannot be preempted. Here it can: a queued thread that is off the CPU when its turn
 *   comes has not yet set WAITING, and whoever is running takes the lock again and again
 *   through the fast path. With the kernel's fast paths, 6 writers on 2 cores over 10^7
 *   acquisitions ended at Max/Min 3228468/1049447 (locktorture's starvation flag).
 * - wait_lock is a ticket lock (the kernel's arch_spinlock_t is a qspinlock: also FIFO).
 * - No interrupt context, so no reader path that skips the queue.
 * - Every spin is spin_wait() (bounded, then yield).
 *
 * No TSan annotations: TSan sees these atomics and so checks the real ordering. */
#include <ck_spinlock.h>
#include <stdatomic.h>
#include <stdint.h>

#include "locks/lock.h"
#include "spin_wait.h"
#include "ticket_wait.h"

#define QW_LOCKED	0x0ffu		/* a writer holds the lock */
#define QW_WAITING	0x100u		/* a writer waits for the readers to leave */
#define QW_WMASK	0x1ffu
#define QR_BIAS		(1u << 9)	/* one reader */

struct qrwlock {
	_Atomic uint32_t cnts;
	ck_spinlock_ticket_t wait_lock;
	struct lock_spin_policy spin;
};

static int init(void *impl, const struct lock_spin_policy *spin)
{
	struct qrwlock *q = impl;

	atomic_init(&q->cnts, 0);
	ck_spinlock_ticket_init(&q->wait_lock);
	q->spin = *spin;
	return 0;
}

static void destroy(void *impl)
{
	(void)impl;
}

static bool nobody_queued(struct qrwlock *q)
{
	return !ck_spinlock_ticket_locked(&q->wait_lock);
}

/* queued_read_lock_slowpath, after taking back the fast path's bias */
static void read_lock_queued(struct qrwlock *q)
{
	unsigned spun = 0;

	ticket_lock_wait(&q->wait_lock, &q->spin);
	atomic_fetch_add_explicit(&q->cnts, QR_BIAS, memory_order_relaxed);
	/* At the head of the queue only an active writer can hold us back: a waiting one
	 * is behind us. */
	while (atomic_load_explicit(&q->cnts, memory_order_acquire) & QW_LOCKED)
		spin_wait(&q->spin, &spun);
	ck_spinlock_ticket_unlock(&q->wait_lock);
}

static void read_lock(void *impl)
{
	struct qrwlock *q = impl;

	if (nobody_queued(q)) {
		if (!(atomic_fetch_add_explicit(&q->cnts, QR_BIAS, memory_order_acquire) & QW_WMASK))
			return;
		atomic_fetch_sub_explicit(&q->cnts, QR_BIAS, memory_order_relaxed);
	}
	read_lock_queued(q);
}

static void read_unlock(void *impl)
{
	struct qrwlock *q = impl;

	atomic_fetch_sub_explicit(&q->cnts, QR_BIAS, memory_order_release);
}

static bool cnts_lock(struct qrwlock *q, uint32_t expected)
{
	return atomic_compare_exchange_strong_explicit(&q->cnts, &expected, QW_LOCKED,
						       memory_order_acquire, memory_order_relaxed);
}

/* queued_write_lock_slowpath */
static void write_lock_slowpath(struct qrwlock *q)
{
	unsigned spun = 0;

	ticket_lock_wait(&q->wait_lock, &q->spin);
	if (atomic_load_explicit(&q->cnts, memory_order_relaxed) == 0 && cnts_lock(q, 0))
		goto unlock;
	atomic_fetch_or_explicit(&q->cnts, QW_WAITING, memory_order_relaxed);
	/* Once no reader and no writer is left, only WAITING (ours) remains. */
	for (;;) {
		if (atomic_load_explicit(&q->cnts, memory_order_relaxed) == QW_WAITING &&
		    cnts_lock(q, QW_WAITING))
			break;
		spin_wait(&q->spin, &spun);
	}
unlock:
	ck_spinlock_ticket_unlock(&q->wait_lock);
}

static void write_lock(void *impl)
{
	struct qrwlock *q = impl;

	if (nobody_queued(q) && cnts_lock(q, 0))
		return;
	write_lock_slowpath(q);
}

static void write_unlock(void *impl)
{
	struct qrwlock *q = impl;

	/* The kernel stores 0 to the low byte; no one else changes it while it is held. */
	atomic_fetch_sub_explicit(&q->cnts, QW_LOCKED, memory_order_release);
}

/* queued_read_trylock; as the fast paths, it does not pass queued waiters */
static bool read_trylock(void *impl)
{
	struct qrwlock *q = impl;

	if (!nobody_queued(q) || atomic_load_explicit(&q->cnts, memory_order_relaxed) & QW_WMASK)
		return false;
	if (!(atomic_fetch_add_explicit(&q->cnts, QR_BIAS, memory_order_acquire) & QW_WMASK))
		return true;
	atomic_fetch_sub_explicit(&q->cnts, QR_BIAS, memory_order_relaxed);
	return false;
}

/* queued_write_trylock */
static bool write_trylock(void *impl)
{
	struct qrwlock *q = impl;

	return nobody_queued(q) && atomic_load_explicit(&q->cnts, memory_order_relaxed) == 0 &&
	       cnts_lock(q, 0);
}

const struct lock_ops lock_qrwlock = {
	.name = "qrwlock",
	.description = "the kernel's queued rwlock: shared reads, FIFO wait queue, a queued writer blocks new readers",
	.props = LOCK_PROP_FAIR | LOCK_PROP_SPINNING | LOCK_PROP_SHARED_READS,
	.init = init,
	.destroy = destroy,
	.read_lock = read_lock,
	.read_unlock = read_unlock,
	.write_lock = write_lock,
	.write_unlock = write_unlock,
	.read_trylock = read_trylock,
	.write_trylock = write_trylock,
	.impl_size = sizeof(struct qrwlock),
};
