/* SPDX-License-Identifier: MIT */
/* Prints iomem_backend_names(), one per line, for the shell drivers (so that every
 * backend, including ones added later, is covered). For debugging only, the environment
 * variable IOMEM_TEST_BACKENDS=a,b narrows the list, as in the unit tests. Exit 1 if
 * nothing is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/iomem.h"

static int selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list || !*list)
		return 1;
	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

int main(void)
{
	const char *const *names = iomem_backend_names();
	const char *filter = getenv("IOMEM_TEST_BACKENDS");
	int n = 0;

	for (size_t i = 0; names && names[i]; i++) {
		if (!selected(filter, names[i]))
			continue;
		printf("%s\n", names[i]);
		n++;
	}
	return n ? 0 : 1;
}
