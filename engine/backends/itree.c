/* SPDX-License-Identifier: MIT */
/* Backend "itree": the kernel's semantics (§1) with each parent's children indexed by a
 * B+tree ordered by start (itree_kids.h), so finding the sibling that conflicts with,
 * covers or contains a range is O(log n) instead of the kernel's linear sibling walk.
 * Siblings never overlap, so every question about a range is answered by its neighbours:
 * the child starting at or before it, and the one after. Children are also linked in
 * address order through `sibling`, as in the kernel, so walks step in O(1). Readers and
 * writers take one reader-writer lock through the locks/ seam, as in "rwlock".
 *
 * A write reserves the index nodes it may need before it changes anything (kids_reserve),
 * so it fails with -ENOMEM whole or not at all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"
#include "backend.h"
#include "itree_kids.h"
#include "locks/lock.h"
#include "node_alloc.h"

/* The kernel's struct resource, 64 bytes, with the child pointer replaced by the index.
 * What a descent reads (range and index) comes first. */
struct inode {
	resource_size_t start, end;
	struct kids kids;
	struct inode *sibling;	/* the next child of parent, in address order */
	struct inode *parent;
	const char *name;
	unsigned long flags, desc;
};

struct itree {
	struct iomem_tree base;
	struct lock lock;
	struct inode roots[IOMEM_NR_ROOTS];
	struct kids_pool pool;		/* index nodes reserved by writers, under the lock */
	unsigned load_mark[IOMEM_NR_ROOTS];	/* pool.nr_spare when loading a root began */
	unsigned long containers_freed;	/* as in rwlock.c: MUXED retries restart at the root */
};

static inline struct itree *IT(struct iomem_tree *t)
{
	return (struct itree *)t;
}

static struct inode *first_child(struct inode *n)
{
	return kids_first(&n->kids);
}

static struct inode *next_sibling(struct inode *c)
{
	return c->sibling;
}

static struct inode *prev_sibling(struct inode *c)
{
	return kids_before(&c->parent->kids, c->start);
}

/* The child with the largest start <= addr, or NULL. */
static struct inode *child_at_or_before(struct inode *n, resource_size_t addr)
{
	return kids_at_or_before(&n->kids, addr);
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

/* Reserves what `inserts` links into any family, plus `extra` nodes. 0 or -ENOMEM. */
static int reserve(struct itree *it, unsigned inserts, unsigned extra)
{
	return kids_reserve(&it->pool, inserts, extra);
}

/* Nodes that moving n children into one family may take beyond two inserts' worth: a run
 * of ascending keys at one place splits about one leaf per KIDS_FANOUT / 2 keys. */
static unsigned move_reserve(size_t n)
{
	return (unsigned)(n / 4 + 4);
}

/* Needs one insert's reserve. The index's descent finds the sibling before c. */
static void link_child(struct itree *it, struct inode *parent, struct inode *c)
{
	struct inode *next = kids_below_all(&parent->kids, c->start) ? first_child(parent) : NULL;
	struct inode *prev = kids_insert(&it->pool, &parent->kids, c->start, c);

	c->parent = parent;
	c->sibling = prev ? prev->sibling : next;
	if (prev)
		prev->sibling = c;
}

static void unlink_child(struct itree *it, struct inode *c)
{
	struct inode *prev = kids_remove(&it->pool, &c->parent->kids, c->start);

	if (prev)
		prev->sibling = c->sibling;
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

/* Frees every descendant of n (not n). True if a non-busy one was among them. */
static bool free_descendants(struct itree *it, struct inode *n)
{
	bool container = false;
	struct inode *c, *next;

	for (c = first_child(n); c; c = next) {
		next = c->sibling;
		container |= free_descendants(it, c) | !(c->flags & IORESOURCE_BUSY);
		iomem_node_free(c);
	}
	kids_release(&it->pool, &n->kids);
	return container;
}

/* __request_resource (§1.1). Needs one insert's reserve. */
static struct inode *request_conflict(struct itree *it, struct inode *root, struct inode *new)
{
	struct inode *c;

	if (new->end < new->start || new->start < root->start || new->end > root->end)
		return root;
	c = first_ending_from(root, new->start);
#ifdef IOMEM_PLANTED_BUG
	/* Only in tests/planted/itree_planted.c: misses a sibling that starts inside the new
	 * range, the bug the live checks and the differential checker must catch. */
	if (c && c->start <= new->start)
		return c;
#else
	if (c && c->start <= new->end)
		return c;
#endif
	link_child(it, root, new);
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

		/* again after a MUXED wait: other writers used the pool meanwhile */
		if (reserve(it, 1, 0)) {
			err = -ENOMEM;
			break;
		}
		res->flags = (parent->flags & (IORESOURCE_TYPE_BITS | IORESOURCE_EXT_TYPE_BITS)) |
			     IORESOURCE_BUSY | flags;
		res->desc = parent->desc;
		conflict = request_conflict(it, parent, res);
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
	unlink_child(it, res);
	if (free_descendants(it, res))
		it->containers_freed++;
	kids_pool_trim(&it->pool);
	unlock_write(&it->lock);
	if (res->flags & IORESOURCE_MUXED)
		muxed_wake_up(&t->muxed, start, end);
	iomem_node_free(res);
	return 0;
}

/* __insert_resource (§1.4). -ENOMEM (nothing changed), or 0 and the conflict or NULL. */
static int insert_conflict(struct itree *it, struct inode *parent, struct inode *new,
			   struct inode **conflict)
{
	struct inode *first, *last, *c, *next;
	size_t moved = 1;

	if (reserve(it, 1, 0))
		return -ENOMEM;
	for (;; parent = first) {
		*conflict = first = request_conflict(it, parent, new);
		if (!first || first == parent)
			return 0;
		if (first->start > new->start || first->end < new->end)
			break;
		if (first->start == new->start && first->end == new->end)
			break;
	}
	for (last = first;; last = next, moved++) {
		if (last->start < new->start || last->end > new->end) {
			*conflict = last;
			return 0;
		}
		next = next_sibling(last);
		if (!next || next->start > new->end)
			break;
	}
	if (reserve(it, 2, move_reserve(moved)))
		return -ENOMEM;
	for (c = first;; c = next) {
		next = next_sibling(c);
		unlink_child(it, c);
		link_child(it, new, c);
		if (c == last)
			break;
	}
	link_child(it, parent, new);
	*conflict = NULL;
	return 0;
}

static int it_insert(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, const char *name, unsigned long flags,
		     unsigned long desc)
{
	struct itree *it = IT(t);
	struct inode *res = node_new(start, end, name, flags, desc), *conflict;
	unsigned mark;
	int err;

	if (!res)
		return -ENOMEM;
	lock_write(&it->lock);
	mark = it->pool.nr_spare;
	err = insert_conflict(it, &it->roots[root], res, &conflict);
	if (err)	/* its first reservation may have held; it goes too */
		kids_pool_restore(&it->pool, mark);
	unlock_write(&it->lock);
	if (!err && conflict)
		err = -EBUSY;
	if (err)
		iomem_node_free(res);
	return err;
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
	size_t moved = 0;

	lock_write(&it->lock);
	old = find_exact(&it->roots[root], start, end);
	if (!old) {
		unlock_write(&it->lock);
		return -ENOENT;
	}
	for (c = first_child(old); c; c = next_sibling(c))
		moved++;
	if (reserve(it, 2, move_reserve(moved))) {
		unlock_write(&it->lock);
		return -ENOMEM;
	}
	unlink_child(it, old);
	for (c = first_child(old); c; c = next) {
		next = next_sibling(c);
		link_child(it, old->parent, c);
	}
	kids_release(&it->pool, &old->kids);
	kids_pool_trim(&it->pool);
	if (!(old->flags & IORESOURCE_BUSY))
		it->containers_freed++;
	unlock_write(&it->lock);
	if (old->flags & IORESOURCE_MUXED)
		muxed_region_gone(&t->muxed, start, end);
	iomem_node_free(old);
	return 0;
}

/* adjust_resource (§1.4). The new range stays between the neighbours, so changing the
 * key in place keeps the sibling order and the index's shape. */
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
	prev = prev_sibling(res);
	lo = first_child(res);
	hi = kids_last(&res->kids);
	if (new_end < new_start || new_start < parent->start || new_end > parent->end)
		goto out;
	if ((next && next->start <= new_end) || (prev && new_start <= prev->end))
		goto out;
	if ((lo && lo->start < new_start) || (hi && hi->end > new_end))
		goto out;
	kids_rekey(&parent->kids, res->start, new_start);
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
		struct inode *prev = prev_sibling(from);

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
	if (reserve(it, 1, 0))
		err = -ENOMEM;
	else if (find_space(&it->roots[root], res, size, min, max, align) &&
		 !request_conflict(it, &it->roots[root], res)) {
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
	struct itree *it = IT(t);
	struct inode *parent = handle ? (struct inode *)handle : &it->roots[root];
	struct inode *n;

	if (!handle && kids_empty(&it->roots[root].kids))
		it->load_mark[root] = it->pool.nr_spare;
	n = node_new(start, end, name, flags, desc);
	if (!n)
		return NULL;
	if (reserve(it, 1, 0)) {
		iomem_node_free(n);
		return NULL;
	}
	link_child(it, parent, n);
	return (struct iomem_node *)n;
}

static void it_clear(struct iomem_tree *t, enum iomem_root root)
{
	struct itree *it = IT(t);

	lock_write(&it->lock);
	free_descendants(it, &it->roots[root]);
	kids_pool_restore(&it->pool, it->load_mark[root]);
	unlock_write(&it->lock);
}

static int it_create(const struct iomem_tree_opts *opts, struct iomem_tree **out)
{
	struct itree *it = iomem_alloc(IOMEM_ALLOC_OTHER, sizeof(*it));
	int err;

	if (!it)
		return -ENOMEM;
	err = iomem_tree_lock_init(&it->lock, opts);
	if (err) {
		iomem_free(IOMEM_ALLOC_OTHER, it);
		return err;
	}
	for (int i = 0; i < IOMEM_NR_ROOTS; i++) {
		struct resource r;

		iomem_root_init(&r, i);
		it->roots[i] = (struct inode){ .start = r.start, .end = r.end, .name = r.name,
					       .flags = r.flags };
	}
	*out = &it->base;
	return 0;
}

static void it_destroy(struct iomem_tree *t)
{
	struct itree *it = IT(t);

	for (int i = 0; i < IOMEM_NR_ROOTS; i++)
		free_descendants(it, &it->roots[i]);
	kids_pool_destroy(&it->pool);
	lock_destroy(&it->lock);
	iomem_free(IOMEM_ALLOC_OTHER, it);
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
	.clear = it_clear,
};
