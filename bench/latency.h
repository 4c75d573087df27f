/* SPDX-License-Identifier: MIT */
/* Latency sampling for time-boxed runs: every k-th operation is timed into a fixed-size
 * array. When the array fills up, every other sample is dropped and k doubles, so the
 * samples stay evenly spread over the whole run whatever its length.
 *
 * Samples are in ticks of lat_ticks(): the TSC (rdtscp) on x86-64, which resolves well
 * below a nanosecond, else CLOCK_MONOTONIC nanoseconds. struct lat_cal converts them,
 * calibrated against CLOCK_MONOTONIC over the run itself. */
#ifndef IOMEM_BENCH_LATENCY_H
#define IOMEM_BENCH_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "bench_util.h"

static inline uint64_t lat_ticks(void)
{
#if defined(__x86_64__)
	unsigned aux;

	return __rdtscp(&aux);
#else
	return bench_now_ns();
#endif
}

/* Ticks per nanosecond, measured between lat_cal_start and lat_cal_ticks_per_ns. */
struct lat_cal {
	uint64_t ticks0, ns0;
};

void lat_cal_start(struct lat_cal *c);
double lat_cal_ticks_per_ns(const struct lat_cal *c);

/* The median cost of one sample's two timer reads, in ticks (measured now). */
uint64_t lat_timer_ticks(void);

struct lat_sampler {
	uint64_t *v;		/* samples in ticks, in the order taken (sorted after lat_merge) */
	size_t n, cap;
	uint64_t every;		/* one sample per `every` operations */
	uint64_t countdown;
};

/* 0, or -1 when out of memory. cap must be even and > 0. */
int lat_init(struct lat_sampler *s, size_t cap, uint64_t every);
void lat_destroy(struct lat_sampler *s);

/* True when the next operation is to be timed. */
static inline bool lat_due(struct lat_sampler *s)
{
	if (--s->countdown)
		return false;
	s->countdown = s->every;
	return true;
}

void lat_add(struct lat_sampler *s, uint64_t ticks);

/* Merges the samplers into out (initialized by this call), first thinning the denser
 * ones to the sparsest rate so each sample stands for as many operations, then sorts.
 * 0, or -1 when out of memory. */
int lat_merge(struct lat_sampler *out, struct lat_sampler *const *in, size_t nr);

/* The q-quantile (0 < q <= 1, nearest rank) of a merged sampler, in ticks; 0 when empty. */
uint64_t lat_quantile(const struct lat_sampler *merged, double q);

#endif
