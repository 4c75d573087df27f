/* SPDX-License-Identifier: MIT */
/* Family "tree_rw": read throughput and reader latency under writer churn, on the host's
 * own resource tree (host_tree.h: /proc/iomem, or the bundled dump when that is not
 * readable), and on a flat tree of 10^5 regions, where the backends' read paths differ
 * most (a sibling walk against an index descent).
 *
 *   tree_rw/<backend>/readers:<R>/writer:<W>                       R in 1, 2; W in 0, 1
 *   tree_rw/<backend>/readers:<R>/writer:<W>/mix:point             the same without the walk
 *   tree_rw/<backend>/readers:<R>/writer:<W>[/mix:point]/n:100000  on the flat tree
 *
 * One run is time-boxed: R reader threads and W writer threads start together through a
 * gate, run for RW_RUN_MS of wall time and stop on a flag. Each reader cycles through a
 * read mix, one op each in turn. On the host tree:
 *   - iomem_region_intersects of a top-level System RAM range, SYSTEM_RAM / DESC_NONE
 *     (expects REGION_INTERSECTS);
 *   - iomem_lookup of the middle of a resource (expects a hit);
 *   - a walk of System RAM: iomem_walk_res_desc(SYSTEM_RAM|BUSY) over [0, 2^64-1]
 *     (expects as many callbacks as at load time).
 * On the flat tree (flat_tree.h: regions with a free gap after each), at regions chosen
 * by a fixed-seed xorshift:
 *   - iomem_region_intersects of a region, MEM / DESC_NONE (expects REGION_INTERSECTS);
 *   - iomem_lookup of the middle of a region (expects that region);
 *   - a walk of MEM over a window of FLAT_RW_WALK consecutive regions, as tree/walk does
 *     (expects every region reported; a gap the writer holds is reported too).
 * The walk costs several times the other two (one find_next_iomem_res per region, each
 * a pre-order search from the root), so it dominates the mix; mix:point leaves it out
 * and shows the point reads on their own.
 * The writer requests and releases HOST_CHURN_SIZE regions, cycling over
 * HOST_CHURN_SLOTS slots of a free span of a PCI window (or of a hole); on the flat tree,
 * whole gaps at random. It is paced at RW_WRITE_RATE request+release pairs per second
 * (IOMEM_TREE_RW_WRITE_RATE; 0 unpaced).
 * Paced, because an unpaced writer measures the scheduler instead: glibc's rwlock prefers
 * readers, so under rwlock the writer mostly sleeps and the readers get both CPUs, while
 * under rcu it never blocks and takes a third of them (2 CPUs, 3 threads). A writer that
 * cannot keep the pace (a linear backend on the flat tree) runs flat out.
 *
 * Counters:
 *   reads_per_s, reads_per_s_per_reader  reads per second of wall time
 *   reads_per_cpu_s     reads per second of the readers' own CPU time: what the read
 *                       path costs, whatever share of the CPUs the readers got (a reader
 *                       sleeping on a lock uses none, so it hides blocking)
 *   reader_cpu_share    the readers' CPU time over their wall time: below 1 when they
 *                       slept on a lock, or the writer or other processes had the CPUs
 *   writes_per_s        request+release pairs per second
 *   p50_ns, p99_ns, p999_ns  reader latency, sampled every k-th read (latency.h) and
 *                       merged over the readers; each sample includes its timer reads,
 *                       whose cost is given as timer_ns (~20 ns on a KVM guest)
 * The reported time is the wall time of the run, thread start and stop included. Threads
 * are not pinned: with 2 readers and a writer on a 2-CPU machine the run is
 * oversubscribed, and that is what it measures.
 */
#include "bench_measure.h"
#include "families.h"
#include "gbench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "flat_tree.h"
#include "host_tree.h"
#include "iomem/iomem.h"
#include "locks/lock.h"
#include "latency.h"
#include "start_gate.h"

#define RW_RUN_MS	1000u
#define RW_WRITE_RATE	20000u	/* churn pairs per second: a hot-plug storm, and then some */
#define LAT_CAP		(1u << 20)	/* samples kept per reader */
#define LAT_EVERY	32u		/* initial sampling period, in reads */
#define MAX_THREADS	3		/* the most readers + writers of rw_configs */

static const struct { int readers, writers; } rw_configs[] = {
	{ 1, 0 }, { 1, 1 }, { 2, 0 }, { 2, 1 },
};

#define FLAT_RW_N	100000u		/* regions of the flat tree */
#define FLAT_RW_WALK	64u		/* regions per walk */
#define FLAT_RW_SAMPLES	4096u		/* random choices, a power of two */

enum rw_tree {
	TREE_HOST,	/* the host's own tree */
	TREE_FLAT,	/* FLAT_RW_N regions under the root */
};

/* The flat tree and the random choices its readers and writer cycle through. */
struct flat_rw {
	struct iomem_tree *t;
	uint32_t region[FLAT_RW_SAMPLES];	/* for intersects, lookup, and churn in its gap */
	uint32_t window[FLAT_RW_SAMPLES];	/* the first region of a walk */
};

struct rw_fixture {
	char *backend;
	const char *lock;	/* NULL: the default */
	enum rw_tree tree;
	bool loaded;
	char errmsg[192];	/* set when the load failed */
	struct host_tree h;
	struct flat_rw f;
};

enum rw_mix {
	MIX_ALL,	/* intersects, lookup, walk */
	MIX_POINT,	/* intersects, lookup */
};

static const unsigned mix_kinds[] = { [MIX_ALL] = 3, [MIX_POINT] = 2 };

struct rw_case {
	struct rw_fixture *fx;
	int readers, writers;
	enum rw_mix mix;
};

struct rw_run {
	const struct rw_fixture *fx;
	struct start_gate gate;
	atomic_bool stop;
};

struct rw_thread {
	pthread_t tid;
	struct rw_run *run;
	unsigned id;
	unsigned nr_kinds;	/* of read ops in the mix (readers) */
	uint64_t ops, wrong;
	uint64_t cpu_ns;	/* CPU time the thread got during the run */
	struct lat_sampler lat;	/* readers only */
};

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* Where a reader is in the mix: the next op kind and the next range / address of each
 * (on the flat tree, the next random choice). Advanced with compares and masks only, so
 * the loop adds no divisions to the ops it times. */
struct read_cursor {
	unsigned op, nr_kinds;	/* op: 0 intersects, 1 lookup, 2 walk */
	size_t ram, addr;
};

static bool read_intersects(const struct host_tree *h, struct read_cursor *cur)
{
	const struct host_range *r = &h->ram[cur->ram];

	if (++cur->ram == h->nr_ram)
		cur->ram = 0;
	return iomem_region_intersects(h->t, IOMEM_ROOT_IOMEM, r->start, r->end - r->start + 1,
				       IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) ==
	       REGION_INTERSECTS;
}

static bool read_lookup(const struct host_tree *h, struct read_cursor *cur)
{
	resource_size_t addr = h->addrs[cur->addr];
	struct resource res;

	if (++cur->addr == h->nr_addrs)
		cur->addr = 0;
	return iomem_lookup(h->t, IOMEM_ROOT_IOMEM, addr, &res, NULL, 0) == 0;
}

static bool read_walk(const struct host_tree *h)
{
	int hits = 0;

	return iomem_walk_res_desc(h->t, IOMEM_ROOT_IOMEM, IORES_DESC_NONE, HOST_RAM_WALK_FLAGS,
				   0, ~(resource_size_t)0, host_walk_count, &hits) == 0 &&
	       hits == h->ram_walk_hits;
}

/* Counts the regions a walk reports; a gap the writer holds at the time is reported too,
 * and not counted. */
static int flat_walk_count(const struct resource *res, void *arg)
{
	*(unsigned *)arg += (res->start - FLAT_BASE) % FLAT_STRIDE == 0;
	return 0;
}

/* One read of the flat tree's mix, at the cursor's next random choice. */
static bool read_flat(const struct flat_rw *f, unsigned op, struct read_cursor *cur)
{
	size_t k = cur->addr++ & (FLAT_RW_SAMPLES - 1);
	resource_size_t s = flat_region_start(f->region[k]);
	struct resource res;
	unsigned hits = 0;

	if (op == 0)
		return iomem_region_intersects(f->t, IOMEM_ROOT_IOMEM, s, FLAT_REGION_SIZE,
					       IORESOURCE_MEM, IORES_DESC_NONE) ==
		       REGION_INTERSECTS;
	if (op == 1)
		return iomem_lookup(f->t, IOMEM_ROOT_IOMEM, s + FLAT_REGION_SIZE / 2, &res, NULL,
				    0) == 0 && res.start == s;
	s = flat_region_start(f->window[k]);
	return iomem_walk_res_desc(f->t, IOMEM_ROOT_IOMEM, IORES_DESC_NONE, IORESOURCE_MEM, s,
				   s + FLAT_RW_WALK * FLAT_STRIDE - 1, flat_walk_count,
				   &hits) == 0 &&
	       hits == FLAT_RW_WALK;
}

/* The next read of the mix; true when its result is the expected one. */
static bool read_op(const struct rw_fixture *fx, struct read_cursor *cur)
{
	unsigned op = cur->op;

	cur->op = op + 1 == cur->nr_kinds ? 0 : op + 1;
	if (fx->tree == TREE_FLAT)
		return read_flat(&fx->f, op, cur);
	if (op == 0)
		return read_intersects(&fx->h, cur);
	return op == 1 ? read_lookup(&fx->h, cur) : read_walk(&fx->h);
}

static void *reader_main(void *arg)
{
	struct rw_thread *th = arg;
	const struct rw_fixture *fx = th->run->fx;
	struct read_cursor cur = {
		.nr_kinds = th->nr_kinds,
		.addr = fx->tree == TREE_FLAT ? th->id * 997u : (th->id * 7u) % fx->h.nr_addrs,
	};
	/* What the loop writes stays on this thread's stack until the end: the threads'
	 * structs sit side by side, and counting into them made the readers share cache
	 * lines on every read, which cost the rcu backend's share-nothing readers most. */
	struct lat_sampler lat = th->lat;
	uint64_t ops = 0, wrong = 0;

	/* Warm-up outside the run: registers the thread with RCU, warms the caches. */
	for (unsigned w = 0; w < cur.nr_kinds; w++)
		wrong += !read_op(fx, &cur);
	start_gate_pass(&th->run->gate);
	th->cpu_ns = bench_thread_cpu_ns();
	while (!atomic_load_explicit(&th->run->stop, memory_order_relaxed)) {
		bool ok;

		if (lat_due(&lat)) {
			uint64_t t0 = lat_ticks();

			ok = read_op(fx, &cur);
			lat_add(&lat, lat_ticks() - t0);
		} else {
			ok = read_op(fx, &cur);
		}
		wrong += !ok;
		ops++;
	}
	th->cpu_ns = bench_thread_cpu_ns() - th->cpu_ns;
	th->lat = lat;
	th->ops = ops;
	th->wrong = wrong;
	return NULL;
}

/* One request + release of churn slot k (on the flat tree, of the k-th random region's
 * gap); true when both succeeded. */
static bool churn_op(const struct rw_fixture *fx, unsigned k)
{
	struct iomem_tree *t = fx->tree == TREE_FLAT ? fx->f.t : fx->h.t;
	resource_size_t s, n;

	if (fx->tree == TREE_FLAT) {
		s = flat_gap_start(fx->f.region[(k * 7u + 1) & (FLAT_RW_SAMPLES - 1)]);
		n = FLAT_GAP_SIZE;
	} else {
		s = fx->h.churn_start + (resource_size_t)(k % HOST_CHURN_SLOTS) * HOST_CHURN_SIZE;
		n = HOST_CHURN_SIZE;
	}
	if (iomem_request_region(t, IOMEM_ROOT_IOMEM, s, n, "bench-dev", 0))
		return false;
	return iomem_release_region(t, IOMEM_ROOT_IOMEM, s, n) == 0;
}

static uint64_t write_rate(void)
{
	const char *env = getenv("IOMEM_TREE_RW_WRITE_RATE");
	char *end;
	unsigned long long v;

	if (!env || !*env)
		return RW_WRITE_RATE;
	v = strtoull(env, &end, 10);
	return *end ? RW_WRITE_RATE : v;
}

static void *writer_main(void *arg)
{
	struct rw_thread *th = arg;
	unsigned k = 0;

	uint64_t rate = write_rate(), t0;

	start_gate_pass(&th->run->gate);
	th->cpu_ns = bench_thread_cpu_ns();
	t0 = bench_now_ns();
	while (!atomic_load_explicit(&th->run->stop, memory_order_relaxed)) {
		th->wrong += !churn_op(th->run->fx, k++);
		th->ops++;
		/* Ahead of schedule: sleep until the next batch of 16 is due. */
		if (rate && th->ops % 16 == 0) {
			uint64_t due = t0 + th->ops * 1000000000ull / rate, now = bench_now_ns();

			if (due > now)
				nanosleep(&(struct timespec){ .tv_sec = (time_t)((due - now) / 1000000000u),
							      .tv_nsec = (long)((due - now) % 1000000000u) },
					  NULL);
		}
	}
	th->cpu_ns = bench_thread_cpu_ns() - th->cpu_ns;
	return NULL;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

/* The wall time from opening the gate to the stop flag (0 when a thread failed to
 * start), and the latency clock's rate over it. */
struct rw_time {
	uint64_t ns;
	double ticks_per_ns;
};

/* Starts the threads (readers first), runs them for RW_RUN_MS, joins them. */
static struct rw_time run_threads(struct rw_run *run, struct rw_thread *th, int readers, int n)
{
	struct rw_time rt = { 0 };
	struct lat_cal cal;
	int started = 0;
	uint64_t t0;

	for (; started < n; started++) {
		void *(*fn)(void *) = started < readers ? reader_main : writer_main;

		if (bench_thread_create(&th[started].tid, fn, &th[started], started, n))
			break;
	}
	start_gate_open(&run->gate, started);
	lat_cal_start(&cal);
	t0 = bench_now_ns();
	if (started == n) {
		sleep_ms(RW_RUN_MS);
		rt.ns = bench_now_ns() - t0;
		rt.ticks_per_ns = lat_cal_ticks_per_ns(&cal);
	}
	atomic_store(&run->stop, true);
	for (int i = 0; i < started; i++)
		pthread_join(th[i].tid, NULL);
	return rt;
}

static void set_quantile(iomb_state *st, const char *name, const struct lat_sampler *merged,
			 double q, double ticks_per_ns)
{
	iomb_set_counter(st, name, (double)lat_quantile(merged, q) / ticks_per_ns,
			 IOMB_COUNTER_PLAIN);
}

static void report(iomb_state *st, const struct rw_case *c, struct rw_thread *th,
		   struct rw_time rt)
{
	struct lat_sampler *lats[MAX_THREADS], merged;
	uint64_t reads = 0, writes = 0, reader_cpu_ns = 0;
	double secs = (double)rt.ns / 1e9;

	for (int i = 0; i < c->readers; i++) {
		reads += th[i].ops;
		reader_cpu_ns += th[i].cpu_ns;
		lats[i] = &th[i].lat;
	}
	for (int i = c->readers; i < c->readers + c->writers; i++)
		writes += th[i].ops;
	iomb_set_counter(st, "reads_per_s", (double)reads / secs, IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "reads_per_s_per_reader", (double)reads / secs / c->readers,
			 IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "reads_per_cpu_s",
			 reader_cpu_ns ? (double)reads / ((double)reader_cpu_ns / 1e9) : 0,
			 IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "reader_cpu_share",
			 (double)reader_cpu_ns / ((double)rt.ns * c->readers), IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "writes_per_s", (double)writes / secs, IOMB_COUNTER_PLAIN);
	if (lat_merge(&merged, lats, (size_t)c->readers)) {
		iomb_skip_with_error(st, "out of memory merging latency samples");
		return;
	}
	set_quantile(st, "p50_ns", &merged, 0.50, rt.ticks_per_ns);
	set_quantile(st, "p99_ns", &merged, 0.99, rt.ticks_per_ns);
	set_quantile(st, "p999_ns", &merged, 0.999, rt.ticks_per_ns);
	iomb_set_counter(st, "timer_ns", (double)lat_timer_ticks() / rt.ticks_per_ns,
			 IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "lat_samples", (double)merged.n, IOMB_COUNTER_PLAIN);
	lat_destroy(&merged);
}

static void check_and_report(iomb_state *st, const struct rw_case *c, struct rw_thread *th,
			     struct rw_time rt)
{
	uint64_t wrong = 0;
	char msg[128];

	for (int i = 0; i < c->readers + c->writers; i++)
		wrong += th[i].wrong;
	if (!rt.ns) {
		iomb_skip_with_error(st, "pthread_create failed");
	} else if (wrong) {
		snprintf(msg, sizeof(msg), "%llu ops returned unexpected results",
			 (unsigned long long)wrong);
		iomb_skip_with_error(st, msg);
	} else {
		report(st, c, th, rt);
	}
}

/* The flat tree and its random choices: 0, or -1 with the reason in err. */
static int flat_rw_build(struct flat_rw *f, const char *backend, char *err, size_t errlen)
{
	uint64_t seed = 0x2545f4914f6cdd1dULL;

	f->t = flat_tree_build(backend, FLAT_RW_N, "bench", err, errlen);
	if (!f->t)
		return -1;
	for (unsigned i = 0; i < FLAT_RW_SAMPLES; i++) {
		f->region[i] = (uint32_t)(bench_xorshift64(&seed) % FLAT_RW_N);
		f->window[i] = (uint32_t)(bench_xorshift64(&seed) % (FLAT_RW_N - FLAT_RW_WALK + 1));
	}
	return 0;
}

/* The loaded fixture, or NULL after skip_with_error. */
static const struct rw_fixture *fixture_get(iomb_state *st, struct rw_fixture *fx)
{
	char err[160];

	pthread_mutex_lock(&load_lock);
	if (!fx->loaded) {
		int rc = fx->tree == TREE_FLAT ?
				 flat_rw_build(&fx->f, fx->backend, err, sizeof(err)) :
				 host_tree_load(&fx->h, fx->backend, fx->lock, err, sizeof(err));

		if (rc)
			snprintf(fx->errmsg, sizeof(fx->errmsg), "%s: %s", fx->backend, err);
		fx->loaded = true;
	}
	pthread_mutex_unlock(&load_lock);
	if (!(fx->tree == TREE_FLAT ? fx->f.t : fx->h.t)) {
		iomb_skip_with_error(st, fx->errmsg);
		return NULL;
	}
	return fx;
}

static void set_label(iomb_state *st, const struct rw_fixture *fx)
{
	char label[160];

	if (fx->tree == TREE_FLAT)
		snprintf(label, sizeof(label), "flat tree of %u regions, churn in their gaps",
			 FLAT_RW_N);
	else
		snprintf(label, sizeof(label), "%s (%zu resources), churn in %s", fx->h.source,
			 fx->h.nr_resources, fx->h.churn_where);
	iomb_set_label(st, label);
}

/* Lat samplers for the readers; false (after skip_with_error) when out of memory. */
static bool threads_init(iomb_state *st, struct rw_thread *th, const struct rw_case *c,
			 struct rw_run *run)
{
	for (int i = 0; i < c->readers + c->writers; i++) {
		lat_destroy(&th[i].lat);
		th[i] = (struct rw_thread){ .run = run, .id = (unsigned)i,
					    .nr_kinds = mix_kinds[c->mix] };
		if (i < c->readers && lat_init(&th[i].lat, LAT_CAP, LAT_EVERY)) {
			iomb_skip_with_error(st, "out of memory for latency samples");
			return false;
		}
	}
	return true;
}

static void bm_rw(iomb_state *st, void *arg)
{
	const struct rw_case *c = arg;
	const struct rw_fixture *fx = fixture_get(st, c->fx);
	struct rw_thread th[MAX_THREADS] = { 0 };
	struct rw_time rt = { 0 };
	struct bench_run_counters counters;
	uint64_t ops = 0;

	if (!fx)
		return;
	bench_run_counters_start(&counters);
	while (iomb_keep_running(st)) {
		struct rw_run run = { .fx = fx, .gate = START_GATE_INIT };

		if (!threads_init(st, th, c, &run))
			break;
		rt = run_threads(&run, th, c->readers, c->readers + c->writers);
	}
	for (int i = 0; i < c->readers + c->writers; i++)
		ops += th[i].ops;	/* reads and request+release pairs */
	bench_run_counters_stop(&counters, st, ops);
	if (!iomb_error_occurred(st))
		check_and_report(st, c, th, rt);
	for (int i = 0; i < c->readers; i++)
		lat_destroy(&th[i].lat);
	iomb_set_counter(st, "readers", c->readers, IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "writer", c->writers, IOMB_COUNTER_PLAIN);
	set_label(st, fx);
}

static void fixture_free(void *arg)
{
	struct rw_fixture *fx = arg;

	host_tree_destroy(&fx->h);
	iomem_tree_free(fx->f.t);
	free(fx->backend);
	free(fx);
}

static void register_case(struct rw_case *c, const char *backend)
{
	char name[128];

	if (c->fx->lock)
		snprintf(name, sizeof(name), "tree_lock/%s/%s/readers:%d/writer:%d", backend,
			 c->fx->lock, c->readers, c->writers);
	else
		snprintf(name, sizeof(name), "tree_rw/%s/readers:%d/writer:%d%s%s", backend,
			 c->readers, c->writers, c->mix == MIX_POINT ? "/mix:point" : "",
			 c->fx->tree == TREE_FLAT ? "/n:100000" : "");
	/* One time-boxed run per repetition. */
	iomb_bench_iterations(
		iomb_bench_real_time(iomb_bench_unit(iomb_register(name, bm_rw, c), IOMB_MS)), 1);
}

_Static_assert(FLAT_RW_N == 100000, "the benchmark names say n:100000");

void tree_rw_bench_register(void)
{
	const char *const *backends = iomem_backend_names();
	const size_t nr_configs = sizeof(rw_configs) / sizeof(rw_configs[0]);
	const size_t nr_mixes = sizeof(mix_kinds) / sizeof(mix_kinds[0]);
	const size_t nr_trees = 2;	/* the host's, then the flat one */
	size_t nr_backends = bench_nr_backends();
	struct rw_fixture **fxs = bench_xcalloc(nr_trees * nr_backends + 1, sizeof(*fxs));
	struct rw_case *cases = bench_xcalloc(nr_trees * nr_mixes * nr_configs * nr_backends + 1,
					      sizeof(*cases));
	struct rw_case *c = cases;

	iomb_on_exit(free, fxs);
	iomb_on_exit(free, cases);
	for (size_t i = 0; i < nr_trees * nr_backends; i++) {
		fxs[i] = bench_xcalloc(1, sizeof(*fxs[i]));
		fxs[i]->backend = bench_xstrdup(backends[i % nr_backends]);
		fxs[i]->tree = i < nr_backends ? TREE_HOST : TREE_FLAT;
		iomb_on_exit(fixture_free, fxs[i]);
	}
	for (size_t tr = 0; tr < nr_trees; tr++) {
		for (size_t m = 0; m < nr_mixes; m++) {
			for (size_t k = 0; k < nr_configs; k++) {
				for (size_t b = 0; b < nr_backends; b++, c++) {
					*c = (struct rw_case){ .fx = fxs[tr * nr_backends + b],
							       .readers = rw_configs[k].readers,
							       .writers = rw_configs[k].writers,
							       .mix = (enum rw_mix)m };
					register_case(c, backends[b]);
				}
			}
		}
	}
}

/* tree_lock/<backend>/<lock>/readers:2/writer:1: the tree_rw measurement with the tree's
 * lock (the rcu backend's writer lock) swapped for each strategy of locks/. */
void tree_lock_bench_register(void)
{
	const char *const *backends = iomem_backend_names();
	const char *const *locks = lock_names();
	size_t nr_backends = bench_nr_backends(), nr_locks = 0;
	struct rw_case *cases;

	while (locks[nr_locks])
		nr_locks++;
	cases = bench_xcalloc(nr_backends * nr_locks + 1, sizeof(*cases));
	iomb_on_exit(free, cases);
	for (size_t l = 0; l < nr_locks; l++)
		for (size_t b = 0; b < nr_backends; b++) {
			struct rw_fixture *fx = bench_xcalloc(1, sizeof(*fx));
			struct rw_case *c = &cases[l * nr_backends + b];

			fx->backend = bench_xstrdup(backends[b]);
			fx->lock = locks[l];
			iomb_on_exit(fixture_free, fx);
			*c = (struct rw_case){ .fx = fx, .readers = 2, .writers = 1, .mix = MIX_ALL };
			register_case(c, backends[b]);
		}
}
