/* SPDX-License-Identifier: MIT */
/* The threaded benchmarks measured (measure/, docs/measurement.md): iomem-bench's options
 *
 *   --counters LIST      counts per operation: the software events, and LIST's libpfm4 ones
 *   --placement P        pins the benchmark's threads: compact, scatter or none
 *   --topology DESC      an hwloc synthetic topology for the placement
 *
 * (also as --opt=value), and the calls the lock/, tree_rw/, tree_lock/, pgtable/churn/ and
 * machine/ families make. Results go through Google Benchmark's own mechanisms: user
 * counters ("ctx_switches_per_op", ...) and the custom context ("counters", "topology",
 * "line_latency_ns", ...).
 * Google Benchmark's --benchmark_perf_counters is not used: Debian's libbenchmark is built
 * without libpfm4, and it counts only the thread that runs the benchmark loop, not the
 * threads our families start themselves. */
#ifndef IOMEM_BENCH_MEASURE_H
#define IOMEM_BENCH_MEASURE_H

#include <pthread.h>
#include <stdint.h>

#include "gbench.h"
#include "measure/perf_counters.h"

/* Takes our options out of argv (before iomb_main) and records the context. 0, or 2 after
 * a message on a bad option. */
int bench_measure_init(int *argc, char **argv);

/* Benchmarks that start their own threads: counters on the calling thread and every
 * thread it starts from now on, and pthread_create with the thread pinned by the
 * placement (thread index of count). */
struct bench_run_counters {
	struct perf_counters pc;
	struct perf_reading start;
	bool on;
};
void bench_run_counters_start(struct bench_run_counters *rc);
/* Sets "<key>_per_op" counters of st for the events counted, over ops; closes. */
void bench_run_counters_stop(struct bench_run_counters *rc, iomb_state *st, uint64_t ops);
int bench_thread_create(pthread_t *tid, void *(*fn)(void *), void *arg, int index, int count);

/* Benchmarks run on Google Benchmark's own threads (iomb_bench_threads): each thread
 * enters (pinned, counting itself) and leaves (its counts pooled; the last one out sets
 * the counters over every thread's ops, and the first thread's affinity is given back). */
struct bench_thread_counters {
	struct perf_counters pc;
	struct perf_reading start;
	cpu_set_t affinity;
	bool on, pinned;
};
void bench_thread_enter(iomb_state *st, struct bench_thread_counters *tc);
void bench_thread_leave(iomb_state *st, struct bench_thread_counters *tc, uint64_t ops);

#endif
