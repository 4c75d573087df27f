/* SPDX-License-Identifier: MIT */
/* The locktorture-style checker: see torture/lock_torture.h. */
#include "torture/lock_torture.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "locks/fairness.h"
#include "torture/progress.h"

#define SHARED_WORDS 8

/* As the kernel's stutter: threads nap through a pause, but spin through its last
 * millisecond, so that they all resume together. */
enum stutter_phase { STUTTER_RUN, STUTTER_NAP, STUTTER_SPIN };

struct torture {
	const struct lock_torture_config *cfg;	/* &config */
	struct lock_torture_config config;	/* the caller's: a stuck run outlives the call */
	struct lock lock;
	bool shared_reads;
	unsigned long long writes_budget, reads_budget;

	/* The checker's own view of who is inside: relaxed atomics, so that a broken lock
	 * makes failures, not data races in the checker. */
	atomic_bool write_held;
	atomic_int read_held;
	atomic_ullong writes_taken, reads_taken;
	atomic_bool stop;
	/* Threads wait for go spinning (and yielding), so that all are runnable when it
	 * comes and none gets a head start from being woken first. */
	atomic_uint ready;
	atomic_bool go;
	atomic_int stutter;		/* enum stutter_phase */

	pthread_mutex_t done_lock;
	pthread_cond_t done_cond;	/* running reached 0 */
	unsigned running;
	struct torture_thread *threads;

	/* Written by writers with plain stores: the data the lock protects. */
	_Alignas(64) uint64_t words[SHARED_WORDS];
};

struct torture_thread {
	_Alignas(64) struct progress_thread *progress;	/* acquisitions, where it is */
	struct torture *t;
	pthread_t tid;
	bool writer;
	uint64_t rng;
	/* Written by the thread only; atomic so that a stuck run can be reported unjoined. */
	atomic_ullong failed, long_holds;
};

static void count(atomic_ullong *n)
{
	atomic_store_explicit(n, atomic_load_explicit(n, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Busy, like the kernel's udelay/mdelay: the holder keeps its CPU. */
static void busy_wait_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		;
}

static void hold(struct torture_thread *th)
{
	const struct lock_torture_config *cfg = th->t->cfg;
	uint64_t r = splitmix64(&th->rng);

	if (cfg->long_hold_every && cfg->long_hold_us && r % cfg->long_hold_every == 0) {
		busy_wait_ns((uint64_t)cfg->long_hold_us * 1000);
		count(&th->long_holds);
	} else if (cfg->short_delay_ns) {
		uint64_t ns = (r >> 32) % ((uint64_t)cfg->short_delay_ns + 1);

		if (ns)
			busy_wait_ns(ns);
	}
}

static struct timespec ns_to_timespec(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = ns_to_timespec(ns);

	nanosleep(&ts, NULL);
}

static void stutter_wait(struct torture_thread *th)
{
	struct torture *t = th->t;
	int phase;

	while ((phase = atomic_load_explicit(&t->stutter, memory_order_relaxed)) != STUTTER_RUN &&
	       !atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		progress_set(th->progress, PROGRESS_PAUSED);
		if (phase == STUTTER_NAP)
			sleep_ns(1000000);
		else
			sched_yield();
	}
	progress_set(th->progress, PROGRESS_OUTSIDE);
}

static bool take_one(atomic_ullong *taken, unsigned long long budget)
{
	return atomic_fetch_add_explicit(taken, 1, memory_order_relaxed) < budget;
}

static void write_once(struct torture_thread *th)
{
	struct torture *t = th->t;

	progress_set(th->progress, PROGRESS_WRITE_LOCKING);
	lock_write(&t->lock);
	progress_acquired(th->progress, PROGRESS_WRITING);
	if (atomic_exchange_explicit(&t->write_held, true, memory_order_relaxed))
		count(&th->failed);
	if (atomic_load_explicit(&t->read_held, memory_order_relaxed))
		count(&th->failed);
	if (!t->cfg->no_data_check) {
		uint64_t v = t->words[0] + 1;

		for (int i = 0; i < SHARED_WORDS; i++)
			t->words[i] = v;
	}
	hold(th);
	atomic_store_explicit(&t->write_held, false, memory_order_relaxed);
	progress_set(th->progress, PROGRESS_UNLOCKING);
	unlock_write(&t->lock);
	progress_set(th->progress, PROGRESS_OUTSIDE);
}

static void read_once(struct torture_thread *th)
{
	struct torture *t = th->t;

	progress_set(th->progress, PROGRESS_READ_LOCKING);
	lock_read(&t->lock);
	progress_acquired(th->progress, PROGRESS_READING);
	if (atomic_fetch_add_explicit(&t->read_held, 1, memory_order_relaxed) && !t->shared_reads)
		count(&th->failed);
	if (atomic_load_explicit(&t->write_held, memory_order_relaxed))
		count(&th->failed);
	if (!t->cfg->no_data_check) {
		uint64_t v = t->words[0];
		bool torn = false;

		for (int i = 1; i < SHARED_WORDS; i++)
			torn |= t->words[i] != v;
		if (torn)
			count(&th->failed);
	}
	hold(th);
	atomic_fetch_sub_explicit(&t->read_held, 1, memory_order_relaxed);
	progress_set(th->progress, PROGRESS_UNLOCKING);
	unlock_read(&t->lock);
	progress_set(th->progress, PROGRESS_OUTSIDE);
}

static void *torture_thread_main(void *arg)
{
	struct torture_thread *th = arg;
	struct torture *t = th->t;

	unsigned i = (unsigned)(th - t->threads);

	progress_thread_start(th->progress, th->writer ? "writer" : "reader",
			      th->writer ? i : i - t->cfg->nwriters);
	atomic_fetch_add(&t->ready, 1);
	while (!atomic_load(&t->go))
		sched_yield();

	while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		if (th->writer) {
			if (!take_one(&t->writes_taken, t->writes_budget))
				break;
			write_once(th);
		} else {
			if (!take_one(&t->reads_taken, t->reads_budget))
				break;
			read_once(th);
		}
		stutter_wait(th);
	}

	progress_set(th->progress, PROGRESS_FINISHED);
	pthread_mutex_lock(&t->done_lock);
	if (--t->running == 0)
		pthread_cond_signal(&t->done_cond);
	pthread_mutex_unlock(&t->done_lock);
	return NULL;
}

/* The stutter's next phase; returns when the one after it begins. */
static uint64_t stutter_step(struct torture *t, uint64_t at, struct progress_watch *watch)
{
	const struct lock_torture_config *cfg = t->cfg;
	uint64_t period = (uint64_t)cfg->stutter_ms * 1000000;
	uint64_t spin = period < 2000000 ? period / 2 : 1000000;

	switch (atomic_load(&t->stutter)) {
	case STUTTER_RUN:
		atomic_store(&t->stutter, STUTTER_NAP);
		return at + period - spin;
	case STUTTER_NAP:
		atomic_store(&t->stutter, STUTTER_SPIN);
		return at + spin;
	default:
		atomic_store(&t->stutter, STUTTER_RUN);
		progress_watch_restart(watch);	/* the pause was no stall */
		return at + period;
	}
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* Waits for the threads to finish, stopping them at the time limit (once min_acquisitions
 * are made), stutters, and watches for a stall. With the run stuck, stops at once and
 * returns with threads still running. */
static void control(struct torture *t, uint64_t start, struct progress_watch *watch,
		    struct lock_torture_result *res)
{
	const struct lock_torture_config *cfg = t->cfg;
	uint64_t deadline = cfg->duration_ms ? start + (uint64_t)cfg->duration_ms * 1000000 : 0;
	uint64_t next_phase = cfg->stutter_ms ? start + (uint64_t)cfg->stutter_ms * 1000000 : 0;
	/* Look ten times per stall window, and at least every second. */
	uint64_t check_every = earliest(watch->stall_ns / 10, 1000000000);
	uint64_t next_check = start + check_every;
	bool past_deadline = false;

	pthread_mutex_lock(&t->done_lock);
	while (t->running) {
		struct timespec ts = ns_to_timespec(earliest(earliest(deadline, next_phase), next_check));
		uint64_t now;

		pthread_cond_timedwait(&t->done_cond, &t->done_lock, &ts);
		now = now_ns();
		if (deadline && now >= deadline) {
			past_deadline = true;
			deadline = 0;
		}
		if (past_deadline && progress_total(watch) >= cfg->min_acquisitions) {
			atomic_store(&t->stop, true);
			res->timed_out = cfg->acquisitions != 0;
			past_deadline = false;
			next_phase = 0;
		}
		if (next_phase && now >= next_phase)
			next_phase = stutter_step(t, next_phase, watch);
		if (now >= next_check) {
			next_check = now + check_every;
			if (progress_check(watch) == PROGRESS_STUCK) {
				res->stalled = true;
				res->stall_report = progress_report(watch);
				atomic_store(&t->stop, true);
				break;
			}
		}
	}
	pthread_mutex_unlock(&t->done_lock);
}

/* A stuck run's memory, which its threads still use: kept reachable (not a leak), never
 * freed. */
static struct abandoned_run {
	struct torture *t;
	struct torture_thread *threads;
	struct progress_thread *progress;
	struct abandoned_run *next;
} *abandoned;
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;

static void abandon(struct torture *t, struct torture_thread *threads,
		    struct progress_thread *progress)
{
	struct abandoned_run *a = malloc(sizeof(*a));

	if (!a)
		return;	/* leaked for real; the process should exit anyway */
	*a = (struct abandoned_run){ t, threads, progress, NULL };
	pthread_mutex_lock(&abandoned_lock);
	a->next = abandoned;
	abandoned = a;
	pthread_mutex_unlock(&abandoned_lock);
}

/* After a stall: whether the threads left within a second of being told to stop (a slow
 * run). If not, they are stuck in the lock and cannot be joined. */
static bool threads_left(struct torture *t)
{
	struct timespec ts = ns_to_timespec(now_ns() + 1000000000);
	bool left;

	pthread_mutex_lock(&t->done_lock);
	while (t->running && !pthread_cond_timedwait(&t->done_cond, &t->done_lock, &ts))
		;
	left = t->running == 0;
	pthread_mutex_unlock(&t->done_lock);
	return left;
}

static int role_alloc(struct lock_torture_role *role, unsigned n)
{
	role->nthreads = n;
	role->acquisitions = calloc(n ? n : 1, sizeof(*role->acquisitions));
	role->failures = calloc(n ? n : 1, sizeof(*role->failures));
	return role->acquisitions && role->failures ? 0 : -ENOMEM;
}

void lock_torture_result_free(struct lock_torture_result *res)
{
	free(res->writes.acquisitions);
	free(res->writes.failures);
	free(res->reads.acquisitions);
	free(res->reads.failures);
	free(res->stall_report);
	memset(res, 0, sizeof(*res));
}

void lock_torture_role_summarize(struct lock_torture_role *role)
{
	struct lock_fairness f = LOCK_FAIRNESS_INIT;

	role->total = role->fail = 0;
	for (unsigned i = 0; i < role->nthreads; i++) {
		role->total += role->acquisitions[i];
		role->fail += role->failures[i];
		lock_fairness_add(&f, role->acquisitions[i]);
	}
	role->max = f.max;
	role->min = f.min;
	role->jain = lock_fairness_jain(&f);
	role->starved = lock_fairness_starved(&f);
}

static int torture_init(struct torture *t, const struct lock_torture_config *cfg,
			const struct lock_spin_policy *spin)
{
	unsigned nthreads = cfg->nwriters + cfg->nreaders;
	pthread_condattr_t attr;
	int err;

	memset(t, 0, sizeof(*t));
	t->config = *cfg;
	t->cfg = &t->config;
	if (cfg->ops)
		err = lock_init_ops(&t->lock, cfg->ops, spin);
	else
		err = lock_init_spin(&t->lock, cfg->lock, spin);
	if (err)
		return err;
	t->shared_reads = lock_props(&t->lock) & LOCK_PROP_SHARED_READS;
	if (cfg->acquisitions) {
		t->writes_budget = cfg->acquisitions / nthreads * cfg->nwriters +
				   cfg->acquisitions % nthreads * cfg->nwriters / nthreads;
		t->reads_budget = cfg->acquisitions - t->writes_budget;
	} else {
		t->writes_budget = t->reads_budget = ~0ULL;
	}
	pthread_mutex_init(&t->done_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->done_cond, &attr);
	pthread_condattr_destroy(&attr);
	return 0;
}

static void torture_destroy(struct torture *t)
{
	pthread_cond_destroy(&t->done_cond);
	pthread_mutex_destroy(&t->done_lock);
	lock_destroy(&t->lock);
}

/* joined: the threads have been joined, so the shared words may be read. */
static void collect(struct torture *t, struct torture_thread *threads, bool joined,
		    struct lock_torture_result *res)
{
	const struct lock_torture_config *cfg = t->cfg;
	unsigned long long writes = 0;

	for (unsigned i = 0; i < cfg->nwriters + cfg->nreaders; i++) {
		struct torture_thread *th = &threads[i];
		struct lock_torture_role *role = th->writer ? &res->writes : &res->reads;
		unsigned k = th->writer ? i : i - cfg->nwriters;
		unsigned long long acquired = atomic_load(&th->progress->acquisitions);

		role->acquisitions[k] = acquired;
		role->failures[k] = atomic_load(&th->failed);
		res->long_holds += atomic_load(&th->long_holds);
		if (th->writer)
			writes += acquired;
	}
	lock_torture_role_summarize(&res->writes);
	lock_torture_role_summarize(&res->reads);
	if (joined && !cfg->no_data_check && t->words[0] != writes)
		res->lost_writes = writes - t->words[0];
	res->failed = res->writes.fail || res->reads.fail || res->lost_writes || res->stalled;
}

int lock_torture_run(const struct lock_torture_config *cfg, struct lock_torture_result *res)
{
	unsigned nthreads = cfg->nwriters + cfg->nreaders, created = 0;
	struct torture_thread *threads;
	struct progress_thread *progress;
	struct progress_watch watch;
	struct torture *t;
	bool joined = true;
	uint64_t start;
	int err;

	memset(res, 0, sizeof(*res));
	if (!nthreads || (!cfg->acquisitions && !cfg->duration_ms))
		return -EINVAL;
	if (role_alloc(&res->writes, cfg->nwriters) || role_alloc(&res->reads, cfg->nreaders)) {
		lock_torture_result_free(res);
		return -ENOMEM;
	}
	t = aligned_alloc(64, (sizeof(*t) + 63) & ~(size_t)63);
	threads = aligned_alloc(64, nthreads * sizeof(*threads));
	progress = aligned_alloc(64, nthreads * sizeof(*progress));
	if (!t || !threads || !progress) {
		err = -ENOMEM;
		goto out_free;
	}
	res->spin = cfg->spin ? *cfg->spin : lock_spin_default();
	err = torture_init(t, cfg, &res->spin);
	if (err)
		goto out_free;
	res->lock = lock_name(&t->lock);
	memset(threads, 0, nthreads * sizeof(*threads));
	memset(progress, 0, nthreads * sizeof(*progress));
	t->threads = threads;
	err = progress_watch_init(&watch, progress, nthreads, &t->lock,
				  cfg->stall_ms ? cfg->stall_ms : LOCK_TORTURE_STALL_MS);
	if (err) {
		torture_destroy(t);
		goto out_free;
	}

	for (; created < nthreads; created++) {
		struct torture_thread *th = &threads[created];
		uint64_t seed = cfg->seed ^ ((uint64_t)created << 32);

		th->t = t;
		th->progress = &progress[created];
		th->writer = created < cfg->nwriters;
		th->rng = splitmix64(&seed);
		err = -pthread_create(&th->tid, NULL, torture_thread_main, th);
		if (err) {
			atomic_store(&t->stop, true);
			break;
		}
	}
	watch.nthreads = created;
	t->running = created;	/* threads touch it only after go */
	while (atomic_load(&t->ready) < created)
		sched_yield();
	start = now_ns();
	progress_watch_restart(&watch);
	atomic_store(&t->go, true);
	control(t, start, &watch, res);
	if (res->stalled && !threads_left(t)) {
		/* Stuck in the lock: they cannot be joined, nor their memory freed. */
		joined = false;
		for (unsigned i = 0; i < created; i++)
			pthread_detach(threads[i].tid);
	} else {
		for (unsigned i = 0; i < created; i++)
			pthread_join(threads[i].tid, NULL);
	}
	res->elapsed_s = (double)(now_ns() - start) / 1e9;
	if (!err)
		collect(t, threads, joined, res);
	progress_watch_destroy(&watch);
	if (!joined) {
		abandon(t, threads, progress);
		return err;
	}
	torture_destroy(t);
out_free:
	free(progress);
	free(threads);
	free(t);
	if (err)
		lock_torture_result_free(res);
	return err;
}

void lock_torture_config_default(struct lock_torture_config *cfg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	cfg->nwriters = cfg->nreaders = cpus > 0 ? (unsigned)cpus : 1;
	cfg->acquisitions = 1000000;
	cfg->short_delay_ns = 200;
	cfg->long_hold_us = 1000;
	cfg->long_hold_every = 2000 * cfg->nwriters;
	cfg->seed = 1;
}

static void print_role(FILE *f, const char *what, const struct lock_torture_role *r)
{
	fprintf(f, "%s:  Total: %llu  Max/Min: %llu/%llu %s  Fail: %llu %s\n", what, r->total,
		r->max, r->min, r->starved ? "???" : "", r->fail, r->fail ? "!!!" : "");
}

void lock_torture_print(FILE *f, const struct lock_torture_config *cfg,
			const struct lock_torture_result *res)
{
	unsigned long long total = res->writes.total + res->reads.total;
	char spin[32];

	print_role(f, "Writes", &res->writes);
	if (res->reads.nthreads)
		print_role(f, "Reads ", &res->reads);
	fprintf(f, "Jain:  Writes: %.4f", res->writes.jain);
	if (res->reads.nthreads)
		fprintf(f, "  Reads: %.4f", res->reads.jain);
	fprintf(f, "\nTime:  %.3f s  %.0f acquisitions/s  Long holds: %llu%s\n", res->elapsed_s,
		res->elapsed_s > 0 ? (double)total / res->elapsed_s : 0.0, res->long_holds,
		res->timed_out ? "  (time limit reached)" : "");
	if (res->lost_writes)
		fprintf(f, "Data:  Lost writes: %llu !!!\n", res->lost_writes);
	if (res->stalled)
		fprintf(f, "Stall: %s",
			res->stall_report ? res->stall_report : "(no memory for the report)\n");
	lock_spin_policy_format(&res->spin, spin, sizeof(spin));
	fprintf(f,
		"%s-torture:--- End of test: %s: nwriters_stress=%u nreaders_stress=%u "
		"acquisitions=%llu duration_ms=%u short_delay_ns=%u long_hold_us=%u "
		"long_hold_every=%u stutter_ms=%u seed=%llu spin=%s",
		res->lock ? res->lock : "?", res->failed ? "FAILURE" : "SUCCESS", cfg->nwriters,
		cfg->nreaders, cfg->acquisitions, cfg->duration_ms, cfg->short_delay_ns,
		cfg->long_hold_us, cfg->long_hold_every, cfg->stutter_ms,
		(unsigned long long)cfg->seed, spin);
	fputc('\n', f);
}
