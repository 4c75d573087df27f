/* SPDX-License-Identifier: MIT */
/* Scenarios of `iomem stress`: named, seeded workloads that replay a situation where the
 * kernel's resource tree is known to hurt (docs/scenarios.md). Each brings its starting
 * tree, its thread roles and op mix, its own checks on top of the harness's, its size
 * knobs, and the figures that matter for it. The table is stress/scenarios/registry.c. */
#ifndef STRESS_SCENARIO_H
#define STRESS_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include "stress/stress.h"

struct stress_scenario;

/* A scenario's own option, `--NAME VALUE`: a whole number in [min, max], or, when choices
 * is set (NULL-terminated), one of those words, stored as its index. */
struct stress_knob {
	const char *name;
	const char *help;
	uint64_t def, min, max;
	const char *const *choices;
};

unsigned stress_scenario_count(void);
const struct stress_scenario *stress_scenario_at(unsigned i);
/* NULL when there is no scenario of that name. */
const struct stress_scenario *stress_scenario_find(const char *name);
const char *stress_scenario_name(const struct stress_scenario *s);
const char *stress_scenario_description(const struct stress_scenario *s);
/* The scenario's knobs: their count, the table in *out. */
unsigned stress_scenario_knobs(const struct stress_scenario *s, const struct stress_knob **out);
/* "hotplug  memory blocks added and removed ...", one line per scenario. */
void stress_scenario_print_list(FILE *out);

/* Makes c run the scenario with its defaults: its roles and their thread counts, its op
 * mix, its knobs' defaults and its spacing of linearizability windows. Options given
 * afterwards override them. */
void stress_scenario_apply(struct stress_config *c, const struct stress_scenario *s);
/* Whether the workload c runs (its scenario's, else the built-in one) has the role. */
bool stress_workload_has_role(const struct stress_config *c, enum stress_role role);
/* Its roles in order: their count, at most NR_ROLES. */
unsigned stress_workload_roles(const struct stress_config *c, enum stress_role *roles);
/* The ops whose latency is the scenario's figure of merit, compared across backends in
 * the summary: their count, the list in *out. */
unsigned stress_scenario_headline(const struct stress_scenario *s, const enum stress_op **out);

/* What one backend's run measured (stress_measure), for programs that run scenarios as
 * benchmarks. Latencies are of the sampled ops. */
struct stress_op_result {
	uint64_t ops;
	double per_second, mean_ns, p50_ns, p99_ns;
};

struct stress_result {
	double seconds;			/* measured: from the warm-up's end to the stop */
	double build_seconds;		/* building the starting tree on the backend */
	uint64_t starting_resources;	/* in the starting tree, before the harness's windows */
	struct stress_op_result op[NR_OPS];
};

/* One run of c on one backend without a summary; every check c asks for is made. The
 * exit status stress_run would give (0, 1 with the failure on stderr, 2). */
int stress_measure(const struct stress_config *c, const char *backend, struct stress_result *out);

#endif
