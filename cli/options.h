/* SPDX-License-Identifier: MIT */
/* The option parsers of the commands with many options, apart from their runs, so that a
 * fuzzer (fuzz/) can drive them: each fills its options and returns 0, -1 after printing
 * the help, or 2 after printing a usage error. Each lives in its command's cmd_*.c. */
#ifndef IOMEM_CLI_OPTIONS_H
#define IOMEM_CLI_OPTIONS_H

#include <stdbool.h>

#include "check/differential.h"
#include "locks/lock.h"
#include "stress/stress.h"
#include "torture/lock_torture.h"

int stress_parse_options(struct stress_config *c, int argc, char **argv);

#define DIFFTEST_MAX_BACKENDS 15
struct difftest_options {
	struct diff_opts opts;
	const char *backends[DIFFTEST_MAX_BACKENDS + 1];	/* NULL-terminated */
	int nbackends;
	bool print_stream;
};
int difftest_parse_options(struct difftest_options *d, int argc, char **argv);

struct torture_opts {
	struct lock_torture_config cfg;
	struct lock_spin_policy spin;
	const char *lock, *json;
	bool every_set;
};
int torture_parse_options(struct torture_opts *o, int argc, char **argv);

#endif
