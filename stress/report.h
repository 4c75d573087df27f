/* SPDX-License-Identifier: MIT */
/* What a run measured, and the summary, JSON and .hgrm made from it. */
#ifndef STRESS_REPORT_H
#define STRESS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iomem/iomem.h"
#include "iomem/vmap.h"
#include "measure/perf_counters.h"
#include "report/hdr_histogram.h"
#include "stress/stress.h"

struct worker;

enum { MAX_TICKS = 3600 };

/* One backend's figures, summed over its repetitions. */
struct run_figures {
	const char *backend;
	uint64_t seed;
	unsigned runs;
	double seconds;			/* measured time, summed over runs */
	bool interrupted, failed;
	char failure[256];
	char replay[4096];		/* the failure's replay script */
	uint64_t ops[NR_OPS], fails[NR_OPS];
	struct hdr_histogram *hist[NR_OPS];
	unsigned nthreads[NR_ROLES];
	unsigned long long *thread_ops[NR_ROLES];	/* per thread, summed over runs */
	double ticks[MAX_TICKS];	/* ops/s, second by second */
	unsigned nticks;
	struct iomem_muxed_stats muxed;
	uint64_t tlbi_pages, tlbi_all, tlb_flushes, purges, unmaps;
	uint64_t drains, drain_throttled;
	struct vmap_lock_stat va_locks[VMAP_MAX_LOCK_CLASSES];	/* summed over runs */
	unsigned nva_locks;
	size_t resources;
	size_t starting_resources;	/* before the harness's windows */
	uint64_t build_ns_min, build_ns_max;	/* a scenario's starting tree, over the runs */
	uint64_t lin_windows, lin_ops, lin_unknown, lin_skipped;
	long long leaked_bytes;
	struct perf_reading counts[NR_ROLES];	/* --counters: per role, summed over runs */
	unsigned counted_runs[NR_ROLES];
};

int report_figures_init(struct run_figures *f, const struct stress_config *c,
			const char *backend);
void report_figures_free(struct run_figures *f);
void report_add_tick(struct run_figures *f, double ops_per_second);
void report_add_worker(struct run_figures *f, const struct worker *w);
/* The VA allocator's lock counters of a run, added to f's. */
void report_add_va_locks(struct run_figures *f, struct vmap_space *vs);

struct stress_measure;

struct report_context {
	const struct stress_config *c;
	const struct stress_measure *measure;	/* preflight, placement, counters */
	const char *tree_source;
	double timing_overhead_ns;	/* per timed op: a clock pair and a record */
	bool interrupted;
};

void report_summary(FILE *out, const struct report_context *ctx, struct run_figures *figs,
		    unsigned n);
/* Jain's index and locktorture's starvation flag over per-thread op counts. */
struct fairness {
	double jain;
	unsigned long long max, min;
	bool starved;		/* max/2 > min */
};
struct fairness fairness_of(const unsigned long long *x, unsigned n);

/* Google Benchmark's JSON schema (report_json.c), written atomically. 0 or -errno. */
int report_json(const char *path, const struct report_context *ctx, struct run_figures *figs,
		unsigned n);
/* What a scenario adds (report_scenario.c): its knobs and how long its starting tree took
 * to build, under the summary's header; its figures of merit compared across backends,
 * after the ratios; its own checks, as ", ..." for the checks line; the same in the
 * JSON's context. All nothing without a scenario. */
void report_scenario_header(FILE *out, const struct stress_config *c,
			    const struct run_figures *figs, unsigned n);
void report_scenario_headline(FILE *out, const struct stress_config *c,
			      const struct run_figures *figs, unsigned n);
const char *report_scenario_checks(const struct stress_config *c);
struct bench_json;
int report_scenario_json(struct bench_json *bj, const struct stress_config *c,
			 const struct run_figures *figs, unsigned n);

/* HdrHistogram percentile distributions, one per backend and op, written atomically. */
int report_hgrm(const char *path, struct run_figures *figs, unsigned n);

#endif
