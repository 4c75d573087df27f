/* SPDX-License-Identifier: MIT */
/* Grace periods for lock-free page-table walkers (SRCU-style two-phase counters).
 *
 * A walker counts itself in on one of two counters of its slot, chosen by the epoch's
 * parity, and out of the same counter when done. walkers_synchronize() flips the epoch and
 * waits for the old parity's counters to drain, twice: a walker that read the epoch before
 * the first flip but counted itself in late is caught by one of the two waits. After it
 * returns, no walker still holds a table unlinked before the call.
 */
#ifndef IOMEM_MMU_WALKERS_H
#define IOMEM_MMU_WALKERS_H

#include <pthread.h>
#include <stdatomic.h>

#define WALKER_SLOTS 64	/* threads beyond this share slots (counts stay exact) */

struct walker_slot {
	_Atomic unsigned long count[2];
} __attribute__((aligned(64)));

struct walkers {
	_Atomic unsigned long epoch;
	pthread_mutex_t sync_lock;	/* one synchronizer at a time */
	struct walker_slot slot[WALKER_SLOTS];
};

void walkers_init(struct walkers *w);
void walkers_destroy(struct walkers *w);
/* Returns the token walker_exit() needs. */
unsigned walker_enter(struct walkers *w);
void walker_exit(struct walkers *w, unsigned token);
void walkers_synchronize(struct walkers *w);

#endif
