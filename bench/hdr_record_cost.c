/* SPDX-License-Identifier: MIT */
/* What recording costs (a measurement to read, not a test): hdr_record per value, against
 * the same loop without it, and a CLOCK_MONOTONIC read for scale.
 * usage: hdr-record-cost [MILLIONS_OF_RECORDS] (default 200) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "report/hdr_histogram.h"

enum { NVALUES = 4096 };	/* cycled, so the value stream stays in L1 */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Latency-like values: mostly 50..500 ns, a tail to 100 us. */
static void fill(uint64_t *v)
{
	uint64_t s = 88172645463325252ULL;

	for (int i = 0; i < NVALUES; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		v[i] = i % 64 ? 50 + s % 450 : 500 + s % 100000;
	}
}

int main(int argc, char **argv)
{
	long long n = (argc > 1 ? atoll(argv[1]) : 200) * 1000000LL;
	static uint64_t v[NVALUES];
	struct hdr_histogram *h = hdr_new();
	volatile uint64_t sink = 0;
	uint64_t acc = 0;
	double t0, base, rec, clk;

	fill(v);
	t0 = now();
	for (long long i = 0; i < n; i++)
		acc += v[i & (NVALUES - 1)];
	sink = acc;
	base = now() - t0;
	t0 = now();
	for (long long i = 0; i < n; i++)
		hdr_record(h, v[i & (NVALUES - 1)]);
	rec = now() - t0;
	t0 = now();
	for (long long i = 0; i < n / 10; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		acc += (uint64_t)ts.tv_nsec;
	}
	clk = (now() - t0) * 10;
	sink = acc;
	(void)sink;
	printf("hdr_record: %.2f ns/value (loop alone %.2f ns; so %.2f ns for the record)\n",
	       rec / (double)n * 1e9, base / (double)n * 1e9, (rec - base) / (double)n * 1e9);
	printf("clock_gettime(CLOCK_MONOTONIC): %.2f ns/call\n", clk / (double)n * 1e9);
	printf("check: %llu values, p50 %llu ns, p99 %llu ns, max %llu ns\n",
	       (unsigned long long)hdr_total_count(h),
	       (unsigned long long)hdr_value_at_percentile(h, 50),
	       (unsigned long long)hdr_value_at_percentile(h, 99),
	       (unsigned long long)hdr_max(h));
	hdr_free(h);
	return 0;
}
