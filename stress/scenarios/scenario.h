/* SPDX-License-Identifier: MIT */
/* The inside of a scenario: one table entry per scenario (registry.c), each defined in its
 * own file of this folder. The harness calls a scenario only through the scenario_*
 * functions below; a scenario reaches the harness through harness.h and role_helpers.h. */
#ifndef STRESS_SCENARIOS_SCENARIO_H
#define STRESS_SCENARIOS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness.h"
#include "stress/scenario.h"

/* A role of the scenario: its default thread count and its loop. */
struct scenario_role {
	enum stress_role role;
	unsigned threads;
	void (*loop)(struct worker *w);
	bool records;		/* takes part in linearizability windows, recording its ops */
};

struct scenario_weight {
	enum stress_op op;
	unsigned weight;
};

struct stress_scenario {
	const char *name;
	const char *description;	/* one line */
	const struct stress_knob *knobs;
	unsigned nknobs;
	const struct scenario_role *roles;
	unsigned nroles;
	const struct scenario_weight *mix;	/* the op mix: --mix changes it */
	unsigned nmix;
	const enum stress_op *headline;	/* figures of merit */
	unsigned nheadline;
	double lin_every;		/* default seconds between linearizability windows */
	/* Builds the starting tree into the empty r->t, single-threaded, from the knobs and
	 * c->seed only (every backend and repetition gets the same tree), and the scenario's
	 * state into r->scenario. 0, or -errno with a message. */
	int (*build)(struct run *r, char *err, size_t errlen);
	/* Frees r->scenario (which may be half built). */
	void (*destroy)(struct run *r);
	/* The scenario's own end-of-run check, after the workers joined: false and why. */
	bool (*check_end)(struct run *r, char *why, size_t len);
	const char *checks;		/* its live checks, for the summary's last line */
};

/* .field = table and .nfield = its length, in a struct stress_scenario's initializer. */
#define SCENARIO_TABLE(field, table) \
	.field = (table), .n##field = sizeof(table) / sizeof((table)[0])

extern const struct stress_scenario scenario_hotplug;
extern const struct stress_scenario scenario_cxl;
extern const struct stress_scenario scenario_probe;
extern const struct stress_scenario scenario_ioremap_x86;
extern const struct stress_scenario scenario_procfs;

/* --- Called by the harness (scenario_run.c). */

/* The starting tree as /proc/iomem text, built on an rwlock tree: the reference every
 * backend's build must print exactly. 0 or -errno with a message. */
int scenario_start_text(const struct stress_config *c, char **text, char *err, size_t errlen);
/* Builds the starting tree and state of the run's backend, timed into r->build_ns, and
 * checks that it prints as r->start_dump. 0 or -errno with a message. */
int scenario_build(struct run *r, char *err, size_t errlen);
void scenario_destroy(struct run *r);
/* Runs the worker's loop for its role. */
void scenario_role_loop(struct worker *w);
/* Whether the worker's role records ops in linearizability windows. */
bool scenario_role_records(const struct worker *w);
/* true when the run has no scenario or its end check holds. */
bool scenario_check_end(struct run *r, char *why, size_t len);
/* Op-script lines that rebuild the starting tree on an empty tree, flags and all: what a
 * replay script of the scenario starts with instead of loading a dump. */
void scenario_write_start(struct run *r, FILE *out);

#endif
