/* SPDX-License-Identifier: MIT */
/* Op-scripts: one tree operation per line, run deterministically against one tree.
 * The grammar and outputs are in docs/show-and-script.md. */
#ifndef OPSCRIPT_OPSCRIPT_H
#define OPSCRIPT_OPSCRIPT_H

#include <stdbool.h>
#include <stdio.h>

#include "iomem/iomem.h"

/* Parses all of `in` first (a syntax error runs nothing), then runs each op on t, printing
 * results to out and errors to err as "FILE:LINE: error: ...". Relative `load` paths that
 * do not exist as given are taken relative to the script's directory.
 * Returns the exit status: 0 when the script ran (op failures such as EBUSY are results),
 * 2 on a syntax error or an unloadable dump, 1 on an I/O error writing out. */
int opscript_run(struct iomem_tree *t, FILE *in, const char *filename, FILE *out, FILE *err);

/* --- One op at a time, for tools that rerun a script op by op (`iomem faultinject`). */
struct opscript;
struct iomem_mmu;

/* Parses all of `in`: 0 and *out, or 2 after "FILE:LINE: error: ..." on err. filename
 * must outlive the script. */
int opscript_parse(FILE *in, const char *filename, FILE *err, struct opscript **out);
void opscript_free(struct opscript *s);
/* The number of ops, and the line of op i. */
size_t opscript_len(const struct opscript *s);
unsigned long opscript_lineno(const struct opscript *s, size_t i);
/* Runs op i on t, its results to out: 0, or 2 for an error that ends the script
 * (reported on err). A run is ops 0, 1, ... on one tree. */
int opscript_exec(struct opscript *s, struct iomem_tree *t, size_t i, FILE *out);
/* Op i as when its call fails, without making the call: only the script's own state
 * changes (an "as NAME" binds NAME to 0). */
void opscript_skip(struct opscript *s, size_t i);
/* Ends a run: what it made (the mapping space, the names' values) is freed, and the next
 * opscript_exec starts a new run, on a new tree. */
void opscript_reset(struct opscript *s);
/* Whether op i is a mapping op (ioremap, purge, mmu, ...) rather than a tree op. */
bool opscript_is_mapping_op(const struct opscript *s, size_t i);
/* The run's mapping space, or NULL before its first mapping op. */
struct iomem_mmu *opscript_mmu(const struct opscript *s);

/* How `load` opens its FILE (path as written, script the script's file name). The default
 * opens path, or path relative to the script's directory. */
typedef FILE *(*opscript_open_fn)(const char *path, const char *script, void *arg);
void opscript_set_open(struct opscript *s, opscript_open_fn open, void *arg);

#endif
