/* The locktorture-style checker: see stress/lock_torture.h. */
#include "stress/lock_torture.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "locks/fairness.h"

#define SHARED_WORDS 8

/* As the kernel's stutter: threads nap through a pause, but spin through its last
 * millisecond, so that they all resume together. */
enum stutter_phase { STUTTER_RUN, STUTTER_NAP, STUTTER_SPIN };

struct torture {
	const struct lock_torture_config *cfg;
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

	/* Written by writers with plain stores: the data the lock protects. */
	_Alignas(64) uint64_t words[SHARED_WORDS];
};

struct torture_thread {
	_Alignas(64) struct torture *t;
	pthread_t tid;
	bool writer;
	uint64_t rng;
	unsigned long long acquired, failed, long_holds;
};

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
		th->long_holds++;
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

static void stutter_wait(struct torture *t)
{
	int phase;

	while ((phase = atomic_load_explicit(&t->stutter, memory_order_relaxed)) != STUTTER_RUN &&
	       !atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		if (phase == STUTTER_NAP)
			sleep_ns(1000000);
		else
			sched_yield();
	}
}

static bool take_one(atomic_ullong *taken, unsigned long long budget)
{
	return atomic_fetch_add_explicit(taken, 1, memory_order_relaxed) < budget;
}

static void write_once(struct torture_thread *th)
{
	struct torture *t = th->t;

	lock_write(&t->lock);
	if (atomic_exchange_explicit(&t->write_held, true, memory_order_relaxed))
		th->failed++;
	if (atomic_load_explicit(&t->read_held, memory_order_relaxed))
		th->failed++;
	th->acquired++;
	if (!t->cfg->no_data_check) {
		uint64_t v = t->words[0] + 1;

		for (int i = 0; i < SHARED_WORDS; i++)
			t->words[i] = v;
	}
	hold(th);
	atomic_store_explicit(&t->write_held, false, memory_order_relaxed);
	unlock_write(&t->lock);
}

static void read_once(struct torture_thread *th)
{
	struct torture *t = th->t;

	lock_read(&t->lock);
	if (atomic_fetch_add_explicit(&t->read_held, 1, memory_order_relaxed) && !t->shared_reads)
		th->failed++;
	if (atomic_load_explicit(&t->write_held, memory_order_relaxed))
		th->failed++;
	th->acquired++;
	if (!t->cfg->no_data_check) {
		uint64_t v = t->words[0];
		bool torn = false;

		for (int i = 1; i < SHARED_WORDS; i++)
			torn |= t->words[i] != v;
		th->failed += torn;
	}
	hold(th);
	atomic_fetch_sub_explicit(&t->read_held, 1, memory_order_relaxed);
	unlock_read(&t->lock);
}

static void *torture_thread_main(void *arg)
{
	struct torture_thread *th = arg;
	struct torture *t = th->t;

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
		stutter_wait(t);
	}

	pthread_mutex_lock(&t->done_lock);
	if (--t->running == 0)
		pthread_cond_signal(&t->done_cond);
	pthread_mutex_unlock(&t->done_lock);
	return NULL;
}

/* Waits for the threads to finish, stopping them at the time limit, and stutters. */
static void control(struct torture *t, uint64_t start, bool *timed_out)
{
	const struct lock_torture_config *cfg = t->cfg;
	uint64_t deadline = cfg->duration_ms ? start + (uint64_t)cfg->duration_ms * 1000000 : 0;
	uint64_t period = (uint64_t)cfg->stutter_ms * 1000000;
	uint64_t spin = period < 2000000 ? period / 2 : 1000000;
	uint64_t next_phase = period ? start + period : 0;

	pthread_mutex_lock(&t->done_lock);
	while (t->running) {
		uint64_t wake = deadline, now;

		if (next_phase && (!wake || next_phase < wake))
			wake = next_phase;
		if (!wake) {
			pthread_cond_wait(&t->done_cond, &t->done_lock);
			continue;
		}
		struct timespec ts = ns_to_timespec(wake);

		pthread_cond_timedwait(&t->done_cond, &t->done_lock, &ts);
		now = now_ns();
		if (deadline && now >= deadline) {
			atomic_store(&t->stop, true);
			*timed_out = cfg->acquisitions != 0;
			deadline = next_phase = 0;
		}
		if (next_phase && now >= next_phase) {
			switch (atomic_load(&t->stutter)) {
			case STUTTER_RUN:
				atomic_store(&t->stutter, STUTTER_NAP);
				next_phase += period - spin;
				break;
			case STUTTER_NAP:
				atomic_store(&t->stutter, STUTTER_SPIN);
				next_phase += spin;
				break;
			default:
				atomic_store(&t->stutter, STUTTER_RUN);
				next_phase += period;
				break;
			}
		}
	}
	pthread_mutex_unlock(&t->done_lock);
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
	t->cfg = cfg;
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

static void collect(struct torture *t, struct torture_thread *threads,
		    struct lock_torture_result *res)
{
	const struct lock_torture_config *cfg = t->cfg;
	unsigned long long writes = 0;

	for (unsigned i = 0; i < cfg->nwriters + cfg->nreaders; i++) {
		struct torture_thread *th = &threads[i];
		struct lock_torture_role *role = th->writer ? &res->writes : &res->reads;
		unsigned k = th->writer ? i : i - cfg->nwriters;

		role->acquisitions[k] = th->acquired;
		role->failures[k] = th->failed;
		res->long_holds += th->long_holds;
		if (th->writer)
			writes += th->acquired;
	}
	lock_torture_role_summarize(&res->writes);
	lock_torture_role_summarize(&res->reads);
	if (!cfg->no_data_check && t->words[0] != writes)
		res->lost_writes = writes - t->words[0];
	res->failed = res->writes.fail || res->reads.fail || res->lost_writes;
}

int lock_torture_run(const struct lock_torture_config *cfg, struct lock_torture_result *res)
{
	unsigned nthreads = cfg->nwriters + cfg->nreaders, created = 0;
	struct torture_thread *threads;
	struct torture *t;
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
	if (!t || !threads) {
		err = -ENOMEM;
		goto out_free;
	}
	res->spin = cfg->spin ? *cfg->spin : lock_spin_default();
	err = torture_init(t, cfg, &res->spin);
	if (err)
		goto out_free;
	res->lock = lock_name(&t->lock);

	memset(threads, 0, nthreads * sizeof(*threads));
	for (; created < nthreads; created++) {
		struct torture_thread *th = &threads[created];
		uint64_t seed = cfg->seed ^ ((uint64_t)created << 32);

		th->t = t;
		th->writer = created < cfg->nwriters;
		th->rng = splitmix64(&seed);
		err = -pthread_create(&th->tid, NULL, torture_thread_main, th);
		if (err) {
			atomic_store(&t->stop, true);
			break;
		}
	}
	t->running = created;	/* threads touch it only after go */
	while (atomic_load(&t->ready) < created)
		sched_yield();
	start = now_ns();
	atomic_store(&t->go, true);
	control(t, start, &res->timed_out);
	for (unsigned i = 0; i < created; i++)
		pthread_join(threads[i].tid, NULL);
	res->elapsed_s = (double)(now_ns() - start) / 1e9;
	if (!err)
		collect(t, threads, res);
	torture_destroy(t);
out_free:
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
