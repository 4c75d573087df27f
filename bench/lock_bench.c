/* SPDX-License-Identifier: MIT */
/* Family "lock": the lock strategies of locks/, on their own.
 *
 *   lock/<name>/uncontended/read              lock_read + unlock_read, one thread
 *   lock/<name>/uncontended/write             lock_write + unlock_write, one thread
 *   lock/<name>/<mix>/threads:<T>             T contending threads, T in 1, 2, 4, 8
 *   lock/<name>/<mix>/threads:<T>/pure-spin   the same with LOCK_SPIN_PURE (spinning
 *                                             strategies only): what happens without yielding
 *   lock/<name>/<mix>/threads:<T>/park        the same with LOCK_SPIN_PARK (spinning
 *                                             strategies only): spin, then sleep on a futex
 *
 * mix: read-only (every acquisition a read), read-mostly (95% reads, 5% writes),
 * write-heavy (50% writes), each thread drawing from its own seeded xorshift.
 *
 * A contended benchmark is one iteration (Google Benchmark adds /iterations:1/real_time to
 * the name). Google Benchmark's own threads run a fixed number of iterations each, so the
 * fast ones finish first and the slow ones then run uncontended; instead the iteration
 * starts its own T threads together, lets them run for IOMEM_LOCK_BENCH_MS milliseconds
 * (default 200) and stops them on a timer, each counting its acquisitions. Counters:
 *
 *   ops_per_s   acquisitions of all threads per second of the run
 *   jain        Jain's fairness index over the per-thread counts (1 = all equal)
 *   starved     1 when max/2 > min over the threads (locktorture's flag), else 0
 *
 * Inside the lock a reader reads and a writer increments two cache lines of shared data;
 * between acquisitions each thread does a few dozen nanoseconds of private work, so the
 * lock word changes hands rather than staying with one thread.
 */
#include "bench_measure.h"
#include "families.h"
#include "gbench.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "locks/fairness.h"
#include "locks/lock.h"

#define DEFAULT_RUN_MS	200
#define SHARED_WORDS	16	/* two cache lines */
#define LOCAL_WORK	32	/* xorshift rounds between acquisitions */
#define MAX_THREADS	8

static const int thread_counts[] = { 1, 2, 4, MAX_THREADS };

enum mix { MIX_READ_ONLY, MIX_READ_MOSTLY, MIX_WRITE_HEAVY, NR_MIXES };

static const char *const mix_names[NR_MIXES] = {
	[MIX_READ_ONLY] = "read-only",
	[MIX_READ_MOSTLY] = "read-mostly",
	[MIX_WRITE_HEAVY] = "write-heavy",
};

/* Writes per 1000 acquisitions. */
static const unsigned mix_writes_per_mille[NR_MIXES] = {
	[MIX_READ_ONLY] = 0,
	[MIX_READ_MOSTLY] = 50,
	[MIX_WRITE_HEAVY] = 500,
};

/* How the waiters of a spinning strategy wait: the default policy (IOMEM_LOCK_SPIN, else
 * yield), or one named in the benchmark's name. */
enum wait_variant { WAIT_DEFAULT, WAIT_PURE, WAIT_PARK, NR_WAITS };

static const char *const wait_suffix[NR_WAITS] = {
	[WAIT_DEFAULT] = "",
	[WAIT_PURE] = "/pure-spin",
	[WAIT_PARK] = "/park",
};

static const struct lock_spin_policy wait_policy[NR_WAITS] = {
	[WAIT_PURE] = { .mode = LOCK_SPIN_PURE },
	[WAIT_PARK] = { .mode = LOCK_SPIN_PARK, .spins = LOCK_SPIN_DEFAULT_SPINS },
};

struct lock_case {
	const char *lock;
	enum mix mix;
	int threads;
	enum wait_variant wait;
};

struct shared_data {
	_Alignas(64) uint64_t words[SHARED_WORDS];	/* protected by the lock */
};

struct contended_run {
	struct lock lock;
	struct shared_data data;
	unsigned writes_per_mille;
	atomic_uint ready;
	atomic_bool go;
	_Alignas(64) atomic_bool stop;
};

struct contender {
	_Alignas(64) struct contended_run *run;
	pthread_t tid;
	uint64_t rng;
	uint64_t ops;
	uint64_t sink;
};

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned run_ms(void)
{
	static unsigned ms;

	if (!ms) {
		const char *env = getenv("IOMEM_LOCK_BENCH_MS");
		long v = env ? strtol(env, NULL, 10) : 0;

		ms = v > 0 && v < 600000 ? (unsigned)v : DEFAULT_RUN_MS;
	}
	return ms;
}

static void *contend(void *arg)
{
	struct contender *c = arg;
	struct contended_run *r = c->run;
	uint64_t local = c->rng, sink = 0;

	atomic_fetch_add(&r->ready, 1);
	while (!atomic_load(&r->go))
		sched_yield();
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		if (xorshift64(&c->rng) % 1000 < r->writes_per_mille) {
			lock_write(&r->lock);
			for (int i = 0; i < SHARED_WORDS; i++)
				r->data.words[i]++;
			unlock_write(&r->lock);
		} else {
			lock_read(&r->lock);
			for (int i = 0; i < SHARED_WORDS; i++)
				sink += r->data.words[i];
			unlock_read(&r->lock);
		}
		c->ops++;
		for (int i = 0; i < LOCAL_WORK; i++)
			sink += xorshift64(&local);
	}
	c->sink = sink;
	return NULL;
}

static struct lock_fairness contenders_fairness(const struct contender *c, int n)
{
	struct lock_fairness f = LOCK_FAIRNESS_INIT;

	for (int i = 0; i < n; i++)
		lock_fairness_add(&f, c[i].ops);
	return f;
}

/* One timed run: start the threads, let them go together, stop them after run_ms().
 * 0, or -1 when a thread could not be created. */
static int run_contended(struct contended_run *r, struct contender *c, int threads,
			 uint64_t *elapsed_ns)
{
	struct timespec run = { (time_t)(run_ms() / 1000), (long)(run_ms() % 1000) * 1000000 };
	int started;
	uint64_t start;

	atomic_store(&r->ready, 0);
	atomic_store(&r->go, false);
	atomic_store(&r->stop, false);
	memset(c, 0, (size_t)threads * sizeof(*c));
	for (started = 0; started < threads; started++) {
		c[started].run = r;
		c[started].rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(started + 1);
		if (bench_thread_create(&c[started].tid, contend, &c[started], started, threads))
			break;
	}
	if (started < threads)
		atomic_store(&r->stop, true);
	while (atomic_load(&r->ready) < (unsigned)started)
		sched_yield();
	start = now_ns();
	atomic_store(&r->go, true);
	if (started == threads)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &run, NULL);
	atomic_store(&r->stop, true);
	for (int i = 0; i < started; i++)
		pthread_join(c[i].tid, NULL);
	*elapsed_ns = now_ns() - start;
	return started == threads ? 0 : -1;
}

static void bm_contended(iomb_state *st, void *arg)
{
	const struct lock_case *lc = arg;
	struct contender c[MAX_THREADS];
	struct contended_run *r;
	struct bench_run_counters counters;
	uint64_t total = 0, elapsed = 1;

	r = aligned_alloc(64, sizeof(*r));
	if (!r) {
		iomb_skip_with_error(st, "out of memory");
		return;
	}
	memset(r, 0, sizeof(*r));
	if (lock_init_spin(&r->lock, lc->lock, lc->wait ? &wait_policy[lc->wait] : NULL)) {
		free(r);
		iomb_skip_with_error(st, "lock_init failed");
		return;
	}
	r->writes_per_mille = mix_writes_per_mille[lc->mix];
	bench_run_counters_start(&counters);
	while (iomb_keep_running(st)) {
		if (run_contended(r, c, lc->threads, &elapsed)) {
			iomb_skip_with_error(st, "pthread_create failed");
			break;
		}
	}
	lock_destroy(&r->lock);
	free(r);
	for (int i = 0; i < lc->threads; i++)
		total += c[i].ops;
	bench_run_counters_stop(&counters, st, total);	/* sets nothing after an error */
	if (iomb_error_occurred(st))
		return;
	struct lock_fairness fair = contenders_fairness(c, lc->threads);

	iomb_set_counter(st, "ops_per_s", (double)total * 1e9 / (double)elapsed,
			 IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "jain", lock_fairness_jain(&fair), IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "starved", lock_fairness_starved(&fair), IOMB_COUNTER_PLAIN);
	iomb_set_items_processed(st, (int64_t)total);
}

enum side { SIDE_READ, SIDE_WRITE };

struct uncontended_case {
	const char *lock;
	enum side side;
};

#define BATCH 64u

static void bm_uncontended(iomb_state *st, void *arg)
{
	const struct uncontended_case *uc = arg;
	struct lock l;

	if (lock_init(&l, uc->lock)) {
		iomb_skip_with_error(st, "lock_init failed");
		return;
	}
	if (uc->side == SIDE_READ) {
		while (iomb_keep_running_batch(st, BATCH))
			for (unsigned i = 0; i < BATCH; i++) {
				lock_read(&l);
				iomb_clobber_memory();
				unlock_read(&l);
			}
	} else {
		while (iomb_keep_running_batch(st, BATCH))
			for (unsigned i = 0; i < BATCH; i++) {
				lock_write(&l);
				iomb_clobber_memory();
				unlock_write(&l);
			}
	}
	lock_destroy(&l);
	iomb_set_items_processed(st, (int64_t)iomb_iterations(st));
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "iomem-bench: out of memory\n");
		exit(1);
	}
	return p;
}

void lock_bench_register(void)
{
	const char *const *names = lock_names();
	const size_t nr_counts = sizeof(thread_counts) / sizeof(thread_counts[0]);
	size_t nr_locks = 0;

	while (names[nr_locks])
		nr_locks++;

	/* Worst case: every lock spinning, so each contended case once per wait variant. */
	struct uncontended_case *ucs = xcalloc(2 * nr_locks, sizeof(*ucs));
	struct lock_case *lcs = xcalloc(NR_WAITS * nr_locks * NR_MIXES * nr_counts, sizeof(*lcs));
	struct uncontended_case *uc = ucs;
	struct lock_case *lc = lcs;

	iomb_on_exit(free, ucs);
	iomb_on_exit(free, lcs);
	for (size_t k = 0; k < nr_locks; k++) {
		const char *lock = names[k];
		bool spinning = lock_find(lock)->props & LOCK_PROP_SPINNING;
		char name[128];

		for (int side = SIDE_READ; side <= SIDE_WRITE; side++, uc++) {
			uc->lock = lock;
			uc->side = (enum side)side;
			snprintf(name, sizeof(name), "lock/%s/uncontended/%s", lock,
				 side == SIDE_READ ? "read" : "write");
			iomb_bench_unit(iomb_register(name, bm_uncontended, uc), IOMB_NS);
		}
		for (int wait = 0; wait < (spinning ? NR_WAITS : 1); wait++) {
			for (int m = 0; m < NR_MIXES; m++) {
				for (size_t t = 0; t < nr_counts; t++, lc++) {
					iomb_bench *b;

					lc->lock = lock;
					lc->mix = (enum mix)m;
					lc->threads = thread_counts[t];
					lc->wait = (enum wait_variant)wait;
					snprintf(name, sizeof(name), "lock/%s/%s/threads:%d%s", lock,
						 mix_names[m], lc->threads, wait_suffix[wait]);
					b = iomb_register(name, bm_contended, lc);
					iomb_bench_unit(b, IOMB_MS);
					iomb_bench_iterations(b, 1);
					iomb_bench_real_time(b);
				}
			}
		}
	}
}
