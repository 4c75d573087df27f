/* SPDX-License-Identifier: MIT */
/* HdrHistogram's .hgrm percentile distribution, line for line as the Java implementation's
 * outputPercentileDistribution and its PercentileIterator produce it. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>

#include "c_locale.h"
#include "report/hdr_histogram.h"

/* The percentile iterator's steps: ticks_per_half_distance per halving of the distance
 * to 100%, i.e. the tick size halves each time half the remaining distance is crossed. */
static double next_level(double level, int ticks_per_half_distance)
{
	double halvings = floor(log(100.0 / (100.0 - level)) / log(2.0));

	/* past 2^-62 of the distance, doubles cannot step further anyway */
	if (!(halvings < 62.0))
		return 100.0;
	return level + 100.0 / ((double)ticks_per_half_distance * pow(2.0, halvings + 1.0));
}

static double shown(const struct hdr_histogram *h, unsigned index, double scale)
{
	uint64_t v = hdr_highest_equivalent(hdr_value_at_index(index));

	return (double)(v < h->max ? v : h->max) / scale;
}

/* Java's AbstractHistogramIterator: a slot's count joins the cumulative count once, when
 * the iterator first stands on it. */
struct iter {
	unsigned index;
	uint64_t cumulative;
	bool fresh;
};

/* Moves to the first slot with a count at which the cumulative percentile reaches level. */
static void advance(const struct hdr_histogram *h, struct iter *it, double level)
{
	for (;;) {
		if (it->fresh)
			it->cumulative += h->counts[it->index];
		it->fresh = false;
		if (h->counts[it->index] &&
		    100.0 * (double)it->cumulative / (double)h->total_count >= level)
			return;
		it->index++;
		it->fresh = true;
	}
}

static void write_table(const struct hdr_histogram *h, FILE *out, int ticks, double scale)
{
	struct iter it = { .fresh = true };
	double level = 0.0;

	while (it.cumulative < h->total_count) {
		advance(h, &it, level);
		fprintf(out, "%12.3f %2.12f %10llu %14.2f\n", shown(h, it.index, scale),
			level / 100.0, (unsigned long long)it.cumulative, 1.0 / (1.0 - level / 100.0));
		level = next_level(level, ticks);
	}
	/* one more step, to 100% */
	advance(h, &it, 100.0);
	fprintf(out, "%12.3f %2.12f %10llu\n", shown(h, it.index, scale), 1.0,
		(unsigned long long)it.cumulative);
}

int hdr_write_hgrm(const struct hdr_histogram *h, FILE *out, int ticks_per_half_distance,
		   double value_scale)
{
	locale_t c, old = c_locale_enter(&c);

	if (ticks_per_half_distance < 1)
		ticks_per_half_distance = 1;
	if (!(value_scale > 0.0))
		value_scale = 1.0;
	fprintf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
		"1/(1-Percentile)");
	if (h->total_count)
		write_table(h, out, ticks_per_half_distance, value_scale);
	fprintf(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", hdr_mean(h) / value_scale,
		hdr_stddev(h) / value_scale);
	fprintf(out, "#[Max     = %12.3f, Total count    = %12llu]\n",
		(double)hdr_max(h) / value_scale, (unsigned long long)h->total_count);
	fprintf(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", HDR_BUCKET_COUNT,
		HDR_SUB_BUCKET_COUNT);
	c_locale_leave(old, c);
	if (fflush(out) != 0 || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}
