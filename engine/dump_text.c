/* SPDX-License-Identifier: MIT */
/* Dumps as text: a dump file read whole and checked, and the host's tree (iomem/dump.h). */
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
	if (!text)
		errno = ENOMEM;
	return text;
}

/* 0 when text loads as an iomem dump, else the loader's error and message. */
static int check_loads(const char *text, const char *name, char *err, size_t errlen)
{
	struct iomem_tree *t = iomem_tree_new("rwlock", NULL);
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc = -ENOMEM;

	snprintf(err, errlen, "out of memory");
	if (t && f)
		rc = iomem_load_dump(t, IOMEM_ROOT_IOMEM, f, name, err, errlen);
	if (f)
		fclose(f);
	iomem_tree_free(t);
	return rc;
}

int iomem_dump_text(const char *path, char **text, char *err, size_t errlen)
{
	int rc;

	*text = read_file(path);
	if (!*text) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = check_loads(*text, path, err, errlen);
	if (rc) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

char *iomem_host_dump(const char **source)
{
	char *text, err[256];

	if (iomem_dump_text("/proc/iomem", &text, err, sizeof(err)) == 0) {
		*source = "/proc/iomem";
		return text;
	}
	*source = IOMEM_FALLBACK_SOURCE;
	text = strdup(iomem_fallback_dump);
	if (!text)
		errno = ENOMEM;
	return text;
}
