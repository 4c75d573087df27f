/* SPDX-License-Identifier: MIT */
/* The progress watchdog: see torture/progress.h. */
#include "torture/progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The thread's CPU time, or -1 once it has exited. */
static long long thread_cpu_ns(const struct progress_thread *p)
{
	struct timespec ts;
	clockid_t clock;

	/* Acquire: tid is written before the state leaves PROGRESS_NOT_STARTED. */
	if (atomic_load_explicit(&p->where, memory_order_acquire) == PROGRESS_NOT_STARTED ||
	    pthread_getcpuclockid(p->tid, &clock) || clock_gettime(clock, &ts))
		return -1;
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void progress_thread_start(struct progress_thread *p, const char *role, unsigned index)
{
	p->role = role;
	p->index = index;
	p->tid = pthread_self();
	p->site = lock_wait_site_slot();
	atomic_store_explicit(p->site, NULL, memory_order_relaxed);
	/* Release: a watchdog that sees the state sees tid and site too. */
	atomic_store_explicit(&p->where, PROGRESS_OUTSIDE, memory_order_release);
}

const char *progress_where_name(enum progress_where where)
{
	switch (where) {
	case PROGRESS_NOT_STARTED: return "not started";
	case PROGRESS_OUTSIDE: return "outside the lock";
	case PROGRESS_READ_LOCKING: return "in a read lock call";
	case PROGRESS_WRITE_LOCKING: return "in a write lock call";
	case PROGRESS_READING: return "holding the read side";
	case PROGRESS_WRITING: return "holding the write side";
	case PROGRESS_UNLOCKING: return "in an unlock call";
	case PROGRESS_PAUSED: return "paused";
	case PROGRESS_FINISHED: return "finished";
	}
	return "?";
}

int progress_watch_init(struct progress_watch *w, struct progress_thread *threads,
			unsigned nthreads, const struct lock *lock, unsigned stall_ms)
{
	w->threads = threads;
	w->nthreads = nthreads;
	w->lock = lock;
	w->stall_ns = (uint64_t)stall_ms * 1000000;
	w->window_acquisitions = calloc(nthreads ? nthreads : 1, sizeof(*w->window_acquisitions));
	w->window_cpu_ns = calloc(nthreads ? nthreads : 1, sizeof(*w->window_cpu_ns));
	if (!w->window_acquisitions || !w->window_cpu_ns) {
		progress_watch_destroy(w);
		return -ENOMEM;
	}
	progress_watch_restart(w);
	return 0;
}

void progress_watch_destroy(struct progress_watch *w)
{
	free(w->window_acquisitions);
	free(w->window_cpu_ns);
	w->window_acquisitions = NULL;
	w->window_cpu_ns = NULL;
}

unsigned long long progress_total(const struct progress_watch *w)
{
	unsigned long long total = 0;

	for (unsigned i = 0; i < w->nthreads; i++)
		total += atomic_load_explicit(&w->threads[i].acquisitions, memory_order_relaxed);
	return total;
}

/* The report's window starts now. */
static void window_start(struct progress_watch *w, uint64_t now)
{
	w->last_move_ns = now;
	w->total_at_move = 0;
	for (unsigned i = 0; i < w->nthreads; i++) {
		struct progress_thread *p = &w->threads[i];
		unsigned long long n = atomic_load_explicit(&p->acquisitions, memory_order_relaxed);

		w->window_acquisitions[i] = n;
		w->window_cpu_ns[i] = thread_cpu_ns(p);
		w->total_at_move += n;
	}
}

void progress_watch_restart(struct progress_watch *w)
{
	uint64_t now = now_ns();

	w->last_check_ns = now;
	window_start(w, now);
}

/* A thread the run waits on: not paused, not done. */
static bool expected_to_move(const struct progress_thread *p)
{
	switch (atomic_load_explicit(&p->where, memory_order_acquire)) {
	case PROGRESS_NOT_STARTED:
	case PROGRESS_PAUSED:
	case PROGRESS_FINISHED:
		return false;
	default:
		return true;
	}
}

enum progress_state progress_check(struct progress_watch *w)
{
	uint64_t now = now_ns();
	bool someone = false;

	w->last_check_ns = now;
	if (progress_total(w) != w->total_at_move) {
		window_start(w, now);
		return PROGRESS_MOVING;
	}
	for (unsigned i = 0; i < w->nthreads; i++)
		someone |= expected_to_move(&w->threads[i]);
	if (!someone) {
		window_start(w, now);
		return PROGRESS_IDLE;
	}
	return now - w->last_move_ns >= w->stall_ns ? PROGRESS_STUCK : PROGRESS_MOVING;
}

static void report_thread(FILE *f, struct progress_watch *w, unsigned i)
{
	struct progress_thread *p = &w->threads[i];
	int where = atomic_load_explicit(&p->where, memory_order_acquire);
	unsigned long long n = atomic_load_explicit(&p->acquisitions, memory_order_relaxed);
	long long cpu = thread_cpu_ns(p);
	const char *site = where == PROGRESS_NOT_STARTED ? NULL :
			   atomic_load_explicit(p->site, memory_order_relaxed);

	fprintf(f, "  %s %u: %llu acquisitions, +%llu in the window; %s", p->role ? p->role : "thread",
		p->index, n, n - w->window_acquisitions[i], progress_where_name(where));
	if (site && (where == PROGRESS_READ_LOCKING || where == PROGRESS_WRITE_LOCKING ||
		     where == PROGRESS_UNLOCKING))
		fprintf(f, ", waiting: %s", site);
	if (cpu >= 0 && w->window_cpu_ns[i] >= 0)
		fprintf(f, "; %.1f ms CPU in the window", (double)(cpu - w->window_cpu_ns[i]) / 1e6);
	fputc('\n', f);
}

char *progress_report(struct progress_watch *w)
{
	double window_s = (double)(w->last_check_ns - w->last_move_ns) / 1e9;
	unsigned long long total = progress_total(w);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	if (total == w->total_at_move)
		fprintf(f, "stuck: no acquisition in %.1f s (a deadlock or a livelock, not a slow run)\n",
			window_s);
	else
		fprintf(f, "moving: %llu acquisitions in the last %.1f s (slow, not stuck)\n",
			total - w->total_at_move, window_s);
	for (unsigned i = 0; i < w->nthreads; i++)
		report_thread(f, w, i);
	if (w->lock) {
		char state[256];

		lock_describe(w->lock, state, sizeof(state));
		fprintf(f, "  lock %s: %s\n", lock_name(w->lock), state);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
