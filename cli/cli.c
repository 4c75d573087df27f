/* SPDX-License-Identifier: MIT */
/* Helpers every subcommand of `iomem` uses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "locks/lock.h"

int cli_usage_error(const char *cmd_usage, const char *fmt, ...)
{
	va_list ap;

	fputs("iomem: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", cmd_usage);
	return 2;
}

struct iomem_tree *cli_tree_new(const char *backend, const char *lock)
{
	struct iomem_tree_opts opts = { .lock = lock };
	struct iomem_tree *t = iomem_tree_new(backend, &opts);
	const char *const *names;

	if (t)
		return t;
	if (errno != ENOENT) {
		fprintf(stderr, "iomem: cannot make a tree: %s\n", strerror(errno));
		return NULL;
	}
	fprintf(stderr, "iomem: unknown backend '%s' or lock '%s'\nbackends:", backend,
		lock ? lock : LOCK_DEFAULT);
	for (names = iomem_backend_names(); *names; names++)
		fprintf(stderr, " %s", *names);
	fputs("\nlocks:", stderr);
	for (names = lock_names(); *names; names++)
		fprintf(stderr, " %s", *names);
	fputc('\n', stderr);
	return NULL;
}

bool cli_parse_root(const char *s, enum iomem_root *out)
{
	if (strcmp(s, "iomem") == 0)
		*out = IOMEM_ROOT_IOMEM;
	else if (strcmp(s, "ioport") == 0)
		*out = IOMEM_ROOT_IOPORT;
	else
		return false;
	return true;
}

bool cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}
