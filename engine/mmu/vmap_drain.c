/* SPDX-License-Identifier: MIT */
/* The drain worker (drain_vmap_area_work); see vmap_drain.h. */

#include <sched.h>

#include "vmap_impl.h"

void vmap_drain_init(struct vmap_drain *d)
{
	atomic_init(&d->in_progress, false);
	atomic_init(&d->drains, 0);
	atomic_init(&d->throttled, 0);
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->wake, NULL);
	pthread_cond_init(&d->idle, NULL);
	d->started = d->requested = d->stop = false;
	d->cpu = -1;
}

/* Pins the worker to the caller's CPU (d->mu held), as schedule_work() queues on the
 * local CPU; a failure (a CPU outside the worker's allowed set, no sched_getcpu) leaves
 * it where it was. */
static void place_worker(struct vmap_drain *d)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0 || cpu == d->cpu || cpu >= CPU_SETSIZE)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(d->thread, sizeof(set), &set) == 0)
		d->cpu = cpu;
}

/* One drain: the purge as drain_vmap_area_work runs it. */
static void drain_once(struct vmap_space *vs)
{
	vmap_purge_decay(vs, false, NULL);
	/* A statistic: read only for reports, nothing is ordered by it. */
	atomic_fetch_add_explicit(&vs->drain.drains, 1, memory_order_relaxed);
}

static void drain_done(struct vmap_drain *d)
{
	/* Release: the drain's work (trees and counters, written under the allocator's
	 * locks) happens-before the acquire loads in vmap_drain_wait that see false, so a
	 * settled caller reads the purge's results; on arm64 this is a store-release. */
	atomic_store_explicit(&d->in_progress, false, memory_order_release);
	pthread_cond_broadcast(&d->idle);
}

static void *drain_worker(void *arg)
{
	struct vmap_space *vs = arg;
	struct vmap_drain *d = &vs->drain;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		while (!d->requested && !d->stop)
			pthread_cond_wait(&d->wake, &d->mu);
		if (!d->requested)
			break;
		d->requested = false;
		pthread_mutex_unlock(&d->mu);
		drain_once(vs);
		pthread_mutex_lock(&d->mu);
		drain_done(d);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

void vmap_drain_schedule(struct vmap_space *vs)
{
	struct vmap_drain *d = &vs->drain;

	/* The relaxed load only spares the cache line a write while a drain is in flight.
	 * The exchange decides who schedules: one free wins; acq_rel pairs it with the
	 * release in drain_done, so the winner sees the previous drain complete. The lazy
	 * area the free just listed needs no ordering here: it was listed under a lazy lock
	 * the drain takes, and the mutex below orders the request itself. */
	if (atomic_load_explicit(&d->in_progress, memory_order_relaxed) ||
	    atomic_exchange_explicit(&d->in_progress, true, memory_order_acq_rel))
		return;
	pthread_mutex_lock(&d->mu);
	if (!d->started && !d->stop &&
	    pthread_create(&d->thread, NULL, drain_worker, vs) == 0)
		d->started = true;
	if (d->started) {
		place_worker(d);
		d->requested = true;
		pthread_cond_signal(&d->wake);
		pthread_mutex_unlock(&d->mu);
		return;
	}
	/* No worker: this free drains itself, as before the kernel had one. */
	pthread_mutex_unlock(&d->mu);
	drain_once(vs);
	pthread_mutex_lock(&d->mu);
	drain_done(d);
	pthread_mutex_unlock(&d->mu);
}

void vmap_drain_wait(struct vmap_space *vs)
{
	struct vmap_drain *d = &vs->drain;

	/* Acquire: pairs with drain_done's release (see there). */
	if (!atomic_load_explicit(&d->in_progress, memory_order_acquire))
		return;
	pthread_mutex_lock(&d->mu);
	while (atomic_load_explicit(&d->in_progress, memory_order_acquire))
		pthread_cond_wait(&d->idle, &d->mu);
	pthread_mutex_unlock(&d->mu);
}

void vmap_drain_throttle(struct vmap_space *vs)
{
	/* Acquire, as in vmap_drain_wait; the count is a statistic (relaxed). */
	if (!atomic_load_explicit(&vs->drain.in_progress, memory_order_acquire))
		return;
	atomic_fetch_add_explicit(&vs->drain.throttled, 1, memory_order_relaxed);
	vmap_drain_wait(vs);
}

void vmap_drain_destroy(struct vmap_drain *d)
{
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->mu);
	if (d->started)
		pthread_join(d->thread, NULL);
	pthread_cond_destroy(&d->idle);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->mu);
}
