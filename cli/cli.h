/* SPDX-License-Identifier: MIT */
/* The iomem command's subcommands (cmd_*.c) and the helpers they share (cli.c). Each
 * subcommand returns the process exit status: 0 success, 1 a failure of what was run,
 * 2 bad usage or input. */
#ifndef IOMEM_CLI_H
#define IOMEM_CLI_H

#include <stdbool.h>

#include "iomem/iomem.h"

int cmd_show(int argc, char **argv);
int cmd_script(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_difftest(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_torture(int argc, char **argv);
int cmd_placement(int argc, char **argv);
int cmd_preflight(int argc, char **argv);
int cmd_faultinject(int argc, char **argv);

/* Prints "iomem: MESSAGE" and the subcommand's usage to stderr; returns 2. */
int cli_usage_error(const char *usage, const char *fmt, ...);
/* Makes a tree or reports why not (unknown backend or lock: exit 2). */
struct iomem_tree *cli_tree_new(const char *backend, const char *lock);
bool cli_parse_root(const char *s, enum iomem_root *out);
/* A whole number in [0, max], decimal or 0x hex, nothing around it. */
bool cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

#endif
