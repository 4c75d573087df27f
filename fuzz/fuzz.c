/* SPDX-License-Identifier: MIT */
#include "fuzz.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

FILE *fuzz_sink(void)
{
	static FILE *sink;

	if (!sink && !(sink = fopen("/dev/null", "w")))
		fuzz_fail("cannot open /dev/null");
	return sink;
}

char **fuzz_argv(const char *name, const uint8_t *data, size_t size, int *argc)
{
	char **argv = calloc(FUZZ_MAX_ARGS + 2, sizeof(*argv));
	size_t at = 0;
	int n = 0;

	if (!argv || !(argv[n++] = strdup(name)))
		fuzz_fail("out of memory");
	while (at < size && n <= FUZZ_MAX_ARGS) {
		const uint8_t *end = memchr(data + at, 0, size - at);
		size_t len = end ? (size_t)(end - (data + at)) : size - at;

		argv[n] = malloc(len + 1);
		if (!argv[n])
			fuzz_fail("out of memory");
		memcpy(argv[n], data + at, len);
		argv[n++][len] = '\0';
		at += len + 1;
	}
	*argc = n;
	return argv;
}

void fuzz_argv_free(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

static struct iomem_alloc_count mark[IOMEM_ALLOC_NR_KINDS];

void fuzz_alloc_mark(void)
{
	for (int k = 0; k < IOMEM_ALLOC_NR_KINDS; k++)
		iomem_alloc_count(k, &mark[k]);
}

void fuzz_alloc_check(const char *what)
{
	for (int k = 0; k < IOMEM_ALLOC_NR_KINDS; k++) {
		struct iomem_alloc_count now;

		iomem_alloc_count(k, &now);
		if (now.live != mark[k].live || now.bytes != mark[k].bytes)
			fuzz_fail("%s: %lld %s allocations (%lld bytes) left allocated", what,
				  now.live - mark[k].live, iomem_alloc_kind_name(k),
				  now.bytes - mark[k].bytes);
	}
}
