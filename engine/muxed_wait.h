/* SPDX-License-Identifier: MIT */
/* The MUXED wait queue (§1.2) and its alternative.
 *
 * "global" is the kernel's: one queue, non-exclusive waits, so every muxed release wakes
 * every sleeper and each retries. "hashed" parks a waiter on a queue chosen by the region
 * it is blocked on, and a release wakes only the waiters blocked on exactly that region. */
#ifndef IOMEM_MUXED_WAIT_H
#define IOMEM_MUXED_WAIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "iomem/iomem.h"
#include "locks/lock.h"

enum muxed_wait_kind { MUXED_WAIT_GLOBAL, MUXED_WAIT_HASHED };

enum { MUXED_WAIT_BUCKETS = 64 };

struct muxed_waiter;

struct muxed_bucket {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t generation;		/* global: bumped by every wake_up */
	struct muxed_waiter *waiters;	/* hashed: who sleeps here, on what */
};

struct muxed_wait {
	enum muxed_wait_kind kind;
	struct muxed_bucket buckets[MUXED_WAIT_BUCKETS];	/* global uses [0] */
	pthread_mutex_t stats_mu;
	struct iomem_muxed_stats stats;
};

/* 0, or -ENOENT for a name other than "global" or "hashed" (NULL = "global"). */
int muxed_wait_init(struct muxed_wait *w, const char *name);
void muxed_wait_destroy(struct muxed_wait *w);
const char *muxed_wait_name(const struct muxed_wait *w);

/* Called with tree_lock held for writing when a muxed request met the busy muxed region
 * [start, end]: queues the caller (before the unlock, so no wake_up can be missed), drops
 * the lock, sleeps until woken, retakes the lock. `again` says the caller had been woken
 * before and is still blocked: a spurious wake-up. */
void muxed_wait_for(struct muxed_wait *w, struct lock *tree_lock, resource_size_t start,
		    resource_size_t end, bool again);
/* A muxed region [start, end] was released (called after the tree lock is dropped). */
void muxed_wake_up(struct muxed_wait *w, resource_size_t start, resource_size_t end);
/* A busy muxed region left [start, end] other than by release (remove_resource, or
 * adjust_resource moving it). The kernel wakes nobody then: its global queue's sleepers
 * wake at the next muxed release anywhere. Hashed waiters of exactly that region would
 * sleep on, so they are woken; for "global" this does nothing, as in the kernel. */
void muxed_region_gone(struct muxed_wait *w, resource_size_t start, resource_size_t end);
void muxed_wait_stats(struct muxed_wait *w, struct iomem_muxed_stats *out);

#endif
