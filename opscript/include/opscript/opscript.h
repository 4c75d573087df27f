/* SPDX-License-Identifier: MIT */
/* Op-scripts: one tree operation per line, run deterministically against one tree.
 * The grammar and outputs are in docs/show-and-script.md. */
#ifndef OPSCRIPT_OPSCRIPT_H
#define OPSCRIPT_OPSCRIPT_H

#include <stdio.h>

#include "iomem/iomem.h"

/* Parses all of `in` first (a syntax error runs nothing), then runs each op on t, printing
 * results to out and errors to err as "FILE:LINE: error: ...". Relative `load` paths that
 * do not exist as given are taken relative to the script's directory.
 * Returns the exit status: 0 when the script ran (op failures such as EBUSY are results),
 * 2 on a syntax error or an unloadable dump, 1 on an I/O error writing out. */
int opscript_run(struct iomem_tree *t, FILE *in, const char *filename, FILE *out, FILE *err);

#endif
