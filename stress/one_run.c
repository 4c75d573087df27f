/* SPDX-License-Identifier: MIT */
/* stress_measure (stress/scenario.h): one run of one backend, its figures handed back
 * instead of printed, for the scenario benchmarks. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "report.h"
#include "stress/scenario.h"

int stress_measure(const struct stress_config *c, const char *backend, struct stress_result *out)
{
	struct run_figures fig;
	const char *source;
	char *text = NULL, err[512];
	int rc;

	memset(out, 0, sizeof(*out));
	if (start_tree_text(c, &text, &source, err, sizeof(err)) != 0) {
		fprintf(stderr, "iomem stress: %s\n", err);
		return 2;
	}
	if (report_figures_init(&fig, c, backend) != 0) {
		report_figures_free(&fig);
		free(text);
		return 2;
	}
	rc = run_once(c, backend, text, c->seed, &fig);
	if (rc == 1)
		fprintf(stderr, "iomem stress: %s: %s (seed %llu; replay: %s)\n", backend,
			fig.failure, (unsigned long long)fig.seed, fig.replay);
	out->seconds = fig.seconds;
	out->build_seconds = (double)fig.build_ns_max / 1e9;
	out->starting_resources = fig.starting_resources;
	for (int op = 0; op < NR_OPS; op++) {
		const struct hdr_histogram *h = fig.hist[op];
		bool timed = hdr_total_count(h) != 0;

		out->op[op] = (struct stress_op_result){
			.ops = fig.ops[op],
			.per_second = fig.seconds > 0 ? (double)fig.ops[op] / fig.seconds : 0,
			.mean_ns = timed ? hdr_mean(h) : 0,
			.p50_ns = timed ? (double)hdr_value_at_percentile(h, 50) : 0,
			.p99_ns = timed ? (double)hdr_value_at_percentile(h, 99) : 0,
		};
	}
	report_figures_free(&fig);
	free(text);
	return rc;
}
