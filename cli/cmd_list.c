/* iomem list: what can be chosen by name. */
#include <stdio.h>

#include "cli.h"
#include "locks/lock.h"

int cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cli_usage_error("usage: iomem list\n", "list takes no arguments");
	fputs("backends:", stdout);
	for (const char *const *n = iomem_backend_names(); *n; n++)
		printf(" %s", *n);
	fputs("\nlocks:", stdout);
	for (const char *const *n = lock_names(); *n; n++)
		printf(" %s", *n);
	putchar('\n');
	return 0;
}
