/* SPDX-License-Identifier: MIT */
/* The op-scripts' mapping ops: ioremap, iounmap, memremap, memunmap, translate, purge,
 * vmallocinfo, and "mmu" (options of the mapping space, before its first use).
 *
 * The mapping space is made on the first mapping op, bound to the script's tree (RAM is
 * its iomem root's System RAM); its VA allocator takes the tree's lock strategy unless
 * "mmu lock=NAME" says otherwise. Ops returning an address may end with "as NAME"; an
 * address operand may be a number, NAME or NAME+OFFSET. A failed op binds its NAME to 0
 * (NULL, what the kernel returns).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "locks/lock.h"
#include "script.h"

enum { IOREMAP_DEV, IOREMAP_NP, IOREMAP_WC, IOREMAP_WT, IOREMAP_CACHE };

static const char *const variant_words[] = {
	[IOREMAP_DEV] = "dev", [IOREMAP_NP] = "np", [IOREMAP_WC] = "wc",
	[IOREMAP_WT] = "wt", [IOREMAP_CACHE] = "cache",
};

/* --- Parsing. */

static bool is_name(const char *p)
{
	if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	for (p++; *p; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

/* Index + 1 of a bound name, 0 if unknown. */
static unsigned find_name(const struct mmu_script *ms, const char *name, size_t len)
{
	for (size_t i = ms->nnames; i-- > 0;)
		if (strlen(ms->names[i]) == len && strncmp(ms->names[i], name, len) == 0)
			return (unsigned)i + 1;
	return 0;
}

/* Index + 1 of name, added if new; 0 when out of memory. */
static unsigned bind_name(struct mmu_script *ms, const char *name)
{
	unsigned ref = find_name(ms, name, strlen(name));

	if (ref)
		return ref;
	if (ms->nnames == ms->cap) {
		size_t cap = ms->cap ? 2 * ms->cap : 16;
		char **names = realloc(ms->names, cap * sizeof(*names));

		if (!names)
			return 0;
		ms->names = names;
		ms->cap = cap;
	}
	ms->names[ms->nnames] = strdup(name);
	return ms->names[ms->nnames] ? (unsigned)++ms->nnames : 0;
}

/* VA: a number, NAME or NAME+OFFSET (NAME bound by an earlier "as"). */
static int parse_addr(struct opscript *s, struct op *op, const struct token *t, const char *usage)
{
	const char *plus = strchr(t->text, '+');
	size_t len = plus ? (size_t)(plus - t->text) : strlen(t->text);
	char name[64];

	if (opscript_parse_u64(t, &op->num[0]))
		return 0;
	if (t->quoted || len == 0 || len >= sizeof(name))
		goto bad;
	memcpy(name, t->text, len);
	name[len] = '\0';
	if (!is_name(name))
		goto bad;
	op->ref = find_name(&s->mmu, name, len);
	if (!op->ref)
		return opscript_syntax(s, op->lineno, "'%s' is not bound by an earlier 'as %s'",
				       name, name);
	op->num[0] = 0;
	if (plus && !opscript_parse_u64(&(struct token){ .text = (char *)plus + 1 }, &op->num[0]))
		goto bad;
	return 0;
bad:
	return opscript_syntax(s, op->lineno,
			       "'%s' is not an address (a number, NAME or NAME+OFFSET): %s",
			       t->text, usage);
}

/* "as NAME" as the last two tokens from i on; nothing else may remain. */
static int parse_bind(struct opscript *s, struct op *op, const struct token *tok, int i,
		      int ntok, const char *usage)
{
	if (i == ntok)
		return 0;
	if (i != ntok - 2 || tok[i].quoted || strcmp(tok[i].text, "as") != 0 ||
	    tok[i + 1].quoted || !is_name(tok[i + 1].text) || strlen(tok[i + 1].text) >= 64)
		return opscript_syntax(s, op->lineno, "expected 'as NAME' after the arguments: %s",
				       usage);
	op->bind = bind_name(&s->mmu, tok[i + 1].text);
	return op->bind ? 0 : opscript_syntax(s, op->lineno, "out of memory");
}

static int parse_ioremap(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	const char *usage = op->def->usage;
	int i = 3, rc = opscript_parse_numbers(s, op, tok, 2);

	if (rc)
		return rc;
	op->variant = IOREMAP_DEV;
	if (i < ntok && !tok[i].quoted && strcmp(tok[i].text, "as") != 0) {
		unsigned v;

		for (v = 0; v < sizeof(variant_words) / sizeof(variant_words[0]); v++)
			if (strcmp(tok[i].text, variant_words[v]) == 0)
				break;
		if (v == sizeof(variant_words) / sizeof(variant_words[0]))
			return opscript_syntax(s, op->lineno, "unknown ioremap variant '%s': %s",
					       tok[i].text, usage);
		op->variant = v;
		i++;
	}
	return parse_bind(s, op, tok, i, ntok, usage);
}

/* wb|wt|wc, comma-separated. */
static bool parse_memremap_flags(const char *p, unsigned long *flags)
{
	static const char *const words[] = { "wb", "wt", "wc" };

	*flags = 0;
	for (;;) {
		size_t len = strcspn(p, ","), w;

		for (w = 0; w < 3; w++)
			if (strlen(words[w]) == len && strncmp(p, words[w], len) == 0)
				break;
		if (w == 3)
			return false;
		*flags |= 1UL << w;	/* MEMREMAP_WB, _WT, _WC */
		if (!p[len])
			return true;
		p += len + 1;
	}
}

static int parse_memremap(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	const char *usage = op->def->usage;
	int rc = opscript_parse_numbers(s, op, tok, 2);

	if (rc)
		return rc;
	if (tok[3].quoted || !parse_memremap_flags(tok[3].text, &op->flags))
		return opscript_syntax(s, op->lineno, "bad memremap flags '%s': %s", tok[3].text,
				       usage);
	return parse_bind(s, op, tok, 4, ntok, usage);
}

static bool parse_count(const char *text, unsigned max, unsigned *out)
{
	resource_size_t v;

	if (!opscript_parse_u64(&(struct token){ .text = (char *)text }, &v) || v == 0 || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

static int parse_mmu_word(struct opscript *s, struct op *op, const char *w)
{
	struct mmu_script *ms = &s->mmu;
	const char *policy;

	if (strncmp(w, "cpus=", 5) == 0 && parse_count(w + 5, 4096, &ms->opts.ncpus))
		return 0;
	if (strncmp(w, "nodes=", 6) == 0 && parse_count(w + 6, VMAP_MAX_NODES, &ms->opts.nodes))
		return 0;
	if (strncmp(w, "va=", 3) == 0 && (policy = vmap_policy_find(w + 3))) {
		ms->opts.va_policy = policy;
		return 0;
	}
	if (strcmp(w, "nohugeiomap") == 0) {
		ms->opts.nohugeiomap = true;
		return 0;
	}
	if (strncmp(w, "lock=", 5) == 0) {
		if (!lock_find(w + 5))
			return opscript_syntax(s, op->lineno, "unknown lock '%s'", w + 5);
		free(ms->lock);
		ms->lock = strdup(w + 5);
		return ms->lock ? 0 : opscript_syntax(s, op->lineno, "out of memory");
	}
	return opscript_syntax(s, op->lineno, "bad mmu option '%s': %s", w,
			       "cpus=1..4096 nodes=1..128 va=global|sharded|sharded-cpu lock=NAME nohugeiomap");
}

static int parse_mmu(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	if (s->mmu.mapping_seen)
		return opscript_syntax(s, op->lineno, "'mmu' must come before the first mapping op");
	for (int i = 1; i < ntok; i++) {
		int rc = tok[i].quoted ? opscript_syntax(s, op->lineno, "unexpected quoted string")
				       : parse_mmu_word(s, op, tok[i].text);

		if (rc)
			return rc;
	}
	return 0;
}

/* Every mapping op: "mmu" is too late from now on. */
static int parse_ioremap_op(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	s->mmu.mapping_seen = true;
	return parse_ioremap(s, op, tok, ntok);
}

static int parse_memremap_op(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	s->mmu.mapping_seen = true;
	return parse_memremap(s, op, tok, ntok);
}

/* VA: iounmap, memunmap, translate. */
static int parse_address_op(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	(void)ntok;
	s->mmu.mapping_seen = true;
	return parse_addr(s, op, &tok[1], op->def->usage);
}

/* purge, vmallocinfo */
static int parse_bare_op(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	(void)op;
	(void)tok;
	(void)ntok;
	s->mmu.mapping_seen = true;
	return 0;
}

/* --- Running. */

/* Makes the mapping space on the first mapping op: 0, -ENOMEM when there is no memory for
 * it (the op's result, as for any failed allocation; the next op tries again), or 2 for a
 * script error. */
static int ensure_space(struct opscript *s, struct iomem_tree *t, const struct op *op)
{
	struct mmu_script *ms = &s->mmu;

	if (!ms->values) {
		ms->values = calloc(ms->nnames ? ms->nnames : 1, sizeof(*ms->values));
		if (!ms->values)
			return opscript_syntax(s, op->lineno, "out of memory");
	}
	if (ms->space)
		return 0;
	ms->opts.va_lock = ms->lock ? ms->lock : iomem_tree_lock(t);
	ms->space = iomem_mmu_new(t, &ms->opts);
	if (ms->space)
		return 0;
	if (errno == ENOMEM)
		return -ENOMEM;
	return opscript_syntax(s, op->lineno, "cannot set up the mapping space: %s",
			       errno == EINVAL ? "nodes= needs va=sharded or va=sharded-cpu" : strerror(errno));
}

static uint64_t addr_operand(const struct opscript *s, const struct op *op)
{
	return (op->ref ? s->mmu.values[op->ref - 1] : 0) + op->num[0];
}

static int do_ioremap(struct iomem_mmu *m, const struct op *op, uint64_t *va)
{
	switch (op->variant) {
	case IOREMAP_NP: return iomem_ioremap_np(m, op->num[0], op->num[1], va);
	case IOREMAP_WC: return iomem_ioremap_wc(m, op->num[0], op->num[1], va);
	case IOREMAP_WT: return iomem_ioremap_wt(m, op->num[0], op->num[1], va);
	case IOREMAP_CACHE: return iomem_ioremap_cache(m, op->num[0], op->num[1], va);
	default: return iomem_ioremap(m, op->num[0], op->num[1], va);
	}
}

/* "ok 0xVA" or the errno; binds the NAME. */
static void address_result(struct opscript *s, const struct op *op, int rc, uint64_t va,
			   FILE *out)
{
	if (rc)
		opscript_result(out, rc);
	else
		fprintf(out, "ok 0x%" PRIx64 "\n", va);
	if (op->bind)
		s->mmu.values[op->bind - 1] = rc ? 0 : va;
}

static void translate_result(struct iomem_mmu *m, uint64_t va, FILE *out)
{
	struct iomem_translation tr;

	if (iomem_translate(m, va, &tr))
		fputs("fault\n", out);
	else
		fprintf(out, "ok 0x%" PRIx64 " %s %s\n", tr.pa, iomem_mt_name(tr.attrindx),
			iomem_map_level_name(tr.level));
}

static void purge_result(struct iomem_mmu *m, FILE *out)
{
	struct vmap_purge_result r;
	struct vmap_stats st;

	iomem_mmu_purge(m, &r);
	vmap_stats(iomem_mmu_vmap(m), &st);
	fprintf(out, "ok areas=%" PRIu64 " pages=%" PRIu64 " tlbi_pages=%" PRIu64
		" tlbi_all=%" PRIu64 " purges=%" PRIu64 "\n",
		r.areas, r.pages, r.tlbi_pages, r.tlbi_all, st.purges);
}

/* Every mapping op runs on the mapping space, made by the first one: 0 and *m, or the
 * op's status when the space cannot be made (its result, ENOMEM, is printed). */
static int space(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out,
		 struct iomem_mmu **m)
{
	int rc = ensure_space(s, t, op);

	*m = s->mmu.space;
	if (rc == -ENOMEM) {
		address_result(s, op, rc, 0, out);
		return 1;
	}
	/* A drain the last op started has finished, as the kernel's would have by now:
	 * the script stays deterministic. */
	if (*m)
		vmap_settle(iomem_mmu_vmap(*m));
	return rc;
}

/* space()'s 1 (the op is done) as a status. */
static int done(int rc)
{
	return rc == 1 ? 0 : rc;
}

static int run_ioremap(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	struct iomem_mmu *m;
	uint64_t va = 0;
	int rc = space(s, t, op, out, &m);

	if (rc)
		return done(rc);
	rc = do_ioremap(m, op, &va);
	address_result(s, op, rc, va, out);
	return 0;
}

static int run_memremap(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	struct iomem_mmu *m;
	uint64_t va = 0;
	int rc = space(s, t, op, out, &m);

	if (rc)
		return done(rc);
	rc = iomem_memremap(m, op->num[0], op->num[1], op->flags, &va);
	address_result(s, op, rc, va, out);
	return 0;
}

static int run_iounmap(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	struct iomem_mmu *m;
	int rc = space(s, t, op, out, &m);

	if (!rc)
		opscript_result(out, iomem_iounmap(m, addr_operand(s, op)));
	return done(rc);
}

static int run_memunmap(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	struct iomem_mmu *m;
	int rc = space(s, t, op, out, &m);

	if (rc)
		return done(rc);
	iomem_memunmap(m, addr_operand(s, op));
	opscript_result(out, 0);
	return 0;
}

static int run_translate(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	struct iomem_mmu *m;
	int rc = space(s, t, op, out, &m);

	if (!rc)
		translate_result(m, addr_operand(s, op), out);
	return done(rc);
}

static int run_purge(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	struct iomem_mmu *m;
	int rc = space(s, t, op, out, &m);

	if (!rc)
		purge_result(m, out);
	return done(rc);
}

static int run_vmallocinfo(struct opscript *s, struct iomem_tree *t, const struct op *op,
			   FILE *out)
{
	struct iomem_mmu *m;
	int rc = space(s, t, op, out, &m);

	/* The listing is collected before any of it is printed: all of it, or ENOMEM. */
	if (!rc && iomem_vmallocinfo(m, out) == -ENOMEM)
		opscript_result(out, -ENOMEM);
	return done(rc);
}

static int run_mmu(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	(void)s;
	(void)t;
	(void)op;
	(void)out;
	return 0;
}

void mmu_script_reset(struct mmu_script *ms)
{
	iomem_mmu_free(ms->space);
	ms->space = NULL;
	free(ms->values);
	ms->values = NULL;
}

void mmu_script_free(struct mmu_script *ms)
{
	mmu_script_reset(ms);
	for (size_t i = 0; i < ms->nnames; i++)
		free(ms->names[i]);
	free(ms->names);
	free(ms->lock);
	memset(ms, 0, sizeof(*ms));
}

void mmu_script_unbind(struct mmu_script *ms, const struct op *op)
{
	if (op->bind && ms->values)	/* values not made yet all read 0 */
		ms->values[op->bind - 1] = 0;
}

const struct opdef opscript_mmu_ops[] = {
	{ "ioremap", 2, 5, "ioremap PHYS SIZE [dev|np|wc|wt|cache] [as NAME]", 2,
	  parse_ioremap_op, run_ioremap },
	{ "iounmap", 1, 1, "iounmap VA", 0, parse_address_op, run_iounmap },
	{ "memremap", 3, 5, "memremap PHYS SIZE wb|wt|wc[,..] [as NAME]", 2, parse_memremap_op,
	  run_memremap },
	{ "memunmap", 1, 1, "memunmap VA", 0, parse_address_op, run_memunmap },
	{ "translate", 1, 1, "translate VA", 0, parse_address_op, run_translate },
	{ "purge", 0, 0, "purge", 0, parse_bare_op, run_purge },
	{ "vmallocinfo", 0, 0, "vmallocinfo", 0, parse_bare_op, run_vmallocinfo },
	{ "mmu", 1, 5, "mmu [cpus=N] [nodes=N] [va=global|sharded] [lock=NAME] [nohugeiomap]", 0,
	  parse_mmu, run_mmu },
	{ NULL, 0, 0, NULL, 0, NULL, NULL },
};
