/* SPDX-License-Identifier: MIT */
/* Backend "rwlock": the kernel's own design (§1). Sorted, singly linked sibling lists with
 * parent/sibling/child pointers, every edit under one global reader-writer lock. Each
 * function below is one tree operation of kernel/resource.c, as docs/kernel-model.md
 * describes it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"
#include "backend.h"
#include "locks/lock.h"
#include "node_alloc.h"
#include "sibling_list.h"

struct rwlock_tree {
	struct iomem_tree base;
	struct lock lock;
	struct resource roots[IOMEM_NR_ROOTS];
	struct resource *append_hint;	/* last node iomem_append made */
	/* Bumped (under the write lock) whenever a non-busy resource is freed. A MUXED sleeper
	 * retries from the container where it saw the conflict, as the kernel does; if that
	 * container may have been freed meanwhile it restarts from the root instead, where the
	 * kernel would touch freed memory. */
	unsigned long containers_freed;
};

static inline struct rwlock_tree *RT(struct iomem_tree *t)
{
	return (struct rwlock_tree *)t;
}

static struct resource *node_new(const char *name)
{
	const char *copy;
	struct resource *r = iomem_node_alloc(sizeof(*r), name, &copy);

	if (r)
		r->name = copy;
	return r;
}

/* Pre-order successor of r inside the subtree of top (top itself excluded). */
static struct resource *next_in_subtree(const struct resource *r, const struct resource *top)
{
	if (r->child)
		return r->child;
	while (r != top && !r->sibling)
		r = r->parent;
	return r == top ? NULL : r->sibling;
}

/* Frees the sibling list starting at r with everything below it. True if a non-busy
 * node was among them. */
static bool free_list(struct resource *r)
{
	bool container = false;

	while (r) {
		struct resource *next = r->sibling;

		container |= free_list(r->child);
		container |= !(r->flags & IORESOURCE_BUSY);
		iomem_node_free(r);
		r = next;
	}
	return container;
}


/* Readers hold the read lock while a writer links a node: a plain store. */
static void store(struct resource **link, struct resource *node)
{
	*link = node;
}

/* __request_region (§1.2). */
static int rw_request(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t n, const char *name, unsigned long flags, bool nowait)
{
	bool woken = false;
	struct rwlock_tree *rt = RT(t);
	struct resource *res = node_new(name), *parent = &rt->roots[root];
	int err;

	if (!res)
		return -ENOMEM;
	res->start = start;
	res->end = start + n - 1;

	lock_write(&rt->lock);
	for (;;) {
		struct resource *conflict;

		res->flags = resource_type(parent) | resource_ext_type(parent) |
			     IORESOURCE_BUSY | flags;
		res->desc = parent->desc;
		conflict = list_request_conflict(parent, res, store);
		if (!conflict) {
			unlock_write(&rt->lock);
			return 0;
		}
		if (conflict != parent && !(conflict->flags & IORESOURCE_BUSY)) {
			parent = conflict;
			continue;
		}
		if (conflict->flags & flags & IORESOURCE_MUXED) {
			unsigned long freed = rt->containers_freed;

			if (nowait) {
				err = -EWOULDBLOCK;
				break;
			}
			muxed_wait_for(&t->muxed, &rt->lock, conflict->start, conflict->end,
				       woken);
			woken = true;
			if (rt->containers_freed != freed)
				parent = &rt->roots[root];
			continue;
		}
		err = -EBUSY;
		break;
	}
	unlock_write(&rt->lock);
	iomem_node_free(res);
	return err;
}

/* __release_region (§1.3). The released region's children are not re-parented: they
 * leave the tree with it (and, unreachable, are freed). */
static int rw_release(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t n)
{
	struct rwlock_tree *rt = RT(t);
	resource_size_t end = start + n - 1;
	struct resource **p = &rt->roots[root].child;

	lock_write(&rt->lock);
	for (;;) {
		struct resource *res = *p;

		if (!res)
			break;
		if (res->start <= start && res->end >= end) {
			if (!(res->flags & IORESOURCE_BUSY)) {
				p = &res->child;
				continue;
			}
			if (res->start != start || res->end != end)
				break;
			*p = res->sibling;
			if (free_list(res->child))
				rt->containers_freed++;
			rt->append_hint = NULL;
			unlock_write(&rt->lock);
			if (res->flags & IORESOURCE_MUXED)
				muxed_wake_up(&t->muxed, start, end);
			iomem_node_free(res);
			return 0;
		}
		p = &res->sibling;
	}
	unlock_write(&rt->lock);
	return -ENOENT;
}

/* __insert_resource (§1.4): returns the conflict, or NULL once new is linked. */
static struct resource *insert_resource_conflict(struct resource *parent, struct resource *new)
{
	struct resource *first, *next;

	for (;; parent = first) {
		first = list_request_conflict(parent, new, store);
		if (!first || first == parent)
			return first;
		if (first->start > new->start || first->end < new->end)
			break;
		if (first->start == new->start && first->end == new->end)
			break;
	}
	/* new covers first (or equals it): adopt every sibling it covers, or fail on one that
	 * sticks out. */
	for (next = first;; next = next->sibling) {
		if (next->start < new->start || next->end > new->end)
			return next;
		if (!next->sibling || next->sibling->start > new->end)
			break;
	}
	new->parent = parent;
	new->sibling = next->sibling;
	new->child = first;
	next->sibling = NULL;
	for (next = first; next; next = next->sibling)
		next->parent = new;
	if (parent->child == first) {
		parent->child = new;
	} else {
		next = parent->child;
		while (next->sibling != first)
			next = next->sibling;
		next->sibling = new;
	}
	return NULL;
}

static int rw_insert(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, const char *name, unsigned long flags,
		     unsigned long desc)
{
	struct rwlock_tree *rt = RT(t);
	struct resource *res = node_new(name), *conflict;

	if (!res)
		return -ENOMEM;
	res->start = start;
	res->end = end;
	res->flags = flags;
	res->desc = desc;
	lock_write(&rt->lock);
	conflict = insert_resource_conflict(&rt->roots[root], res);
	unlock_write(&rt->lock);
	if (conflict) {
		iomem_node_free(res);
		return -EBUSY;
	}
	return 0;
}


/* remove_resource = __release_resource(old, false) (§1.4): the children take its place. */
static int rw_remove(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end)
{
	struct rwlock_tree *rt = RT(t);
	struct resource **p, *old;

	lock_write(&rt->lock);
	p = list_find_exact(&rt->roots[root], start, end);
	if (!p) {
		unlock_write(&rt->lock);
		return -ENOENT;
	}
	old = *p;
	if (old->child) {
		struct resource *c = old->child;

		for (;; c = c->sibling) {
			c->parent = old->parent;
			if (!c->sibling)
				break;
		}
		c->sibling = old->sibling;
		*p = old->child;
	} else {
		*p = old->sibling;
	}
	if (!(old->flags & IORESOURCE_BUSY))
		rt->containers_freed++;
	rt->append_hint = NULL;
	unlock_write(&rt->lock);
	if (old->flags & IORESOURCE_MUXED)
		muxed_region_gone(&t->muxed, start, end);
	iomem_node_free(old);
	return 0;
}

/* adjust_resource (§1.4). */
static int rw_adjust(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, resource_size_t new_start, resource_size_t new_size)
{
	bool muxed_moved = false;
	struct rwlock_tree *rt = RT(t);
	resource_size_t new_end = new_start + new_size - 1;
	struct resource **p, *res, *parent, *tmp;
	int err = -EBUSY;

	lock_write(&rt->lock);
	p = list_find_exact(&rt->roots[root], start, end);
	if (!p) {
		err = -ENOENT;
		goto out;
	}
	res = *p;
	parent = res->parent;
	if (new_end < new_start)
		goto out;
	if (new_start < parent->start || new_end > parent->end)
		goto out;
	if (res->sibling && res->sibling->start <= new_end)
		goto out;
	tmp = parent->child;
	if (tmp != res) {
		while (tmp->sibling != res)
			tmp = tmp->sibling;
		if (new_start <= tmp->end)
			goto out;
	}
	for (tmp = res->child; tmp; tmp = tmp->sibling)
		if (tmp->start < new_start || tmp->end > new_end)
			goto out;
	res->start = new_start;
	res->end = new_end;
	muxed_moved = res->flags & IORESOURCE_MUXED;
	err = 0;
out:
	unlock_write(&rt->lock);
	if (muxed_moved)
		muxed_region_gone(&t->muxed, start, end);
	return err;
}


static int rw_allocate(struct iomem_tree *t, enum iomem_root root, resource_size_t size,
		       resource_size_t min, resource_size_t max, resource_size_t align,
		       const char *name, unsigned long flags, resource_size_t *start_out)
{
	struct rwlock_tree *rt = RT(t);
	struct resource *res = node_new(name);
	int err = -EBUSY;

	if (!res)
		return -ENOMEM;
	res->flags = flags;
	lock_write(&rt->lock);
	if (list_find_space(&rt->roots[root], res, size, min, max, align) &&
	    !list_request_conflict(&rt->roots[root], res, store)) {
		*start_out = res->start;
		err = 0;
	}
	unlock_write(&rt->lock);
	if (err)
		iomem_node_free(res);
	return err;
}

/* __region_intersects, 6.12+ (§1.5). */
static int rw_intersects(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t end, unsigned long flags, unsigned long desc)
{
	struct rwlock_tree *rt = RT(t);
	struct resource res = { .start = start, .end = end }, o;
	int type = 0, other = 0;

	lock_read(&rt->lock);
	for (struct resource *p = rt->roots[root].child; p; p = p->sibling) {
		bool covered = false;

		if (!resource_intersection(p, &res, &o))
			continue;
		if (iomem_type_match(p, flags, desc)) {
			type++;
			continue;
		}
		for (struct resource *dp = p->child; dp; dp = next_in_subtree(dp, p)) {
			if (!resource_overlaps(dp, &res))
				continue;
			if (iomem_type_match(dp, flags, desc)) {
				type++;
				if (dp->start > o.start)
					break;
				if (dp->end >= o.end) {
					covered = true;
					break;
				}
				o.start = dp->end + 1 > o.start ? dp->end + 1 : o.start;
			}
		}
		if (!covered)
			other++;
	}
	unlock_read(&rt->lock);
	if (type == 0)
		return REGION_DISJOINT;
	return other == 0 ? REGION_INTERSECTS : REGION_MIXED;
}

/* find_next_iomem_res (§1.6): the first type match in pre-order; a matched parent hides
 * its children because the walk resumes after it. */
static int rw_find_next(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			resource_size_t end, unsigned long flags, unsigned long desc,
			struct resource *res)
{
	struct rwlock_tree *rt = RT(t);
	const struct resource *top = &rt->roots[root], *p;

	lock_read(&rt->lock);
	for (p = top->child; p; p = next_in_subtree(p, top)) {
		if (p->start > end) {
			p = NULL;
			break;
		}
		if (p->end < start)
			continue;
		if (iomem_type_match(p, flags, desc))
			break;
	}
	if (p)
		*res = (struct resource){
			.start = p->start > start ? p->start : start,
			.end = p->end < end ? p->end : end,
			.flags = p->flags,
			.desc = p->desc,
			.parent = p->parent,
		};
	unlock_read(&rt->lock);
	return p ? 0 : -ENODEV;
}

static int rw_lookup(struct iomem_tree *t, enum iomem_root root, resource_size_t addr,
		     struct resource *out, char *namebuf, size_t namelen)
{
	struct rwlock_tree *rt = RT(t);
	const struct resource *found = NULL;

	lock_read(&rt->lock);
	for (const struct resource *p = rt->roots[root].child; p;) {
		if (p->start > addr)
			break;
		if (p->end < addr) {
			p = p->sibling;
			continue;
		}
		found = p;
		p = p->child;
	}
	if (found) {
		*out = (struct resource){
			.start = found->start,
			.end = found->end,
			.flags = found->flags,
			.desc = found->desc,
		};
		if (namebuf && namelen) {
			snprintf(namebuf, namelen, "%s", found->name ? found->name : "");
			out->name = namebuf;
		}
	}
	unlock_read(&rt->lock);
	return found ? 0 : -ENOENT;
}

static int rw_for_each(struct iomem_tree *t, enum iomem_root root, iomem_visit_fn fn, void *arg)
{
	struct rwlock_tree *rt = RT(t);
	const struct resource *top = &rt->roots[root];
	int depth = 0, ret = 0;

	lock_read(&rt->lock);
	for (const struct resource *p = top->child; p;) {
		ret = fn(p, depth, arg);
		if (ret)
			break;
		if (p->child) {
			p = p->child;
			depth++;
			continue;
		}
		while (p != top && !p->sibling) {
			p = p->parent;
			depth--;
		}
		p = p == top ? NULL : p->sibling;
	}
	unlock_read(&rt->lock);
	return ret;
}

/* An iomem_node handle is the resource itself. */
static struct iomem_node *rw_append(struct iomem_tree *t, enum iomem_root root,
				    struct iomem_node *handle, resource_size_t start,
				    resource_size_t end, const char *name, unsigned long flags,
				    unsigned long desc)
{
	struct rwlock_tree *rt = RT(t);
	struct resource *r = node_new(name), *last = rt->append_hint;
	struct resource *parent = handle ? (struct resource *)handle : &rt->roots[root];

	if (!r)
		return NULL;
	r->start = start;
	r->end = end;
	r->flags = flags;
	r->desc = desc;
	r->parent = parent;
	if (!last || last->parent != parent || last->sibling) {
		last = parent->child;
		while (last && last->sibling)
			last = last->sibling;
	}
	if (last)
		last->sibling = r;
	else
		parent->child = r;
	rt->append_hint = r;
	return (struct iomem_node *)r;
}

static void rw_clear(struct iomem_tree *t, enum iomem_root root)
{
	struct rwlock_tree *rt = RT(t);

	lock_write(&rt->lock);
	free_list(rt->roots[root].child);
	rt->roots[root].child = NULL;
	rt->append_hint = NULL;
	unlock_write(&rt->lock);
}

static int rw_create(const struct iomem_tree_opts *opts, struct iomem_tree **out)
{
	struct rwlock_tree *rt = iomem_alloc(IOMEM_ALLOC_OTHER, sizeof(*rt));
	int err;

	if (!rt)
		return -ENOMEM;
	err = iomem_tree_lock_init(&rt->lock, opts);
	if (err) {
		iomem_free(IOMEM_ALLOC_OTHER, rt);
		return err;
	}
	for (int i = 0; i < IOMEM_NR_ROOTS; i++)
		iomem_root_init(&rt->roots[i], i);
	*out = &rt->base;
	return 0;
}

static void rw_destroy(struct iomem_tree *t)
{
	struct rwlock_tree *rt = RT(t);

	for (int i = 0; i < IOMEM_NR_ROOTS; i++)
		free_list(rt->roots[i].child);
	lock_destroy(&rt->lock);
	iomem_free(IOMEM_ALLOC_OTHER, rt);
}

static const char *rw_lock_name(const struct iomem_tree *t)
{
	return lock_name(&((const struct rwlock_tree *)t)->lock);
}

const struct iomem_backend_ops iomem_backend_rwlock = {
	.name = "rwlock",
	.create = rw_create,
	.destroy = rw_destroy,
	.lock_name = rw_lock_name,
	.request = rw_request,
	.release = rw_release,
	.insert = rw_insert,
	.remove = rw_remove,
	.adjust = rw_adjust,
	.allocate = rw_allocate,
	.intersects = rw_intersects,
	.find_next = rw_find_next,
	.lookup = rw_lookup,
	.for_each = rw_for_each,
	.append = rw_append,
	.clear = rw_clear,
};
