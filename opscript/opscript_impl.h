/* The op-script runner's internals, shared by opscript.c (parsing, the tree ops) and
 * mmu_ops.c (the mapping ops). */
#ifndef OPSCRIPT_OPSCRIPT_IMPL_H
#define OPSCRIPT_OPSCRIPT_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iomem/ioremap.h"
#include "opscript/opscript.h"

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

enum { MAX_ARGS = 8 };

struct token {
	char *text;
	bool quoted;
};

enum opcode { OP_ROOT, OP_LOAD, OP_REQUEST, OP_RELEASE, OP_INSERT, OP_REMOVE, OP_ADJUST,
	      OP_ALLOCATE, OP_INTERSECTS, OP_WALK, OP_LOOKUP, OP_DUMP,
	      /* the mapping ops (mmu_ops.c) */
	      OP_IOREMAP, OP_IOUNMAP, OP_MEMREMAP, OP_MEMUNMAP, OP_TRANSLATE, OP_PURGE,
	      OP_VMALLOCINFO, OP_MMU };

struct op {
	enum opcode code;
	unsigned long lineno;
	resource_size_t num[5];
	unsigned long flags, desc;
	bool has_flags;
	char *name;		/* NAME or FILE */
	enum iomem_root root;
	unsigned ref;		/* an address operand NAME[+OFFSET]: name index + 1 (0: none) */
	unsigned bind;		/* "as NAME": name index + 1 (0: none) */
	unsigned variant;	/* ioremap variant */
};

struct script {
	const char *file;
	FILE *err;
	struct op *ops;
	size_t n, cap;
	struct mmu_script mmu;
};

struct opdef {
	const char *word;
	enum opcode code;
	int min_args, max_args;
	const char *usage;
};

/* "FILE:LINE: error: ..." on s->err; returns 2. */
int opscript_syntax(struct script *s, unsigned long lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool opscript_parse_u64(const struct token *t, resource_size_t *out);
/* "ok" or the errno's name. */
void opscript_result(FILE *out, int err);

/* mmu_ops.c */
int mmu_parse_op(struct script *s, struct op *op, const struct opdef *def,
		 const struct token *tok, int ntok);
int mmu_run_op(struct script *s, struct iomem_tree *t, const struct op *op, FILE *out);
void mmu_script_free(struct mmu_script *ms);

#endif
