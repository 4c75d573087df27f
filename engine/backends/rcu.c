/* SPDX-License-Identifier: MIT */
/* Backend "rcu": the kernel's linked sibling lists (§1), read under liburcu (memb flavour)
 * without any lock, written under one writer lock from the locks/ seam.
 *
 * Readers never see a half-made change: a node visible to readers never has its range,
 * flags or name edited. New nodes are built privately and published with one pointer
 * store; a change that would touch several visible nodes (adoption by insert, children
 * moving up on remove, adjust) builds copies of the affected run of siblings and
 * publishes them with one store, retiring the originals through call_rcu. Readers walk
 * with an explicit stack and never follow parent pointers, which only writers use. */
#define _LGPL_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"
#include "backend.h"
#include "locks/lock.h"
#include "node_alloc.h"
#include "rcu_reader.h"
#include "sibling_list.h"

struct rnode {
	struct resource r;
	struct rcu_head rcu;
};

struct rcu_tree {
	struct iomem_tree base;
	struct lock writer;
	struct resource roots[IOMEM_NR_ROOTS];
	unsigned long containers_freed;	/* as in rwlock.c, counting retired containers */
	struct resource *append_hint;	/* last node rc_append made; NULL after any change */
	/* Retired nodes not yet handed to call_rcu, chained through their rcu_head, and how
	 * many; under the writer lock. */
	struct rcu_head *deferred;
	unsigned int ndeferred;
	bool in_flight;			/* a node went to call_rcu: teardown waits for it */
};

/* Retired nodes go to call_rcu in batches of this many. A tree torn down before its first
 * batch frees them itself: waiting for call_rcu's thread (rcu_barrier) costs a wake-up
 * and the 10 ms that the thread sleeps to gather callbacks, far more than a short-lived
 * tree's whole life (a fuzz input, a test's tree). */
enum { RETIRE_BATCH = 64 };

static inline struct rcu_tree *RC(struct iomem_tree *t)
{
	return (struct rcu_tree *)t;
}

/* Publish and subscribe. C11-style atomics (what rcu_assign_pointer and rcu_dereference
 * are), so that ThreadSanitizer sees the ordering too. */
static void publish(struct resource **link, struct resource *v)
{
	__atomic_store_n(link, v, __ATOMIC_RELEASE);
}

static inline struct resource *subscribe(struct resource *const *link)
{
	return __atomic_load_n(link, __ATOMIC_ACQUIRE);
}

static void writer_lock(struct rcu_tree *rt)
{
	lock_write(&rt->writer);
	rt->append_hint = NULL;		/* the node may be retired from here on */
}

static struct resource *node_new(const char *name)
{
	const char *copy;
	struct rnode *n = iomem_node_alloc(sizeof(*n), name, &copy);

	if (!n)
		return NULL;
	n->r.name = copy;
	return &n->r;
}

/* A private copy of a visible node: same range, flags, name and links. */
static struct resource *node_copy(const struct resource *old)
{
	struct resource *n = node_new(old->name);

	if (n) {
		const char *name = n->name;

		*n = *old;
		n->name = name;
	}
	return n;
}

static void free_list(struct resource *r)
{
	while (r) {
		struct resource *next = r->sibling;

		free_list(r->child);
		iomem_node_free(caa_container_of(r, struct rnode, r));
		r = next;
	}
}

static void reclaim_node(struct rcu_head *head)
{
	rcu_tsan_reclaim_begin();
	iomem_node_free(caa_container_of(head, struct rnode, rcu));
}

static void reclaim_with_children(struct rcu_head *head)
{
	struct rnode *n = caa_container_of(head, struct rnode, rcu);

	rcu_tsan_reclaim_begin();
	free_list(n->r.child);
	iomem_node_free(n);
}

/* The next of a chain of deferred heads (rcu_head's queue link, unused until call_rcu). */
static struct rcu_head *deferred_next(struct rcu_head *h)
{
	return h->next.next ? caa_container_of(h->next.next, struct rcu_head, next) : NULL;
}

/* Hands the deferred nodes to call_rcu; under the writer lock. */
static void flush_deferred(struct rcu_tree *rt)
{
	struct rcu_head *h = rt->deferred, *next;

	for (; h; h = next) {
		void (*func)(struct rcu_head *) = h->func;

		next = deferred_next(h);	/* call_rcu reuses the link */
		/* The writers' accesses to h, these reads too, come before its reclaim; the
		 * reclaim's own thread takes them over through call_rcu, which TSan cannot see. */
		rcu_tsan_reader_done();
		urcu_memb_call_rcu(h, func);
	}
	rt->deferred = NULL;
	rt->ndeferred = 0;
	rt->in_flight = true;
}

/* Runs each reclaim callback of a chain taken off the tree, once no reader can hold it. */
static void reclaim_deferred(struct rcu_head *h)
{
	struct rcu_head *next;

	for (; h; h = next) {
		next = deferred_next(h);
		h->func(h);
	}
}

/* Frees r once no reader can hold it; its children too when they left with it. */
static void retire(struct rcu_tree *rt, struct resource *r, bool with_children)
{
	struct rcu_head *head = &caa_container_of(r, struct rnode, r)->rcu;

	if (!(r->flags & IORESOURCE_BUSY) || (with_children && r->child))
		rt->containers_freed++;
	head->func = with_children ? reclaim_with_children : reclaim_node;
	head->next.next = rt->deferred ? &rt->deferred->next : NULL;
	rt->deferred = head;
	if (++rt->ndeferred == RETIRE_BATCH)
		flush_deferred(rt);
}

/* __request_region (§1.2). */
static int rc_request(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t n, const char *name, unsigned long flags, bool nowait)
{
	bool woken = false;
	struct rcu_tree *rt = RC(t);
	struct resource *res = node_new(name), *parent = &rt->roots[root];
	int err;

	if (!res)
		return -ENOMEM;
	rcu_reader_ensure_registered();
	res->start = start;
	res->end = start + n - 1;
	writer_lock(rt);
	for (;;) {
		struct resource *conflict;

		res->flags = resource_type(parent) | resource_ext_type(parent) |
			     IORESOURCE_BUSY | flags;
		res->desc = parent->desc;
		conflict = list_request_conflict(parent, res, publish);
		if (!conflict) {
			unlock_write(&rt->writer);
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
			muxed_wait_for(&t->muxed, &rt->writer, conflict->start, conflict->end,
				       woken);
			woken = true;
			if (rt->containers_freed != freed)
				parent = &rt->roots[root];
			continue;
		}
		err = -EBUSY;
		break;
	}
	unlock_write(&rt->writer);
	iomem_node_free(caa_container_of(res, struct rnode, r));
	return err;
}

/* __release_region (§1.3): one store unlinks the region with its (not re-parented)
 * children. */
static int rc_release(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t n)
{
	struct rcu_tree *rt = RC(t);
	resource_size_t end = start + n - 1;
	struct resource **p = &rt->roots[root].child;

	rcu_reader_ensure_registered();
	writer_lock(rt);
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
			bool muxed = res->flags & IORESOURCE_MUXED;

			publish(p, res->sibling);
			retire(rt, res, true);
			unlock_write(&rt->writer);
			if (muxed)
				muxed_wake_up(&t->muxed, start, end);
			return 0;
		}
		p = &res->sibling;
	}
	unlock_write(&rt->writer);
	return -ENOENT;
}

/* Copies the visible sibling run first..last, the copy of last ending the run with
 * `tail`; the copies take the originals' children, and get `parent`. NULL when out of
 * memory (nothing changed). */
static struct resource *copy_run(struct resource *first, struct resource *last,
				 struct resource *tail, struct resource *parent)
{
	struct resource *head = NULL, **link = &head;

	for (struct resource *r = first;; r = r->sibling) {
		struct resource *c = node_copy(r);

		if (!c) {
			while (head) {
				struct resource *next = head->sibling;

				iomem_node_free(caa_container_of(head, struct rnode, r));
				head = next;
			}
			return NULL;
		}
		c->parent = parent;
		c->sibling = NULL;	/* not the original's: the cleanup above stops here */
		*link = c;
		link = &c->sibling;
		if (r == last)
			break;
	}
	*link = tail;
	for (struct resource *c = head; c != tail; c = c->sibling)
		for (struct resource *g = c->child; g; g = g->sibling)
			g->parent = c;
	return head;
}

static void retire_run(struct rcu_tree *rt, struct resource *first, struct resource *last)
{
	for (struct resource *r = first, *next;; r = next) {
		next = r->sibling;
		retire(rt, r, false);
		if (r == last)
			break;
	}
}

static struct resource **link_to(struct resource *parent, struct resource *r)
{
	struct resource **p = &parent->child;

	while (*p != r)
		p = &(*p)->sibling;
	return p;
}

/* __insert_resource (§1.4). Returns the conflict, NULL once linked, or new itself when
 * out of memory. */
static struct resource *insert_resource_conflict(struct rcu_tree *rt, struct resource *parent,
						 struct resource *new)
{
	struct resource *first, *last, *run;

	for (;; parent = first) {
		first = list_request_conflict(parent, new, publish);
		if (!first || first == parent)
			return first;
		if (first->start > new->start || first->end < new->end)
			break;
		if (first->start == new->start && first->end == new->end)
			break;
	}
	for (last = first;; last = last->sibling) {
		if (last->start < new->start || last->end > new->end)
			return last;
		if (!last->sibling || last->sibling->start > new->end)
			break;
	}
	run = copy_run(first, last, NULL, new);
	if (!run)
		return new;
	new->parent = parent;
	new->child = run;
	new->sibling = last->sibling;
	publish(link_to(parent, first), new);
	retire_run(rt, first, last);
	return NULL;
}

static int rc_insert(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, const char *name, unsigned long flags,
		     unsigned long desc)
{
	struct rcu_tree *rt = RC(t);
	struct resource *res = node_new(name), *conflict;

	if (!res)
		return -ENOMEM;
	rcu_reader_ensure_registered();
	res->start = start;
	res->end = end;
	res->flags = flags;
	res->desc = desc;
	writer_lock(rt);
	conflict = insert_resource_conflict(rt, &rt->roots[root], res);
	unlock_write(&rt->writer);
	if (conflict)
		iomem_node_free(caa_container_of(res, struct rnode, r));
	return conflict == res ? -ENOMEM : conflict ? -EBUSY : 0;
}

/* remove_resource (§1.4): copies of the children, ending with old's next sibling, take
 * old's place in one store. */
static int rc_remove(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end)
{
	bool muxed_moved = false;
	struct rcu_tree *rt = RC(t);
	struct resource **p, *old, *last, *repl;
	int err = 0;

	rcu_reader_ensure_registered();
	writer_lock(rt);
	p = list_find_exact(&rt->roots[root], start, end);
	if (!p) {
		err = -ENOENT;
		goto out;
	}
	old = *p;
	repl = old->sibling;
	if (old->child) {
		for (last = old->child; last->sibling; last = last->sibling)
			;
		repl = copy_run(old->child, last, old->sibling, old->parent);
		if (!repl) {
			err = -ENOMEM;
			goto out;
		}
		publish(p, repl);
		retire_run(rt, old->child, last);
	} else {
		publish(p, repl);
	}
	muxed_moved = old->flags & IORESOURCE_MUXED;
	retire(rt, old, false);
out:
	unlock_write(&rt->writer);
	if (muxed_moved)
		muxed_region_gone(&t->muxed, start, end);
	return err;
}

/* adjust_resource (§1.4): a copy with the new range replaces the node. */
static int rc_adjust(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, resource_size_t new_start, resource_size_t new_size)
{
	bool muxed_moved = false;
	struct rcu_tree *rt = RC(t);
	resource_size_t new_end = new_start + new_size - 1;
	struct resource **p, *res, *parent, *tmp, *repl;
	int err = -EBUSY;

	rcu_reader_ensure_registered();
	writer_lock(rt);
	p = list_find_exact(&rt->roots[root], start, end);
	if (!p) {
		err = -ENOENT;
		goto out;
	}
	res = *p;
	parent = res->parent;
	if (new_end < new_start || new_start < parent->start || new_end > parent->end)
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
	repl = copy_run(res, res, res->sibling, parent);
	if (!repl) {
		err = -ENOMEM;
		goto out;
	}
	repl->start = new_start;
	repl->end = new_end;
	publish(p, repl);
	muxed_moved = res->flags & IORESOURCE_MUXED;
	err = 0;
	retire(rt, res, false);
out:
	unlock_write(&rt->writer);
	if (muxed_moved)
		muxed_region_gone(&t->muxed, start, end);
	return err;
}

static int rc_allocate(struct iomem_tree *t, enum iomem_root root, resource_size_t size,
		       resource_size_t min, resource_size_t max, resource_size_t align,
		       const char *name, unsigned long flags, resource_size_t *start_out)
{
	struct rcu_tree *rt = RC(t);
	struct resource *res = node_new(name);
	int err = -EBUSY;

	if (!res)
		return -ENOMEM;
	rcu_reader_ensure_registered();
	res->flags = flags;
	writer_lock(rt);
	if (list_find_space(&rt->roots[root], res, size, min, max, align) &&
	    !list_request_conflict(&rt->roots[root], res, publish)) {
		*start_out = res->start;
		err = 0;
	}
	unlock_write(&rt->writer);
	if (err)
		iomem_node_free(caa_container_of(res, struct rnode, r));
	return err;
}

/* --- Readers: pre-order with an explicit stack of pending siblings. */
/* Pre-order iteration without parent pointers (a copied node's children still point to
 * the original): the path from the start down to the current node is kept on a stack,
 * which grows only as deep as the tree. The caller says at each step whether to descend
 * into the current node's children, so subtrees that cannot matter are skipped whole. */
struct preorder {
	const struct resource *cur;
	const struct resource *fixed[32];
	const struct resource **path;	/* ancestors of cur, below the start */
	size_t depth, cap;
	bool oom;
};

static void preorder_init(struct preorder *w, const struct resource *first)
{
	w->cur = NULL;
	w->path = w->fixed;
	w->cap = sizeof(w->fixed) / sizeof(w->fixed[0]);
	w->depth = 0;
	w->oom = false;
	w->fixed[0] = first;	/* handed out by the first preorder_next */
}

static bool preorder_push(struct preorder *w, const struct resource *r)
{
	if (w->depth == w->cap) {
		size_t cap = 2 * w->cap;
		const struct resource **p = iomem_alloc(IOMEM_ALLOC_OTHER, cap * sizeof(*p));

		if (!p) {
			w->oom = true;
			return false;
		}
		memcpy(p, w->path, w->depth * sizeof(*p));
		if (w->path != w->fixed)
			iomem_free(IOMEM_ALLOC_OTHER, w->path);
		w->path = p;
		w->cap = cap;
	}
	w->path[w->depth++] = r;
	return true;
}

/* The next node in pre-order, or NULL; descend: whether to visit the children of the
 * node returned last. *depth is the new node's depth below the start. */
static const struct resource *preorder_next(struct preorder *w, bool descend, int *depth)
{
	const struct resource *r = w->cur, *next;

	if (w->oom)
		return NULL;
	if (!r) {
		next = w->fixed[0];
		w->fixed[0] = NULL;
	} else if (descend && (next = subscribe(&r->child))) {
		if (!preorder_push(w, r))
			return NULL;
	} else {
		while (!(next = subscribe(&r->sibling)) && w->depth)
			r = w->path[--w->depth];
	}
	w->cur = next;
	*depth = (int)w->depth;
	return next;
}

static void preorder_done(struct preorder *w)
{
	if (w->path != w->fixed)
		iomem_free(IOMEM_ALLOC_OTHER, w->path);
}

/* __region_intersects, 6.12+ (§1.5). */
static int rc_intersects(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t end, unsigned long flags, unsigned long desc)
{
	struct rcu_tree *rt = RC(t);
	struct resource res = { .start = start, .end = end }, o;
	int type = 0, other = 0, depth;

	rcu_read_begin();
	for (const struct resource *p = subscribe(&rt->roots[root].child); p;
	     p = subscribe(&p->sibling)) {
		struct preorder w;
		const struct resource *dp;
		bool covered = false;

		if (!resource_intersection(p, &res, &o))
			continue;
		if (iomem_type_match(p, flags, desc)) {
			type++;
			continue;
		}
		bool overlaps = false;

		preorder_init(&w, subscribe(&p->child));
		/* A subtree outside the range holds nothing that counts: children lie inside
		 * their parent. */
		while ((dp = preorder_next(&w, overlaps, &depth))) {
			overlaps = resource_overlaps(dp, &res);
			if (!overlaps || !iomem_type_match(dp, flags, desc))
				continue;
			type++;
			if (dp->start > o.start)
				break;
			if (dp->end >= o.end) {
				covered = true;
				break;
			}
			o.start = dp->end + 1 > o.start ? dp->end + 1 : o.start;
		}
		preorder_done(&w);
		if (!covered)
			other++;
	}
	rcu_read_end();
	if (type == 0)
		return REGION_DISJOINT;
	return other == 0 ? REGION_INTERSECTS : REGION_MIXED;
}

/* find_next_iomem_res (§1.6). */
static int rc_find_next(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			resource_size_t end, unsigned long flags, unsigned long desc,
			struct resource *res)
{
	struct rcu_tree *rt = RC(t);
	const struct resource *p;
	struct preorder w;
	bool descend = false;
	int depth;

	rcu_read_begin();
	preorder_init(&w, subscribe(&rt->roots[root].child));
	/* Below a resource that ends before start nothing can match. */
	while ((p = preorder_next(&w, descend, &depth))) {
		descend = p->end >= start;
		if (p->start > end) {
			p = NULL;
			break;
		}
		if (p->end >= start && iomem_type_match(p, flags, desc))
			break;
	}
	if (p)
		*res = (struct resource){
			.start = p->start > start ? p->start : start,
			.end = p->end < end ? p->end : end,
			.flags = p->flags,
			.desc = p->desc,
		};
	preorder_done(&w);
	rcu_read_end();
	return p ? 0 : -ENODEV;
}

static int rc_lookup(struct iomem_tree *t, enum iomem_root root, resource_size_t addr,
		     struct resource *out, char *namebuf, size_t namelen)
{
	struct rcu_tree *rt = RC(t);
	const struct resource *found = NULL;

	rcu_read_begin();
	for (const struct resource *p = subscribe(&rt->roots[root].child); p;) {
		if (p->start > addr)
			break;
		if (p->end < addr) {
			p = subscribe(&p->sibling);
			continue;
		}
		found = p;
		p = subscribe(&p->child);
	}
	if (found) {
		*out = (struct resource){ .start = found->start, .end = found->end,
					  .flags = found->flags, .desc = found->desc };
		if (namebuf && namelen) {
			snprintf(namebuf, namelen, "%s", found->name ? found->name : "");
			out->name = namebuf;
		}
	}
	rcu_read_end();
	return found ? 0 : -ENOENT;
}

static int rc_for_each(struct iomem_tree *t, enum iomem_root root, iomem_visit_fn fn, void *arg)
{
	struct rcu_tree *rt = RC(t);
	const struct resource *p;
	struct preorder w;
	int depth, ret = 0;

	rcu_read_begin();
	preorder_init(&w, subscribe(&rt->roots[root].child));
	while (!ret && (p = preorder_next(&w, true, &depth)))
		ret = fn(p, depth, arg);
	if (!ret && w.oom)
		ret = -ENOMEM;
	preorder_done(&w);
	rcu_read_end();
	return ret;
}

static struct iomem_node *rc_append(struct iomem_tree *t, enum iomem_root root,
				    struct iomem_node *handle, resource_size_t start,
				    resource_size_t end, const char *name, unsigned long flags,
				    unsigned long desc)
{
	struct rcu_tree *rt = RC(t);
	struct resource *parent = handle ? (struct resource *)handle : &rt->roots[root];
	struct resource *r = node_new(name), **p, *hint;

	if (!r)
		return NULL;
	r->start = start;
	r->end = end;
	r->flags = flags;
	r->desc = desc;
	r->parent = parent;
	lock_write(&rt->writer);
	/* Loading appends in order: continue after the last append instead of walking the
	 * sibling list from the front, which made loading quadratic. */
	hint = rt->append_hint;
	p = hint && hint->parent == parent && !hint->sibling ? &hint->sibling : &parent->child;
	while (*p)
		p = &(*p)->sibling;
	publish(p, r);
	rt->append_hint = r;
	unlock_write(&rt->writer);
	return (struct iomem_node *)r;
}

/* Readers may still be inside the old children: they leave through call_rcu. */
static void rc_clear(struct iomem_tree *t, enum iomem_root root)
{
	struct rcu_tree *rt = RC(t);
	struct resource *r, *next;

	rcu_reader_ensure_registered();
	writer_lock(rt);
	r = rt->roots[root].child;
	publish(&rt->roots[root].child, NULL);
	for (; r; r = next) {
		next = r->sibling;
		retire(rt, r, true);
	}
	unlock_write(&rt->writer);
}

static void rc_quiesce(struct iomem_tree *t)
{
	struct rcu_tree *rt = RC(t);
	struct rcu_head *deferred;
	bool in_flight;

	rcu_reader_ensure_registered();
	writer_lock(rt);
	deferred = rt->deferred;
	rt->deferred = NULL;
	rt->ndeferred = 0;
	in_flight = rt->in_flight;
	rt->in_flight = false;
	unlock_write(&rt->writer);
	if (deferred) {
		urcu_memb_synchronize_rcu();	/* readers may still be inside them */
		reclaim_deferred(deferred);
	}
	if (in_flight)
		urcu_memb_barrier();
}

static int rc_create(const struct iomem_tree_opts *opts, struct iomem_tree **out)
{
	struct rcu_tree *rt = iomem_alloc(IOMEM_ALLOC_OTHER, sizeof(*rt));
	int err;

	if (!rt)
		return -ENOMEM;
	err = iomem_tree_lock_init(&rt->writer, opts);
	if (err) {
		iomem_free(IOMEM_ALLOC_OTHER, rt);
		return err;
	}
	for (int i = 0; i < IOMEM_NR_ROOTS; i++)
		iomem_root_init(&rt->roots[i], i);
	*out = &rt->base;
	return 0;
}

static void rc_destroy(struct iomem_tree *t)
{
	struct rcu_tree *rt = RC(t);

	rcu_reader_ensure_registered();
	/* Only nodes handed to call_rcu need its thread; those still deferred no reader can
	 * hold, since nobody uses a tree being freed. */
	if (rt->in_flight)
		urcu_memb_barrier();
	reclaim_deferred(rt->deferred);
	rcu_tsan_reclaim_begin();
	for (int i = 0; i < IOMEM_NR_ROOTS; i++)
		free_list(rt->roots[i].child);
	lock_destroy(&rt->writer);
	iomem_free(IOMEM_ALLOC_OTHER, rt);
}

static const char *rc_lock_name(const struct iomem_tree *t)
{
	return lock_name(&((const struct rcu_tree *)t)->writer);
}

const struct iomem_backend_ops iomem_backend_rcu = {
	.name = "rcu",
	.create = rc_create,
	.destroy = rc_destroy,
	.lock_name = rc_lock_name,
	.request = rc_request,
	.release = rc_release,
	.insert = rc_insert,
	.remove = rc_remove,
	.adjust = rc_adjust,
	.allocate = rc_allocate,
	.intersects = rc_intersects,
	.find_next = rc_find_next,
	.lookup = rc_lookup,
	.for_each = rc_for_each,
	.append = rc_append,
	.clear = rc_clear,
	.quiesce = rc_quiesce,
};
