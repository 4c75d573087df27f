/* SPDX-License-Identifier: MIT */
/* The structural invariants every backend must keep, checked from outside through
 * iomem_for_each: siblings sorted and disjoint, children inside their parent. */
#include <stdio.h>
#include <stdlib.h>

#include "iomem/alloc.h"
#include "backend.h"

enum { MAX_CHECKED_DEPTH = 256 };

struct inv {
	int depth;
	bool have_prev[MAX_CHECKED_DEPTH];
	resource_size_t prev_end[MAX_CHECKED_DEPTH];
	resource_size_t start[MAX_CHECKED_DEPTH], end[MAX_CHECKED_DEPTH];
	char *why;
	size_t len;
};

static int visit(const struct resource *r, int depth, void *arg)
{
	struct inv *s = arg;
	const char *bad = NULL;

	if (depth >= MAX_CHECKED_DEPTH || depth > s->depth + 1)
		bad = "depth jumps";
	else if (r->end < r->start)
		bad = "end below start";
	else if (s->have_prev[depth] && r->start <= s->prev_end[depth])
		bad = "overlaps or precedes its previous sibling";
	else if (depth > 0 && (r->start < s->start[depth - 1] || r->end > s->end[depth - 1]))
		bad = "sticks out of its parent";
	if (bad) {
		snprintf(s->why, s->len, "%llx-%llx (%s, depth %d): %s",
			 (unsigned long long)r->start, (unsigned long long)r->end,
			 r->name ? r->name : "<BAD>", depth, bad);
		return 1;
	}
	for (int d = depth + 1; d <= s->depth && d < MAX_CHECKED_DEPTH; d++)
		s->have_prev[d] = false;
	s->have_prev[depth] = true;
	s->prev_end[depth] = r->end;
	s->start[depth] = r->start;
	s->end[depth] = r->end;
	s->depth = depth;
	return 0;
}

bool iomem_check_invariants(struct iomem_tree *t, enum iomem_root root, char *why, size_t len)
{
	static struct inv zero;
	struct inv *s = iomem_alloc(IOMEM_ALLOC_OTHER, sizeof(*s));
	char buf[1];
	bool ok;

	if (!s) {
		snprintf(why, len, "out of memory");
		return false;
	}
	*s = zero;
	s->depth = -1;
	s->why = why ? why : buf;
	s->len = why ? len : sizeof(buf);
	ok = iomem_for_each(t, root, visit, s) == 0;
	iomem_free(IOMEM_ALLOC_OTHER, s);
	return ok;
}
