/* SPDX-License-Identifier: MIT */
/* iomem-bench's measurement options and the helpers the threaded families call. The
 * events are probed once at start; what cannot be counted is said once on stderr and in
 * the context, and its counters are never set. */
#include "bench_measure.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/line_latency.h"
#include "measure/placement.h"

static struct {
	struct perf_event_list events;
	bool counting;
	enum placement_policy policy;
	struct placement_topology *topology;
	pthread_mutex_t lock;		/* the maps and the thread pool below */
	int *maps[65];			/* maps[n]: the map for n threads */
	/* Google Benchmark's threads of the running benchmark, pooled. */
	int inside;
	uint64_t ops;
	struct perf_reading sum;
} bm = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* "--name=value" or "--name value": the value, and how many argv words it took. */
static const char *option(char **argv, int i, int argc, const char *name, int *used)
{
	size_t n = strlen(name);

	if (strncmp(argv[i], name, n))
		return NULL;
	if (argv[i][n] == '=') {
		*used = 1;
		return argv[i] + n + 1;
	}
	if (!argv[i][n] && i + 1 < argc) {
		*used = 2;
		return argv[i + 1];
	}
	return NULL;
}

static void free_maps(void *arg)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(bm.maps) / sizeof(bm.maps[0]); i++)
		free(bm.maps[i]);
	placement_topology_free(bm.topology);
}

/* The families' thread counts are known only as each benchmark runs, so the map of every
 * hardware thread of the topology must be usable: refused here, not one benchmark failing
 * to start its threads (or one left unpinned) later. 0, or 2 after a message. */
static int check_whole_map(const char *placement)
{
	unsigned n = placement_topology_pus(bm.topology);
	int *cpus, bad = -1, rc = 0;

	if (bm.policy == PLACEMENT_NONE)
		return 0;
	cpus = calloc(n, sizeof(*cpus));
	if (!cpus || placement_map(bm.topology, bm.policy, n, cpus)) {
		fprintf(stderr, "iomem-bench: out of memory\n");
		rc = 2;
	} else if (placement_map_check(cpus, n, &bad)) {
		fprintf(stderr, "iomem-bench: --placement %s puts a thread on CPU %d, which this "
			"process may not use (a --topology larger than the machine?)\n", placement,
			bad);
		rc = 2;
	}
	free(cpus);
	return rc;
}

/* Whether the command line only lists the benchmarks (then nothing is measured): the last
 * --benchmark_list_tests decides, as Google Benchmark reads it (bare, =true, =1, =yes). */
static bool only_listing(char **argv, int argc)
{
	static const char *const yes[] = { "", "=true", "=1", "=yes" };
	const char *last = NULL;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--benchmark_list_tests", 22) == 0)
			last = argv[i] + 22;
	for (unsigned k = 0; last && k < sizeof(yes) / sizeof(yes[0]); k++)
		if (strcmp(last, yes[k]) == 0)
			return true;
	return false;
}

/* line_latency_ns and line_latency_cpus: on a virtual machine the latency changes with
 * where the virtual CPUs run, and every threaded figure with it (line_latency.h). */
static void record_line_latency(void)
{
	struct line_latency l;
	char ns[32], cpus[32];

	if (line_latency_measure(LINE_LATENCY_MS, &l))
		return;		/* one CPU, or no pinning: nothing to pass between */
	line_latency_format(&l, ns, sizeof(ns), cpus, sizeof(cpus));
	iomb_add_context("line_latency_ns", ns);
	iomb_add_context("line_latency_cpus", cpus);
}

int bench_measure_init(int *argc, char **argv)
{
	const char *counters = NULL, *placement = NULL, *desc = NULL;
	char err[256], buf[1024];
	int out = 1;

	for (int i = 1; i < *argc;) {
		int used = 0;
		const char *v;

		if ((v = option(argv, i, *argc, "--counters", &used)))
			counters = v;
		else if ((v = option(argv, i, *argc, "--placement", &used)))
			placement = v;
		else if ((v = option(argv, i, *argc, "--topology", &used)))
			desc = v;
		if (!used) {
			argv[out++] = argv[i++];
			continue;
		}
		i += used;
	}
	*argc = out;
	argv[out] = NULL;
	if (placement && placement_policy_parse(placement, &bm.policy)) {
		fprintf(stderr, "iomem-bench: --placement must be compact, scatter or none\n");
		return 2;
	}
	bm.topology = placement_topology_load(desc, err, sizeof(err));
	if (!bm.topology) {
		fprintf(stderr, "iomem-bench: --topology: %s\n", err);
		return 2;
	}
	iomb_on_exit(free_maps, NULL);
	if (check_whole_map(placement))
		return 2;
	iomb_add_context("topology", placement_topology_summary(bm.topology));
	iomb_add_context("topology_source",
			 placement_topology_is_synthetic(bm.topology) ? "synthetic" : "machine");
	iomb_add_context("placement", placement_policy_name(bm.policy));
	if (!only_listing(argv, *argc))
		record_line_latency();
	if (!counters)
		return 0;
	if (perf_event_list_parse(&bm.events, counters, err, sizeof(err))) {
		fprintf(stderr, "iomem-bench: %s\n", err);
		return 2;
	}
	perf_event_list_probe(&bm.events);
	perf_event_list_describe(&bm.events, false, buf, sizeof(buf));
	if (*buf)	/* said once, here; the runs leave these events out */
		fprintf(stderr, "iomem-bench: counters: not counted here: %s\n", buf);
	iomb_add_context("counters_unavailable", buf);
	perf_event_list_describe(&bm.events, true, buf, sizeof(buf));
	iomb_add_context("counters", buf);
	bm.counting = true;
	return 0;
}

/* The CPU of thread index of count, or -1 (none). */
static int cpu_for(int index, int count)
{
	const size_t nmaps = sizeof(bm.maps) / sizeof(bm.maps[0]);
	int cpu = -1;

	if (bm.policy == PLACEMENT_NONE || count < 1 || index < 0 || index >= count)
		return -1;
	pthread_mutex_lock(&bm.lock);
	if ((size_t)count < nmaps) {
		if (!bm.maps[count] && (bm.maps[count] = calloc((size_t)count, sizeof(int))) &&
		    placement_map(bm.topology, bm.policy, (unsigned)count, bm.maps[count])) {
			free(bm.maps[count]);
			bm.maps[count] = NULL;
		}
		if (bm.maps[count])
			cpu = bm.maps[count][index];
	}
	pthread_mutex_unlock(&bm.lock);
	return cpu;
}

int bench_thread_create(pthread_t *tid, void *(*fn)(void *), void *arg, int index, int count)
{
	int cpu = cpu_for(index, count), rc;
	pthread_attr_t attr;
	cpu_set_t set;

	if (cpu < 0)
		return pthread_create(tid, NULL, fn, arg);
	pthread_attr_init(&attr);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	rc = pthread_create(tid, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

struct emit {
	iomb_state *st;
};

static void set_counter(void *arg, const char *name, double value)
{
	iomb_set_counter(((struct emit *)arg)->st, name, value, IOMB_COUNTER_PLAIN);
}

void bench_run_counters_start(struct bench_run_counters *rc)
{
	rc->on = bm.counting;
	if (!rc->on)
		return;
	perf_counters_open(&rc->pc, &bm.events, PERF_SCOPE_THREAD_AND_CHILDREN);
	perf_counters_read(&rc->pc, &rc->start);
}

void bench_run_counters_stop(struct bench_run_counters *rc, iomb_state *st, uint64_t ops)
{
	struct perf_reading end, d;
	struct emit e = { st };

	if (!rc->on)
		return;
	perf_counters_read(&rc->pc, &end);
	perf_counters_close(&rc->pc);
	perf_reading_sub(&d, &end, &rc->start);
	if (!iomb_error_occurred(st))
		perf_reading_per_op(&bm.events, &d, (double)ops, set_counter, &e);
	rc->on = false;
}

void bench_thread_enter(iomb_state *st, struct bench_thread_counters *tc)
{
	int cpu = cpu_for(iomb_thread_index(st), iomb_threads(st));

	tc->pinned = cpu >= 0 && !sched_getaffinity(0, sizeof(tc->affinity), &tc->affinity) &&
		     !placement_pin_self(cpu);
	tc->on = bm.counting;
	if (!tc->on)
		return;
	pthread_mutex_lock(&bm.lock);
	if (bm.inside++ == 0) {		/* the first of this run's threads */
		bm.ops = 0;
		perf_reading_zero(&bm.sum, bm.events.n);
	}
	pthread_mutex_unlock(&bm.lock);
	perf_counters_open(&tc->pc, &bm.events, PERF_SCOPE_THREAD);
	perf_counters_read(&tc->pc, &tc->start);
}

void bench_thread_leave(iomb_state *st, struct bench_thread_counters *tc, uint64_t ops)
{
	struct perf_reading end, d;
	struct emit e = { st };

	if (tc->pinned)		/* the main thread runs the next benchmarks too */
		sched_setaffinity(0, sizeof(tc->affinity), &tc->affinity);
	if (!tc->on)
		return;
	perf_counters_read(&tc->pc, &end);
	perf_counters_close(&tc->pc);
	perf_reading_sub(&d, &end, &tc->start);
	pthread_mutex_lock(&bm.lock);
	perf_reading_add(&bm.sum, &d);
	bm.ops += ops;
	/* Google Benchmark sums a counter over its threads: only the last one sets it. */
	if (--bm.inside == 0 && !iomb_error_occurred(st))
		perf_reading_per_op(&bm.events, &bm.sum, (double)bm.ops, set_counter, &e);
	pthread_mutex_unlock(&bm.lock);
}
