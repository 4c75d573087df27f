/* SPDX-License-Identifier: MIT */
#include "check/differential.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iomem/iomem.h"
#include "opscript/opscript.h"

/* splitmix64: a seedable, well-mixed 64-bit generator. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t pick(uint64_t *s, uint64_t n)
{
	return next_rand(s) % n;
}

struct gen {
	uint64_t rng;
	struct { uint64_t start, end; } pool[32];	/* ranges made recently */
	unsigned npool, serial;
	unsigned grid;		/* ranges mostly start in one of grid 1 KiB slots */
	bool ioport;
};

static void remember(struct gen *g, uint64_t start, uint64_t end)
{
	g->pool[g->npool++ % 32].start = start;
	g->pool[(g->npool - 1) % 32].end = end;
}

/* A range: mostly on a grid (small by default) so that ranges collide, nest and repeat;
 * sometimes at the edges of the address space or empty. A wide grid grows families of
 * hundreds of siblings, deep enough to exercise the itree index's inner nodes. */
static void gen_range(struct gen *g, uint64_t *start, uint64_t *size)
{
	static const uint64_t sizes[] = { 1, 0x10, 0x100, 0x400, 0x800, 0x1000, 0x2000, 0x4000 };
	uint64_t k = pick(&g->rng, 20);

	if (g->npool && k < 6) {
		unsigned i = pick(&g->rng, g->npool < 32 ? g->npool : 32);

		*start = g->pool[i].start;
		*size = g->pool[i].end - g->pool[i].start + 1;
		if (k == 5 && *size > 2) {	/* strictly inside a known range */
			*start += 1;
			*size -= 2;
		}
		return;
	}
	*size = sizes[pick(&g->rng, 8)];
	if (k < 17) {
		*start = pick(&g->rng, g->grid) * 0x400;
	} else if (k == 17) {
		*start = pick(&g->rng, 4) * 0x10;
	} else if (k == 18) {
		*start = UINT64_MAX - *size + 1 - pick(&g->rng, 3) * 0x1000;
	} else {
		*start = pick(&g->rng, 2) ? 0 : 0x8000;
		*size = pick(&g->rng, 3) == 0 ? 0 : pick(&g->rng, 2) ? UINT64_MAX : 0x10000;
	}
	if (g->ioport) {
		*start &= 0xffff;
		if (*size > 0x10000)
			*size = 0x10000;
	}
}

static const char *pick_str(struct gen *g, const char *const *v, unsigned n)
{
	return v[pick(&g->rng, n)];
}

#define PICK(g, ...) \
	pick_str(g, (const char *const[]){ __VA_ARGS__ }, \
		 sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

/* One op-script line (with its newline) for the next op. */
static void gen_op(struct gen *g, FILE *out)
{
	uint64_t start, size, k = pick(&g->rng, 100);

	gen_range(g, &start, &size);
	if (k < 2) {
		g->ioport = !g->ioport;
		fprintf(out, "root %s\n", g->ioport ? "ioport" : "iomem");
	} else if (k < 22) {
		fprintf(out, "request 0x%llx 0x%llx \"r%u\" %s\n", (unsigned long long)start,
			(unsigned long long)size, g->serial++,
			PICK(g, "0", "0", "0", "muxed", "muxed", "exclusive", "muxed,exclusive"));
		remember(g, start, start + size - 1);
	} else if (k < 36) {
		fprintf(out, "release 0x%llx 0x%llx\n", (unsigned long long)start,
			(unsigned long long)size);
	} else if (k < 52) {
		fprintf(out, "insert 0x%llx 0x%llx \"i%u\" %s desc=%s\n",
			(unsigned long long)start, (unsigned long long)(start + size - 1),
			g->serial++,
			PICK(g, "mem", "mem", "system_ram", "system_ram", "mem,busy",
			     "system_ram,busy", "io", "mem,prefetch"),
			PICK(g, "none", "none", "reserved", "cxl", "soft_reserved"));
		remember(g, start, start + size - 1);
	} else if (k < 60) {
		fprintf(out, "remove 0x%llx 0x%llx\n", (unsigned long long)start,
			(unsigned long long)(start + size - 1));
	} else if (k < 66) {
		uint64_t ns, nsize;

		gen_range(g, &ns, &nsize);
		if (pick(&g->rng, 2)) {	/* grow or shrink in place, often valid */
			ns = start - (pick(&g->rng, 2) ? 0x100 : 0);
			nsize = size + pick(&g->rng, 3) * 0x100;
		}
		fprintf(out, "adjust 0x%llx 0x%llx 0x%llx 0x%llx\n", (unsigned long long)start,
			(unsigned long long)(start + size - 1), (unsigned long long)ns,
			(unsigned long long)nsize);
	} else if (k < 72) {
		static const uint64_t aligns[] = { 0, 1, 0x10, 0x400, 0x1000, 0x10000 };
		uint64_t min = pick(&g->rng, 2) ? 0 : start;
		uint64_t max = pick(&g->rng, 3) ? UINT64_MAX : start + 0x4000;

		fprintf(out, "allocate 0x%llx 0x%llx 0x%llx 0x%llx \"a%u\"\n",
			(unsigned long long)size, (unsigned long long)min,
			(unsigned long long)max, (unsigned long long)aligns[pick(&g->rng, 6)],
			g->serial++);
	} else if (k < 84) {
		fprintf(out, "intersects 0x%llx 0x%llx %s %s\n", (unsigned long long)start,
			(unsigned long long)size,
			PICK(g, "system_ram", "system_ram", "mem", "busy", "mem,busy", "0"),
			PICK(g, "none", "none", "reserved", "cxl"));
	} else if (k < 92) {
		fprintf(out, "walk 0x%llx 0x%llx %s %s\n", (unsigned long long)start,
			(unsigned long long)(pick(&g->rng, 4) ? start + size * 4 : UINT64_MAX),
			PICK(g, "busy", "mem", "system_ram", "system_ram,busy", "0"),
			PICK(g, "none", "none", "reserved", "cxl"));
	} else {
		fprintf(out, "lookup 0x%llx\n", (unsigned long long)(start + pick(&g->rng, 2)));
	}
}

void diff_generate(uint64_t seed, unsigned len, unsigned grid, FILE *out)
{
	struct gen g = { .rng = seed, .grid = grid ? grid : 64 };

	for (unsigned i = 0; i < len; i++) {
		gen_op(&g, out);
		if (i % 32 == 31)
			fputs("dump\n", out);
	}
	fputs("root iomem\ndump\nroot ioport\ndump\n", out);
}

/* A script as an array of lines, so that shrinking can drop any of them. */
struct lines {
	char **v;
	size_t n;
};

static int split_lines(char *text, struct lines *l)
{
	size_t cap = 64;

	l->n = 0;
	l->v = malloc(cap * sizeof(*l->v));
	for (char *p = text, *nl; l->v && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		if (l->n == cap) {
			char **v = realloc(l->v, 2 * cap * sizeof(*v));

			if (!v)
				break;
			l->v = v;
			cap *= 2;
		}
		l->v[l->n++] = p;
	}
	return l->v ? 0 : -ENOMEM;
}

/* Runs the lines whose keep[] is set on a fresh tree of `backend`; the output in *out. */
static int run_lines(const struct lines *l, const bool *keep, const char *backend, char **out,
		     size_t *outlen)
{
	char *script = NULL;
	size_t slen = 0;
	FILE *in = open_memstream(&script, &slen), *o;
	struct iomem_tree *t;
	int status;

	if (!in)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		if (!keep || keep[i])
			fprintf(in, "%s\n", l->v[i]);
	fclose(in);
	t = iomem_tree_new(backend, NULL);
	in = fmemopen(script, slen ? slen : 1, "r");
	o = open_memstream(out, outlen);
	if (!t || !in || !o) {
		status = -ENOMEM;
	} else {
		status = opscript_run(t, in, "difftest", o, stderr);
	}
	if (o)
		fclose(o);
	if (in)
		fclose(in);
	iomem_tree_free(t);
	free(script);
	return status;
}

/* The first backend that disagrees with the reference on the kept lines, or NULL. */
static const char *disagreeing(const struct lines *l, const bool *keep,
			       const char *const *backends)
{
	char *ref = NULL, *got = NULL;
	size_t reflen, gotlen;
	const char *bad = NULL;

	if (run_lines(l, keep, backends[0], &ref, &reflen) != 0) {
		free(ref);
		return NULL;
	}
	for (const char *const *b = backends + 1; *b && !bad; b++) {
		if (run_lines(l, keep, *b, &got, &gotlen) != 0 || gotlen != reflen ||
		    memcmp(got, ref, reflen) != 0)
			bad = *b;
		free(got);
		got = NULL;
	}
	free(ref);
	return bad;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ddmin-style: drop ever smaller chunks of lines while the disagreement persists. */
static void shrink(const struct lines *l, bool *keep, const char *const *pair, double budget)
{
	double deadline = now() + budget;
	size_t kept = l->n;

	for (size_t chunk = l->n / 2; chunk >= 1; chunk /= 2) {
		bool progress = true;

		while (progress && now() < deadline) {
			progress = false;
			for (size_t i = 0; i < l->n && now() < deadline; i += chunk) {
				size_t dropped = 0;
				bool saved[chunk];

				for (size_t j = i; j < i + chunk && j < l->n; j++) {
					saved[j - i] = keep[j];
					dropped += keep[j];
					keep[j] = false;
				}
				if (dropped && disagreeing(l, keep, pair)) {
					kept -= dropped;
					progress = true;
					continue;
				}
				for (size_t j = i; j < i + chunk && j < l->n; j++)
					keep[j] = saved[j - i];
			}
		}
		if (chunk == 1)
			break;
	}
	(void)kept;
}

static int write_repro(const char *path, const struct lines *l, const bool *keep,
		       const struct diff_result *res, const char *ref, unsigned *nops)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# iomem difftest: backend '%s' disagrees with '%s'\n", res->backend, ref);
	fprintf(f, "# stream seed 0x%llx; replay: iomem script --backend %s THIS; "
		   "compare with --backend %s\n",
		(unsigned long long)res->failing_stream_seed, res->backend, ref);
	*nops = 0;
	for (size_t i = 0; i < l->n; i++)
		if (keep[i]) {
			fprintf(f, "%s\n", l->v[i]);
			*nops += strcmp(l->v[i], "dump") != 0;
		}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -errno;
	return 0;
}

static int handle_mismatch(const struct diff_opts *o, struct diff_result *res, char *text)
{
	const char *pair[3] = { o->backends[0], res->backend, NULL };
	struct lines l;
	bool *keep;
	int err = split_lines(text, &l);

	if (err)
		return err;
	keep = malloc(l.n * sizeof(*keep));
	if (!keep) {
		free(l.v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l.n; i++)
		keep[i] = true;
	shrink(&l, keep, pair, o->shrink_seconds);
	if (o->repro_path)
		err = write_repro(o->repro_path, &l, keep, res, o->backends[0], &res->repro_lines);
	if (o->log)
		fprintf(o->log,
			"difftest: MISMATCH: backend '%s' disagrees with '%s' (stream seed 0x%llx);"
			" shrunk to %u ops%s%s\n",
			res->backend, o->backends[0], (unsigned long long)res->failing_stream_seed,
			res->repro_lines, o->repro_path ? ", written to " : "",
			o->repro_path ? o->repro_path : "");
	free(keep);
	free(l.v);
	return err;
}

int diff_run(const struct diff_opts *o, struct diff_result *res)
{
	uint64_t seeds = o->seed;
	unsigned len = o->stream_len ? o->stream_len : 2000;

	memset(res, 0, sizeof(*res));
	if (!o->backends[0] || !o->backends[1])
		return -EINVAL;
	while (res->ops_run < o->ops) {
		uint64_t stream_seed = next_rand(&seeds);
		char *text = NULL;
		size_t tlen = 0;
		FILE *f = open_memstream(&text, &tlen);
		struct lines l;
		const char *bad;

		if (!f)
			return -ENOMEM;
		diff_generate(stream_seed, len, o->grid, f);
		fclose(f);
		if (split_lines(text, &l) != 0) {
			free(text);
			return -ENOMEM;
		}
		bad = disagreeing(&l, NULL, o->backends);
		free(l.v);
		res->ops_run += len;
		res->streams++;
		if (bad) {
			int err;

			res->mismatch = true;
			res->failing_stream_seed = stream_seed;
			snprintf(res->backend, sizeof(res->backend), "%s", bad);
			free(text);
			/* Regenerate: split_lines cut the first copy into pieces. */
			text = NULL;
			f = open_memstream(&text, &tlen);
			if (!f)
				return -ENOMEM;
			diff_generate(stream_seed, len, o->grid, f);
			fclose(f);
			err = handle_mismatch(o, res, text);
			free(text);
			return err ? err : 1;
		}
		free(text);
	}
	return 0;
}
