/* SPDX-License-Identifier: MIT */
/* The drain worker: the mapping space's thread that plays drain_vmap_area_work.
 *
 * A free that takes vmap_lazy_nr past lazy_max_pages schedules a drain and goes on: the
 * freeing thread never purges. The drain takes purge_lock, purges (one TLB flush over
 * every lazy area, the VA back to the pools or the free tree, the pools decayed by a
 * quarter) and lets go. One drain runs at a time: an atomic in-progress flag, set by the
 * free that schedules and cleared by the worker when the drain is over, keeps frees from
 * scheduling another meanwhile (the areas they free are either in this drain or left for
 * the next). The thread starts on the first schedule; if it cannot be started, the
 * scheduling free purges itself.
 *
 * Placement: schedule_work() queues the drain on the freeing CPU's worker pool, so the
 * kernel's drain runs on that CPU between the freeing task's slices, never beside it.
 * Ours is pinned, when it is woken, to the CPU the scheduling free runs on (when the
 * system lets it be pinned): an unpinned worker runs on another core at the same time
 * as the freeing thread, and the two pass the allocator's locks and tree nodes between
 * cores on every area of the drain.
 *
 * Throttling (ours): the kernel's worker is a kworker queued on the freeing CPU, which
 * the scheduler runs promptly; ours is an ordinary thread that threads freeing at full
 * speed (and, on a shared machine, everything else) can keep off the CPUs, so the lazy
 * backlog, and with it each drain's batch and lock hold, would grow without bound. A free
 * that finds more than VMAP_THROTTLE * lazy_max_pages lazy waits for the drain in flight
 * (6.9's kernel adds purge helpers at the same point: one per further lazy_max_pages).
 */
#ifndef IOMEM_MMU_VMAP_DRAIN_H
#define IOMEM_MMU_VMAP_DRAIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define VMAP_THROTTLE 2

struct vmap_space;

struct vmap_drain {
	_Atomic bool in_progress;	/* scheduled or running */
	pthread_mutex_t mu;		/* the rest */
	pthread_cond_t wake, idle;
	pthread_t thread;
	bool started, requested, stop;
	int cpu;			/* the CPU the worker is pinned to, -1: none yet */
	_Atomic uint64_t drains;	/* drains run (by the worker or, failing it, inline) */
	_Atomic uint64_t throttled;	/* frees that waited for a drain */
};

void vmap_drain_init(struct vmap_drain *d);
/* Stops and joins the worker (a drain in flight finishes first). */
void vmap_drain_destroy(struct vmap_drain *d);
/* schedule_work(&drain_vmap_work), unless a drain is already in progress. */
void vmap_drain_schedule(struct vmap_space *vs);
/* Returns once no drain is scheduled or running. */
void vmap_drain_wait(struct vmap_space *vs);
/* vmap_drain_wait from a free past the throttle, counted. */
void vmap_drain_throttle(struct vmap_space *vs);

#endif
