/* SPDX-License-Identifier: MIT */
/* iomem list: what can be chosen by name, and what each lock strategy is. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "iomem/vmap.h"
#include "locks/lock.h"

static const char *lock_kind(unsigned props)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s, %s%s",
		 props & LOCK_PROP_SPINNING ? "spinning" : "sleeping",
		 props & LOCK_PROP_SHARED_READS ? "shared reads" : "exclusive",
		 props & LOCK_PROP_FAIR ? ", fair" : "");
	return buf;
}

int cmd_list(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs("usage: iomem list\n", stdout);
		return 0;
	}
	if (argc != 1)
		return cli_usage_error("usage: iomem list\n", "list takes no arguments");
	fputs("backends:", stdout);
	for (const char *const *n = iomem_backend_names(); *n; n++)
		printf(" %s", *n);
	fputs("\nlocks:", stdout);
	for (const char *const *n = lock_names(); *n; n++)
		printf(" %s", *n);
	fputs("\nmuxed-wait: global hashed\nva-policy:", stdout);
	for (const char *const *n = vmap_policy_names(); *n; n++)
		printf(" %s", *n);
	fputs("\n\nlock strategies:\n", stdout);
	for (const char *const *n = lock_names(); *n; n++) {
		const struct lock_ops *l = lock_find(*n);

		printf("  %-14s %-32s %s\n", l->name, lock_kind(l->props), l->description);
	}
	return 0;
}
