/* Backend "itree": the kernel's semantics (§1) with each parent's children kept in a
 * red-black tree ordered by start (libbsd's <sys/tree.h>), so finding the sibling that
 * conflicts with, covers or contains a range is O(log n) instead of the kernel's linear
 * sibling walk. Siblings never overlap, so every question about a range is answered by
 * its neighbours: the child starting at or before it, and the one after. Readers and
 * writers take one reader-writer lock through the locks/ seam, as in "rwlock". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* RB_GENERATE_STATIC marks its functions __unused, which only BSD's cdefs.h defines. */
#ifndef __unused
#define __unused __attribute__((unused))
#endif
#include <bsd/sys/tree.h>

#include "backend.h"
#include "locks/lock.h"
#include "node_alloc.h"

struct inode;
RB_HEAD(kids, inode);

/* What a descent reads (the links and the range) comes first, to share a cache line. */
struct inode {
	RB_ENTRY(inode) rb;
	resource_size_t start, end;
	struct kids kids;
	const char *name;
	unsigned long flags, desc;
	struct inode *parent;
};

static int inode_cmp(struct inode *a, struct inode *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

RB_GENERATE_STATIC(kids, inode, rb, inode_cmp)

struct itree {
	struct iomem_tree base;
	struct lock lock;
	struct inode roots[IOMEM_NR_ROOTS];
	unsigned long containers_freed;	/* as in rwlock.c: MUXED retries restart at the root */
};

static inline struct itree *IT(struct iomem_tree *t)
{
	return (struct itree *)t;
}

static struct inode *first_child(struct inode *n)
{
	return RB_MIN(kids, &n->kids);
}

static struct inode *next_sibling(struct inode *c)
{
	return kids_RB_NEXT(c);
}

/* The child with the largest start <= addr, or NULL: one descent, no successor walk. */
static struct inode *child_at_or_before(struct inode *n, resource_size_t addr)
{
	struct inode *c = RB_ROOT(&n->kids), *best = NULL;

	while (c) {
		if (c->start <= addr) {
			best = c;
			c = RB_RIGHT(c, rb);
		} else {
			c = RB_LEFT(c, rb);
		}
	}
	return best;
}

/* The first child (in address order) ending at or after addr. */
static struct inode *first_ending_from(struct inode *n, resource_size_t addr)
{
	struct inode *c = child_at_or_before(n, addr);

	if (c && c->end >= addr)
		return c;
	return c ? next_sibling(c) : first_child(n);
}

/* The child covering [start, end], or NULL. */
static struct inode *covering_child(struct inode *n, resource_size_t start, resource_size_t end)
{
	struct inode *c = child_at_or_before(n, start);

	return c && c->end >= end ? c : NULL;
}

static void link_child(struct inode *parent, struct inode *c)
{
	c->parent = parent;
	RB_INSERT(kids, &parent->kids, c);
}

static struct inode *node_new(resource_size_t start, resource_size_t end, const char *name,
			      unsigned long flags, unsigned long desc)
{
	const char *copy;
	struct inode *n = iomem_node_alloc(sizeof(*n), name, &copy);

	if (n)
		*n = (struct inode){ .start = start, .end = end, .name = copy, .flags = flags,
				     .desc = desc };
	return n;
}

static bool free_subtrees(struct inode *rb_root);

/* Frees every descendant of n (not n). True if a non-busy one was among them. */
static bool free_descendants(struct inode *n)
{
	bool container = free_subtrees(RB_ROOT(&n->kids));

	RB_INIT(&n->kids);
	return container;
}

/* Frees the red-black subtree at rb_root, children of each node first. It follows only
 * the rb links below a node, so nothing freed is visited again. */
static bool free_subtrees(struct inode *rb_root)
{
	bool container;

	if (!rb_root)
		return false;
	container = free_subtrees(RB_LEFT(rb_root, rb)) | free_subtrees(RB_RIGHT(rb_root, rb));
	container |= free_descendants(rb_root) | !(rb_root->flags & IORESOURCE_BUSY);
	iomem_node_free(rb_root);
	return container;
}

/* __request_resource (§1.1). */
static struct inode *request_conflict(struct inode *root, struct inode *new)
{
	struct inode *c;

	if (new->end < new->start || new->start < root->start || new->end > root->end)
		return root;
	c = first_ending_from(root, new->start);
#ifdef IOMEM_PLANTED_BUG
	/* Only in backends/itree_planted.c: misses a sibling that starts inside the new
	 * range, the bug the live checks and the differential checker must catch. */
	if (c && c->start <= new->start)
		return c;
#else
	if (c && c->start <= new->end)
		return c;
#endif
	link_child(root, new);
	return NULL;
}

/* __request_region (§1.2). */
static int it_request(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t n, const char *name, unsigned long flags, bool nowait)
{
	bool woken = false;
	struct itree *it = IT(t);
	struct inode *res = node_new(start, start + n - 1, name, 0, 0), *parent = &it->roots[root];
	int err;

	if (!res)
		return -ENOMEM;
	lock_write(&it->lock);
	for (;;) {
		struct inode *conflict;

		res->flags = (parent->flags & (IORESOURCE_TYPE_BITS | IORESOURCE_EXT_TYPE_BITS)) |
			     IORESOURCE_BUSY | flags;
		res->desc = parent->desc;
		conflict = request_conflict(parent, res);
		if (!conflict) {
			unlock_write(&it->lock);
			return 0;
		}
		if (conflict != parent && !(conflict->flags & IORESOURCE_BUSY)) {
			parent = conflict;
			continue;
		}
		if (conflict->flags & flags & IORESOURCE_MUXED) {
			unsigned long freed = it->containers_freed;

			if (nowait) {
				err = -EWOULDBLOCK;
				break;
			}
			muxed_wait_for(&t->muxed, &it->lock, conflict->start, conflict->end,
				       woken);
			woken = true;
			if (it->containers_freed != freed)
				parent = &it->roots[root];
			continue;
		}
		err = -EBUSY;
		break;
	}
	unlock_write(&it->lock);
	iomem_node_free(res);
	return err;
}

/* __release_region (§1.3): children leave the tree with the released region. */
static int it_release(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t n)
{
	struct itree *it = IT(t);
	resource_size_t end = start + n - 1;
	struct inode *p = &it->roots[root], *res;

	lock_write(&it->lock);
	while ((res = covering_child(p, start, end)) && !(res->flags & IORESOURCE_BUSY))
		p = res;
	if (!res || res->start != start || res->end != end) {
		unlock_write(&it->lock);
		return -ENOENT;
	}
	RB_REMOVE(kids, &p->kids, res);
	if (free_descendants(res))
		it->containers_freed++;
	unlock_write(&it->lock);
	if (res->flags & IORESOURCE_MUXED)
		muxed_wake_up(&t->muxed, start, end);
	iomem_node_free(res);
	return 0;
}

/* __insert_resource (§1.4). */
static struct inode *insert_conflict(struct inode *parent, struct inode *new)
{
	struct inode *first, *last, *c, *next;

	for (;; parent = first) {
		first = request_conflict(parent, new);
		if (!first || first == parent)
			return first;
		if (first->start > new->start || first->end < new->end)
			break;
		if (first->start == new->start && first->end == new->end)
			break;
	}
	for (last = first;; last = next) {
		if (last->start < new->start || last->end > new->end)
			return last;
		next = next_sibling(last);
		if (!next || next->start > new->end)
			break;
	}
	for (c = first;; c = next) {
		next = next_sibling(c);
		RB_REMOVE(kids, &parent->kids, c);
		link_child(new, c);
		if (c == last)
			break;
	}
	link_child(parent, new);
	return NULL;
}

static int it_insert(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, const char *name, unsigned long flags,
		     unsigned long desc)
{
	struct itree *it = IT(t);
	struct inode *res = node_new(start, end, name, flags, desc), *conflict;

	if (!res)
		return -ENOMEM;
	lock_write(&it->lock);
	conflict = insert_conflict(&it->roots[root], res);
	unlock_write(&it->lock);
	if (conflict) {
		iomem_node_free(res);
		return -EBUSY;
	}
	return 0;
}

/* The outermost resource with exactly [start, end], or NULL. */
static struct inode *find_exact(struct inode *root, resource_size_t start, resource_size_t end)
{
	struct inode *c;

	for (struct inode *p = root; (c = covering_child(p, start, end)); p = c)
		if (c->start == start && c->end == end)
			return c;
	return NULL;
}

/* remove_resource (§1.4): the children take its place. */
static int it_remove(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end)
{
	struct itree *it = IT(t);
	struct inode *old, *c, *next;

	lock_write(&it->lock);
	old = find_exact(&it->roots[root], start, end);
	if (!old) {
		unlock_write(&it->lock);
		return -ENOENT;
	}
	RB_REMOVE(kids, &old->parent->kids, old);
	for (c = first_child(old); c; c = next) {
		next = next_sibling(c);
		RB_REMOVE(kids, &old->kids, c);
		link_child(old->parent, c);
	}
	if (!(old->flags & IORESOURCE_BUSY))
		it->containers_freed++;
	unlock_write(&it->lock);
	if (old->flags & IORESOURCE_MUXED)
		muxed_region_gone(&t->muxed, start, end);
	iomem_node_free(old);
	return 0;
}

/* adjust_resource (§1.4). The new range stays between the neighbours, so changing the
 * key in place keeps the sibling order. */
static int it_adjust(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, resource_size_t new_start, resource_size_t new_size)
{
	bool muxed_moved = false;
	struct itree *it = IT(t);
	resource_size_t new_end = new_start + new_size - 1;
	struct inode *res, *parent, *prev, *next, *lo, *hi;
	int err = -EBUSY;

	lock_write(&it->lock);
	res = find_exact(&it->roots[root], start, end);
	if (!res) {
		err = -ENOENT;
		goto out;
	}
	parent = res->parent;
	next = next_sibling(res);
	prev = kids_RB_PREV(res);
	lo = first_child(res);
	hi = RB_MAX(kids, &res->kids);
	if (new_end < new_start || new_start < parent->start || new_end > parent->end)
		goto out;
	if ((next && next->start <= new_end) || (prev && new_start <= prev->end))
		goto out;
	if ((lo && lo->start < new_start) || (hi && hi->end > new_end))
		goto out;
	res->start = new_start;
	res->end = new_end;
	muxed_moved = res->flags & IORESOURCE_MUXED;
	err = 0;
out:
	unlock_write(&it->lock);
	if (muxed_moved)
		muxed_region_gone(&t->muxed, start, end);
	return err;
}

/* __find_resource_space with the default alignf (§1.4): lowest fit in root's gaps.
 * Gaps wholly below min cannot fit, so the scan starts at the child holding min. */
static bool find_space(struct inode *root, struct inode *new, resource_size_t size,
		       resource_size_t min, resource_size_t max, resource_size_t align)
{
	struct inode *this = first_child(root);
	struct resource tmp = { .start = root->start }, avail, alloc;
	struct inode *from = child_at_or_before(root, min);

	if (from && from != this) {
		struct inode *prev = kids_RB_PREV(from);

		tmp.start = prev->end + 1;
		this = from;
	} else if (this && this->start == root->start) {
		tmp.start = this->end + 1;
		this = next_sibling(this);
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
		this = next_sibling(this);
	}
}

static int it_allocate(struct iomem_tree *t, enum iomem_root root, resource_size_t size,
		       resource_size_t min, resource_size_t max, resource_size_t align,
		       const char *name, unsigned long flags, resource_size_t *start_out)
{
	struct itree *it = IT(t);
	struct inode *res = node_new(0, 0, name, flags, IORES_DESC_NONE);
	int err = -EBUSY;

	if (!res)
		return -ENOMEM;
	lock_write(&it->lock);
	if (find_space(&it->roots[root], res, size, min, max, align) &&
	    !request_conflict(&it->roots[root], res)) {
		*start_out = res->start;
		err = 0;
	}
	unlock_write(&it->lock);
	if (err)
		iomem_node_free(res);
	return err;
}

static bool match(const struct inode *p, unsigned long flags, unsigned long desc)
{
	return (p->flags & flags) == flags && (desc == IORES_DESC_NONE || desc == p->desc);
}

struct intersect_scan {
	resource_size_t start, end;	/* the queried range */
	struct resource o;		/* the part of it not yet covered */
	unsigned long flags, desc;
	int type;
	bool covered;
};

/* The descendant loop of §1.5, in pre-order. Subtrees that miss the range are skipped
 * whole: every node in them misses it too. True when the kernel's loop would break. */
static bool scan_descendants(struct inode *n, struct intersect_scan *s)
{
	for (struct inode *c = first_ending_from(n, s->start); c && c->start <= s->end;
	     c = next_sibling(c)) {
		if (match(c, s->flags, s->desc)) {
			s->type++;
			if (c->start > s->o.start)
				return true;
			if (c->end >= s->o.end) {
				s->covered = true;
				return true;
			}
			if (c->end + 1 > s->o.start)
				s->o.start = c->end + 1;
		}
		if (scan_descendants(c, s))
			return true;
	}
	return false;
}

/* __region_intersects, 6.12+ (§1.5). */
static int it_intersects(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t end, unsigned long flags, unsigned long desc)
{
	struct itree *it = IT(t);
	struct intersect_scan s = { .start = start, .end = end, .flags = flags, .desc = desc };
	int other = 0;

	lock_read(&it->lock);
	for (struct inode *p = first_ending_from(&it->roots[root], start); p && p->start <= end;
	     p = next_sibling(p)) {
		if (match(p, flags, desc)) {
			s.type++;
			continue;
		}
		s.o.start = p->start > start ? p->start : start;
		s.o.end = p->end < end ? p->end : end;
		s.covered = false;
		scan_descendants(p, &s);
		if (!s.covered)
			other++;
	}
	unlock_read(&it->lock);
	if (s.type == 0)
		return REGION_DISJOINT;
	return other == 0 ? REGION_INTERSECTS : REGION_MIXED;
}

/* The first type match in pre-order among resources overlapping [start, end]. *stop is
 * set once pre-order has passed end. */
static struct inode *find_first_match(struct inode *n, resource_size_t start,
				      resource_size_t end, unsigned long flags,
				      unsigned long desc, bool *stop)
{
	for (struct inode *c = first_ending_from(n, start); c; c = next_sibling(c)) {
		struct inode *found;

		if (c->start > end) {
			*stop = true;
			return NULL;
		}
		if (match(c, flags, desc))
			return c;
		found = find_first_match(c, start, end, flags, desc, stop);
		if (found || *stop)
			return found;
	}
	return NULL;
}

/* find_next_iomem_res (§1.6). */
static int it_find_next(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			resource_size_t end, unsigned long flags, unsigned long desc,
			struct resource *res)
{
	struct itree *it = IT(t);
	bool stop = false;
	struct inode *p;

	lock_read(&it->lock);
	p = find_first_match(&it->roots[root], start, end, flags, desc, &stop);
	if (p)
		*res = (struct resource){
			.start = p->start > start ? p->start : start,
			.end = p->end < end ? p->end : end,
			.flags = p->flags,
			.desc = p->desc,
		};
	unlock_read(&it->lock);
	return p ? 0 : -ENODEV;
}

static int it_lookup(struct iomem_tree *t, enum iomem_root root, resource_size_t addr,
		     struct resource *out, char *namebuf, size_t namelen)
{
	struct itree *it = IT(t);
	struct inode *found = NULL, *c;

	lock_read(&it->lock);
	for (struct inode *p = &it->roots[root]; (c = covering_child(p, addr, addr)); p = c)
		found = c;
	if (found) {
		*out = (struct resource){ .start = found->start, .end = found->end,
					  .flags = found->flags, .desc = found->desc };
		if (namebuf && namelen) {
			snprintf(namebuf, namelen, "%s", found->name ? found->name : "");
			out->name = namebuf;
		}
	}
	unlock_read(&it->lock);
	return found ? 0 : -ENOENT;
}

static int it_for_each(struct iomem_tree *t, enum iomem_root root, iomem_visit_fn fn, void *arg)
{
	struct itree *it = IT(t);
	struct inode *top = &it->roots[root], *n, *next;
	int depth = 0, ret = 0;

	lock_read(&it->lock);
	for (n = first_child(top); n;) {
		struct resource r = { .start = n->start, .end = n->end, .name = n->name,
				      .flags = n->flags, .desc = n->desc };

		ret = fn(&r, depth, arg);
		if (ret)
			break;
		if ((next = first_child(n))) {
			n = next;
			depth++;
			continue;
		}
		while (!(next = next_sibling(n)) && n->parent != top) {
			n = n->parent;
			depth--;
		}
		n = next;
	}
	unlock_read(&it->lock);
	return ret;
}

static struct iomem_node *it_append(struct iomem_tree *t, enum iomem_root root,
				    struct iomem_node *handle, resource_size_t start,
				    resource_size_t end, const char *name, unsigned long flags,
				    unsigned long desc)
{
	struct inode *parent = handle ? (struct inode *)handle : &IT(t)->roots[root];
	struct inode *n = node_new(start, end, name, flags, desc);

	if (n)
		link_child(parent, n);
	return (struct iomem_node *)n;
}

static int it_create(const struct iomem_tree_opts *opts, struct iomem_tree **out)
{
	struct itree *it = calloc(1, sizeof(*it));
	int err;

	if (!it)
		return -ENOMEM;
	err = iomem_tree_lock_init(&it->lock, opts);
	if (err) {
		free(it);
		return err;
	}
	for (int i = 0; i < IOMEM_NR_ROOTS; i++) {
		struct resource r;

		iomem_root_init(&r, i);
		it->roots[i] = (struct inode){ .start = r.start, .end = r.end, .name = r.name,
					       .flags = r.flags };
		RB_INIT(&it->roots[i].kids);
	}
	*out = &it->base;
	return 0;
}

static void it_destroy(struct iomem_tree *t)
{
	struct itree *it = IT(t);

	for (int i = 0; i < IOMEM_NR_ROOTS; i++)
		free_descendants(&it->roots[i]);
	lock_destroy(&it->lock);
	free(it);
}

static const char *it_lock_name(const struct iomem_tree *t)
{
	return lock_name(&((const struct itree *)t)->lock);
}

#ifdef IOMEM_PLANTED_BUG
const struct iomem_backend_ops iomem_backend_itree_planted = {
	.name = "itree-planted",
#else
const struct iomem_backend_ops iomem_backend_itree = {
	.name = "itree",
#endif
	.create = it_create,
	.destroy = it_destroy,
	.lock_name = it_lock_name,
	.request = it_request,
	.release = it_release,
	.insert = it_insert,
	.remove = it_remove,
	.adjust = it_adjust,
	.allocate = it_allocate,
	.intersects = it_intersects,
	.find_next = it_find_next,
	.lookup = it_lookup,
	.for_each = it_for_each,
	.append = it_append,
};
