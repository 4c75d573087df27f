/* SPDX-License-Identifier: MIT */
/* "pflock": Concurrency Kit's phase-fair reader-writer lock (Brandenburg & Anderson): read
 * and write phases alternate, so a reader waits for at most one write phase and a writer
 * for at most one read phase; writers are FIFO among themselves (a ticket).
 *
 * The lock functions restate ck_pflock_read_lock/write_lock step for step, with
 * lock_wait() where CK spins without bound; read_unlock is CK's, and so is write_unlock
 * when no writer waits, but for a fence CK lacks (write_phase_end). Parked writers sleep
 * on their ticket's slot (turns), bumped when wout serves that ticket; parked readers on
 * `phase_end`, bumped when rin's writer bits change (both in serve_next); a parked writer
 * waiting for readers to leave on `drained`, bumped at every read unlock. CK has no
 * trylock: ours take a phase only when they cannot have to wait. Two changes to CK's
 * protocol:
 *
 * 1. The write phase is handed over. In CK a write unlock opens a read phase (clears the
 *    writer bits of rin) and serves the next ticket, and that writer closes it again by
 *    setting the writer bits itself: at once if it spins, but only when it next runs if it
 *    was preempted or yielded, and until then every reader on a CPU goes in, again and
 *    again. Over 10^7 acquisitions with 4 writers and 4 readers on 2 CPUs, all but 0.04%
 *    of reads entered in such a gap, so the scheduler, not the lock, chose which reader
 *    read (one 2.3M times, the others 0.85M). So a write unlock that finds the next ticket
 *    taken ends its phase and announces the next writer's in one atomic step on rin (the
 *    phase ID flips, the present bit stays): readers that waited for the ending phase go
 *    in, readers that come later wait for the next, as if that writer had announced
 *    itself at once. The rin count at the handover, the readers that writer must let out,
 *    goes to it in `drain`.
 *
 * 2. The phase ID alternates per write phase announced, kept in `phase`, not per ticket
 *    (CK uses the ticket's low bit). A write_trylock that finds readers inside gives its
 *    ticket back without a phase, so tickets and phases no longer pair up; and a phase ID
 *    repeated by the next phase deadlocks: a reader that waited for one phase and slept
 *    through its end sees "its" bits again and waits for a writer that waits for it: a
 *    write_trylock that announces a phase and withdraws it deadlocks so, which
 *    tests/locks/test_lock_order.c shows deterministically.)
 *
 * Unchanged: a reader waits for at most one write phase (once let in, it holds the next
 * write phase back until it leaves, so it cannot see its phase bits come round again), a
 * writer for the readers of one read phase, and tickets are served in order. `phase` and
 * `drain` belong to the writer that wout serves; the next one reads them after wout. */
#include <ck_pflock.h>
#include <stdio.h>

#include "locks/lock.h"
#include "wait.h"
#include "tsan_annotate.h"

struct pflock {
	ck_pflock_t pf;
	uint32_t phase;		/* CK_PFLOCK_PHID or 0: the ID of the last write phase announced */
	uint32_t drain;		/* at a handover: the rout value once the readers let in are out */
	struct ck_ec32 turns[LOCK_WAIT_SLOTS];	/* parked writers, by ticket */
	struct ck_ec32 phase_end;	/* parked readers */
	struct ck_ec32 drained;	/* a parked writer waiting for rout */
	struct lock_spin_policy spin;
};

static int init(void *impl, const struct lock_spin_policy *spin)
{
	struct pflock *p = impl;

	ck_pflock_init(&p->pf);
	p->phase = 0;
	p->drain = 0;
	for (int i = 0; i < LOCK_WAIT_SLOTS; i++)
		ck_ec32_init(&p->turns[i], 0);
	ck_ec32_init(&p->phase_end, 0);
	ck_ec32_init(&p->drained, 0);
	p->spin = *spin;
	return 0;
}

static void destroy(void *impl)
{
	(void)impl;
}

/* The writer bits of the current write phase, or of the next one (its ID taken). */
static uint32_t phase_bits(const struct pflock *p)
{
	return ck_pr_load_32(&p->phase) | CK_PFLOCK_PRES;
}

static uint32_t next_phase_bits(struct pflock *p)
{
	uint32_t id = ck_pr_load_32(&p->phase) ^ CK_PFLOCK_PHID;

	ck_pr_store_32(&p->phase, id);
	return id | CK_PFLOCK_PRES;
}

static void read_lock(void *impl)
{
	struct pflock *p = impl;
	uint32_t w = ck_pr_faa_32(&p->pf.rin, CK_PFLOCK_RINC) & CK_PFLOCK_WBITS;
	struct lock_wait wait;

	/* A writer is present: wait for its write phase to end. */
	if (w) {
		lock_wait_init(&wait, &p->spin, &p->phase_end,
			       "pflock: reader waits for the write phase to end");
		while ((ck_pr_load_32(&p->pf.rin) & CK_PFLOCK_WBITS) == w)
			lock_wait(&wait);
	}
	ck_pr_fence_lock();	/* acquire: the write phase's end seen on rin, before our reads */
	tsan_read_acquired(p);
}

static void read_unlock(void *impl)
{
	struct pflock *p = impl;

	tsan_read_releasing(p);
	ck_pflock_read_unlock(&p->pf);
	lock_event_signal(&p->drained, &p->spin);	/* a writer may wait for rout */
}

/* For the writer that wout now serves: its write phase announced (by a handover, else now)
 * and the rout value to wait for. Only that writer sets the writer bits, so they are
 * either clear or its own. */
static uint32_t write_phase_begin(struct pflock *p)
{
	ck_pr_fence_load();	/* rin, phase and drain as written before wout */
	if (ck_pr_load_32(&p->pf.rin) & CK_PFLOCK_WBITS)
		return ck_pr_load_32(&p->drain);
	return ck_pr_faa_32(&p->pf.rin, next_phase_bits(p));
}

/* ck_pflock_write_unlock with a fence CK leaves out: the write phase ends (rin's writer bits
 * cleared) and the next ticket is served (wout). CK puts nothing between its two atomics,
 * and on a weakly ordered CPU (CK_MD_RMO: arm64, where both are plain exclusive-pair loops)
 * the bump of wout can be seen first: the next writer then adds its writer bits to rin
 * before our clear lands, the clear wipes them, readers walk into its write phase, and the
 * rout it waits for never comes (models/pflock.pml, UNFENCED_UNLOCK, shows both).
 * ck_pr_fence_atomic orders the clear before the bump (a store fence, dmb ishst, on arm64;
 * nothing on x86, whose locked atomics are ordered already); the next writer reads wout
 * before it looks at rin (the load fence in write_phase_begin). */
static void write_phase_end(struct pflock *p)
{
	ck_pr_fence_unlock();	/* the critical section before the clear (as CK) */
	ck_pr_and_32(&p->pf.rin, CK_PFLOCK_LSB);
	ck_pr_fence_atomic();	/* the clear before the bump */
	ck_pr_faa_32(&p->pf.wout, 1);
}

/* Serves the ticket after ours: after our write phase (ours: its writer bits), or in
 * place of one (ours 0: a write_trylock giving its ticket back, having announced none).
 * If that ticket is taken, its write phase is announced now (handed over). */
static void serve_next(struct pflock *p, uint32_t ticket, uint32_t ours)
{
	uint32_t drain;

	/* Tickets only grow, so a stale win can only hide a waiter (which then announces
	 * itself, as in CK): a later ticket seen is really taken. */
	if (ck_pr_load_32(&p->pf.win) == ticket + 1) {
		if (ours)
			write_phase_end(p);
		else
			ck_pr_faa_32(&p->pf.wout, 1);
	} else {
		ck_pr_fence_unlock();	/* release: our section before rin shows the phase over */
		drain = ck_pr_faa_32(&p->pf.rin, next_phase_bits(p) - ours);
		ck_pr_store_32(&p->drain, drain & CK_PFLOCK_LSB);
		ck_pr_fence_store();	/* rin (an atomic: a store to CK), phase, drain before wout */
		ck_pr_faa_32(&p->pf.wout, 1);
	}
	/* Readers wait for rin's writer bits, the writer of ticket + 1 for wout. */
	lock_event_signal(&p->phase_end, &p->spin);
	lock_event_signal(&p->turns[(ticket + 1) % LOCK_WAIT_SLOTS], &p->spin);
}

static void write_lock(void *impl)
{
	struct pflock *p = impl;
	uint32_t ticket = ck_pr_faa_32(&p->pf.win, 1);
	struct lock_wait w;

	lock_wait_init(&w, &p->spin, &p->turns[ticket % LOCK_WAIT_SLOTS],
		       "pflock: writer waits for its ticket (wout)");
	while (ck_pr_load_32(&p->pf.wout) != ticket)
		lock_wait(&w);
	/* Announce the write phase to incoming readers; wait for those inside to leave. */
	ticket = write_phase_begin(p);
	lock_wait_init(&w, &p->spin, &p->drained,
		       "pflock: writer waits for the readers inside to leave (rout)");
	while (ck_pr_load_32(&p->pf.rout) != ticket)
		lock_wait(&w);
	/* acquire: the readers' sections (their fence_unlock before rout) and the last
	 * writer's (before wout and rin) come before ours */
	ck_pr_fence_lock();
	tsan_write_acquired(p);
}

static void write_unlock(void *impl)
{
	struct pflock *p = impl;

	tsan_write_releasing(p);
	serve_next(p, ck_pr_load_32(&p->pf.wout), phase_bits(p));
}

static bool read_trylock(void *impl)
{
	struct pflock *p = impl;
	uint32_t rin = ck_pr_load_32(&p->pf.rin);

	if (rin & CK_PFLOCK_WBITS)
		return false;
	if (!ck_pr_cas_32(&p->pf.rin, rin, rin + CK_PFLOCK_RINC))
		return false;
	ck_pr_fence_lock();	/* acquire: as read_lock, from the rin we read clear */
	tsan_read_acquired(p);
	return true;
}

static bool write_trylock(void *impl)
{
	struct pflock *p = impl;
	uint32_t ticket = ck_pr_load_32(&p->pf.win);
	uint32_t rin, bits;

	/* Only when no writer holds or waits: then our ticket is served at once, and the
	 * writer bits are clear (no phase was handed to it). */
	if (ck_pr_load_32(&p->pf.wout) != ticket)
		return false;
	if (!ck_pr_cas_32(&p->pf.win, ticket, ticket + 1))
		return false;
	ck_pr_fence_load();	/* phase as written before wout */
	/* Announce a write phase only with no reader inside, in one step: rin unchanged
	 * since every reader it counts was seen leaving. */
	rin = ck_pr_load_32(&p->pf.rin);
	bits = (ck_pr_load_32(&p->phase) ^ CK_PFLOCK_PHID) | CK_PFLOCK_PRES;
	if (ck_pr_load_32(&p->pf.rout) != rin || !ck_pr_cas_32(&p->pf.rin, rin, rin + bits)) {
		serve_next(p, ticket, 0);	/* give the ticket back */
		return false;
	}
	ck_pr_store_32(&p->phase, bits & CK_PFLOCK_PHID);
	ck_pr_fence_lock();	/* acquire: as write_lock, from the wout and rout we read */
	tsan_write_acquired(p);
	return true;
}

static int describe(const void *impl, char *buf, unsigned long len)
{
	const struct pflock *p = impl;
	uint32_t rin = ck_pr_load_32(&p->pf.rin), rout = ck_pr_load_32(&p->pf.rout);

	return snprintf(buf, len,
			"rin 0x%x (writer bits 0x%x) rout 0x%x (readers inside %u) win %u wout %u "
			"phase %u drain 0x%x", rin, rin & CK_PFLOCK_WBITS, rout,
			((rin & CK_PFLOCK_LSB) - (rout & CK_PFLOCK_LSB)) / CK_PFLOCK_RINC,
			ck_pr_load_32(&p->pf.win), ck_pr_load_32(&p->pf.wout),
			ck_pr_load_32(&p->phase), ck_pr_load_32(&p->drain));
}

const struct lock_ops lock_pflock = {
	.name = "pflock",
	.description = "phase-fair rwlock (Concurrency Kit): read and write phases alternate, "
		       "writers FIFO",
	.props = LOCK_PROP_FAIR | LOCK_PROP_SPINNING | LOCK_PROP_SHARED_READS,
	.init = init,
	.destroy = destroy,
	.read_lock = read_lock,
	.read_unlock = read_unlock,
	.write_lock = write_lock,
	.write_unlock = write_unlock,
	.read_trylock = read_trylock,
	.write_trylock = write_trylock,
	.describe = describe,
	.impl_size = sizeof(struct pflock),
};
