/* `iomem stress` as a whole: defaults, option values, and the runs in interleaved order. */
#include "stress/stress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "stress_impl.h"

static const char *const op_names[NR_OPS] = {
	"intersects", "lookup", "walk", "claim", "unclaim", "muxed",
	"ioremap", "memremap", "iounmap", "translate",
};

static const char *const role_names[NR_ROLES] = {
	"reader", "claimer", "muxer", "mapper", "walker",
};

const char *stress_op_name(enum stress_op op)
{
	return op_names[op];
}

const char *stress_role_name(enum stress_role role)
{
	return role_names[role];
}

void stress_config_defaults(struct stress_config *c)
{
	static const unsigned weights[NR_OPS] = {
		[OP_INTERSECTS] = 4, [OP_LOOKUP] = 4, [OP_WALK] = 1, [OP_CLAIM] = 1,
		[OP_UNCLAIM] = 1, [OP_MUXED] = 1, [OP_IOREMAP] = 3, [OP_MEMREMAP] = 1,
		[OP_IOUNMAP] = 1, [OP_TRANSLATE] = 1,
	};

	memset(c, 0, sizeof(*c));
	c->threads[ROLE_READER] = 2;
	c->threads[ROLE_CLAIMER] = 2;
	c->threads[ROLE_MUXER] = 4;
	c->threads[ROLE_MAPPER] = 2;
	c->threads[ROLE_WALKER] = 1;
	c->duration = 3;
	c->warmup = 0.5;
	c->repetitions = 1;
	memcpy(c->weight, weights, sizeof(weights));
	c->seed = 1;
	c->muxed_regions = 2;
	c->hold_ns = 2000;
	c->live_maps = 16;
	c->lin_every = 0.5;
	c->checks = true;
}

int stress_parse_mix(const char *s, unsigned weight[NR_OPS], char *err, size_t errlen)
{
	unsigned w[NR_OPS];
	char *copy = strdup(s), *save = NULL;

	if (!copy)
		return -ENOMEM;
	memcpy(w, weight, sizeof(w));
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long v;
		int op;

		if (!eq) {
			snprintf(err, errlen, "--mix: '%s' is not op=weight", tok);
			free(copy);
			return -EINVAL;
		}
		*eq = '\0';
		for (op = 0; op < NR_OPS && strcmp(op_names[op], tok) != 0; op++)
			;
		v = strtoul(eq + 1, &end, 10);
		if (op == NR_OPS || !eq[1] || *end || v > 1000000) {
			snprintf(err, errlen, "--mix: bad entry '%s=%s' (ops: intersects lookup walk "
				 "ioremap memremap; weights 0..1000000)", tok, eq + 1);
			free(copy);
			return -EINVAL;
		}
		w[op] = (unsigned)v;
	}
	free(copy);
	memcpy(weight, w, sizeof(w));
	return 0;
}

int stress_parse_cpus(const char *s, int *cpus, unsigned *n, char *err, size_t errlen)
{
	const char *p = s;

	*n = 0;
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				goto bad;
		}
		for (long c = lo; c <= hi; c++) {
			if (*n == STRESS_MAX_CPUS || c >= CPU_SETSIZE)
				goto bad;
			cpus[(*n)++] = (int)c;
		}
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	if (*n)
		return 0;
bad:
	snprintf(err, errlen, "--cpus: '%s' is not a CPU list like 0-1,3", s);
	return -EINVAL;
}

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

int stress_run(const struct stress_config *c, FILE *out)
{
	unsigned nb = count_backends(c);
	struct run_figures *figs = calloc(nb, sizeof(*figs));
	struct report_context ctx = { .c = c, .timing_overhead_ns = timing_overhead_ns() };
	char *text = NULL, err[512];
	int status = 0, rc;

	ctx.tree_source = c->regions ? "synthetic" : c->tree_from ? c->tree_from : "/proc/iomem";
	if (!figs || start_tree_text(c, &text, err, sizeof(err)) != 0) {
		/* A malformed dump's "FILE:LINE: error: ..." stands alone, as a compiler's. */
		if (figs && strstr(err, ": error: "))
			fprintf(stderr, "%s\n", err);
		else
			fprintf(stderr, "iomem stress: %s\n", figs ? err : "out of memory");
		free(figs);
		return 2;
	}
	if (!c->regions && !c->tree_from && strstr(text, "Graphics Stolen Memory"))
		ctx.tree_source = "built-in x86 laptop tree (/proc/iomem unreadable or zeroed)";
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
	return status;
}
