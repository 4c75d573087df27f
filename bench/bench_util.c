/* SPDX-License-Identifier: MIT */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iomem/iomem.h"
#include "iomem/names.h"

void *bench_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "iomem-bench: out of memory\n");
		exit(1);
	}
	return p;
}

char *bench_xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(bench_xcalloc(1, len), s, len);
}

size_t bench_nr_backends(void)
{
	const char *const *names = iomem_backend_names();
	size_t n = 0;

	while (names[n])
		n++;
	return n;
}

void bench_skip_errno(iomb_state *st, const char *what, int rc)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s: %s", what, iomem_errno_name(rc));
	iomb_skip_with_error(st, msg);
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t bench_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}
