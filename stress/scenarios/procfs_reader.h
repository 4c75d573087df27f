/* SPDX-License-Identifier: MIT */
/* The /proc/iomem reader role, shared by the scenarios that have one: whole-tree reads
 * (r_show, §1.7) into a sink that checks, line by line as it arrives, that the text is a
 * tree: siblings in order and disjoint, children inside their parents. */
#ifndef STRESS_SCENARIOS_PROCFS_READER_H
#define STRESS_SCENARIOS_PROCFS_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

/* The checker on its own: feed it r_show's text in pieces of any size. */
struct procfs_check {
	resource_size_t start[6], end[6];	/* the last line seen at each depth */
	bool seen[6];			/* a line at that depth since its parent's */
	int depth;			/* of the last line, -1 before the first */
	unsigned long lines;
	char carry[256];		/* a line split between two pieces */
	size_t ncarry;
	char why[160];			/* the first fault, or "" */
};

void procfs_check_reset(struct procfs_check *pc);
void procfs_check_feed(struct procfs_check *pc, const char *buf, size_t len);
/* true when everything fed so far (a whole read) is a well-formed tree. */
bool procfs_check_done(struct procfs_check *pc);

/* The role: reads the whole tree over and over (OP_PROC_READ), checking each read. */
void procfs_reader_loop(struct worker *w);

#endif
