/* Taking a Concurrency Kit ticket spinlock with our wait (spin_wait.h) instead of CK's
 * endless spin: the same steps as ck_spinlock_ticket_lock. Releasing and trylock are CK's
 * own. CK #undefs its layout macros, so the layout is restated here for the two it has. */
#ifndef LOCKS_TICKET_WAIT_H
#define LOCKS_TICKET_WAIT_H

#include <ck_spinlock.h>
#include <stdint.h>

#include "spin_wait.h"

static inline void ticket_lock_wait(ck_spinlock_ticket_t *t, const struct lock_spin_policy *spin)
{
	unsigned spun = 0;

#ifdef CK_F_SPINLOCK_TICKET_TRYLOCK
	/* One word: the ticket being served in the low half, the next ticket in the high. */
	_Static_assert(sizeof(t->value) == sizeof(uint32_t),
		       "CK ticket lock layout is the 32-bit packed one");
	uint32_t v = ck_pr_faa_32(&t->value, UINT32_C(1) << 16);
	uint32_t request = v >> 16, position = v & 0xffff;

	while (request != position) {
		spin_wait(spin, &spun);
		position = ck_pr_load_32(&t->value) & 0xffff;
	}
#else
	unsigned request = ck_pr_faa_uint(&t->next, 1);

	while (ck_pr_load_uint(&t->position) != request)
		spin_wait(spin, &spun);
#endif
	ck_pr_fence_lock();
}

#endif
