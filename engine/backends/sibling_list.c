/* SPDX-License-Identifier: MIT */
/* The kernel's tree algorithms over linked sibling lists: see sibling_list.h. */
#include "sibling_list.h"

#include "backend.h"

struct resource *list_request_conflict(struct resource *root, struct resource *new,
				       list_publish_fn publish)
{
	struct resource **p = &root->child;

	if (new->end < new->start || new->start < root->start || new->end > root->end)
		return root;
	for (;;) {
		struct resource *tmp = *p;

		if (!tmp || tmp->start > new->end) {
			new->sibling = tmp;
			new->parent = root;
			publish(p, new);
			return NULL;
		}
		if (tmp->end >= new->start)
			return tmp;
		p = &tmp->sibling;
	}
}

struct resource **list_find_exact(struct resource *root, resource_size_t start,
				  resource_size_t end)
{
	struct resource **p = &root->child;

	while (*p) {
		struct resource *r = *p;

		if (r->start == start && r->end == end)
			return p;
		if (r->start > end)
			break;
		p = (r->start <= start && r->end >= end) ? &r->child : &r->sibling;
	}
	return NULL;
}

bool list_find_space(const struct resource *root, struct resource *new, resource_size_t size,
		     resource_size_t min, resource_size_t max, resource_size_t align)
{
	const struct resource *this = root->child;
	struct resource tmp = { .start = root->start }, avail, alloc;

	if (this && this->start == root->start) {
		tmp.start = this->end + 1;
		this = this->sibling;
	}
	for (;;) {
		tmp.end = this ? this->start - 1 : root->end;
		if (tmp.end >= tmp.start) {
			if (tmp.start < min)
				tmp.start = min;
			if (tmp.end > max)
				tmp.end = max;
			avail.start = iomem_align_up(tmp.start, align);
			avail.end = tmp.end;
			avail.flags = new->flags & ~IORESOURCE_UNSET;
			if (avail.start >= tmp.start) {
				alloc.flags = avail.flags;
				alloc.start = avail.start;
				alloc.end = alloc.start + size - 1;
				if (alloc.start <= alloc.end && resource_contains(&avail, &alloc)) {
					new->start = alloc.start;
					new->end = alloc.end;
					return true;
				}
			}
		}
		if (!this || this->end == root->end)
			return false;
		tmp.start = this->end + 1;
		this = this->sibling;
	}
}
