/* SPDX-License-Identifier: MIT */
/* A small C API over Google Benchmark (1.7.x), so benchmark families are written in C.
 *
 * A family registers functions by name with iomb_register() (before iomb_main()); each
 * function runs the usual Google Benchmark loop:
 *
 *	static void bm(iomb_state *st, void *arg)
 *	{
 *		setup();                        // untimed: the timer starts at the first call
 *		while (iomb_keep_running_batch(st, 16))
 *			for (int i = 0; i < 16; i++)
 *				op();
 *		iomb_set_counter(st, "n", 1000, IOMB_COUNTER_PLAIN);
 *	}
 *
 * iomb_main() parses the standard --benchmark_* flags (filter, format, out, repetitions,
 * min_time, ...), runs the selected benchmarks, then runs the iomb_on_exit() hooks.
 * No C++ exception crosses this interface: the shim aborts with a message instead.
 */
#ifndef IOMEM_BENCH_GBENCH_H
#define IOMEM_BENCH_GBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iomb_state iomb_state;	/* a benchmark::State, per thread and per run */
typedef struct iomb_bench iomb_bench;	/* a registered benchmark, for its options */
typedef void (*iomb_fn)(iomb_state *st, void *arg);

enum iomb_unit { IOMB_NS, IOMB_US, IOMB_MS, IOMB_S };

enum iomb_counter_kind {
	IOMB_COUNTER_PLAIN,		/* the value as is (summed over threads) */
	IOMB_COUNTER_RATE,		/* value / elapsed seconds */
	IOMB_COUNTER_AVG_ITERATIONS,	/* value / iterations */
	IOMB_COUNTER_AVG_THREADS,	/* value / threads */
};

/* --- Registration (before iomb_main). The name is copied. Never NULL. */
iomb_bench *iomb_register(const char *name, iomb_fn fn, void *arg);
/* Options; each returns b so calls can be chained. */
iomb_bench *iomb_bench_unit(iomb_bench *b, enum iomb_unit unit);
iomb_bench *iomb_bench_min_time(iomb_bench *b, double seconds);
iomb_bench *iomb_bench_iterations(iomb_bench *b, uint64_t iterations);
iomb_bench *iomb_bench_repetitions(iomb_bench *b, int n);
iomb_bench *iomb_bench_real_time(iomb_bench *b);	/* UseRealTime() */
iomb_bench *iomb_bench_manual_time(iomb_bench *b);	/* UseManualTime(): see below */
iomb_bench *iomb_bench_threads(iomb_bench *b, int threads);	/* adds one thread count */

/* Extra key/value in the report's context (strings are copied). */
void iomb_add_context(const char *key, const char *value);
/* Run fn(arg) after all benchmarks ran, in reverse order of registration. */
void iomb_on_exit(void (*fn)(void *arg), void *arg);

/* --- Inside a benchmark function. */
bool iomb_keep_running(iomb_state *st);
/* Counts n iterations per true; the caller runs n operations each time. */
bool iomb_keep_running_batch(iomb_state *st, uint64_t n);
void iomb_pause_timing(iomb_state *st);
/* With iomb_bench_manual_time: the time of the iteration just run (SetIterationTime). */
void iomb_set_iteration_time(iomb_state *st, double seconds);
void iomb_resume_timing(iomb_state *st);
/* Marks the run failed with msg (copied); its timings are not reported. Leave the loop
 * right after it (break or return, as with Google Benchmark's SkipWithError). */
void iomb_skip_with_error(iomb_state *st, const char *msg);
bool iomb_error_occurred(const iomb_state *st);
void iomb_set_counter(iomb_state *st, const char *name, double value,
		      enum iomb_counter_kind kind);
void iomb_set_items_processed(iomb_state *st, int64_t items);
void iomb_set_bytes_processed(iomb_state *st, int64_t bytes);
void iomb_set_label(iomb_state *st, const char *label);
uint64_t iomb_iterations(const iomb_state *st);
int iomb_thread_index(const iomb_state *st);
int iomb_threads(const iomb_state *st);

/* Keeps the compiler from optimising a value or the memory it points to away. */
static inline void iomb_do_not_optimize(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static inline void iomb_clobber_memory(void)
{
	__asm__ volatile("" : : : "memory");
}

/* benchmark::Initialize, ReportUnrecognizedArguments, RunSpecifiedBenchmarks, Shutdown,
 * then the exit hooks. 0, or 1 on an unrecognized argument. */
int iomb_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
