/* The wait of every spinning strategy: pause for a bounded number of rounds, then give the
 * CPU away with sched_yield(). A waiter that only spins can burn its whole time slice while
 * the thread it waits for (the holder, or the next in a FIFO queue) is not running, which
 * is the normal case once threads outnumber cores. LOCK_SPIN_PURE keeps that behaviour on
 * purpose, to show it.
 *
 *	unsigned spun = 0;
 *	while (!condition)
 *		spin_wait(&lock->spin, &spun);
 */
#ifndef LOCKS_SPIN_WAIT_H
#define LOCKS_SPIN_WAIT_H

#include <ck_pr.h>
#include <sched.h>

#include "locks/lock.h"

static inline void spin_wait(const struct lock_spin_policy *spin, unsigned *spun)
{
	if (spin->mode == LOCK_SPIN_PURE || *spun < spin->spins) {
		(*spun)++;
		ck_pr_stall();
		return;
	}
	*spun = 0;
	sched_yield();
}

#endif
