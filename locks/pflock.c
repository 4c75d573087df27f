/* "pflock": Concurrency Kit's phase-fair reader-writer lock (Brandenburg & Anderson): read
 * and write phases alternate, so a reader waits for at most one write phase and a writer
 * for at most one read phase; writers are FIFO among themselves (a ticket).
 *
 * The lock functions restate ck_pflock_read_lock/write_lock step for step, with
 * spin_wait() where CK spins without bound; unlocks are CK's. CK has no trylock: ours
 * take the same steps only when they cannot have to wait, and a write_trylock that finds
 * readers inside undoes its phase change with CK's write unlock. */
#include <ck_pflock.h>

#include "locks/lock.h"
#include "spin_wait.h"
#include "tsan_annotate.h"

struct pflock {
	ck_pflock_t pf;
	struct lock_spin_policy spin;
};

static int init(void *impl, const struct lock_spin_policy *spin)
{
	struct pflock *p = impl;

	ck_pflock_init(&p->pf);
	p->spin = *spin;
	return 0;
}

static void destroy(void *impl)
{
	(void)impl;
}

static void read_lock(void *impl)
{
	struct pflock *p = impl;
	uint32_t w = ck_pr_faa_32(&p->pf.rin, CK_PFLOCK_RINC) & CK_PFLOCK_WBITS;
	unsigned spun = 0;

	/* A writer is present: wait for its write phase to end. */
	if (w) {
		while ((ck_pr_load_32(&p->pf.rin) & CK_PFLOCK_WBITS) == w)
			spin_wait(&p->spin, &spun);
	}
	ck_pr_fence_lock();
	tsan_read_acquired(p);
}

static void read_unlock(void *impl)
{
	struct pflock *p = impl;

	tsan_read_releasing(p);
	ck_pflock_read_unlock(&p->pf);
}

static void write_lock(void *impl)
{
	struct pflock *p = impl;
	uint32_t ticket = ck_pr_faa_32(&p->pf.win, 1);
	unsigned spun = 0;

	while (ck_pr_load_32(&p->pf.wout) != ticket)
		spin_wait(&p->spin, &spun);
	/* Announce the write phase to incoming readers; wait for those inside to leave. */
	ticket = ck_pr_faa_32(&p->pf.rin, (ticket & CK_PFLOCK_PHID) | CK_PFLOCK_PRES);
	while (ck_pr_load_32(&p->pf.rout) != ticket)
		spin_wait(&p->spin, &spun);
	ck_pr_fence_lock();
	tsan_write_acquired(p);
}

static void write_unlock(void *impl)
{
	struct pflock *p = impl;

	tsan_write_releasing(p);
	ck_pflock_write_unlock(&p->pf);
}

static bool read_trylock(void *impl)
{
	struct pflock *p = impl;
	uint32_t rin = ck_pr_load_32(&p->pf.rin);

	if (rin & CK_PFLOCK_WBITS)
		return false;
	if (!ck_pr_cas_32(&p->pf.rin, rin, rin + CK_PFLOCK_RINC))
		return false;
	ck_pr_fence_lock();
	tsan_read_acquired(p);
	return true;
}

static bool write_trylock(void *impl)
{
	struct pflock *p = impl;
	uint32_t ticket = ck_pr_load_32(&p->pf.win);

	/* Only when no writer holds or waits: then our ticket is served at once. */
	if (ck_pr_load_32(&p->pf.wout) != ticket)
		return false;
	if (!ck_pr_cas_32(&p->pf.win, ticket, ticket + 1))
		return false;
	ticket = ck_pr_faa_32(&p->pf.rin, (ticket & CK_PFLOCK_PHID) | CK_PFLOCK_PRES);
	if (ck_pr_load_32(&p->pf.rout) != ticket) {
		/* Readers inside. Readers that came meanwhile wait for the phase to change,
		 * which this does. */
		ck_pflock_write_unlock(&p->pf);
		return false;
	}
	ck_pr_fence_lock();
	tsan_write_acquired(p);
	return true;
}

const struct lock_ops lock_pflock = {
	.name = "pflock",
	.description = "phase-fair rwlock (Concurrency Kit): read and write phases alternate, writers FIFO",
	.props = LOCK_PROP_FAIR | LOCK_PROP_SPINNING | LOCK_PROP_SHARED_READS,
	.init = init,
	.destroy = destroy,
	.read_lock = read_lock,
	.read_unlock = read_unlock,
	.write_lock = write_lock,
	.write_unlock = write_unlock,
	.read_trylock = read_trylock,
	.write_trylock = write_trylock,
	.impl_size = sizeof(struct pflock),
};
