/* SPDX-License-Identifier: MIT */
/* The structural invariants every backend must keep, checked from outside through
 * iomem_for_each: siblings sorted and disjoint, children inside their parent. */
#include <stdio.h>
#include "backend.h"

enum { MAX_CHECKED_DEPTH = 256 };

struct inv {
	int depth;
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
	/* One level down there is no previous sibling yet; at or above the last depth, the
	 * last resource visited at this depth is the previous sibling (pre-order). */
	else if (depth <= s->depth && r->start <= s->prev_end[depth])
		bad = "overlaps or precedes its previous sibling";
	else if (depth > 0 && (r->start < s->start[depth - 1] || r->end > s->end[depth - 1]))
		bad = "sticks out of its parent";
	if (bad) {
		snprintf(s->why, s->len, "%llx-%llx (%s, depth %d): %s",
			 (unsigned long long)r->start, (unsigned long long)r->end,
			 r->name ? r->name : "<BAD>", depth, bad);
		return 1;
	}
	s->prev_end[depth] = r->end;
	s->start[depth] = r->start;
	s->end[depth] = r->end;
	s->depth = depth;
	return 0;
}

bool iomem_check_invariants(struct iomem_tree *t, enum iomem_root root, char *why, size_t len)
{
	struct inv s;	/* visit() reads only what it wrote: no need to clear it */
	char buf[1];

	s.depth = -1;
	s.why = why ? why : buf;
	s.len = why ? len : sizeof(buf);
	return iomem_for_each(t, root, visit, &s) == 0;
}
