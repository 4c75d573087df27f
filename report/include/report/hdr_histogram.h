/* SPDX-License-Identifier: MIT */
/* A latency histogram after HdrHistogram's design, with one fixed configuration:
 * values in ns from 1 ns to 1 hour at 3 significant decimal digits (sub-bucket count 2048,
 * unit magnitude 0, 32 buckets, 33792 counters: 264 KiB).
 *
 * Not thread-safe by design: one histogram per thread, recorded without locks or atomics,
 * merged (hdr_add) after the threads have stopped.
 *
 * Decisions (differences from HdrHistogram marked *):
 * - min, max and mean are exact (*: HdrHistogram reports bucket-equivalent values); stddev
 *   is computed from the buckets, each at its median equivalent value, as HdrHistogram does.
 * - A percentile is the recorded value at that rank (nearest rank: the smallest value with
 *   at least p% of the counts at or below it), reported as its bucket's highest equivalent
 *   value as HdrHistogram does, but never above the exact max (*); percentile 0 is the
 *   exact min (*). So it is within 0.1% above the true value, and p100 == max.
 * - Values above 1 hour are counted as 1 hour (clamped) and also counted in overflow_count
 *   (*: HdrHistogram refuses them). 0 is recordable (a clock too coarse to see the op).
 * - An empty histogram has min, max, mean, stddev and every percentile 0.
 */
#ifndef REPORT_HDR_HISTOGRAM_H
#define REPORT_HDR_HISTOGRAM_H

#include <stdint.h>
#include <stdio.h>

#define HDR_HIGHEST_TRACKABLE 3600000000000ULL	/* 1 hour in ns */
#define HDR_SIGNIFICANT_DIGITS 3
#define HDR_SUB_BUCKET_COUNT 2048
#define HDR_SUB_BUCKET_HALF_COUNT_MAGNITUDE 10
#define HDR_SUB_BUCKET_HALF_COUNT (1 << HDR_SUB_BUCKET_HALF_COUNT_MAGNITUDE)
#define HDR_BUCKET_COUNT 32
#define HDR_COUNTS_LEN ((HDR_BUCKET_COUNT + 1) * HDR_SUB_BUCKET_HALF_COUNT)

struct hdr_histogram {
	uint64_t total_count;
	uint64_t overflow_count;	/* values above HDR_HIGHEST_TRACKABLE, clamped to it */
	uint64_t min, max;		/* exact; min is UINT64_MAX while empty */
	uint64_t sum;			/* exact sum of the (clamped) values */
	uint64_t counts[HDR_COUNTS_LEN];
};

/* NULL when out of memory. The histogram starts empty. */
struct hdr_histogram *hdr_new(void);
void hdr_free(struct hdr_histogram *h);
void hdr_reset(struct hdr_histogram *h);

/* The counts[] slot of a value at most HDR_HIGHEST_TRACKABLE. */
static inline unsigned hdr_index(uint64_t v)
{
	unsigned pow2ceiling = 64 - (unsigned)__builtin_clzll(v | (HDR_SUB_BUCKET_COUNT - 1));
	unsigned bucket = pow2ceiling - (HDR_SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);

	return (bucket << HDR_SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (unsigned)(v >> bucket);
}

void hdr_record_slow(struct hdr_histogram *h, uint64_t v, uint64_t count);

/* The fast path: one value, counted once. */
static inline void hdr_record(struct hdr_histogram *h, uint64_t v)
{
	if (__builtin_expect(v > HDR_HIGHEST_TRACKABLE, 0)) {
		hdr_record_slow(h, v, 1);
		return;
	}
	h->counts[hdr_index(v)]++;
	h->total_count++;
	h->sum += v;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
}

/* The value counted `count` times. */
static inline void hdr_record_n(struct hdr_histogram *h, uint64_t v, uint64_t count)
{
	hdr_record_slow(h, v, count);
}

/* Coordinated-omission correction, as HdrHistogram's recordValueWithExpectedInterval:
 * records v, then v - interval, v - 2 interval, ... down to (not below) interval, the
 * samples a stalled open-loop load generator failed to take. interval 0 records v only.
 * Costs O(buckets touched), not O(v / interval). */
void hdr_record_corrected(struct hdr_histogram *h, uint64_t v, uint64_t interval);

/* Adds every count of src to dst. */
void hdr_add(struct hdr_histogram *dst, const struct hdr_histogram *src);

uint64_t hdr_total_count(const struct hdr_histogram *h);
uint64_t hdr_min(const struct hdr_histogram *h);
uint64_t hdr_max(const struct hdr_histogram *h);
double hdr_mean(const struct hdr_histogram *h);
double hdr_stddev(const struct hdr_histogram *h);
/* percentile in [0, 100]; outside it is clamped. */
uint64_t hdr_value_at_percentile(const struct hdr_histogram *h, double percentile);

/* The value range a counts[] slot stands for. */
uint64_t hdr_lowest_equivalent(uint64_t v);
uint64_t hdr_highest_equivalent(uint64_t v);
uint64_t hdr_value_at_index(unsigned index);

/* HdrHistogram's percentile distribution (.hgrm, as Java's outputPercentileDistribution):
 * the "Value Percentile TotalCount 1/(1-Percentile)" table, ticks_per_half_distance lines
 * per halving of the distance to 100% (HdrHistogram uses 5), values divided by
 * value_scale (1.0: ns; 1000.0: us), then the #[Mean ...], #[Max ...] and #[Buckets ...]
 * footer. 0 or -errno of the failed write. */
int hdr_write_hgrm(const struct hdr_histogram *h, FILE *out, int ticks_per_half_distance,
		   double value_scale);

#endif
