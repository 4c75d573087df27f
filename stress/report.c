/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "human_units.h"
#include "measure.h"
#include "locks/fairness.h"
#include "report/atomic_file.h"
#include "stress/scenario.h"

int report_figures_init(struct run_figures *f, const struct stress_config *c,
			const char *backend)
{
	memset(f, 0, sizeof(*f));
	f->backend = backend;
	for (int op = 0; op < NR_OPS; op++)
		if (!(f->hist[op] = hdr_new()))
			return -ENOMEM;
	for (int role = 0; role < NR_ROLES; role++) {
		f->nthreads[role] = c->threads[role];
		f->thread_ops[role] = calloc(c->threads[role] + 1, sizeof(**f->thread_ops));
		if (!f->thread_ops[role])
			return -ENOMEM;
	}
	return 0;
}

void report_figures_free(struct run_figures *f)
{
	for (int op = 0; op < NR_OPS; op++)
		hdr_free(f->hist[op]);
	for (int role = 0; role < NR_ROLES; role++)
		free(f->thread_ops[role]);
}

void report_add_tick(struct run_figures *f, double ops_per_second)
{
	if (f->nticks < MAX_TICKS)
		f->ticks[f->nticks++] = ops_per_second;
}

void report_add_worker(struct run_figures *f, const struct worker *w)
{
	unsigned long long total = 0;

	for (int op = 0; op < NR_OPS; op++) {
		f->ops[op] += w->ops[op];
		f->fails[op] += w->fails[op];
		total += w->ops[op];
		hdr_add(f->hist[op], w->hist[op]);
	}
	f->thread_ops[w->role][w->role_id] += total;
}

/* --- Summary. */
struct fairness fairness_of(const unsigned long long *x, unsigned n)
{
	struct lock_fairness lf = LOCK_FAIRNESS_INIT;

	for (unsigned i = 0; i < n; i++)
		lock_fairness_add(&lf, x[i]);
	return (struct fairness){ .jain = lock_fairness_jain(&lf), .max = lf.max, .min = lf.min,
				  .starved = lock_fairness_starved(&lf) };
}

static void print_ops(FILE *out, const struct run_figures *f)
{
	char b[7][24];

	fprintf(out, "  %-14s %9s %8s %8s %8s %8s %8s %8s %9s\n", "op", "ops/s", "mean", "p50",
		"p90", "p99", "p99.9", "max", "refused");
	for (int op = 0; op < NR_OPS; op++) {
		const struct hdr_histogram *h = f->hist[op];

		if (!f->ops[op])
			continue;
		fprintf(out, "  %-14s %9s %8s %8s %8s %8s %8s %8s %9llu\n", stress_op_name(op),
			human_rate(f->ops[op] / f->seconds, b[0], 24),
			human_ns(hdr_mean(h), b[1], 24), human_ns(hdr_value_at_percentile(h, 50), b[2], 24),
			human_ns(hdr_value_at_percentile(h, 90), b[3], 24),
			human_ns(hdr_value_at_percentile(h, 99), b[4], 24),
			human_ns(hdr_value_at_percentile(h, 99.9), b[5], 24),
			human_ns(hdr_max(h), b[6], 24), (unsigned long long)f->fails[op]);
	}
}

static void print_fairness(FILE *out, const struct run_figures *f)
{
	fprintf(out, "  fairness:");
	for (int role = 0; role < NR_ROLES; role++) {
		struct fairness fa;

		if (f->nthreads[role] < 2)
			continue;
		fa = fairness_of(f->thread_ops[role], f->nthreads[role]);
		fprintf(out, "  %ss Jain %.3f max/min %llu/%llu%s", stress_role_name(role), fa.jain,
			fa.max, fa.min, fa.starved ? " ???" : "");
	}
	fputc('\n', out);
}

/* Throughput second by second: drift, stalls and stutter show here, not in a mean. */
static void print_series(FILE *out, const struct run_figures *f)
{
	char b[24];

	if (!f->nticks)
		return;
	fprintf(out, "  ops/s by second:");
	for (unsigned i = 0; i < f->nticks && i < 30; i++)
		fprintf(out, " %s", human_rate(f->ticks[i], b, sizeof(b)));
	fprintf(out, "%s\n", f->nticks > 30 ? " ..." : "");
}

void report_add_va_locks(struct run_figures *f, struct vmap_space *vs)
{
	struct vmap_lock_stat ls[VMAP_MAX_LOCK_CLASSES];
	unsigned n = vmap_lock_stats(vs, ls);

	for (unsigned i = 0; i < n; i++) {
		struct vmap_lock_stat *t = &f->va_locks[i];

		t->name = ls[i].name;
		t->locks = ls[i].locks;
		t->acquisitions += ls[i].acquisitions;
		t->contended += ls[i].contended;
		t->wait_ns += ls[i].wait_ns;
	}
	f->nva_locks = n;
}

/* The VA allocator's locks as lock_stat shows them: acquisitions, the share contended,
 * the time waited; and the drains that purged for the unmaps. */
static void print_va_locks(FILE *out, const struct run_figures *f)
{
	char b[24];

	if (!f->unmaps || !f->nva_locks)
		return;
	fprintf(out, "  VA locks:");
	for (unsigned i = 0; i < f->nva_locks; i++) {
		const struct vmap_lock_stat *l = &f->va_locks[i];

		fprintf(out, "%s %s", i ? ";" : "", l->name);
		if (l->locks > 1)
			fprintf(out, " (%u)", l->locks);
		fprintf(out, " %llu acq, %.2f%% contended, waited %s",
			(unsigned long long)l->acquisitions,
			l->acquisitions ? 100.0 * (double)l->contended / (double)l->acquisitions : 0,
			human_ns((double)l->wait_ns, b, sizeof(b)));
	}
	fprintf(out, "; %llu drains, %llu throttled frees\n", (unsigned long long)f->drains,
		(unsigned long long)f->drain_throttled);
}

static void print_counters(FILE *out, const struct run_figures *f)
{
	print_series(out, f);
	const struct iomem_muxed_stats *m = &f->muxed;
	char b[2][24];

	if (f->ops[OP_MUXED])
		fprintf(out, "  MUXED: %llu acquisitions, %llu sleeps, %llu wake-ups (%.2f per "
			     "acquisition), %llu spurious; asleep mean %s, max %s\n",
			(unsigned long long)f->ops[OP_MUXED], m->sleeps, m->wakeups,
			(double)m->wakeups / (double)f->ops[OP_MUXED], m->spurious_wakeups,
			human_ns(m->wakeups ? (double)m->wait_ns_total / m->wakeups : 0, b[0], 24),
			human_ns((double)m->wait_ns_max, b[1], 24));
	if (f->unmaps)
		fprintf(out, "  mappings: %llu unmaps, %llu purges (%.0f unmaps per purge); TLB: "
			     "%llu flushes, %llu page invalidations, %llu full\n",
			(unsigned long long)f->unmaps, (unsigned long long)f->purges,
			f->purges ? (double)f->unmaps / f->purges : (double)f->unmaps,
			(unsigned long long)f->tlb_flushes, (unsigned long long)f->tlbi_pages,
			(unsigned long long)f->tlbi_all);
	print_va_locks(out, f);
	if (f->lin_windows || f->lin_skipped)
		fprintf(out, "  linearizability: %llu windows (%llu concurrent ops) checked against "
			     "the model%s; %llu undecided, %llu skipped\n",
			(unsigned long long)f->lin_windows, (unsigned long long)f->lin_ops,
			f->failed ? "" : ", all linearizable", (unsigned long long)f->lin_unknown,
			(unsigned long long)f->lin_skipped);
	if (f->leaked_bytes)
		fprintf(out, "  memory: %lld bytes of tree nodes never freed\n", f->leaked_bytes);
	else
		fprintf(out, "  memory: every tree node freed at teardown\n");
}

static double ops_per_second(const struct run_figures *f, int op)
{
	return f->seconds > 0 ? f->ops[op] / f->seconds : 0;
}

static void print_ratios(FILE *out, struct run_figures *figs, unsigned n)
{
	fprintf(out, "\nthroughput relative to %s (same workload, runs interleaved):\n  %-14s",
		figs[0].backend, "op");
	for (unsigned b = 0; b < n; b++)
		fprintf(out, " %9s", figs[b].backend);
	fputc('\n', out);
	for (int op = 0; op < NR_OPS; op++) {
		double base = ops_per_second(&figs[0], op);

		if (!base)
			continue;
		fprintf(out, "  %-14s", stress_op_name(op));
		for (unsigned b = 0; b < n; b++)
			fprintf(out, " %8.2fx", ops_per_second(&figs[b], op) / base);
		fputc('\n', out);
	}
}

static double cheapest_op_ns(struct run_figures *figs, unsigned n, int *which)
{
	double best = 0;

	for (unsigned b = 0; b < n; b++)
		for (int op = 0; op < NR_OPS; op++) {
			double mean = hdr_total_count(figs[b].hist[op]) ? hdr_mean(figs[b].hist[op]) : 0;

			if (mean > 0 && (best == 0 || mean < best)) {
				best = mean;
				*which = op;
			}
		}
	return best;
}

void report_summary(FILE *out, const struct report_context *ctx, struct run_figures *figs,
		    unsigned n)
{
	const struct stress_config *c = ctx->c;
	enum stress_role roles[NR_ROLES];
	unsigned nroles = stress_workload_roles(c, roles);
	int cheapest_op = 0;
	double cheapest = cheapest_op_ns(figs, n, &cheapest_op);
	int every = c->rate > 0 || c->scenario ? 1 : SAMPLE_EVERY;
	double per_op = ctx->timing_overhead_ns / every;
	bool failed = false;

	fprintf(out, "\niomem stress: lock %s, muxed-wait %s, VA allocator %s; threads:",
		c->lock ? c->lock : "pthread-rw", c->muxed_wait ? c->muxed_wait : "global",
		c->va_policy ? c->va_policy : "global");
	for (unsigned i = 0; i < nroles; i++)
		fprintf(out, " %u %ss", c->threads[roles[i]], stress_role_name(roles[i]));
	fprintf(out, "\n  starting tree: %s (%zu resources); seed %llu\n", ctx->tree_source,
		figs[0].starting_resources, (unsigned long long)c->seed);
	report_scenario_header(out, c, figs, n);
	if (c->ops)
		fprintf(out, "  %llu ops per thread per run\n", (unsigned long long)c->ops);
	else
		fprintf(out, "  %.1f s per run after %.1f s of warm-up, %u run(s) per backend\n",
			c->duration, c->warmup, c->repetitions);
	for (unsigned b = 0; b < n; b++) {
		struct run_figures *f = &figs[b];

		fprintf(out, "\n%s (%u run%s, %.1f s measured)%s\n", f->backend, f->runs,
			f->runs == 1 ? "" : "s", f->seconds, f->failed ? ": FAILED" : "");
		if (f->seconds > 0) {
			print_ops(out, f);
			print_fairness(out, f);
		}
		print_counters(out, f);
		stress_measure_summary(out, c, f);
		if (f->failed) {
			failed = true;
			fprintf(out, "  FAILURE: %s\n  seed %llu; replay: iomem script --backend %s %s\n",
				f->failure, (unsigned long long)f->seed, f->backend,
				f->replay[0] ? f->replay : "(could not be written)");
		}
	}
	if (n > 1)
		print_ratios(out, figs, n);
	report_scenario_headline(out, c, figs, n);
	fprintf(out, "\ntiming overhead: %.2f ns per op (one op in %d timed), %.1f%% of the "
		     "cheapest op (%s, %.0f ns)\n",
		per_op, every, cheapest ? 100 * per_op / cheapest : 0,
		stress_op_name(cheapest_op), cheapest);
	fprintf(out, "checks: %s%s%s\n",
		!c->checks ? "off (--no-checks)"
		: failed   ? "FAILED (see above)"
			   : "all held (tree invariants, ownership tokens, MUXED exclusion, "
			     "own-mapping and walker translations, linearizability windows, "
			     "end state",
		c->checks && !failed ? report_scenario_checks(c) : "",
		c->checks && !failed ? ")" : "");
	if (ctx->interrupted)
		fprintf(out, "interrupted: the figures cover the time until SIGINT\n");
}

struct hgrm_args {
	struct run_figures *figs;
	unsigned n;
};

static int fill_hgrm(FILE *f, void *arg)
{
	const struct hgrm_args *a = arg;
	int rc;

	for (unsigned b = 0; b < a->n; b++)
		for (int op = 0; op < NR_OPS; op++) {
			if (!hdr_total_count(a->figs[b].hist[op]))
				continue;
			fprintf(f, "# stress/%s/%s\n", a->figs[b].backend, stress_op_name(op));
			if ((rc = hdr_write_hgrm(a->figs[b].hist[op], f, 5, 1.0)) != 0)
				return rc;
			fputc('\n', f);
		}
	return ferror(f) ? -EIO : 0;
}

int report_hgrm(const char *path, struct run_figures *figs, unsigned n)
{
	struct hgrm_args a = { figs, n };

	return atomic_file_write(path, fill_hgrm, &a);
}
