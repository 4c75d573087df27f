/* SPDX-License-Identifier: MIT */
/* `iomem stress` as a whole: the runs of every backend in interleaved order, and the
 * reports made of them. */
#include "stress/stress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "measure.h"
#include "report.h"

/* The cost of timing one op: a clock pair and a histogram record. */
static double timing_overhead_ns(void)
{
	struct hdr_histogram *h = hdr_new();
	enum { N = 200000 };
	uint64_t t0, sink = 0;

	if (!h)
		return 0;
	t0 = stress_now_ns();
	for (int i = 0; i < N; i++) {
		uint64_t a = stress_now_ns();

		sink += a;
		hdr_record(h, stress_now_ns() - a);
	}
	t0 = stress_now_ns() - t0;
	hdr_free(h);
	return (double)t0 / N + (double)(sink & 0);
}

static unsigned count_backends(const struct stress_config *c)
{
	unsigned n = 0;

	while (n < STRESS_MAX_BACKENDS && c->backends[n])
		n++;
	return n;
}

int stress_run(const struct stress_config *config, FILE *out)
{
	/* A copy the measurement setup completes: the events, the placement's CPU map. */
	struct stress_config measured = *config, *c = &measured;
	unsigned nb = count_backends(c);
	struct stress_measure *m = calloc(1, sizeof(*m));
	struct run_figures *figs = calloc(nb, sizeof(*figs));
	struct report_context ctx = { .c = c, .measure = m };
	char *text = NULL, err[512];
	int status = 0, rc;

	if (!m || !figs) {
		fprintf(stderr, "iomem stress: out of memory\n");
		free(m);
		free(figs);
		return 2;
	}
	rc = stress_measure_prepare(c, m);
	if (rc) {
		free(m);
		free(figs);
		return rc;
	}
	ctx.timing_overhead_ns = timing_overhead_ns();
	if (start_tree_text(c, &text, &ctx.tree_source, err, sizeof(err)) != 0) {
		/* A malformed dump's "FILE:LINE: error: ..." stands alone, as a compiler's. */
		if (strstr(err, ": error: "))
			fprintf(stderr, "%s\n", err);
		else
			fprintf(stderr, "iomem stress: %s\n", err);
		free(figs);
		free(m);
		return 2;
	}
	for (unsigned b = 0; b < nb; b++)
		if (report_figures_init(&figs[b], c, c->backends[b]) != 0) {
			status = 2;
			goto out;
		}
	/* Interleaved: every backend runs once before any runs twice, so drift hits all. */
	for (unsigned rep = 0; rep < c->repetitions && !status && !ctx.interrupted; rep++)
		for (unsigned b = 0; b < nb && !status && !ctx.interrupted; b++) {
			rc = run_once(c, c->backends[b], text, c->seed + rep, &figs[b]);
			if (rc)
				status = rc;
			ctx.interrupted = c->interrupted && *c->interrupted;
		}
	if (status == 2)
		goto out;
	report_summary(out, &ctx, figs, nb);
	if (c->json_path && (rc = report_json(c->json_path, &ctx, figs, nb)) != 0) {
		fprintf(stderr, "iomem stress: cannot write %s: %s\n", c->json_path, strerror(-rc));
		status = status ? status : 2;
	}
	if (c->hgrm_path && (rc = report_hgrm(c->hgrm_path, figs, nb)) != 0) {
		fprintf(stderr, "iomem stress: cannot write %s: %s\n", c->hgrm_path, strerror(-rc));
		status = status ? status : 2;
	}
	if (!status && ctx.interrupted)
		status = 130;
out:
	for (unsigned b = 0; b < nb; b++)
		report_figures_free(&figs[b]);
	free(figs);
	free(text);
	free(m);
	return status;
}
