/* SPDX-License-Identifier: MIT */
#include "muxed_wait.h"

#include <errno.h>
#include <string.h>
#include <time.h>

struct muxed_waiter {
	resource_size_t start, end;
	bool woken;
	struct muxed_waiter *next;
};

static const char *const kind_names[] = { "global", "hashed" };

int muxed_wait_init(struct muxed_wait *w, const char *name)
{
	memset(w, 0, sizeof(*w));
	if (!name || strcmp(name, "global") == 0)
		w->kind = MUXED_WAIT_GLOBAL;
	else if (strcmp(name, "hashed") == 0)
		w->kind = MUXED_WAIT_HASHED;
	else
		return -ENOENT;
	for (int i = 0; i < MUXED_WAIT_BUCKETS; i++) {
		pthread_mutex_init(&w->buckets[i].mu, NULL);
		pthread_cond_init(&w->buckets[i].cv, NULL);
	}
	pthread_mutex_init(&w->stats_mu, NULL);
	return 0;
}

void muxed_wait_destroy(struct muxed_wait *w)
{
	for (int i = 0; i < MUXED_WAIT_BUCKETS; i++) {
		pthread_cond_destroy(&w->buckets[i].cv);
		pthread_mutex_destroy(&w->buckets[i].mu);
	}
	pthread_mutex_destroy(&w->stats_mu);
}

const char *muxed_wait_name(const struct muxed_wait *w)
{
	return kind_names[w->kind];
}

static struct muxed_bucket *bucket_of(struct muxed_wait *w, resource_size_t start)
{
	uint64_t h = start * 0x9e3779b97f4a7c15ULL;

	return &w->buckets[w->kind == MUXED_WAIT_GLOBAL ? 0 : h >> 58];
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void account_wakeup(struct muxed_wait *w, bool again, uint64_t waited)
{
	pthread_mutex_lock(&w->stats_mu);
	w->stats.sleeping--;
	w->stats.wakeups++;
	w->stats.spurious_wakeups += again;
	w->stats.wait_ns_total += waited;
	if (waited > w->stats.wait_ns_max)
		w->stats.wait_ns_max = waited;
	pthread_mutex_unlock(&w->stats_mu);
}

static void account_sleep(struct muxed_wait *w)
{
	pthread_mutex_lock(&w->stats_mu);
	w->stats.sleeps++;
	w->stats.sleeping++;
	pthread_mutex_unlock(&w->stats_mu);
}

void muxed_wait_for(struct muxed_wait *w, struct lock *tree_lock, resource_size_t start,
		    resource_size_t end, bool again)
{
	struct muxed_bucket *b = bucket_of(w, start);
	struct muxed_waiter me = { .start = start, .end = end };
	uint64_t ticket, t0;

	pthread_mutex_lock(&b->mu);
	ticket = b->generation;
	if (w->kind == MUXED_WAIT_HASHED) {
		me.next = b->waiters;
		b->waiters = &me;
	}
	pthread_mutex_unlock(&b->mu);
	account_sleep(w);
	unlock_write(tree_lock);

	t0 = now_ns();
	pthread_mutex_lock(&b->mu);
	if (w->kind == MUXED_WAIT_GLOBAL) {
		while (b->generation == ticket)
			pthread_cond_wait(&b->cv, &b->mu);
	} else {
		while (!me.woken)
			pthread_cond_wait(&b->cv, &b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	account_wakeup(w, again, now_ns() - t0);
	lock_write(tree_lock);
}

/* Wakes the waiters of [start, end] (hashed), or everyone (global, when all is set). */
static void wake(struct muxed_wait *w, resource_size_t start, resource_size_t end, bool all)
{
	struct muxed_bucket *b = bucket_of(w, start);
	bool any = all;

	pthread_mutex_lock(&b->mu);
	b->generation++;
	for (struct muxed_waiter **p = &b->waiters; *p;) {
		struct muxed_waiter *q = *p;

		if (q->start == start && q->end == end) {
			q->woken = true;
			*p = q->next;
			any = true;
		} else {
			p = &q->next;
		}
	}
	if (any)
		pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

void muxed_wake_up(struct muxed_wait *w, resource_size_t start, resource_size_t end)
{
	wake(w, start, end, w->kind == MUXED_WAIT_GLOBAL);
	pthread_mutex_lock(&w->stats_mu);
	w->stats.wake_calls++;
	pthread_mutex_unlock(&w->stats_mu);
}

void muxed_region_gone(struct muxed_wait *w, resource_size_t start, resource_size_t end)
{
	if (w->kind == MUXED_WAIT_HASHED)
		wake(w, start, end, false);
}

void muxed_wait_stats(struct muxed_wait *w, struct iomem_muxed_stats *out)
{
	pthread_mutex_lock(&w->stats_mu);
	*out = w->stats;
	pthread_mutex_unlock(&w->stats_mu);
}
