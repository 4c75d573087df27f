/* SPDX-License-Identifier: MIT */
/* The Google Benchmark JSON document: context keys and benchmark entries, serialized. */
#include "report/bench_json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_json_impl.h"
#include "c_locale.h"
#include "report/json_text.h"
#include "report/atomic_file.h"

enum kind { K_STR, K_NUM, K_INT, K_BOOL, K_RAW };

struct kv {
	char *key;
	enum kind kind;
	char *s;	/* K_STR, K_RAW */
	double d;
	int64_t i;
	bool b;
};

struct kvlist {
	struct kv *v;
	size_t n, cap;
};

struct run {
	struct bench_json_run r;	/* with its own copies of the strings */
	struct kvlist counters;
};

struct bench_json {
	struct kvlist context;
	struct run *runs;
	size_t nruns, cap;
};

static void kv_clear(struct kv *kv)
{
	free(kv->s);
	kv->s = NULL;
}

static void kvlist_free(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		kv_clear(&l->v[i]);
		free(l->v[i].key);
	}
	free(l->v);
}

/* The entry for key, new (zeroed, key set) at the end if there is none; NULL on ENOMEM. */
static struct kv *kvlist_slot(struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0) {
			kv_clear(&l->v[i]);
			return &l->v[i];
		}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct kv *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = (struct kv){ .key = strdup(key) };
	return l->v[l->n].key ? &l->v[l->n++] : NULL;
}

struct bench_json *bench_json_new(void)
{
	return calloc(1, sizeof(struct bench_json));
}

static void run_free(struct run *run)
{
	free((char *)run->r.name);
	free((char *)run->r.run_name);
	free((char *)run->r.time_unit);
	free((char *)run->r.error_message);
	kvlist_free(&run->counters);
}

void bench_json_free(struct bench_json *bj)
{
	if (!bj)
		return;
	kvlist_free(&bj->context);
	for (size_t i = 0; i < bj->nruns; i++)
		run_free(&bj->runs[i]);
	free(bj->runs);
	free(bj);
}

static int set_string(struct bench_json *bj, const char *key, const char *value, enum kind k)
{
	struct kv *kv;
	char *copy;

	if (!key || !value)
		return -EINVAL;
	copy = strdup(value);
	kv = copy ? kvlist_slot(&bj->context, key) : NULL;
	if (!kv) {
		free(copy);
		return -ENOMEM;
	}
	kv->kind = k;
	kv->s = copy;
	return 0;
}

int bench_json_set_str(struct bench_json *bj, const char *key, const char *value)
{
	return set_string(bj, key, value, K_STR);
}

int bench_json_set_raw(struct bench_json *bj, const char *key, const char *json)
{
	return set_string(bj, key, json, K_RAW);
}

static struct kv *context_slot(struct bench_json *bj, const char *key, enum kind k, int *err)
{
	struct kv *kv = key ? kvlist_slot(&bj->context, key) : NULL;

	*err = !key ? -EINVAL : !kv ? -ENOMEM : 0;
	if (kv)
		kv->kind = k;
	return kv;
}

int bench_json_set_num(struct bench_json *bj, const char *key, double value)
{
	int err;
	struct kv *kv = context_slot(bj, key, K_NUM, &err);

	if (kv)
		kv->d = value;
	return err;
}

int bench_json_set_int(struct bench_json *bj, const char *key, int64_t value)
{
	int err;
	struct kv *kv = context_slot(bj, key, K_INT, &err);

	if (kv)
		kv->i = value;
	return err;
}

int bench_json_set_bool(struct bench_json *bj, const char *key, bool value)
{
	int err;
	struct kv *kv = context_slot(bj, key, K_BOOL, &err);

	if (kv)
		kv->b = value;
	return err;
}

static bool valid_unit(const char *u)
{
	return !u || !strcmp(u, "ns") || !strcmp(u, "us") || !strcmp(u, "ms") || !strcmp(u, "s");
}

static bool copy_str(const char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return !src || *dst;
}

int bench_json_add_run(struct bench_json *bj, const struct bench_json_run *r)
{
	struct run *run;

	if (!r->name || !valid_unit(r->time_unit))
		return -EINVAL;
	if (bj->nruns == bj->cap) {
		size_t cap = bj->cap ? 2 * bj->cap : 16;
		struct run *runs = realloc(bj->runs, cap * sizeof(*runs));

		if (!runs)
			return -ENOMEM;
		bj->runs = runs;
		bj->cap = cap;
	}
	run = &bj->runs[bj->nruns];
	*run = (struct run){ .r = *r };
	run->r.name = run->r.run_name = run->r.time_unit = run->r.error_message = NULL;
	if (!copy_str(&run->r.name, r->name) || !copy_str(&run->r.run_name, r->run_name) ||
	    !copy_str(&run->r.time_unit, r->time_unit ? r->time_unit : "ns") ||
	    !copy_str(&run->r.error_message, r->error_message)) {
		run_free(run);
		return -ENOMEM;
	}
	return (int)bj->nruns++;
}

/* The keys of an entry itself, which a counter must not shadow. */
static bool reserved_key(const char *name)
{
	static const char *const keys[] = {
		"name", "family_index", "per_family_instance_index", "run_name", "run_type",
		"repetitions", "repetition_index", "threads", "iterations", "real_time",
		"cpu_time", "time_unit", "error_occurred", "error_message", "aggregate_name",
		"aggregate_unit", "label",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(name, keys[i]) == 0)
			return true;
	return false;
}

int bench_json_add_counter(struct bench_json *bj, int run, const char *name, double value)
{
	struct kv *kv;

	if (run < 0 || (size_t)run >= bj->nruns || !name || reserved_key(name))
		return -EINVAL;
	kv = kvlist_slot(&bj->runs[run].counters, name);
	if (!kv)
		return -ENOMEM;
	kv->kind = K_NUM;
	kv->d = value;
	return 0;
}

static void put_value(FILE *out, const struct kv *kv)
{
	switch (kv->kind) {
	case K_STR: json_put_string(out, kv->s); break;
	case K_RAW: fputs(kv->s, out); break;
	case K_INT: fprintf(out, "%lld", (long long)kv->i); break;
	case K_BOOL: fputs(kv->b ? "true" : "false", out); break;
	case K_NUM:
		if (!json_put_double(out, kv->d))
			fputs("null", out);
		break;
	}
}

static void put_key(FILE *out, const char *indent, const char *key)
{
	fputs(indent, out);
	json_put_string(out, key);
	fputs(": ", out);
}

static void put_context(FILE *out, const struct kvlist *ctx)
{
	fputs("  \"context\": {", out);
	for (size_t i = 0; i < ctx->n; i++) {
		fputs(i ? ",\n" : "\n", out);
		put_key(out, "    ", ctx->v[i].key);
		put_value(out, &ctx->v[i]);
	}
	fputs(ctx->n ? "\n  },\n" : "},\n", out);
}

static const char *run_name_of(const struct bench_json_run *r)
{
	return r->run_name ? r->run_name : r->name;
}

/* family[i]: the order of first appearance of entry i's run_name. NULL on ENOMEM. */
static size_t *families(const struct bench_json *bj)
{
	size_t *family = malloc((bj->nruns ? bj->nruns : 1) * sizeof(*family)), next = 0;

	for (size_t i = 0; family && i < bj->nruns; i++) {
		family[i] = next;
		for (size_t j = 0; j < i; j++)
			if (strcmp(run_name_of(&bj->runs[j].r), run_name_of(&bj->runs[i].r)) == 0) {
				family[i] = family[j];
				break;
			}
		next += family[i] == next;
	}
	return family;
}

static void put_int(FILE *out, const char *key, long long v)
{
	put_key(out, "      ", key);
	fprintf(out, "%lld,\n", v);
}

static void put_str(FILE *out, const char *key, const char *v)
{
	put_key(out, "      ", key);
	json_put_string(out, v);
	fputs(",\n", out);
}

static void put_time(FILE *out, const char *key, double v)
{
	put_key(out, "      ", key);
	if (!json_put_double(out, v))
		fputc('0', out);
	fputs(",\n", out);
}

static void put_run(FILE *out, const struct bench_json *bj, size_t i, size_t family)
{
	const struct bench_json_run *r = &bj->runs[i].r;
	const struct kvlist *c = &bj->runs[i].counters;
	bool finite = isfinite(r->real_time) && isfinite(r->cpu_time);

	fputs("    {\n", out);
	put_str(out, "name", r->name);
	put_int(out, "family_index", (long long)family);
	put_int(out, "per_family_instance_index", 0);
	put_str(out, "run_name", run_name_of(r));
	put_str(out, "run_type", "iteration");
	put_int(out, "repetitions", r->repetitions < 1 ? 1 : r->repetitions);
	put_int(out, "repetition_index", r->repetition_index);
	put_int(out, "threads", r->threads < 1 ? 1 : r->threads);
	if (r->error_message || !finite) {
		fputs("      \"error_occurred\": true,\n", out);
		put_str(out, "error_message",
			r->error_message ? r->error_message : "real_time or cpu_time is not finite");
	}
	put_int(out, "iterations", r->iterations);
	put_time(out, "real_time", r->real_time);
	put_time(out, "cpu_time", r->cpu_time);
	put_key(out, "      ", "time_unit");
	json_put_string(out, r->time_unit);
	for (size_t k = 0; k < c->n; k++) {
		if (!isfinite(c->v[k].d))
			continue;
		fputs(",\n", out);
		put_key(out, "      ", c->v[k].key);
		put_value(out, &c->v[k]);
	}
	fputs("\n    }", out);
}

int bench_json_print(const struct bench_json *bj, FILE *out)
{
	size_t *family = families(bj);
	locale_t c, old;

	if (!family)
		return -ENOMEM;
	old = c_locale_enter(&c);
	fputs("{\n", out);
	put_context(out, &bj->context);
	fputs("  \"benchmarks\": [", out);
	for (size_t i = 0; i < bj->nruns; i++) {
		fputs(i ? ",\n" : "\n", out);
		put_run(out, bj, i, family[i]);
	}
	fputs(bj->nruns ? "\n  ]\n}\n" : "]\n}\n", out);
	c_locale_leave(old, c);
	free(family);
	if (fflush(out) != 0 || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}

static int fill(FILE *out, void *arg)
{
	return bench_json_print(arg, out);
}

int bench_json_write(const struct bench_json *bj, const char *path)
{
	return atomic_file_write(path, fill, (void *)bj);
}
