/* SPDX-License-Identifier: MIT */
/* The per-thread event rings and the windows taken from them. */
#include "check/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int lin_ring_init(struct lin_ring *r, uint32_t thread, size_t capacity)
{
	size_t cap = 16;

	while (cap < capacity)
		cap <<= 1;
	memset(r, 0, sizeof(*r));
	r->ev = calloc(cap, sizeof(*r->ev));
	if (!r->ev)
		return -ENOMEM;
	r->mask = cap - 1;
	r->thread = thread;
	return 0;
}

void lin_ring_destroy(struct lin_ring *r)
{
	free(r->ev);
	r->ev = NULL;
}

void lin_window_cut(struct lin_ring *const *rings, size_t nrings)
{
	for (size_t i = 0; i < nrings; i++)
		rings[i]->mark = rings[i]->head;
}

static int by_invoke(const void *pa, const void *pb)
{
	const struct lin_event *a = pa, *b = pb;

	if (a->invoke_ns != b->invoke_ns)
		return a->invoke_ns < b->invoke_ns ? -1 : 1;
	if (a->thread != b->thread)
		return a->thread < b->thread ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int lin_window_collect(struct lin_ring *const *rings, size_t nrings, struct lin_event *out,
		       size_t max, size_t *n)
{
	int err = 0;

	*n = 0;
	for (size_t i = 0; i < nrings; i++) {
		const struct lin_ring *r = rings[i];
		uint64_t count = r->head - r->mark;

		if (count > r->mask + 1 || *n + count > max) {
			err = -EOVERFLOW;
			continue;
		}
		for (uint64_t s = r->mark; s < r->head; s++)
			out[(*n)++] = r->ev[s & r->mask];
	}
	lin_window_cut(rings, nrings);
	if (err)
		*n = 0;
	else
		qsort(out, *n, sizeof(*out), by_invoke);
	return err;
}

size_t lin_ring_recent(const struct lin_ring *r, struct lin_event *out, size_t n)
{
	uint64_t have = r->head < r->mask + 1 ? r->head : r->mask + 1;

	if (n > have)
		n = (size_t)have;
	for (size_t i = 0; i < n; i++)
		out[i] = r->ev[(r->head - n + i) & r->mask];
	return n;
}
