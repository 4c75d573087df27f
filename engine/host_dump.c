/* SPDX-License-Identifier: MIT */
/* The host's /proc/iomem, or the built-in dump when it cannot serve (see iomem/dump.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/dump.h"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r"), *out;
	char *text = NULL;
	size_t len = 0;
	int c;

	if (!f)
		return NULL;
	out = open_memstream(&text, &len);
	if (out) {
		while ((c = getc(f)) != EOF)
			putc(c, out);
		fclose(out);
	}
	fclose(f);
	return text;
}

/* Whether text loads as an iomem dump (a zeroed one does not). */
static bool loads(const char *text)
{
	struct iomem_tree *t = iomem_tree_new("rwlock", NULL);
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char err[256];
	bool ok = t && f && iomem_load_dump(t, IOMEM_ROOT_IOMEM, f, "/proc/iomem", err,
					     sizeof(err)) == 0;

	if (f)
		fclose(f);
	iomem_tree_free(t);
	return ok;
}

char *iomem_host_dump(const char **source)
{
	char *text = read_file("/proc/iomem");

	if (text && loads(text)) {
		*source = "/proc/iomem";
		return text;
	}
	free(text);
	*source = IOMEM_FALLBACK_SOURCE;
	text = strdup(iomem_fallback_dump);
	if (!text)
		errno = ENOMEM;
	return text;
}
