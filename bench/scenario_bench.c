/* SPDX-License-Identifier: MIT */
/* Family "scenario": a fixed amount of each `iomem stress` scenario's work on each backend
 * (docs/scenarios.md), so that suites and scripts/ci-perf follow them.
 *
 *   scenario/<name>/<backend>/run:<short|long>/iterations:1/manual_time
 *
 * One iteration is one run of the scenario with its default knobs, roles and op mix and
 * every live check on except the linearizability windows (whose pauses would be timed):
 * each thread does a fixed number of iterations of its role: the scenario's short count
 * (a few tenths of a second on 2 CPUs; the quick suite's) or ten times that (long). The
 * time is the work's own, from the threads' start until the last of them finished;
 * building the starting tree and the end-of-run checks are outside it (the build has
 * its counter).
 *
 * Counters: ops_per_thread, build_ms (the starting tree on this backend),
 * starting_resources, ops (all threads'), and for each of the scenario's figures of
 * merit <op>_p50_ns, <op>_p99_ns and <op>_per_s (sampled latency; ops per second of the
 * run). A run whose checks fail is reported as an error with the failure on stderr.
 */
#include "families.h"
#include "gbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/iomem.h"
#include "stress/scenario.h"

struct scenario_case {
	const struct stress_scenario *s;
	const char *backend;
	bool long_run;
};

/* Ops per thread of the short run: each takes a few tenths of a second on 2 CPUs. */
static uint64_t short_ops(const char *name)
{
	static const struct { const char *name; uint64_t ops; } table[] = {
		{ "hotplug", 20 },	/* a /proc/iomem read of 2^15 blocks takes ms */
		{ "cxl", 20000 },
		{ "probe", 4000 },
		{ "ioremap-x86", 1000 },
		{ "procfs", 50 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].ops;
	return 1000;
}

static void bm_scenario(iomb_state *st, void *arg)
{
	const struct scenario_case *sc = arg;
	const enum stress_op *headline;
	unsigned nheadline = stress_scenario_headline(sc->s, &headline);
	struct stress_config c;
	struct stress_result res;
	uint64_t total = 0;
	char key[64];

	stress_config_defaults(&c);
	stress_scenario_apply(&c, sc->s);
	c.backends[0] = sc->backend;
	c.backends[1] = NULL;
	c.ops = short_ops(stress_scenario_name(sc->s)) * (sc->long_run ? 10 : 1);
	c.warmup = 0;
	c.lin_every = 0;
	while (iomb_keep_running(st)) {
		if (stress_measure(&c, sc->backend, &res) != 0) {
			iomb_skip_with_error(st, "the run failed (its failure is on stderr)");
			return;
		}
		iomb_set_iteration_time(st, res.seconds);
	}
	for (int op = 0; op < NR_OPS; op++)
		total += res.op[op].ops;
	iomb_set_counter(st, "ops_per_thread", (double)c.ops, IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "build_ms", res.build_seconds * 1e3, IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "starting_resources", (double)res.starting_resources,
			 IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "ops", (double)total, IOMB_COUNTER_PLAIN);
	for (unsigned i = 0; i < nheadline; i++) {
		const struct stress_op_result *o = &res.op[headline[i]];
		const char *name = stress_op_name(headline[i]);

		snprintf(key, sizeof(key), "%s_p50_ns", name);
		iomb_set_counter(st, key, o->p50_ns, IOMB_COUNTER_PLAIN);
		snprintf(key, sizeof(key), "%s_p99_ns", name);
		iomb_set_counter(st, key, o->p99_ns, IOMB_COUNTER_PLAIN);
		snprintf(key, sizeof(key), "%s_per_s", name);
		iomb_set_counter(st, key, o->per_second, IOMB_COUNTER_PLAIN);
	}
}

void scenario_bench_register(void)
{
	const char *const *backends = iomem_backend_names();
	unsigned nb = 0, ns = stress_scenario_count(), k = 0;
	struct scenario_case *cases;

	while (backends[nb])
		nb++;
	cases = calloc((size_t)ns * nb * 2, sizeof(*cases));
	if (!cases)
		return;
	iomb_on_exit(free, cases);
	for (unsigned i = 0; i < ns; i++)
		for (unsigned b = 0; b < nb; b++)
			for (int long_run = 0; long_run <= 1; long_run++) {
				struct scenario_case *sc = &cases[k++];
				char name[128];

				sc->s = stress_scenario_at(i);
				sc->backend = backends[b];
				sc->long_run = long_run;
				snprintf(name, sizeof(name), "scenario/%s/%s/run:%s",
					 stress_scenario_name(sc->s), sc->backend,
					 long_run ? "long" : "short");
				iomb_bench_iterations(iomb_bench_manual_time(iomb_bench_unit(
					iomb_register(name, bm_scenario, sc), IOMB_MS)), 1);
			}
}
