/* SPDX-License-Identifier: MIT */
/* Recording, merging and queries of the HDR histogram (HdrHistogram's index arithmetic). */
#include "report/hdr_histogram.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct hdr_histogram *hdr_new(void)
{
	struct hdr_histogram *h = malloc(sizeof(*h));

	if (h)
		hdr_reset(h);
	return h;
}

void hdr_free(struct hdr_histogram *h)
{
	free(h);
}

void hdr_reset(struct hdr_histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static unsigned bucket_of(uint64_t v)
{
	return hdr_index(v) < HDR_SUB_BUCKET_COUNT
		       ? 0
		       : (hdr_index(v) >> HDR_SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
}

uint64_t hdr_value_at_index(unsigned index)
{
	unsigned bucket = index >> HDR_SUB_BUCKET_HALF_COUNT_MAGNITUDE;
	uint64_t sub = index & (HDR_SUB_BUCKET_HALF_COUNT - 1);

	if (bucket == 0)
		return sub;
	return (sub + HDR_SUB_BUCKET_HALF_COUNT) << (bucket - 1);
}

uint64_t hdr_lowest_equivalent(uint64_t v)
{
	return hdr_value_at_index(hdr_index(v));
}

uint64_t hdr_highest_equivalent(uint64_t v)
{
	return hdr_lowest_equivalent(v) + (UINT64_C(1) << bucket_of(v)) - 1;
}

static uint64_t median_equivalent(uint64_t v)
{
	return hdr_lowest_equivalent(v) + ((UINT64_C(1) << bucket_of(v)) >> 1);
}

/* Adds count copies of the n values x, x + step, ..., all in x's slot. */
static void add_run(struct hdr_histogram *h, uint64_t x, uint64_t step, uint64_t n,
		    uint64_t count)
{
	h->counts[hdr_index(x)] += n * count;
	h->total_count += n * count;
	h->sum += (n * x + step * (n * (n - 1) / 2)) * count;
	h->min = x < h->min ? x : h->min;
	x += (n - 1) * step;
	h->max = x > h->max ? x : h->max;
}

void hdr_record_slow(struct hdr_histogram *h, uint64_t v, uint64_t count)
{
	if (count == 0)
		return;
	if (v > HDR_HIGHEST_TRACKABLE) {
		h->overflow_count += count;
		v = HDR_HIGHEST_TRACKABLE;
	}
	add_run(h, v, 0, 1, count);
}

void hdr_record_corrected(struct hdr_histogram *h, uint64_t v, uint64_t interval)
{
	hdr_record_slow(h, v, 1);
	if (v > HDR_HIGHEST_TRACKABLE)
		v = HDR_HIGHEST_TRACKABLE;
	if (interval == 0 || v / interval < 2)
		return;
	/* The missing samples v - k*interval >= interval, walked upward a slot at a time. */
	uint64_t last = v - interval;

	for (uint64_t x = v % interval + interval; x <= last;) {
		uint64_t top = hdr_highest_equivalent(x);
		uint64_t n = ((top < last ? top : last) - x) / interval + 1;

		add_run(h, x, interval, n, 1);
		x += n * interval;
	}
}

void hdr_add(struct hdr_histogram *dst, const struct hdr_histogram *src)
{
	if (!src->total_count && !src->overflow_count)	/* nothing to add: skip 256 KiB */
		return;
	for (unsigned i = 0; i < HDR_COUNTS_LEN; i++)
		dst->counts[i] += src->counts[i];
	dst->total_count += src->total_count;
	dst->overflow_count += src->overflow_count;
	dst->sum += src->sum;
	dst->min = src->min < dst->min ? src->min : dst->min;
	dst->max = src->max > dst->max ? src->max : dst->max;
}

uint64_t hdr_total_count(const struct hdr_histogram *h)
{
	return h->total_count;
}

uint64_t hdr_min(const struct hdr_histogram *h)
{
	return h->total_count ? h->min : 0;
}

uint64_t hdr_max(const struct hdr_histogram *h)
{
	return h->max;
}

double hdr_mean(const struct hdr_histogram *h)
{
	return h->total_count ? (double)h->sum / (double)h->total_count : 0.0;
}

/* Each slot counts at its median equivalent value, kept inside the exact [min, max] so
 * that equal values have no spread. */
double hdr_stddev(const struct hdr_histogram *h)
{
	double mean = hdr_mean(h), acc = 0.0;

	if (!h->total_count)
		return 0.0;
	for (unsigned i = 0; i < HDR_COUNTS_LEN; i++) {
		if (!h->counts[i])
			continue;
		uint64_t v = median_equivalent(hdr_value_at_index(i));

		v = v < h->min ? h->min : v > h->max ? h->max : v;
		acc += ((double)v - mean) * ((double)v - mean) * (double)h->counts[i];
	}
	return sqrt(acc / (double)h->total_count);
}

/* The smallest rank r with r >= p% of n. The product carries a few ulps of error: an exact
 * integer must not round up to the next rank. */
static uint64_t rank_of(double percentile, uint64_t n)
{
	double x = percentile / 100.0 * (double)n;
	uint64_t r = (uint64_t)ceil(x * (1.0 - 1e-14));

	return r < 1 ? 1 : r > n ? n : r;
}

uint64_t hdr_value_at_percentile(const struct hdr_histogram *h, double percentile)
{
	uint64_t rank, seen = 0;

	if (!h->total_count)
		return 0;
	if (!(percentile > 0.0))
		return h->min;
	rank = rank_of(percentile > 100.0 ? 100.0 : percentile, h->total_count);
	for (unsigned i = 0; i < HDR_COUNTS_LEN; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			uint64_t v = hdr_highest_equivalent(hdr_value_at_index(i));

			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}
