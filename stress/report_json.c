/* SPDX-License-Identifier: MIT */
/* `iomem stress --json`: the run in Google Benchmark's JSON schema, one benchmarks[] entry
 * per backend and op, so compare.py and scripts/compare read it like iomem-bench output.
 * real_time and cpu_time are both the mean latency of the sampled ops (the harness does
 * not measure CPU time per op); iterations is the number of ops counted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "measure.h"
#include "report.h"
#include "report/bench_json.h"

static int set_context(struct bench_json *bj, const struct report_context *ctx,
		       struct run_figures *figs, unsigned n)
{
	const struct stress_config *c = ctx->c;
	char backends[256] = "";
	int rc = 0;

	for (unsigned b = 0; b < n; b++)
		snprintf(backends + strlen(backends), sizeof(backends) - strlen(backends), "%s%s",
			 b ? "," : "", figs[b].backend);
	rc |= bench_json_set_host(bj, "iomem");
	rc |= bench_json_set_str(bj, "command_line", c->command_line ? c->command_line : "");
	rc |= bench_json_set_str(bj, "tool", "iomem stress");
	rc |= bench_json_set_int(bj, "seed", (int64_t)c->seed);
	rc |= bench_json_set_str(bj, "backend", backends);
	rc |= bench_json_set_str(bj, "lock", c->lock ? c->lock : "pthread-rw");
	rc |= bench_json_set_str(bj, "muxed_wait", c->muxed_wait ? c->muxed_wait : "global");
	rc |= bench_json_set_str(bj, "va_allocator", c->va_policy ? c->va_policy : "global");
	rc |= bench_json_set_str(bj, "starting_tree", ctx->tree_source);
	rc |= bench_json_set_num(bj, "duration_s", c->ops ? 0 : c->duration);
	rc |= bench_json_set_num(bj, "warmup_s", c->warmup);
	rc |= bench_json_set_int(bj, "ops_per_thread", (int64_t)c->ops);
	rc |= bench_json_set_int(bj, "repetitions", c->repetitions);
	rc |= bench_json_set_num(bj, "timing_overhead_ns", ctx->timing_overhead_ns);
	rc |= bench_json_set_bool(bj, "checks", c->checks);
	rc |= bench_json_set_bool(bj, "interrupted", ctx->interrupted);
	rc |= report_scenario_json(bj, c, figs, n);
	for (unsigned b = 0; b < n; b++) {	/* all ops, per second of the run(s) */
		char key[64], *series = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&series, &len);

		if (!f)
			return -ENOMEM;
		for (unsigned i = 0; i < figs[b].nticks; i++)
			fprintf(f, "%s%.0f", i ? " " : "", figs[b].ticks[i]);
		fclose(f);
		snprintf(key, sizeof(key), "ops_per_second_series/%s", figs[b].backend);
		rc |= bench_json_set_str(bj, key, series ? series : "");
		free(series);
	}
	if (ctx->measure)
		rc |= stress_measure_json_context(bj, c, ctx->measure);
	for (unsigned b = 0; b < n; b++)
		if (figs[b].failed) {
			rc |= bench_json_set_str(bj, "failure", figs[b].failure);
			rc |= bench_json_set_str(bj, "failure_replay", figs[b].replay);
			rc |= bench_json_set_int(bj, "failure_seed", (int64_t)figs[b].seed);
		}
	return rc ? -ENOMEM : 0;
}

/* Per VA lock class: va_lock_<class>_acquisitions, _contended, _wait_ns. */
static int add_va_locks(struct bench_json *bj, int i, const struct run_figures *f)
{
	static const char *const fields[] = { "acquisitions", "contended", "wait_ns" };
	char name[64];
	int rc = 0;

	for (unsigned l = 0; l < f->nva_locks; l++) {
		const struct vmap_lock_stat *s = &f->va_locks[l];
		const uint64_t v[] = { s->acquisitions, s->contended, s->wait_ns };

		for (unsigned k = 0; k < 3; k++) {
			snprintf(name, sizeof(name), "va_lock_%s_%s", s->name, fields[k]);
			rc |= bench_json_add_counter(bj, i, name, (double)v[k]);
		}
	}
	return rc;
}

static int add_op(struct bench_json *bj, const struct stress_config *c,
		  const struct run_figures *f, int op)
{
	const struct hdr_histogram *h = f->hist[op];
	enum stress_role role = stress_op_role(op);
	struct fairness fa = fairness_of(f->thread_ops[role], f->nthreads[role]);
	char name[96];
	struct bench_json_run run = {
		.name = name,
		.repetitions = f->runs,
		.threads = f->nthreads[role],
		.iterations = (int64_t)f->ops[op],
		.real_time = hdr_mean(h),
		.cpu_time = hdr_mean(h),
	};
	int i, rc = 0;

	snprintf(name, sizeof(name), "stress/%s/%s", f->backend, stress_op_name(op));
	if ((i = bench_json_add_run(bj, &run)) < 0)
		return i;
	rc |= bench_json_add_counter(bj, i, "ops_per_second",
				     f->seconds > 0 ? (double)f->ops[op] / f->seconds : 0);
	rc |= bench_json_add_counter(bj, i, "p50_ns", (double)hdr_value_at_percentile(h, 50));
	rc |= bench_json_add_counter(bj, i, "p90_ns", (double)hdr_value_at_percentile(h, 90));
	rc |= bench_json_add_counter(bj, i, "p99_ns", (double)hdr_value_at_percentile(h, 99));
	rc |= bench_json_add_counter(bj, i, "p999_ns", (double)hdr_value_at_percentile(h, 99.9));
	rc |= bench_json_add_counter(bj, i, "max_ns", (double)hdr_max(h));
	rc |= bench_json_add_counter(bj, i, "timed_samples", (double)hdr_total_count(h));
	rc |= bench_json_add_counter(bj, i, "refused", (double)f->fails[op]);
	rc |= bench_json_add_counter(bj, i, "jain_index", fa.jain);
	rc |= bench_json_add_counter(bj, i, "thread_ops_max", (double)fa.max);
	rc |= bench_json_add_counter(bj, i, "thread_ops_min", (double)fa.min);
	rc |= bench_json_add_counter(bj, i, "starved", fa.starved);
	rc |= stress_measure_json_counters(bj, i, c, f, role);
	if (op == OP_CLAIM) {	/* per backend: on one entry, as the TLB counters */
		rc |= bench_json_add_counter(bj, i, "lin_windows", (double)f->lin_windows);
		rc |= bench_json_add_counter(bj, i, "lin_ops", (double)f->lin_ops);
		rc |= bench_json_add_counter(bj, i, "lin_undecided", (double)f->lin_unknown);
	}
	if (op == OP_MUXED) {
		const struct iomem_muxed_stats *m = &f->muxed;

		rc |= bench_json_add_counter(bj, i, "muxed_sleeps", (double)m->sleeps);
		rc |= bench_json_add_counter(bj, i, "muxed_wakeups", (double)m->wakeups);
		rc |= bench_json_add_counter(bj, i, "muxed_spurious_wakeups",
					     (double)m->spurious_wakeups);
		rc |= bench_json_add_counter(bj, i, "wakeups_per_acquisition",
					     f->ops[op] ? (double)m->wakeups / f->ops[op] : 0);
	}
	if (op == OP_IOUNMAP) {
		rc |= bench_json_add_counter(bj, i, "purges", (double)f->purges);
		rc |= bench_json_add_counter(bj, i, "tlb_flushes", (double)f->tlb_flushes);
		rc |= bench_json_add_counter(bj, i, "tlbi_pages", (double)f->tlbi_pages);
		rc |= bench_json_add_counter(bj, i, "tlbi_all", (double)f->tlbi_all);
		rc |= bench_json_add_counter(bj, i, "drains", (double)f->drains);
		rc |= add_va_locks(bj, i, f);
	}
	return rc ? -ENOMEM : 0;
}

int report_json(const char *path, const struct report_context *ctx, struct run_figures *figs,
		unsigned n)
{
	struct bench_json *bj = bench_json_new();
	int rc;

	if (!bj)
		return -ENOMEM;
	rc = set_context(bj, ctx, figs, n);
	for (unsigned b = 0; b < n && !rc; b++)
		for (int op = 0; op < NR_OPS && !rc; op++)
			if (figs[b].ops[op])
				rc = add_op(bj, ctx->c, &figs[b], op);
	if (!rc)
		rc = bench_json_write(bj, path);
	bench_json_free(bj);
	return rc;
}
