/* SPDX-License-Identifier: MIT */
/* The HDR histogram: exactness within 3 significant digits, merging, edge cases,
 * coordinated-omission correction (against HdrHistogram's own loop and its reference
 * test), the .hgrm output, and per-thread recording merged after join (under TSan). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/hdr_histogram.h"

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted values. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n - 1e-9);

	return sorted[(rank < 1 ? 1 : rank > n ? n : rank) - 1];
}

static void assert_within_3_digits(uint64_t got, uint64_t exact)
{
	/* at most one unit of the 4th significant digit above, never below */
	if (got < exact || (double)(got - exact) > (double)exact / 1000.0 + 1.0)
		fail_msg("got %llu for exact %llu", (unsigned long long)got,
			 (unsigned long long)exact);
}

static void check_against_sorted(struct hdr_histogram *h, uint64_t *v, size_t n)
{
	static const double ps[] = { 0.001, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 99.999, 100 };
	uint64_t sum = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_within_3_digits(hdr_value_at_percentile(h, ps[i]),
				       exact_percentile(v, n, ps[i]));
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	assert_true(hdr_mean(h) == (double)sum / (double)n);
	assert_int_equal(hdr_min(h), v[0]);
	assert_int_equal(hdr_max(h), v[n - 1]);
	assert_int_equal(hdr_value_at_percentile(h, 0), v[0]);
	assert_int_equal(hdr_value_at_percentile(h, 100), v[n - 1]);
	assert_int_equal(hdr_total_count(h), n);
}

static void test_uniform_1_to_1e6(void **state)
{
	enum { N = 1000000 };
	struct hdr_histogram *h = hdr_new();
	uint64_t *v = malloc(N * sizeof(*v));

	(void)state;
	for (size_t i = 0; i < N; i++) {
		v[i] = i + 1;
		hdr_record(h, v[i]);
	}
	check_against_sorted(h, v, N);
	/* values below 2048 have single-unit resolution: exact */
	assert_int_equal(hdr_value_at_percentile(h, 0.1), 1000);
	assert_int_equal(hdr_value_at_percentile(h, 50), 500223); /* 500000's slot is 256 wide */
	free(v);
	hdr_free(h);
}

/* Latency-like: log-uniform over 10 ns .. 10 s, seeded. */
static void test_log_uniform(void **state)
{
	enum { N = 200000 };
	struct hdr_histogram *h = hdr_new();
	uint64_t *v = malloc(N * sizeof(*v)), s = 42;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		double u = (double)(xorshift(&s) >> 11) / 9007199254740992.0;

		v[i] = (uint64_t)(10.0 * pow(1e9, u));
		hdr_record(h, v[i]);
	}
	check_against_sorted(h, v, N);
	free(v);
	hdr_free(h);
}

static void test_index_arithmetic(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < 2048; v++) {
		assert_int_equal(hdr_index(v), v);
		assert_int_equal(hdr_lowest_equivalent(v), v);
		assert_int_equal(hdr_highest_equivalent(v), v);
	}
	assert_int_equal(hdr_lowest_equivalent(2049), 2048);
	assert_int_equal(hdr_highest_equivalent(2048), 2049);
	assert_int_equal(hdr_lowest_equivalent(1000000), 999936);
	assert_int_equal(hdr_highest_equivalent(1000000), 1000447);
	assert_true(hdr_index(HDR_HIGHEST_TRACKABLE) < HDR_COUNTS_LEN);
	/* every slot's range is contiguous with the next and within 1/1024 relative width */
	for (unsigned i = 1; i < HDR_COUNTS_LEN; i++) {
		uint64_t lo = hdr_value_at_index(i);

		assert_int_equal(hdr_index(lo), i);
		assert_int_equal(hdr_highest_equivalent(hdr_value_at_index(i - 1)) + 1, lo);
		assert_true((double)(hdr_highest_equivalent(lo) - lo) <= (double)lo / 1024.0);
	}
}

static void test_merge_equals_recording_all(void **state)
{
	struct hdr_histogram *a = hdr_new(), *b = hdr_new(), *all = hdr_new();
	uint64_t s = 7;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		uint64_t v = xorshift(&s) % (i % 3 ? 1000000 : 5000000000ULL);

		hdr_record(i % 2 ? a : b, v);
		hdr_record(all, v);
	}
	hdr_record_corrected(a, 700000, 1000);
	hdr_record_corrected(all, 700000, 1000);
	hdr_record(b, HDR_HIGHEST_TRACKABLE + 5);
	hdr_record(all, HDR_HIGHEST_TRACKABLE + 5);
	hdr_add(a, b);
	assert_memory_equal(a, all, sizeof(*a));
	assert_int_equal(hdr_value_at_percentile(a, 99.9), hdr_value_at_percentile(all, 99.9));
	hdr_free(a);
	hdr_free(b);
	hdr_free(all);
}

static void test_empty(void **state)
{
	struct hdr_histogram *h = hdr_new(), *e = hdr_new();

	(void)state;
	assert_int_equal(hdr_total_count(h), 0);
	assert_int_equal(hdr_min(h), 0);
	assert_int_equal(hdr_max(h), 0);
	assert_int_equal(hdr_value_at_percentile(h, 0), 0);
	assert_int_equal(hdr_value_at_percentile(h, 50), 0);
	assert_int_equal(hdr_value_at_percentile(h, 100), 0);
	assert_true(hdr_mean(h) == 0.0 && hdr_stddev(h) == 0.0);
	/* merging an empty histogram changes nothing, also min */
	hdr_record(h, 5);
	hdr_add(h, e);
	assert_int_equal(hdr_min(h), 5);
	hdr_reset(h);
	assert_memory_equal(h, e, sizeof(*h));
	hdr_free(h);
	hdr_free(e);
}

static void test_one_value(void **state)
{
	struct hdr_histogram *h = hdr_new();

	(void)state;
	hdr_record(h, 1000000);
	for (double p = 0; p <= 100; p += 12.5)
		assert_int_equal(hdr_value_at_percentile(h, p), 1000000);
	assert_int_equal(hdr_value_at_percentile(h, -3), 1000000);
	assert_int_equal(hdr_value_at_percentile(h, 250), 1000000);
	assert_true(hdr_mean(h) == 1000000.0);
	assert_true(hdr_stddev(h) == 0.0);
	hdr_free(h);
}

static void test_range_ends(void **state)
{
	struct hdr_histogram *h = hdr_new();

	(void)state;
	hdr_record(h, 0);
	hdr_record(h, 1);
	hdr_record(h, HDR_HIGHEST_TRACKABLE);
	assert_int_equal(h->overflow_count, 0);
	assert_int_equal(hdr_value_at_percentile(h, 100), HDR_HIGHEST_TRACKABLE);
	assert_int_equal(hdr_value_at_percentile(h, 1), 0);
	assert_int_equal(hdr_value_at_percentile(h, 50), 1);
	/* above 1 h: counted, as 1 h, and as overflow */
	hdr_record(h, HDR_HIGHEST_TRACKABLE + 1);
	hdr_record_n(h, UINT64_MAX, 2);
	assert_int_equal(h->overflow_count, 3);
	assert_int_equal(hdr_total_count(h), 6);
	assert_int_equal(hdr_max(h), HDR_HIGHEST_TRACKABLE);
	assert_int_equal(hdr_value_at_percentile(h, 99), HDR_HIGHEST_TRACKABLE);
	assert_int_equal(h->counts[hdr_index(HDR_HIGHEST_TRACKABLE)], 4);
	hdr_free(h);
}

static void test_record_n(void **state)
{
	struct hdr_histogram *h = hdr_new(), *g = hdr_new();

	(void)state;
	hdr_record_n(h, 12345, 1000);
	hdr_record_n(h, 777, 0);
	for (int i = 0; i < 1000; i++)
		hdr_record(g, 12345);
	assert_memory_equal(h, g, sizeof(*h));
	hdr_free(h);
	hdr_free(g);
}

/* HdrHistogram's recordSingleValueWithExpectedInterval, verbatim. */
static void reference_corrected(struct hdr_histogram *h, uint64_t v, uint64_t interval)
{
	hdr_record(h, v);
	if (interval == 0)
		return;
	for (uint64_t missing = v - interval; v >= interval && missing >= interval;
	     missing -= interval)
		hdr_record(h, missing);
}

static void test_corrected_matches_reference_loop(void **state)
{
	static const uint64_t cases[][2] = {
		{ 4, 1 }, { 4, 2 }, { 4, 3 }, { 4, 4 }, { 4, 5 }, { 10, 3 }, { 100, 0 },
		{ 5000, 7 }, { 123456, 1000 }, { 999999, 1 }, { 3000000, 4097 },
		{ 7777777, 1234 }, { 100000000, 10000 },
	};
	struct hdr_histogram *fast = hdr_new(), *ref = hdr_new();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hdr_record_corrected(fast, cases[i][0], cases[i][1]);
		reference_corrected(ref, cases[i][0], cases[i][1]);
		assert_memory_equal(fast->counts, ref->counts, sizeof(fast->counts));
		assert_int_equal(fast->total_count, ref->total_count);
		assert_int_equal(fast->sum, ref->sum);
		assert_int_equal(fast->min, ref->min);
		assert_int_equal(fast->max, ref->max);
	}
	hdr_free(fast);
	hdr_free(ref);
}

/* HdrHistogram's HistogramTest.testRecordValueWithExpectedInterval. */
static void test_corrected_fills_intervals(void **state)
{
	struct hdr_histogram *h = hdr_new();

	(void)state;
	hdr_record_corrected(h, 4, 1);
	for (uint64_t v = 1; v <= 4; v++)
		assert_int_equal(h->counts[hdr_index(v)], 1);
	assert_int_equal(hdr_total_count(h), 4);
	/* a stall of 1 h at 1 ns intervals: 3.6e12 samples, without looping over them */
	hdr_reset(h);
	hdr_record_corrected(h, HDR_HIGHEST_TRACKABLE, 1);
	assert_int_equal(hdr_total_count(h), HDR_HIGHEST_TRACKABLE);
	assert_int_equal(hdr_min(h), 1);
	assert_within_3_digits(hdr_value_at_percentile(h, 50), HDR_HIGHEST_TRACKABLE / 2);
	hdr_free(h);
}

/* HdrHistogram's HistogramDataTest: 10000 x 1 ms and one 100 s stall, with the expected
 * interval 10 ms (all in us there; here the same numbers in ns). */
static void test_hdrhistogram_reference_data(void **state)
{
	struct hdr_histogram *raw = hdr_new(), *cor = hdr_new();
	double raw_mean = (10000.0 * 1000 + 100000000.0) / 10001, cor_mean = (1000.0 + 50000000.0) / 2;
	double raw_sd = sqrt((10000.0 * pow(1000.0 - raw_mean, 2) +
			      pow(100000000.0 - raw_mean, 2)) / 10001);
	double cor_sd = 0;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		hdr_record_corrected(cor, 1000, 10000);
		hdr_record(raw, 1000);
	}
	hdr_record_corrected(cor, 100000000, 10000);
	hdr_record(raw, 100000000);
	for (int i = 0; i < 10000; i++)
		cor_sd += pow(1000.0 - cor_mean, 2);
	for (uint64_t v = 10000; v <= 100000000; v += 10000)
		cor_sd += pow((double)v - cor_mean, 2);
	cor_sd = sqrt(cor_sd / 20000);

	assert_int_equal(hdr_total_count(raw), 10001);
	assert_int_equal(hdr_total_count(cor), 20000);
	assert_true(fabs(hdr_mean(raw) - raw_mean) < raw_mean * 0.001);
	assert_true(fabs(hdr_mean(cor) - cor_mean) < cor_mean * 0.001);
	assert_true(fabs(hdr_stddev(raw) - raw_sd) < raw_sd * 0.001);
	assert_true(fabs(hdr_stddev(cor) - cor_sd) < cor_sd * 0.001);
	assert_within_3_digits(hdr_value_at_percentile(raw, 30), 1000);
	assert_within_3_digits(hdr_value_at_percentile(raw, 99.99), 1000);
	assert_within_3_digits(hdr_value_at_percentile(raw, 99.999), 100000000);
	assert_within_3_digits(hdr_value_at_percentile(cor, 30), 1000);
	assert_within_3_digits(hdr_value_at_percentile(cor, 50), 1000);
	assert_within_3_digits(hdr_value_at_percentile(cor, 75), 50000000);
	assert_within_3_digits(hdr_value_at_percentile(cor, 90), 80000000);
	assert_within_3_digits(hdr_value_at_percentile(cor, 99), 98000000);
	assert_within_3_digits(hdr_value_at_percentile(cor, 99.999), 100000000);
	hdr_free(raw);
	hdr_free(cor);
}

static char *hgrm_of(const struct hdr_histogram *h, double scale)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(hdr_write_hgrm(h, f, 5, scale), 0);
	fclose(f);
	return buf;
}

/* Java HdrHistogram prints exactly this for one value of 1000 (scale 1). */
static void test_hgrm_one_value(void **state)
{
	struct hdr_histogram *h = hdr_new();
	char *out;

	(void)state;
	hdr_record(h, 1000);
	out = hgrm_of(h, 1.0);
	assert_string_equal(out,
		"       Value     Percentile TotalCount 1/(1-Percentile)\n"
		"\n"
		"    1000.000 0.000000000000          1           1.00\n"
		"    1000.000 1.000000000000          1\n"
		"#[Mean    =     1000.000, StdDeviation   =        0.000]\n"
		"#[Max     =     1000.000, Total count    =            1]\n"
		"#[Buckets =           32, SubBuckets     =         2048]\n");
	free(out);
	hdr_free(h);
}

/* The table's shape: percentiles rise in HdrHistogram's ticks (5 per half distance:
 * 0, 10, ..., 50, 55, ..., 75, 77.5, ...), values and counts never fall, the last line
 * is 100% with every count, and every value line parses as 4 columns. */
static void test_hgrm_table(void **state)
{
	struct hdr_histogram *h = hdr_new();
	char *out, *line, *save;
	double prev_p = -1, prev_v = -1, expect[] = { 0, .1, .2, .3, .4, .5, .55, .6, .65, .7, .75, .775 };
	unsigned long long prev_c = 0;
	int lines = 0, last_seen = 0;

	(void)state;
	for (uint64_t v = 1; v <= 100000; v++)
		hdr_record(h, v * 10);
	out = hgrm_of(h, 1000.0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		double v, p, inv;
		unsigned long long c;
		int n = sscanf(line, "%lf %lf %llu %lf", &v, &p, &c, &inv);

		if (line[0] == '#' || strncmp(line, "       Value", 12) == 0)
			continue;
		assert_true(n == 4 || (n == 3 && p == 1.0));
		if (lines < 12)
			assert_true(fabs(p - expect[lines]) < 1e-12);
		assert_true(p > prev_p && v >= prev_v && c >= prev_c);
		last_seen = n == 3;
		prev_p = p, prev_v = v, prev_c = c, lines++;
	}
	assert_true(last_seen);
	assert_int_equal(prev_c, 100000);
	assert_true(prev_v == 1000.0); /* 1e6 ns in us: the exact max */
	assert_true(lines > 50 && lines < 200);
	free(out);
	hdr_free(h);
}

static void test_hgrm_empty(void **state)
{
	struct hdr_histogram *h = hdr_new();
	char *out;

	(void)state;
	out = hgrm_of(h, 1.0);
	assert_string_equal(out,
		"       Value     Percentile TotalCount 1/(1-Percentile)\n"
		"\n"
		"#[Mean    =        0.000, StdDeviation   =        0.000]\n"
		"#[Max     =        0.000, Total count    =            0]\n"
		"#[Buckets =           32, SubBuckets     =         2048]\n");
	free(out);
	hdr_free(h);
}

static void test_hgrm_write_error(void **state)
{
	struct hdr_histogram *h = hdr_new();
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	if (!full)
		skip();
	hdr_record(h, 5);
	assert_int_equal(hdr_write_hgrm(h, full, 5, 1.0), -ENOSPC);
	fclose(full);
	hdr_free(h);
}

/* One histogram per thread, merged after join: the intended use, checked under TSan. */
enum { THREADS = 4, PER_THREAD = 50000 };

static void *recorder(void *arg)
{
	struct hdr_histogram *h = arg;
	uint64_t s = (uint64_t)(uintptr_t)arg | 1;

	for (int i = 0; i < PER_THREAD; i++)
		hdr_record(h, xorshift(&s) % 100000);
	return NULL;
}

static void test_per_thread_then_merge(void **state)
{
	struct hdr_histogram *h[THREADS], *all = hdr_new();
	pthread_t t[THREADS];

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		h[i] = hdr_new();
		assert_int_equal(pthread_create(&t[i], NULL, recorder, h[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		hdr_add(all, h[i]);
		hdr_free(h[i]);
	}
	assert_int_equal(hdr_total_count(all), THREADS * PER_THREAD);
	assert_true(hdr_max(all) < 100000);
	hdr_free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_arithmetic),
		cmocka_unit_test(test_uniform_1_to_1e6),
		cmocka_unit_test(test_log_uniform),
		cmocka_unit_test(test_merge_equals_recording_all),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_value),
		cmocka_unit_test(test_range_ends),
		cmocka_unit_test(test_record_n),
		cmocka_unit_test(test_corrected_matches_reference_loop),
		cmocka_unit_test(test_corrected_fills_intervals),
		cmocka_unit_test(test_hdrhistogram_reference_data),
		cmocka_unit_test(test_hgrm_one_value),
		cmocka_unit_test(test_hgrm_table),
		cmocka_unit_test(test_hgrm_empty),
		cmocka_unit_test(test_hgrm_write_error),
		cmocka_unit_test(test_per_thread_then_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
