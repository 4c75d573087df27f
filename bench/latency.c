/* SPDX-License-Identifier: MIT */
#include "latency.h"

#include <stdlib.h>
#include <string.h>

int lat_init(struct lat_sampler *s, size_t cap, uint64_t every)
{
	*s = (struct lat_sampler){ .cap = cap, .every = every, .countdown = every };
	s->v = malloc(cap * sizeof(*s->v));
	return s->v ? 0 : -1;
}

void lat_destroy(struct lat_sampler *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Keeps samples 1, 3, 5, ...: the newest one stays, and the rest are evenly spaced. */
static void halve(struct lat_sampler *s)
{
	size_t kept = 0;

	for (size_t i = 1; i < s->n; i += 2)
		s->v[kept++] = s->v[i];
	s->n = kept;
	s->every *= 2;
	s->countdown = s->every;
}

void lat_add(struct lat_sampler *s, uint64_t ticks)
{
	s->v[s->n++] = ticks;
	if (s->n == s->cap)
		halve(s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int lat_merge(struct lat_sampler *out, struct lat_sampler *const *in, size_t nr)
{
	uint64_t every = 1;
	size_t total = 0;

	for (size_t i = 0; i < nr; i++)
		every = in[i]->every > every ? in[i]->every : every;
	for (size_t i = 0; i < nr; i++) {
		while (in[i]->every < every)
			halve(in[i]);
		total += in[i]->n;
	}
	if (lat_init(out, total ? total + total % 2 : 2, every))
		return -1;
	for (size_t i = 0; i < nr; i++) {
		memcpy(out->v + out->n, in[i]->v, in[i]->n * sizeof(*out->v));
		out->n += in[i]->n;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_u64);
	return 0;
}

uint64_t lat_quantile(const struct lat_sampler *merged, double q)
{
	double r = q * (double)merged->n;
	size_t rank = (size_t)r;

	if (!merged->n)
		return 0;
	if ((double)rank < r)
		rank++;		/* ceil */
	if (rank > merged->n)
		rank = merged->n;
	return merged->v[(rank ? rank : 1) - 1];
}

void lat_cal_start(struct lat_cal *c)
{
	c->ns0 = bench_now_ns();
	c->ticks0 = lat_ticks();
}

double lat_cal_ticks_per_ns(const struct lat_cal *c)
{
	uint64_t ticks = lat_ticks(), ns = bench_now_ns();

	return ns > c->ns0 ? (double)(ticks - c->ticks0) / (double)(ns - c->ns0) : 1.0;
}

uint64_t lat_timer_ticks(void)
{
	enum { N = 1001 };
	uint64_t d[N];

	for (int i = 0; i < N; i++) {
		uint64_t t0 = lat_ticks();

		d[i] = lat_ticks() - t0;
	}
	qsort(d, N, sizeof(d[0]), cmp_u64);
	return d[N / 2];
}
