/* SPDX-License-Identifier: MIT */
/* The VA allocator's counted locks; see vmap_lock.h. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iomem/vmap.h"

#include "vmap_lock.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int vmap_lock_init(struct vmap_lock *vl, const char *strategy)
{
	int rc;

	atomic_init(&vl->word, 0);
	atomic_init(&vl->acquired, 0);
	atomic_init(&vl->contended, 0);
	atomic_init(&vl->wait_ns, 0);
	atomic_init(&vl->waiting, 0);
	vl->other = NULL;
	if (strategy && strcmp(strategy, VMAP_LOCK_DEFAULT) == 0)
		return 0;
	vl->other = malloc(sizeof(*vl->other));
	if (!vl->other)
		return -ENOMEM;
	rc = lock_init(vl->other, strategy);
	if (rc) {
		free(vl->other);
		vl->other = NULL;
	}
	return rc;
}

void vmap_lock_destroy(struct vmap_lock *vl)
{
	if (!vl->other)
		return;
	lock_destroy(vl->other);
	free(vl->other);
	vl->other = NULL;
}

const char *vmap_lock_strategy(const struct vmap_lock *vl)
{
	return vl->other ? lock_name(vl->other) : VMAP_LOCK_DEFAULT;
}

void vmap_lock_write_slow(struct vmap_lock *vl)
{
	uint64_t t0 = now_ns();

	/* waiting is a hint for vl_needbreak, ordered with nothing: a holder that misses a
	 * new waiter only breaks at its next area (relaxed is enough on arm64 as on x86). */
	atomic_fetch_add_explicit(&vl->waiting, 1, memory_order_relaxed);
	if (vl->other)
		lock_write(vl->other);
	else
		vspin_lock_slow(&vl->word);
	atomic_fetch_sub_explicit(&vl->waiting, 1, memory_order_relaxed);
	vmap_count(&vl->contended, 1);
	vmap_count(&vl->wait_ns, now_ns() - t0);
}

void vmap_lock_read_slow(struct vmap_lock *vl)
{
	uint64_t t0 = now_ns();

	if (vl->other)
		lock_read(vl->other);
	else
		vspin_lock_slow(&vl->word);
	/* Statistics, several readers at once: atomic adds, ordered with nothing. */
	atomic_fetch_add_explicit(&vl->contended, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&vl->wait_ns, now_ns() - t0, memory_order_relaxed);
}

void vl_cond_break(struct vmap_lock *vl)
{
	if (!vl_needbreak(vl))
		return;
	vl_unlock(vl);
	/* The lock is taken, not handed over: give a waiter the time to take it. */
	for (unsigned i = 0; i < 4096 && vl_needbreak(vl); i++)
		sched_yield();
	vl_lock(vl);
}
