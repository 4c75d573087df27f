/* SPDX-License-Identifier: MIT */
/* How evenly threads shared a lock (or any resource), from their per-thread counts:
 * Jain's index, (sum x)^2 / (n * sum x^2), 1 when all are equal and 1/n when one thread
 * got everything; and locktorture's starvation flag ("???"), max / 2 > min. One definition
 * for the lock torture, the lock benchmarks and `iomem stress`.
 *
 *	struct lock_fairness f = LOCK_FAIRNESS_INIT;
 *	for (i = 0; i < n; i++)
 *		lock_fairness_add(&f, count[i]);
 *	lock_fairness_jain(&f); lock_fairness_starved(&f); f.max; f.min;
 */
#ifndef LOCKS_FAIRNESS_H
#define LOCKS_FAIRNESS_H

#include <stdbool.h>

struct lock_fairness {
	unsigned n;
	double sum, sum_sq;
	unsigned long long max, min;	/* min is 0 while n is 0 */
};

#define LOCK_FAIRNESS_INIT ((struct lock_fairness){ 0 })

static inline void lock_fairness_add(struct lock_fairness *f, unsigned long long x)
{
	if (!f->n || x > f->max)
		f->max = x;
	if (!f->n || x < f->min)
		f->min = x;
	f->n++;
	f->sum += (double)x;
	f->sum_sq += (double)x * (double)x;
}

/* 1 when no thread counted anything. */
static inline double lock_fairness_jain(const struct lock_fairness *f)
{
	return f->sum_sq > 0 ? f->sum * f->sum / (f->n * f->sum_sq) : 1.0;
}

static inline bool lock_fairness_starved(const struct lock_fairness *f)
{
	return f->max / 2 > f->min;
}

#endif
