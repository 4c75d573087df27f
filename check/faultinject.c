/* SPDX-License-Identifier: MIT */
/* Allocation-failure injection over an op-script (check/faultinject.h). */
#include "check/faultinject.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"
#include "iomem/ioremap.h"
#include "opscript/opscript.h"

/* --- Text captured from a FILE. */

struct capture {
	FILE *f;
	char *text;
	size_t len;
};

static int capture_open(struct capture *c)
{
	*c = (struct capture){ 0 };
	c->f = open_memstream(&c->text, &c->len);
	return c->f ? 0 : -ENOMEM;
}

/* The text so far, kept by the caller (free()); the stream is closed. */
static char *capture_take(struct capture *c)
{
	char *text;

	if (fclose(c->f) != 0) {
		free(c->text);
		return NULL;
	}
	text = c->text;
	*c = (struct capture){ 0 };
	return text;
}

/* --- What a run looks like at one point. */

struct state {
	char *dump;				/* both roots, /proc/iomem style */
	struct iomem_alloc_count count[IOMEM_ALLOC_NR_KINDS];
	bool mapped;				/* the mapping space exists */
	struct vmap_stats va;
};

static void state_free(struct state *st)
{
	free(st->dump);
	st->dump = NULL;
}

static int state_take(struct iomem_tree *t, struct opscript *s, struct state *st)
{
	struct iomem_mmu *m = opscript_mmu(s);
	struct capture c;

	iomem_tree_quiesce(t);
	if (capture_open(&c))
		return -ENOMEM;
	fputs("[iomem]\n", c.f);
	iomem_show(t, IOMEM_ROOT_IOMEM, c.f);
	fputs("[ioport]\n", c.f);
	iomem_show(t, IOMEM_ROOT_IOPORT, c.f);
	st->dump = capture_take(&c);
	if (!st->dump)
		return -ENOMEM;
	for (int k = 0; k < IOMEM_ALLOC_NR_KINDS; k++)
		iomem_alloc_count(k, &st->count[k]);
	st->mapped = m != NULL;
	if (m)
		vmap_stats(iomem_mmu_vmap(m), &st->va);
	return 0;
}

/* --- One run of the script. */

struct run {
	struct opscript *s;
	struct iomem_tree *t;
	const char *backend;
	struct iomem_alloc_count base[IOMEM_ALLOC_NR_KINDS];	/* before the tree was made */
};

static int run_start(struct run *r)
{
	for (int k = 0; k < IOMEM_ALLOC_NR_KINDS; k++)
		iomem_alloc_count(k, &r->base[k]);
	r->t = iomem_tree_new(r->backend, NULL);
	return r->t ? 0 : -errno;
}

/* Op i; its output in *out (NULL: thrown away). The op's status, or -ENOMEM. */
static int run_op(struct run *r, size_t i, char **out)
{
	struct capture c;
	int rc;

	if (capture_open(&c))
		return -ENOMEM;
	rc = opscript_exec(r->s, r->t, i, c.f);
	if (out) {
		*out = capture_take(&c);
		if (!*out)
			return -ENOMEM;
	} else {
		free(capture_take(&c));
	}
	return rc;
}

/* Ends the run; false (and why) when anything of any kind is left allocated. */
static bool run_end(struct run *r, char *why, size_t len)
{
	bool clean = true;

	opscript_reset(r->s);
	iomem_tree_free(r->t);
	r->t = NULL;
	for (int k = 0; k < IOMEM_ALLOC_NR_KINDS && clean; k++) {
		struct iomem_alloc_count now;

		iomem_alloc_count(k, &now);
		if (now.live != r->base[k].live || now.bytes != r->base[k].bytes) {
			snprintf(why, len,
				 "when the run ended and its tree was freed, %lld %s allocations "
				 "(%lld bytes) were still alive",
				 now.live - r->base[k].live, iomem_alloc_kind_name(k),
				 now.bytes - r->base[k].bytes);
			clean = false;
		}
	}
	return clean;
}

/* --- The run without failures, op by op. */

struct reference {
	size_t n;		/* ops that run (the script ends early on an error) */
	char **out;		/* each op's output */
	char **dump;		/* the tree after each op */
	uint64_t *allocs;	/* the allocations each op makes */
};

static void reference_free(struct reference *ref)
{
	for (size_t i = 0; i < ref->n; i++) {
		free(ref->out[i]);
		free(ref->dump[i]);
	}
	free(ref->out);
	free(ref->dump);
	free(ref->allocs);
}

static char **strings_new(size_t n)
{
	return calloc(n ? n : 1, sizeof(char *));
}

/* 0, 2 when the script ends with an error, -errno. */
static int reference_make(struct run *r, struct reference *ref, char *why, size_t len)
{
	size_t n = opscript_len(r->s);
	int rc;

	*ref = (struct reference){ 0 };
	rc = run_start(r);
	if (rc)
		return rc;
	*ref = (struct reference){ .out = strings_new(n), .dump = strings_new(n),
				   .allocs = calloc(n ? n : 1, sizeof(uint64_t)) };
	if (!ref->out || !ref->dump || !ref->allocs)
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		struct state st;

		iomem_alloc_fail(0, 0);		/* count, fail nothing */
		rc = run_op(r, i, &ref->out[i]);
		ref->allocs[i] = iomem_alloc_fail_stop();
		ref->n = i + 1;
		if (!rc && !(rc = state_take(r->t, r->s, &st)))
			ref->dump[i] = st.dump;
	}
	if (!run_end(r, why, len) && !rc)
		rc = 1;
	return rc;
}

/* The run with op i's call failing, without the call: the later ops' output. */
static int reference_without(struct run *r, const struct reference *ref, size_t i,
			     char **out, char *why, size_t len)
{
	int rc = run_start(r);

	for (size_t j = 0; !rc && j < ref->n; j++) {
		if (j == i)
			opscript_skip(r->s, j);
		else
			rc = run_op(r, j, j > i ? &out[j] : NULL);
	}
	if (!run_end(r, why, len) && !rc)
		rc = 1;
	return rc;
}

/* --- Judging one run with an allocation failing. */

struct judge {
	struct faultinject_result *res;
	size_t i;			/* the op */
	uint64_t k;			/* its allocation that fails */
	const struct reference *ref;
	char **without;			/* later ops' output without op i */
};

static bool broken(struct judge *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool broken(struct judge *j, const char *fmt, ...)
{
	struct faultinject_result *res = j->res;
	va_list ap;

	if (res->broken)
		return false;
	res->broken = true;
	res->alloc_index = j->k;
	res->allocs = j->ref->allocs[j->i];
	va_start(ap, fmt);
	vsnprintf(res->what, sizeof(res->what), fmt, ap);
	va_end(ap);
	return false;
}

/* The first line where a and b differ, for a report. */
static void first_difference(const char *a, const char *b, char *out, size_t len)
{
	size_t at = 0, line = 1;

	while (a[at] && a[at] == b[at]) {
		if (a[at] == '\n')
			line++;
		at++;
	}
	while (at > 0 && a[at - 1] != '\n')
		at--;
	snprintf(out, len, "line %zu: '%.*s' where it was '%.*s'", line,
		 (int)strcspn(b + at, "\n"), b + at, (int)strcspn(a + at, "\n"), a + at);
}

static bool starts_with_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && (s[n] == '\n' || s[n] == ' ' || s[n] == '\0');
}

/* Every VA area and page table alive is held by the allocator or the page table. */
static bool mapping_accounted(struct judge *j, struct opscript *s, const struct state *now)
{
	struct iomem_mmu *m = opscript_mmu(s);
	struct pgtable_stats pt;
	char msg[256];
	uint64_t areas;

	if (!m)
		return true;
	areas = now->va.busy_areas + now->va.lazy_areas + now->va.free_areas +
		now->va.pooled_areas + now->va.spare_areas;
	if ((uint64_t)now->count[IOMEM_ALLOC_VA].live != areas)
		return broken(j, "%lld VA areas are allocated, the allocator holds %llu",
			      now->count[IOMEM_ALLOC_VA].live, (unsigned long long)areas);
	pgtable_stats(iomem_mmu_pgtable(m), &pt);
	if ((uint64_t)now->count[IOMEM_ALLOC_PGTABLE].live !=
	    1 + pt.tables_allocated - pt.tables_freed)
		return broken(j, "%lld page tables are allocated, the page table holds %llu",
			      now->count[IOMEM_ALLOC_PGTABLE].live,
			      (unsigned long long)(1 + pt.tables_allocated - pt.tables_freed));
	if (vmap_check(iomem_mmu_vmap(m), msg, sizeof(msg)))
		return broken(j, "the VA allocator is broken: %s", msg);
	return true;
}

/* How an op came out of its failed allocation. */
enum outcome {
	FAILED,		/* it reported ENOMEM and changed nothing */
	RECOVERED,	/* it printed what it prints without the failure */
	DIVERGED,	/* a mapping op, which failed or recovered as the kernel does, leaving
			 * the VA allocator otherwise than a run without it would */
};

/* The VA allocator is where it was: no area moved between busy, lazy, free and pooled,
 * and no purge ran. */
static bool va_unmoved(const struct state *before, const struct state *now)
{
	const struct vmap_stats *b = &before->va, *n = &now->va;

	if (!before->mapped || !now->mapped)
		return before->mapped == now->mapped;
	return b->busy_bytes == n->busy_bytes && b->lazy_bytes == n->lazy_bytes &&
	       b->free_bytes == n->free_bytes && b->pooled_bytes == n->pooled_bytes &&
	       b->purges == n->purges;
}

/* A failed op changed nothing: the tree, the node bytes, the transient buffers, the
 * mapping space's live areas. */
static bool unchanged(struct judge *j, const struct state *before, const struct state *now)
{
	const struct iomem_alloc_count *b = before->count, *n = now->count;
	char diff[320];

	if (strcmp(before->dump, now->dump) != 0) {
		first_difference(before->dump, now->dump, diff, sizeof(diff));
		return broken(j, "the op failed but the tree changed: %s", diff);
	}
	if (n[IOMEM_ALLOC_NODE].bytes != b[IOMEM_ALLOC_NODE].bytes)
		return broken(j, "the op failed but tree-node bytes went from %lld to %lld",
			      b[IOMEM_ALLOC_NODE].bytes, n[IOMEM_ALLOC_NODE].bytes);
	/* The mapping space made by a mapping op stays, as it does when the op succeeds. */
	if (before->mapped == now->mapped &&
	    n[IOMEM_ALLOC_OTHER].live != b[IOMEM_ALLOC_OTHER].live)
		return broken(j, "the op failed but kept %lld of its other allocations",
			      n[IOMEM_ALLOC_OTHER].live - b[IOMEM_ALLOC_OTHER].live);
	if (now->mapped && (before->mapped ? before->va.busy_areas : 0) != now->va.busy_areas)
		return broken(j, "the op failed but left %llu mapped areas where there were %llu",
			      (unsigned long long)now->va.busy_areas,
			      (unsigned long long)(before->mapped ? before->va.busy_areas : 0));
	return true;
}

/* Op i, with its allocation k failing: the op's result and what it left. */
static bool judge_op(struct judge *j, struct run *r, enum outcome *outcome)
{
	bool maps = opscript_is_mapping_op(r->s, j->i), failed;
	const struct reference *ref = j->ref;
	struct state before = { 0 }, now = { 0 };
	uint64_t made;
	char *out = NULL;
	bool ok = false;
	int rc;

	if (state_take(r->t, r->s, &before))
		return broken(j, "out of memory outside the injection");
	iomem_alloc_fail(j->k, 1);
	rc = run_op(r, j->i, &out);
	made = iomem_alloc_fail_stop();
	if (rc) {
		broken(j, "the op ended the script (status %d) instead of reporting ENOMEM", rc);
		goto out;
	}
	if (made < j->k) {
		broken(j, "the op made %llu allocations where its allocation %llu was to fail",
		       (unsigned long long)made, (unsigned long long)j->k);
		goto out;
	}
	failed = starts_with_word(out, "ENOMEM");
	*outcome = failed ? FAILED : RECOVERED;
	if (!failed && maps) {
		/* A mapping op recovers as the kernel does, maybe otherwise than it would have
		 * gone (memremap's next memory type, another address after the allocator's
		 * purge): it must still succeed as it does without the failure. */
		size_t word = strcspn(ref->out[j->i], " \n");

		*outcome = DIVERGED;
		if (strncmp(out, ref->out[j->i], word) != 0 || !strchr(" \n", out[word])) {
			broken(j, "the op printed '%.*s', not ENOMEM nor, recovering, '%.*s'",
			       (int)strcspn(out, "\n"), out,
			       (int)strcspn(ref->out[j->i], "\n"), ref->out[j->i]);
			goto out;
		}
	} else if (!failed && strcmp(out, ref->out[j->i]) != 0) {
		broken(j, "the op printed '%.*s', not ENOMEM nor, recovering, '%.*s'",
		       (int)strcspn(out, "\n"), out, (int)strcspn(ref->out[j->i], "\n"),
		       ref->out[j->i]);
		goto out;
	}
	if (state_take(r->t, r->s, &now)) {
		broken(j, "out of memory outside the injection");
		goto out;
	}
	if (failed) {
		ok = unchanged(j, &before, &now);
		/* free_vm_area: the VA of a mapping that failed half-way is freed lazily */
		if (maps && !va_unmoved(&before, &now))
			*outcome = DIVERGED;
	} else if (strcmp(now.dump, ref->dump[j->i]) != 0) {
		char diff[320];

		first_difference(ref->dump[j->i], now.dump, diff, sizeof(diff));
		broken(j, "the op recovered but the tree is not as without the failure: %s", diff);
	} else {
		ok = true;
	}
	ok = ok && mapping_accounted(j, r->s, &now);
out:
	free(out);
	state_free(&before);
	state_free(&now);
	return ok;
}

/* After a diverged op, a later op cannot print what it prints without the failure (its
 * addresses differ): it must run, leave the tree as without the failure (mapping ops do
 * not change the tree), and keep every VA area and page table accounted for. */
static bool judge_diverged(struct judge *j, struct run *r, size_t l)
{
	struct state now = { 0 };
	int rc = run_op(r, l, NULL);
	bool ok;

	if (rc)
		return broken(j, "after it, the op of line %lu ended the script (status %d)",
			      opscript_lineno(r->s, l), rc);
	if (state_take(r->t, r->s, &now))
		return broken(j, "out of memory outside the injection");
	ok = strcmp(now.dump, j->ref->dump[l]) == 0 ||
	     broken(j, "after it, the op of line %lu left the tree otherwise",
		    opscript_lineno(r->s, l));
	ok = ok && mapping_accounted(j, r->s, &now);
	state_free(&now);
	return ok;
}

/* The ops after op i print what they print without the failure: a run without the op
 * when it failed, the run itself when it recovered. */
static bool judge_later(struct judge *j, struct run *r, enum outcome outcome)
{
	const struct reference *ref = j->ref;

	for (size_t l = j->i + 1; l < ref->n; l++) {
		const char *want = outcome == FAILED ? j->without[l] : ref->out[l];
		char *out = NULL;
		int rc;
		bool same;

		if (outcome == DIVERGED) {
			if (!judge_diverged(j, r, l))
				return false;
			continue;
		}
		rc = run_op(r, l, &out);
		same = rc == 0 && out && strcmp(out, want) == 0;
		if (!same) {
			char diff[320];

			first_difference(want, out ? out : "", diff, sizeof(diff));
			broken(j, "after it, the op of line %lu printed, at its %s (status %d)",
			       opscript_lineno(r->s, l), diff, rc);
		}
		free(out);
		if (!same)
			return false;
	}
	return true;
}

static bool inject_one(struct judge *j, struct run *r)
{
	char why[256];
	enum outcome outcome = FAILED;
	bool ok;
	int rc = run_start(r);

	if (rc)
		return broken(j, "cannot make a tree: %s", strerror(-rc));
	for (size_t l = 0; !rc && l < j->i; l++)
		rc = run_op(r, l, NULL);
	ok = rc == 0 ? judge_op(j, r, &outcome) : broken(j, "the run before the op failed");
	ok = ok && judge_later(j, r, outcome);
	if (!run_end(r, why, sizeof(why)) && ok)
		ok = broken(j, "%s", why);
	if (ok) {
		j->res->runs++;
		j->res->failed += outcome == FAILED;
		j->res->recovered += outcome == RECOVERED;
		j->res->diverged += outcome == DIVERGED;
	}
	return ok;
}

int faultinject_run(struct opscript *s, const char *backend, struct faultinject_result *res)
{
	struct run r = { .s = s, .backend = backend };
	struct reference ref;
	char why[256];
	int rc;

	*res = (struct faultinject_result){ 0 };
	rc = reference_make(&r, &ref, why, sizeof(why));
	if (rc == 1) {
		res->broken = true;
		snprintf(res->what, sizeof(res->what), "without any failure: %s", why);
		rc = 0;
	}
	for (size_t i = 0; !rc && !res->broken && i < ref.n; i++) {
		struct judge j = { .res = res, .i = i, .ref = &ref };

		if (!ref.allocs[i])
			continue;
		res->lineno = opscript_lineno(s, i);
		j.without = strings_new(ref.n);
		if (!j.without) {
			rc = -ENOMEM;
			break;
		}
		rc = reference_without(&r, &ref, i, j.without, why, sizeof(why));
		if (rc == 1) {
			res->broken = true;
			snprintf(res->what, sizeof(res->what), "without the op: %s", why);
			rc = 0;
		}
		for (j.k = 1; !rc && j.k <= ref.allocs[i] && inject_one(&j, &r); j.k++)
			;
		for (size_t l = 0; l < ref.n; l++)
			free(j.without[l]);
		free(j.without);
	}
	reference_free(&ref);
	if (rc < 0)
		fprintf(stderr, "iomem faultinject: %s\n", strerror(-rc));
	return rc ? 2 : 0;
}
