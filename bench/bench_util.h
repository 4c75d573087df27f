/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the benchmark families. */
#ifndef IOMEM_BENCH_UTIL_H
#define IOMEM_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "gbench.h"

/* calloc / strdup that exit with a message when out of memory (registration time). */
void *bench_xcalloc(size_t n, size_t size);
char *bench_xstrdup(const char *s);

/* Number of entries of iomem_backend_names(). */
size_t bench_nr_backends(void);

/* A fixed-seed xorshift64 step; *s must not be 0. */
static inline uint64_t bench_xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* iomb_skip_with_error with "what: ERRNO_NAME" for a negative errno rc. */
void bench_skip_errno(iomb_state *st, const char *what, int rc);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID) in nanoseconds; a system call. */
uint64_t bench_thread_cpu_ns(void);

#endif
