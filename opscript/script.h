/* SPDX-License-Identifier: MIT */
/* The inside of the op-script runner, shared by its files: a parsed script, its ops, and
 * the op tables. An op's word names an entry of a table ({word, arguments, usage, parse,
 * exec}); tree_ops.c has the tree's ops and mmu_ops.c the mapping ops, each table its own
 * file's business. opscript.c reads a script, finds each line's entry, and runs the ops;
 * syntax.c has the helpers every op uses. */
#ifndef OPSCRIPT_SCRIPT_H
#define OPSCRIPT_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iomem/ioremap.h"
#include "opscript/opscript.h"

enum { MAX_ARGS = 8 };

struct token {
	char *text;
	bool quoted;
};

/* State of the mapping ops: names bound by "as NAME", the mapping space (made on the
 * first mapping op) and its options from "mmu" lines. */
struct mmu_script {
	char **names;
	uint64_t *values;
	size_t nnames, cap;
	struct iomem_mmu *space;
	struct iomem_mmu_opts opts;
	char *lock;
	bool mapping_seen;	/* parsing: a mapping op came; "mmu" is too late now */
};

struct op {
	const struct opdef *def;
	unsigned long lineno;
	resource_size_t num[5];
	unsigned long flags, desc;
	bool has_flags;
	char *name;		/* NAME or FILE */
	enum iomem_root root;	/* the root the op acts on */
	unsigned ref;		/* an address operand NAME[+OFFSET]: name index + 1 (0: none) */
	unsigned bind;		/* "as NAME": name index + 1 (0: none) */
	unsigned variant;	/* ioremap variant */
};

struct opscript {
	const char *file;
	FILE *err;
	struct op *ops;
	size_t n, cap;
	enum iomem_root root;	/* parsing: the root of the ops that follow */
	struct mmu_script mmu;
	opscript_open_fn open;	/* how `load` opens its FILE */
	void *open_arg;
};

struct opdef {
	const char *word;		/* NULL ends a table */
	int min_args, max_args;
	const char *usage;
	unsigned nnum;			/* numbers first among the arguments (the table's use) */
	/* Fills op from the line's words (tok[0] is the op's word; the argument count is
	 * checked already). 0, or opscript_syntax()'s 2. */
	int (*parse)(struct opscript *s, struct op *op, const struct token *tok, int ntok);
	/* Runs op on t, its result to out: 0, or 2 for an error that ends the script. */
	int (*exec)(struct opscript *s, struct iomem_tree *t, const struct op *op, FILE *out);
};

extern const struct opdef opscript_tree_ops[];	/* tree_ops.c */
extern const struct opdef opscript_mmu_ops[];	/* mmu_ops.c */
/* The mapping ops' state: what a run made (the mapping space, the names' values) goes with
 * mmu_script_reset, everything with mmu_script_free (mmu_ops.c). */
void mmu_script_reset(struct mmu_script *ms);
void mmu_script_free(struct mmu_script *ms);
/* The "as NAME" of op, as when its call failed: NAME reads 0 (mmu_ops.c). */
void mmu_script_unbind(struct mmu_script *ms, const struct op *op);

/* syntax.c */
/* "FILE:LINE: error: ..." on s->err; returns 2. */
int opscript_syntax(struct opscript *s, unsigned long lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Splits a line in place into words and "quoted strings" (\" and \\ escapes); a # outside
 * quotes ends it. The number of words, or -1 (with why) on an unterminated quote or more
 * than max words. */
int opscript_tokenize(char *p, struct token *tok, int max, const char **why);
/* A number, decimal or 0x hex, of an unquoted token. */
bool opscript_parse_u64(const struct token *t, resource_size_t *out);
/* tok[1..n] as numbers into op->num, or a syntax error naming the op's usage. */
int opscript_parse_numbers(struct opscript *s, struct op *op, const struct token *tok,
			   unsigned n);
/* "ok" or the errno's name. */
void opscript_result(FILE *out, int err);

#endif
