/* SPDX-License-Identifier: MIT */
/* Results in Google Benchmark's JSON schema (as libbenchmark 1.7's JSON reporter writes
 * it), so its tools (compare.py) and anything reading `--benchmark_format=json` read ours:
 *
 *   { "context": { "date": ..., "host_name": ..., ..., our own keys },
 *     "benchmarks": [ { "name", "family_index", "per_family_instance_index", "run_name",
 *                       "run_type": "iteration", "repetitions", "repetition_index",
 *                       "threads", "iterations", "real_time", "cpu_time", "time_unit",
 *                       counters... }, ... ] }
 *
 * Decisions:
 * - Strict JSON: no NaN or Infinity (Google Benchmark prints them; strict parsers refuse).
 *   A non-finite counter is left out of its entry; a non-finite context number is null; a
 *   non-finite real_time/cpu_time (compare.py does arithmetic on both) is written as 0 and
 *   the entry marked "error_occurred": true, as Google Benchmark marks failed runs.
 * - Numbers are printed to round-trip: the shortest %.Ng that reads back (N <= 17).
 * - Strings are escaped; bytes that are not UTF-8 become U+FFFD.
 * - family_index is the order of first appearance of each run_name,
 *   per_family_instance_index is 0 (we have no argument families).
 * - Context keys keep their insertion order; setting a key again replaces its value.
 *   Counter names that would collide with an entry's own keys are refused (EINVAL).
 */
#ifndef REPORT_BENCH_JSON_H
#define REPORT_BENCH_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct bench_json;

struct bench_json_run {
	const char *name;		/* required */
	const char *run_name;		/* NULL: name */
	int64_t repetitions;		/* < 1: 1 */
	int64_t repetition_index;
	int64_t threads;		/* < 1: 1 */
	int64_t iterations;
	double real_time, cpu_time;	/* per iteration, in time_unit */
	const char *time_unit;		/* "ns" (NULL), "us", "ms" or "s" */
	const char *error_message;	/* non-NULL: "error_occurred": true and this message */
};

/* NULL when out of memory. */
struct bench_json *bench_json_new(void);
void bench_json_free(struct bench_json *bj);

/* Context keys. 0, -EINVAL (NULL key or value), -ENOMEM. Strings are copied. */
int bench_json_set_str(struct bench_json *bj, const char *key, const char *value);
int bench_json_set_num(struct bench_json *bj, const char *key, double value);
int bench_json_set_int(struct bench_json *bj, const char *key, int64_t value);
int bench_json_set_bool(struct bench_json *bj, const char *key, bool value);
/* "command_line": argv joined with spaces, each word shell-quoted where it needs it. */
int bench_json_set_cmdline(struct bench_json *bj, int argc, char *const argv[]);

/* The host and build keys, read now: Google Benchmark's date, host_name, executable
 * (argv0), num_cpus, mhz_per_cpu, cpu_scaling_enabled, caches, load_avg and
 * library_build_type, then cpu_model, kernel, compiler, compiler_flags, build_type,
 * allocator, liburcu_version, membarrier, git_revision. What cannot be read is "unknown"
 * (or 0 / false). 0 or -ENOMEM. */
int bench_json_set_host(struct bench_json *bj, const char *argv0);

/* Appends a benchmarks[] entry: its index (>= 0), or -EINVAL (no name, bad time_unit),
 * -ENOMEM. Strings are copied. */
int bench_json_add_run(struct bench_json *bj, const struct bench_json_run *run);
/* A counter of entry `run` (setting it again replaces it). 0, -EINVAL, -ENOMEM. */
int bench_json_add_counter(struct bench_json *bj, int run, const char *name, double value);

/* The document, to a stream (0 or -errno of a write error) or, atomically, to a file
 * (see atomic_file.h: on error the old file is untouched). */
int bench_json_print(const struct bench_json *bj, FILE *out);
int bench_json_write(const struct bench_json *bj, const char *path);

#endif
