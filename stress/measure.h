/* SPDX-License-Identifier: MIT */
/* How `iomem stress` is measured and placed (measure/): the preflight before the runs, the
 * topology and the placement map its threads are pinned by, and the event counters each
 * worker opens on itself, summed per role and reported per operation of that role. */
#ifndef STRESS_MEASURE_H
#define STRESS_MEASURE_H

#include <stdio.h>

#include "measure/perf_counters.h"
#include "measure/line_latency.h"
#include "measure/preflight.h"
#include "stress/stress.h"

struct bench_json;
struct run;
struct run_figures;
struct worker;

struct stress_measure {
	bool preflight_ran;
	struct preflight_report preflight;
	struct perf_event_list events;	/* when c->counters */
	char topology[96];		/* the summary of the topology placement used */
	const char *topology_source;	/* "machine" or "synthetic" */
	char placement_map[1024];	/* "0,1,..." of one period, or "none" */
	bool line_measured;		/* line: at least two CPUs could be pinned */
	struct line_latency line;
};

/* Runs the preflight, measures the cache-line latency between two CPUs (line_latency.h),
 * prepares the counters and the placement, writing c->events and the
 * --placement CPU map into c->cpus. Messages go to stderr. 0; 2 on bad input (an event or
 * a topology that cannot be used, a map onto CPUs this process may not run on); 3 when
 * --strict and the preflight found something. */
int stress_measure_prepare(struct stress_config *c, struct stress_measure *m);

/* In a worker, before its loop: opens its counters on itself. */
void stress_counters_thread_start(struct worker *w);
/* On the main thread when measuring starts: each worker's counts so far. */
void stress_counters_mark(struct run *r);
/* After the workers were joined: their counts since the mark, added per role to fig. */
void stress_counters_collect(struct run *r, struct run_figures *fig);

/* The context keys (counters, topology, placement, preflight, line latency). 0 or
 * -ENOMEM. */
int stress_measure_json_context(struct bench_json *bj, const struct stress_config *c,
				const struct stress_measure *m);
/* The per-op counters of role on JSON entry i: its counts over its ops. 0 or -ENOMEM. */
int stress_measure_json_counters(struct bench_json *bj, int i, const struct stress_config *c,
				 const struct run_figures *f, enum stress_role role);
/* The summary's lines: per role, the counts per op. */
void stress_measure_summary(FILE *out, const struct stress_config *c,
			    const struct run_figures *f);

#endif
