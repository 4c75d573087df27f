/* SPDX-License-Identifier: MIT */
/* The op-scripts' tree ops: root, load, request, release, insert, remove, adjust,
 * allocate, intersects, walk, lookup and dump, each a call of the tree API with its
 * result printed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/dump.h"
#include "iomem/names.h"
#include "script.h"

/* --- Parsing. */

static int parse_root(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	(void)ntok;
	if (strcmp(tok[1].text, "iomem") == 0)
		s->root = IOMEM_ROOT_IOMEM;
	else if (strcmp(tok[1].text, "ioport") == 0)
		s->root = IOMEM_ROOT_IOPORT;
	else
		return opscript_syntax(s, op->lineno, "root must be iomem or ioport, not '%s'",
				       tok[1].text);
	return 0;
}

static int parse_load(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	(void)ntok;
	op->name = strdup(tok[1].text);
	return op->name ? 0 : opscript_syntax(s, op->lineno, "out of memory");
}

static int parse_nothing(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	(void)s;
	(void)op;
	(void)tok;
	(void)ntok;
	return 0;
}

/* The numbers, then a quoted NAME; the next word's index through *next. */
static int parse_head(struct opscript *s, struct op *op, const struct token *tok, int *next)
{
	int i = 1 + (int)op->def->nnum, rc = opscript_parse_numbers(s, op, tok, op->def->nnum);

	if (rc)
		return rc;
	if (!tok[i].quoted)
		return opscript_syntax(s, op->lineno, "the name must be in double quotes: %s",
				       op->def->usage);
	op->name = strdup(tok[i].text);
	if (!op->name)
		return opscript_syntax(s, op->lineno, "out of memory");
	*next = i + 1;
	return 0;
}

/* Numbers, a NAME, then FLAGS at most once; insert also takes desc=DESC. */
static int parse_claim(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	int i = 0, rc = parse_head(s, op, tok, &i);

	for (; !rc && i < ntok; i++) {
		const struct token *t = &tok[i];

		if (t->quoted)
			return opscript_syntax(s, op->lineno, "unexpected quoted string: %s",
					       op->def->usage);
		if (strcmp(op->def->word, "insert") == 0 && strncmp(t->text, "desc=", 5) == 0) {
			if (!iomem_parse_desc(t->text + 5, &op->desc))
				return opscript_syntax(s, op->lineno, "unknown desc '%s'", t->text + 5);
		} else if (!op->has_flags && iomem_parse_flags(t->text, &op->flags)) {
			op->has_flags = true;
		} else {
			return opscript_syntax(s, op->lineno, "bad flags '%s': %s", t->text,
					       op->def->usage);
		}
	}
	return rc;
}

/* START SIZE|END FLAGS DESC */
static int parse_query(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	int rc = opscript_parse_numbers(s, op, tok, op->def->nnum);

	for (int i = 1 + (int)op->def->nnum; !rc && i < ntok; i++) {
		const struct token *t = &tok[i];
		bool is_flags = i == ntok - 2;

		if (t->quoted)
			return opscript_syntax(s, op->lineno, "unexpected quoted string: %s",
					       op->def->usage);
		if (is_flags ? !iomem_parse_flags(t->text, &op->flags)
			     : !iomem_parse_desc(t->text, &op->desc))
			return opscript_syntax(s, op->lineno, "bad %s '%s'",
					       is_flags ? "flags" : "desc", t->text);
	}
	return rc;
}

/* Numbers only (the argument count is theirs). */
static int parse_numbers(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	(void)ntok;
	return opscript_parse_numbers(s, op, tok, op->def->nnum);
}

/* --- Running. */

static unsigned long root_type(enum iomem_root root)
{
	return root == IOMEM_ROOT_IOMEM ? IORESOURCE_MEM : IORESOURCE_IO;
}

/* Flags written without a type word take the root's type. */
static unsigned long typed(const struct op *op)
{
	unsigned long f = op->has_flags ? op->flags : 0;

	return (f & IORESOURCE_TYPE_BITS) ? f : f | root_type(op->root);
}

static int run_nothing(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	(void)s;
	(void)t;
	(void)op;
	(void)out;
	return 0;
}

static int run_load(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	char msg[512];
	FILE *f = s->open(op->name, s->file, s->open_arg);
	int err;

	if (!f)
		return opscript_syntax(s, op->lineno, "cannot open '%s': %s", op->name,
				       strerror(errno));
	err = iomem_load_dump(t, op->root, f, op->name, msg, sizeof(msg));
	fclose(f);
	if (err == -EBUSY) {
		fprintf(out, "EBUSY root not empty\n");
		return 0;
	}
	if (err == -ENOMEM) {	/* the root is left empty */
		opscript_result(out, err);
		return 0;
	}
	if (err) {
		fprintf(s->err, "%s\n", msg);
		return opscript_syntax(s, op->lineno, "load '%s' failed", op->name);
	}
	opscript_result(out, 0);
	return 0;
}

static int run_request(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	(void)s;
	opscript_result(out, iomem_request_region_nowait(t, op->root, op->num[0], op->num[1],
							 op->name, op->has_flags ? op->flags : 0));
	return 0;
}

static int run_release(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	(void)s;
	opscript_result(out, iomem_release_region(t, op->root, op->num[0], op->num[1]));
	return 0;
}

static int run_insert(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	(void)s;
	opscript_result(out, iomem_insert_resource(t, op->root, op->num[0], op->num[1], op->name,
						   typed(op), op->desc));
	return 0;
}

static int run_remove(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	(void)s;
	opscript_result(out, iomem_remove_resource(t, op->root, op->num[0], op->num[1]));
	return 0;
}

static int run_adjust(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	const resource_size_t *n = op->num;

	(void)s;
	opscript_result(out, iomem_adjust_resource(t, op->root, n[0], n[1], n[2], n[3]));
	return 0;
}

static int run_allocate(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	const resource_size_t *n = op->num;
	resource_size_t start;
	int err = iomem_allocate_resource(t, op->root, n[0], n[1], n[2], n[3], op->name,
					  typed(op), &start);

	(void)s;
	if (err)
		opscript_result(out, err);
	else
		fprintf(out, "ok 0x%llx 0x%llx\n", (unsigned long long)start,
			(unsigned long long)(start + n[0] - 1));
	return 0;
}

static int run_intersects(struct opscript *s, struct iomem_tree *t, const struct op *op,
			  FILE *out)
{
	(void)s;
	fprintf(out, "%s\n", iomem_region_name(iomem_region_intersects(
				     t, op->root, op->num[0], op->num[1], op->flags, op->desc)));
	return 0;
}

struct walk_out {
	FILE *out;
	unsigned long count;
};

static int walk_print(const struct resource *res, void *arg)
{
	struct walk_out *w = arg;

	fprintf(w->out, "0x%llx-0x%llx\n", (unsigned long long)res->start,
		(unsigned long long)res->end);
	w->count++;
	return 0;
}

static int run_walk(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	struct walk_out w = { .out = out };

	(void)s;
	iomem_walk_res_desc(t, op->root, op->desc, op->flags, op->num[0], op->num[1], walk_print,
			    &w);
	fprintf(out, "count %lu\n", w.count);
	return 0;
}

static int run_lookup(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	struct resource r;
	char name[256];
	int err = iomem_lookup(t, op->root, op->num[0], &r, name, sizeof(name));

	(void)s;
	if (err)
		opscript_result(out, err);
	else
		fprintf(out, "ok 0x%llx 0x%llx \"%s\" flags=0x%lx desc=%lu\n",
			(unsigned long long)r.start, (unsigned long long)r.end, name, r.flags,
			r.desc);
	return 0;
}

static int run_dump(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	(void)s;
	if (iomem_show(t, op->root, out) == -ENOMEM)
		opscript_result(out, -ENOMEM);
	return 0;
}

const struct opdef opscript_tree_ops[] = {
	{ "root", 1, 1, "root iomem|ioport", 0, parse_root, run_nothing },
	{ "load", 1, 1, "load FILE", 0, parse_load, run_load },
	{ "request", 3, 4, "request START N NAME [FLAGS]", 2, parse_claim, run_request },
	{ "release", 2, 2, "release START N", 2, parse_numbers, run_release },
	{ "insert", 3, 5, "insert START END NAME [FLAGS] [desc=DESC]", 2, parse_claim,
	  run_insert },
	{ "remove", 2, 2, "remove START END", 2, parse_numbers, run_remove },
	{ "adjust", 4, 4, "adjust START END NEWSTART NEWSIZE", 4, parse_numbers, run_adjust },
	{ "allocate", 5, 6, "allocate SIZE MIN MAX ALIGN NAME [FLAGS]", 4, parse_claim,
	  run_allocate },
	{ "intersects", 4, 4, "intersects START SIZE FLAGS DESC", 2, parse_query,
	  run_intersects },
	{ "walk", 4, 4, "walk START END FLAGS DESC", 2, parse_query, run_walk },
	{ "lookup", 1, 1, "lookup ADDR", 1, parse_numbers, run_lookup },
	{ "dump", 0, 0, "dump", 0, parse_nothing, run_dump },
	{ NULL, 0, 0, NULL, 0, NULL, NULL },
};
