/* SPDX-License-Identifier: MIT */
/* What a scenario adds to the summary and the JSON (report.h): its knobs, the time its
 * starting tree took to build on each backend, and its figures of merit side by side. */
#include <stdio.h>
#include <string.h>

#include "human_units.h"
#include "report.h"
#include "report/bench_json.h"
#include "scenarios/scenario.h"

/* "blocks 32768, arch x86" */
static void knob_values(const struct stress_config *c, char *buf, size_t len)
{
	const struct stress_scenario *s = c->scenario;
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < s->nknobs && at < len; i++) {
		const struct stress_knob *k = &s->knobs[i];

		if (k->choices)
			at += (size_t)snprintf(buf + at, len - at, "%s%s %s", i ? ", " : "",
					       k->name, k->choices[c->knob[i]]);
		else
			at += (size_t)snprintf(buf + at, len - at, "%s%s %llu", i ? ", " : "",
					       k->name, (unsigned long long)c->knob[i]);
	}
}

void report_scenario_header(FILE *out, const struct stress_config *c,
			    const struct run_figures *figs, unsigned n)
{
	char knobs[256], b[24];

	if (!c->scenario)
		return;
	knob_values(c, knobs, sizeof(knobs));
	fprintf(out, "  scenario %s (%s): %s\n  starting tree built in", c->scenario->name, knobs,
		c->scenario->description);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s %s %s", i ? "," : "", figs[i].backend,
			human_ns((double)figs[i].build_ns_max, b, sizeof(b)));
	fprintf(out, " (the slowest of each backend's runs)\n");
}

void report_scenario_headline(FILE *out, const struct stress_config *c,
			      const struct run_figures *figs, unsigned n)
{
	const struct stress_scenario *s = c->scenario;
	char b[24];

	if (!s || !s->nheadline)
		return;
	fprintf(out, "\n%s: p99 latency of the figures of merit (runs interleaved):\n  %-14s",
		s->name, "op");
	for (unsigned i = 0; i < n; i++)
		fprintf(out, " %9s", figs[i].backend);
	fprintf(out, "%s\n", n > 1 ? "   best, against the first" : "");
	for (unsigned k = 0; k < s->nheadline; k++) {
		enum stress_op op = s->headline[k];
		double base = 0, best = 0;
		unsigned at = 0;

		fprintf(out, "  %-14s", stress_op_name(op));
		for (unsigned i = 0; i < n; i++) {
			double p99 = hdr_total_count(figs[i].hist[op])
					     ? (double)hdr_value_at_percentile(figs[i].hist[op], 99)
					     : 0;

			fprintf(out, " %9s", p99 ? human_ns(p99, b, sizeof(b)) : "-");
			if (i == 0)
				base = p99;
			if (p99 && (!best || p99 < best)) {
				best = p99;
				at = i;
			}
		}
		if (n > 1 && best && base)
			fprintf(out, "   %s, %.1fx below %s", figs[at].backend, base / best,
				figs[0].backend);
		fputc('\n', out);
	}
}

const char *report_scenario_checks(const struct stress_config *c)
{
	static char buf[512];

	if (!c->scenario)
		return "";
	snprintf(buf, sizeof(buf), "; %s: %s", c->scenario->name, c->scenario->checks);
	return buf;
}

int report_scenario_json(struct bench_json *bj, const struct stress_config *c,
			 const struct run_figures *figs, unsigned n)
{
	const struct stress_scenario *s = c->scenario;
	int rc = 0;

	rc |= bench_json_set_str(bj, "scenario", s ? s->name : "");
	rc |= bench_json_set_int(bj, "starting_resources", n ? (int64_t)figs[0].starting_resources
							     : 0);
	if (s) {
		char ops[256] = "";

		for (unsigned i = 0; i < s->nheadline; i++)
			snprintf(ops + strlen(ops), sizeof(ops) - strlen(ops), "%s%s", i ? "," : "",
				 stress_op_name(s->headline[i]));
		rc |= bench_json_set_str(bj, "scenario_headline", ops);
	}
	for (unsigned i = 0; s && i < s->nknobs; i++) {
		char key[64];

		snprintf(key, sizeof(key), "scenario_%s", s->knobs[i].name);
		if (s->knobs[i].choices)
			rc |= bench_json_set_str(bj, key, s->knobs[i].choices[c->knob[i]]);
		else
			rc |= bench_json_set_int(bj, key, (int64_t)c->knob[i]);
	}
	for (unsigned i = 0; s && i < n; i++) {
		char key[96];

		snprintf(key, sizeof(key), "starting_tree_build_s/%s", figs[i].backend);
		rc |= bench_json_set_num(bj, key, (double)figs[i].build_ns_max / 1e9);
	}
	return rc;
}
