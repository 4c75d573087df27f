/* SPDX-License-Identifier: MIT */
/* What parking waiters (wait.h) need from the system: Concurrency Kit's event counts
 * leave the clock and the sleep to their user, here a private futex; and each thread's
 * wait-site slot. */
#include <ck_ec.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "wait.h"

_Thread_local lock_wait_site lock_wait_site_of_thread;

lock_wait_site *lock_wait_site_slot(void)
{
	return &lock_wait_site_of_thread;
}

static int gettime(const struct ck_ec_ops *ops, struct timespec *out)
{
	(void)ops;
	return clock_gettime(CLOCK_MONOTONIC, out);
}

/* deadline is absolute on CLOCK_MONOTONIC, which is what FUTEX_WAIT_BITSET takes without
 * FUTEX_CLOCK_REALTIME. Any return (a wake-up, the deadline, a signal, the word already
 * changed) is fine: ck_ec looks at the count again. */
static void wait32(const struct ck_ec_wait_state *state, const uint32_t *address,
		   uint32_t expected, const struct timespec *deadline)
{
	(void)state;
	syscall(SYS_futex, address, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, deadline,
		NULL, FUTEX_BITSET_MATCH_ANY);
}

static void wake32(const struct ck_ec_ops *ops, const uint32_t *address)
{
	(void)ops;
	syscall(SYS_futex, address, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
}

static const struct ck_ec_ops futex_ops = {
	.gettime = gettime,
	.wait32 = wait32,
	.wake32 = wake32,
	/* lock_wait has spun already, per the policy. */
	.busy_loop_iter = 1,
};

/* Several threads signal a lock's event count. */
const struct ck_ec_mode lock_park_mode = {
	.ops = &futex_ops,
	.single_producer = false,
};
