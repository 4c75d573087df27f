/* SPDX-License-Identifier: MIT */
/* `iomem stress` and measure/: preflight, placement and per-role counters. Each worker
 * counts itself (PERF_SCOPE_THREAD), so the main thread's supervision (sleeps, checks,
 * linearizability windows) is never in a role's figures, and each role's counts are its
 * own: a muxer that sleeps on a MUXED region is not averaged with a reader that never
 * sleeps. */
#include "measure.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "measure/placement.h"
#include "report.h"
#include "report/bench_json.h"

static int prepare_placement(struct stress_config *c, struct stress_measure *m)
{
	enum placement_policy policy = PLACEMENT_NONE;
	struct placement_topology *t;
	unsigned total = 0, n;
	char err[256];
	int bad, rc = 0;

	for (int role = 0; role < NR_ROLES; role++)
		total += c->threads[role];
	t = placement_topology_load(c->topology, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "iomem stress: --topology: %s\n", err);
		return 2;
	}
	snprintf(m->topology, sizeof(m->topology), "%s", placement_topology_summary(t));
	m->topology_source = placement_topology_is_synthetic(t) ? "synthetic" : "machine";
	snprintf(m->placement_map, sizeof(m->placement_map), "none");
	if (c->placement)
		placement_policy_parse(c->placement, &policy);
	/* Maps repeat every hardware thread count: one period is the whole map. */
	n = total < placement_topology_pus(t) ? total : placement_topology_pus(t);
	if (policy != PLACEMENT_NONE && n > STRESS_MAX_CPUS) {
		fprintf(stderr, "iomem stress: --placement: more than %d CPUs\n", STRESS_MAX_CPUS);
		rc = 2;
	} else if (policy != PLACEMENT_NONE) {
		if (placement_map(t, policy, n, c->cpus)) {
			fprintf(stderr, "iomem stress: out of memory\n");
			rc = 2;
		} else if (placement_map_check(c->cpus, n, &bad)) {
			fprintf(stderr, "iomem stress: --placement %s puts a thread on CPU %d, "
				"which this process may not use (a --topology larger than the "
				"machine?)\n", c->placement, bad);
			rc = 2;
		} else {
			c->ncpus = n;
			placement_map_format(c->cpus, n, m->placement_map,
					     sizeof(m->placement_map));
		}
	}
	placement_topology_free(t);
	return rc;
}

int stress_measure_prepare(struct stress_config *c, struct stress_measure *m)
{
	char err[256], desc[1024];
	int rc;

	memset(m, 0, sizeof(*m));
	if (c->preflight) {
		preflight_run(NULL, &m->preflight);
		m->preflight_ran = true;
		preflight_print(&m->preflight, "iomem stress", stderr);
		if (c->strict && m->preflight.nfindings) {
			fprintf(stderr, "iomem stress: refusing to measure (--strict)\n");
			return 3;
		}
	}
	rc = prepare_placement(c, m);
	if (rc)
		return rc;
	m->line_measured = line_latency_measure(LINE_LATENCY_MS, &m->line) == 0;
	c->events = NULL;
	if (!c->counters)
		return 0;
	if (perf_event_list_parse(&m->events, c->counters, err, sizeof(err))) {
		fprintf(stderr, "iomem stress: %s\n", err);
		return 2;
	}
	/* Said once here; each run leaves these events out of its figures. */
	if (perf_event_list_probe(&m->events)) {
		perf_event_list_describe(&m->events, false, desc, sizeof(desc));
		fprintf(stderr, "iomem stress: counters: not counted here: %s\n", desc);
	}
	c->events = &m->events;
	return 0;
}

void stress_counters_thread_start(struct worker *w)
{
	const struct perf_event_list *events = w->run->c->events;

	if (!events)
		return;
	perf_counters_open(&w->counters, events, PERF_SCOPE_THREAD);
	/* Publishes the descriptors to the main thread's stress_counters_mark(). */
	atomic_store_explicit(&w->counting, true, memory_order_release);
}

void stress_counters_mark(struct run *r)
{
	const struct perf_event_list *events = r->c->events;

	if (!events)
		return;
	for (unsigned i = 0; i < r->nworkers; i++) {
		struct worker *w = &r->workers[i];

		/* Pairs with the release in stress_counters_thread_start(): the descriptors
		 * are there. A worker that has not opened them yet has counted nothing. */
		if (atomic_load_explicit(&w->counting, memory_order_acquire))
			perf_counters_read(&w->counters, &w->counts_at_mark);
		else
			perf_reading_zero(&w->counts_at_mark, events->n);
	}
}

void stress_counters_collect(struct run *r, struct run_figures *fig)
{
	const struct perf_event_list *events = r->c->events;

	if (!events)
		return;
	for (int role = 0; role < NR_ROLES; role++)
		if (!fig->counted_runs[role])
			perf_reading_zero(&fig->counts[role], events->n);
	for (unsigned i = 0; i < r->nworkers; i++) {
		struct worker *w = &r->workers[i];
		struct perf_reading now, d;

		/* Joined: the acquire pairs with the worker's release as before. */
		if (!atomic_load_explicit(&w->counting, memory_order_acquire)) {
			perf_reading_zero(&d, events->n);
			for (unsigned e = 0; e < events->n; e++)
				d.counted[e] = !w->started;	/* a worker that ran uncounted */
		} else {
			perf_counters_read(&w->counters, &now);
			perf_reading_sub(&d, &now, &w->counts_at_mark);
			perf_counters_close(&w->counters);
		}
		perf_reading_add(&fig->counts[w->role], &d);
	}
	for (int role = 0; role < NR_ROLES; role++)
		fig->counted_runs[role]++;
}

int stress_measure_json_context(struct bench_json *bj, const struct stress_config *c,
				const struct stress_measure *m)
{
	char buf[1024];
	int rc = 0;

	rc |= bench_json_set_str(bj, "topology", m->topology);
	rc |= bench_json_set_str(bj, "topology_source", m->topology_source);
	rc |= bench_json_set_str(bj, "placement", c->placement ? c->placement :
				 c->ncpus ? "cpus" : "none");
	rc |= bench_json_set_str(bj, "placement_map", m->placement_map);
	if (c->events) {
		perf_event_list_describe(c->events, true, buf, sizeof(buf));
		rc |= bench_json_set_str(bj, "counters", buf);
		perf_event_list_describe(c->events, false, buf, sizeof(buf));
		rc |= bench_json_set_str(bj, "counters_unavailable", buf);
	}
	if (m->line_measured) {
		char cpus[32];

		line_latency_format(&m->line, buf, sizeof(buf), cpus, sizeof(cpus));
		rc |= bench_json_set_str(bj, "line_latency_ns", buf);
		rc |= bench_json_set_str(bj, "line_latency_cpus", cpus);
	}
	if (m->preflight_ran) {
		preflight_summary(&m->preflight, buf, sizeof(buf));
		rc |= bench_json_set_str(bj, "preflight", buf);
		preflight_details(&m->preflight, buf, sizeof(buf));
		rc |= bench_json_set_str(bj, "preflight_findings", buf);
	}
	return rc ? -ENOMEM : 0;
}

static uint64_t role_ops(const struct run_figures *f, enum stress_role role)
{
	uint64_t n = 0;

	for (int op = 0; op < NR_OPS; op++)
		if (stress_op_role(op) == role)
			n += f->ops[op];
	return n;
}

struct json_emit {
	struct bench_json *bj;
	int i, rc;
};

static void emit_json(void *arg, const char *name, double value)
{
	struct json_emit *e = arg;

	e->rc |= bench_json_add_counter(e->bj, e->i, name, value);
}

int stress_measure_json_counters(struct bench_json *bj, int i, const struct stress_config *c,
				 const struct run_figures *f, enum stress_role role)
{
	struct json_emit e = { bj, i, 0 };

	if (c->events && f->counted_runs[role])
		perf_reading_per_op(c->events, &f->counts[role], (double)role_ops(f, role),
				    emit_json, &e);
	return e.rc ? -ENOMEM : 0;
}

static void emit_text(void *arg, const char *name, double value)
{
	fprintf(arg, "  %s %.4g", name, value);
}

void stress_measure_summary(FILE *out, const struct stress_config *c,
			    const struct run_figures *f)
{
	bool any = false;

	if (!c->events)
		return;
	for (unsigned e = 0; e < c->events->n; e++)
		any |= c->events->ev[e].available;
	if (!any) {
		fputs("counters: none could be counted here (see above)\n", out);
		return;
	}
	fputs("counters per op, by role:\n", out);
	for (int role = 0; role < NR_ROLES; role++) {
		if (!f->nthreads[role] || !f->counted_runs[role])
			continue;
		fprintf(out, "  %-8s", stress_role_name(role));
		perf_reading_per_op(c->events, &f->counts[role], (double)role_ops(f, role),
				    emit_text, out);
		fputc('\n', out);
	}
}
