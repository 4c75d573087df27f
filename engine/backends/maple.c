/* SPDX-License-Identifier: MIT */
/* Backend "maple": the kernel's semantics (§1) with the design of its maple tree in RCU
 * mode (§5.6): each parent's children in a copy-on-write B+tree keyed by start
 * (maple_kids.h), read under liburcu (memb flavour) without any lock, written under one
 * writer lock from the locks/ seam.
 *
 * A resource node never changes once readers can reach it, except for one field: the
 * pointer to its children's index, which a writer replaces with one release store. So
 * every change is one store. A request, release or allocate publishes its parent's new
 * index (or stores into it in place: a release clears its slot, and a request whose start
 * is a cleared key fills that slot, as the maple tree stores over an exact range); an
 * adjust publishes the parent's index with a copy of the resource, its new range, in
 * place of the old one; a change that moves several resources is built
 * privately and appears whole with the one store: an insert builds the new resource's
 * index of the children it adopts and publishes the parent's index with the new resource
 * in place of those children; a remove publishes the parent's index with the children in
 * place of the removed resource. Children need no parent pointer (writers remember the
 * path they came down) and no sibling pointer (the index orders them), so moving them
 * writes nothing in them.
 *
 * Readers descend a family's index without a lock or retry: every index node they reach
 * is whole, and the only things a writer stores into a published index node are a child
 * pointer, replaced by a new version of that child covering the same keys, and a leaf
 * value cleared or filled in place (maple_kids.h), so a descent meets either the old
 * subtree or the new one, and a leaf slot either a child or none. What a write
 * replaced stays intact until the grace period after it. Every write reserves the index
 * nodes it may need, and the batch that will carry what it retires, before it changes
 * anything, so it fails with -ENOMEM whole or not at all. What writes replaced collects
 * in a batch that goes to call_rcu when it is nearly full (or at teardown, after
 * rcu_barrier): one call_rcu, with its full fence, for many writes. The callback only
 * marks the batch's grace period as over; the next write frees it, on the writing thread,
 * as the kernel's RCU callbacks run on the CPU that queued them: the nodes go back to
 * the writer's own allocator cache, which hands them to its next writes, instead of
 * crossing to liburcu's callback thread and back. A tree that stops writing keeps the
 * batches marked since its last write until it writes again, is quiesced or is freed. */
#define _LGPL_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "iomem/alloc.h"
#include "locks/lock.h"
#include "maple_kids.h"
#include "node_alloc.h"
#include "rcu_reader.h"

/* The kernel's struct resource without its three links: the children's index replaces
 * them. 48 bytes, and the name's copy after it. */
struct mnode {
	resource_size_t start, end;
	/* Written by writers with mk_publish, read by readers with mk_load; the only field
	 * that changes once the node is visible. Writers, serialized, read it plainly. */
	struct mk_node *kids;
	const char *name;
	unsigned long flags, desc;
};

/* How a resource node that left the tree is freed, after the grace period. */
enum retire_how {
	FREE_NODE_AND_INDEX,	/* remove: its children moved up; adjust: its copy has them */
	FREE_SUBTREE,		/* release: its descendants leave with it (§1.3) */
};

/* Index nodes one write may list in a batch's array: enough for every single-child change
 * of a family below 14^12 children; bigger writes list the rest through the nodes. */
#define WRITE_NODES 27
/* What a batch holds before it goes to call_rcu: index nodes (2 KB of pointers, some 50
 * requests and releases of a family of 10^5), and resource nodes (at most one a write). A
 * write starts a new batch when the current one may not have room for it, so what waits
 * for call_rcu stays below BATCH_NODES index nodes and BATCH_RES resources. */
#define BATCH_NODES 256
#define BATCH_RES 64

/* Everything several writes replaced, freed by one call_rcu. */
struct retire_batch {
	struct rcu_head rcu;
	/* Set by the call_rcu callback, with release, once no reader can hold what the
	 * batch lists; a writer that reads it set (acquire) frees the batch. */
	bool grace_period_over;
	struct retire_batch *next;	/* in the tree's list of batches given to call_rcu */
	unsigned nr, nr_res;		/* index nodes in node[], resource nodes in res[] */
	struct mk_node *more;		/* more index nodes, through next_retired */
	struct {
		struct mnode *node;
		enum retire_how how;
	} res[BATCH_RES];
	struct mk_node *node[BATCH_NODES];
};

struct maple_tree {
	struct iomem_tree base;
	struct lock writer;
	struct mnode roots[IOMEM_NR_ROOTS];
	/* Under the writer lock: */
	struct mk_pool pool;		/* index nodes reserved by writes */
	uint64_t gen;			/* the last write's transaction */
	/* Odd while a write may be publishing, even between writes: a walk's reads ahead
	 * are still what find_next would find while it has not moved (ma_walk). Written by
	 * writers (write_seq_begin, write_seq_end), read by walks with acquire. */
	unsigned long write_seq;
	/* What the writes since the last call_rcu replaced; each write makes sure, before it
	 * changes anything, that it exists and has room for the write. */
	struct retire_batch *batch;
	/* Batches given to call_rcu, oldest first (their grace periods end in that order):
	 * freed by the writes after the callback marks them. */
	struct retire_batch *submitted, **submitted_tail;
	/* Bumped whenever a non-busy resource leaves (remove, release with it) or is replaced
	 * (adjust). A MUXED sleeper retries from the container where it met the conflict, as
	 * the kernel does, unless that container may have been freed meanwhile: then from the
	 * root (as rwlock.c). */
	unsigned long containers_freed;
};

static inline struct maple_tree *MT(struct iomem_tree *t)
{
	return (struct maple_tree *)t;
}

/* A family's published index, for readers. */
static inline const struct mk_node *kids_of(const struct mnode *n)
{
	return mk_load((struct mk_node *const *)&n->kids);
}

static struct mnode *node_new(resource_size_t start, resource_size_t end, const char *name,
			      unsigned long flags, unsigned long desc)
{
	const char *copy;
	struct mnode *n = iomem_node_alloc(sizeof(*n), name, &copy);

	if (n)
		*n = (struct mnode){ .start = start, .end = end, .name = copy, .flags = flags,
				     .desc = desc };
	return n;
}

/* Frees every descendant of n and their indexes (not n). Only when no reader and no
 * writer can reach them. */
static void free_descendants(struct mnode *n)
{
	struct mk_iter it;

	for (struct mnode *c = mk_iter_first(&it, n->kids); c; c = mk_iter_next(&it)) {
		free_descendants(c);
		iomem_node_free(c);
	}
	mk_destroy(n->kids);
}

/* Frees what a batch lists, and the batch. */
static void free_batch(struct retire_batch *b)
{
	iomem_node_free_bulk((void *const *)b->node, b->nr);
	mk_free_retired(b->more);
	for (unsigned i = 0; i < b->nr_res; i++) {
		struct mnode *n = b->res[i].node;

		if (b->res[i].how == FREE_SUBTREE)
			free_descendants(n);
		else
			mk_destroy(n->kids);
		iomem_node_free(n);
	}
	iomem_free(IOMEM_ALLOC_OTHER, b);
}

/* The call_rcu callback: the batch may be freed. The release store pairs with the
 * acquire in free_reclaimable: whoever frees the batch sees the grace period over (and,
 * for TSan, everything the readers did before it). The batch is not touched after it. */
static void grace_period_over(struct rcu_head *head)
{
	struct retire_batch *b = caa_container_of(head, struct retire_batch, rcu);

	rcu_tsan_reclaim_begin();
	__atomic_store_n(&b->grace_period_over, true, __ATOMIC_RELEASE);
}

/* Frees the submitted batches whose grace period is over; under the writer lock, or
 * once no writer is left. All of them after rcu_barrier. */
static void free_reclaimable(struct maple_tree *mt)
{
	struct retire_batch *b;

	while ((b = mt->submitted) &&
	       __atomic_load_n(&b->grace_period_over, __ATOMIC_ACQUIRE)) {
		if (!(mt->submitted = b->next))
			mt->submitted_tail = &mt->submitted;
		free_batch(b);
	}
}

/* --- Writes: under the writer lock, write_begin, the index changes, mk_publish, then
 * write_end. */

/* Hands b to call_rcu; under the writer lock. Every write that retired into b has
 * published: its nodes are out of readers' reach, and the grace period that starts now
 * covers every reader that may still hold one. */
static void submit_batch(struct maple_tree *mt, struct retire_batch *b)
{
	b->grace_period_over = false;
	b->next = NULL;
	*mt->submitted_tail = b;
	mt->submitted_tail = &b->next;
	rcu_tsan_reader_done();	/* the writers' accesses come before the reclaim */
	urcu_memb_call_rcu(&b->rcu, grace_period_over);
}

/* A write's publishing stores lie between these two. The odd value is stored before any
 * of them (the release of each publishing store orders it first): a walk that read
 * anything a write published then reads the sequence as changed. The even one is a
 * release: a walk that acquires it reads everything the write published. */
static void write_seq_begin(struct maple_tree *mt)
{
	__atomic_store_n(&mt->write_seq, mt->write_seq + 1, __ATOMIC_RELAXED);
}

static void write_seq_end(struct maple_tree *mt)
{
	__atomic_store_n(&mt->write_seq, mt->write_seq + 1, __ATOMIC_RELEASE);
}

/* Reserves what a write may need: `nodes` index nodes and the batch for what it retires.
 * 0, or -ENOMEM with nothing changed. `publish`: the write's last index change publishes
 * it (a change of one child of one family); else the write publishes a family's root
 * itself (struct mk_txn). */
static int write_begin(struct maple_tree *mt, struct mk_txn *tx, size_t nodes, bool publish)
{
	struct retire_batch *b = mt->batch;

	if (!b || b->nr + WRITE_NODES > BATCH_NODES || b->nr_res == BATCH_RES) {
		/* Not a tree node (not counted with them): bookkeeping, and a leaked one would
		 * leak the nodes it lists, which are counted. */
		struct retire_batch *fresh = iomem_alloc(IOMEM_ALLOC_OTHER, sizeof(*fresh));

		if (!fresh)
			return -ENOMEM;
		fresh->nr = fresh->nr_res = 0;
		fresh->more = NULL;
		if (b)
			submit_batch(mt, b);
		mt->batch = b = fresh;
		free_reclaimable(mt);
	}
	if (mk_reserve(&mt->pool, nodes))
		return -ENOMEM;
	mk_txn_begin(tx, &mt->pool, ++mt->gen, &b->node[b->nr], BATCH_NODES - b->nr, publish);
	write_seq_begin(mt);
	return 0;
}

/* n left the tree in this write (at most one resource node does). */
static void retire_node(struct maple_tree *mt, struct mnode *n, enum retire_how how)
{
	struct retire_batch *b = mt->batch;

	b->res[b->nr_res].node = n;
	b->res[b->nr_res++].how = how;
	if (!(n->flags & IORESOURCE_BUSY) || (how == FREE_SUBTREE && n->kids))
		mt->containers_freed++;
}

/* After the write's one publishing store (made by the index change itself, or by
 * mk_publish): what it replaced joins the batch, freed once every reader that may still
 * hold it has left its read-side section. */
static void write_end(struct maple_tree *mt, struct mk_txn *tx)
{
	struct retire_batch *b = mt->batch;
	struct mk_node *x = tx->retired;

	write_seq_end(mt);
	b->nr += tx->nr_ret;
	if (x) {
		while (x->next_retired)
			x = x->next_retired;
		x->next_retired = b->more;
		b->more = tx->retired;
	}
	mk_pool_trim(&mt->pool);
}

/* The child of the family fam with the largest start <= addr if it ends at or after addr,
 * else the first one after addr: the first child ending at or after addr. The cursor is
 * left on it. A loop, not one step: where the seek passed over cleared slots back to an
 * earlier child, the next step reads those slots again, and one a request has filled
 * since may hold a child that still ends before addr (the kernel's loop skips such a
 * child the same way). */
static struct mnode *first_ending_from(struct mk_iter *it, const struct mk_node *fam,
				       resource_size_t addr)
{
	struct mnode *c = mk_iter_seek(it, fam, addr);

	while (c && c->end < addr)
		c = mk_iter_next(it);
	return c;
}

/* The child of fam covering [start, end], or NULL. */
static struct mnode *covering_child(const struct mk_node *fam, resource_size_t start,
				    resource_size_t end)
{
	struct mnode *c = mk_at_or_before(fam, start);

	return c && c->end >= end ? c : NULL;
}

/* covering_child for a writer: the descent is left in p, for a change at res->start. */
static struct mnode *covering_child_path(struct mnode *parent, resource_size_t start,
					 resource_size_t end, struct mk_path *p)
{
	struct mk_node *leaf = mk_find_path(parent->kids, start, p);
	struct mnode *c;
	unsigned i;

	if (!leaf)
		return NULL;
	i = kids_slot_search(leaf->key, leaf->n, start);
	if (leaf->key[i] > start)
		return NULL;
	c = mk_value_back(leaf, &i);	/* back over cleared slots */
	return c->end >= end ? c : NULL;
}

/* __request_resource's search (§1.1), without linking: root when [start, end] is not
 * inside it, the first child it overlaps, or NULL; writers only. The descent is left in
 * p, where a new child starting at start goes. Siblings do not overlap, so only two can:
 * the last starting at or before start, whose end is read, and the next one, of which
 * only the start matters, and the index has it (read from the index, not from the child,
 * it costs no cache miss on a resource node). */
static struct mnode *conflict_of(struct mnode *root, resource_size_t start, resource_size_t end,
				 struct mk_path *p)
{
	struct mk_node *leaf;
	resource_size_t next;
	unsigned i;

	if (end < start || start < root->start || end > root->end)
		return root;
	if (!(leaf = mk_find_path(root->kids, start, p)))
		return NULL;
	i = kids_slot_search(leaf->key, leaf->n, start);
	if (leaf->key[i] > start) {		/* every child starts after start */
		next = leaf->key[0];
	} else {
		unsigned at = i;	/* i stays: the next key is the one after the slot found */
		struct mnode *c = mk_value_back(leaf, &at);

		if (c->end >= start)
			return c;
		if (!mk_path_next_key(p, i, &next))
			return NULL;
	}
	return next <= end ? mk_at_or_before(root->kids, next) : NULL;
}

/* Links new (complete, not yet visible) under parent, at the end of p (from conflict_of
 * on parent, since the family's last change): one write, published by the insert, or
 * by filling in place the slot a release cleared at new's start. 0 or -ENOMEM. */
static int link_child(struct maple_tree *mt, struct mnode *parent, struct mnode *new,
		      const struct mk_path *p)
{
	struct mk_txn tx;
	int err = write_begin(mt, &tx, mk_need_insert_at(p), true);

	if (err)
		return err;
	if (!mk_fill_at(p, new->start, new))
		mk_insert_at(&tx, &parent->kids, p, new->start, new);
	write_end(mt, &tx);
	return 0;
}

/* __request_region (§1.2). */
static int ma_request(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t n, const char *name, unsigned long flags, bool nowait)
{
	bool woken = false;
	struct maple_tree *mt = MT(t);
	struct mnode *res = node_new(start, start + n - 1, name, 0, 0), *parent = &mt->roots[root];
	int err;

	if (!res)
		return -ENOMEM;
	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	mk_pool_prefetch(&mt->pool);
	for (;;) {
		struct mnode *conflict;
		struct mk_path path;

		res->flags = (parent->flags & (IORESOURCE_TYPE_BITS | IORESOURCE_EXT_TYPE_BITS)) |
			     IORESOURCE_BUSY | flags;
		res->desc = parent->desc;
		conflict = conflict_of(parent, res->start, res->end, &path);
		if (!conflict) {
			err = link_child(mt, parent, res, &path);
			if (err)
				break;
			unlock_write(&mt->writer);
			return 0;
		}
		if (conflict != parent && !(conflict->flags & IORESOURCE_BUSY)) {
			parent = conflict;
			continue;
		}
		if (conflict->flags & flags & IORESOURCE_MUXED) {
			unsigned long freed = mt->containers_freed;

			if (nowait) {
				err = -EWOULDBLOCK;
				break;
			}
			/* Asleep, this thread is in no read-side section: parent may be freed,
			 * which containers_freed tells. */
			muxed_wait_for(&t->muxed, &mt->writer, conflict->start, conflict->end,
				       woken);
			woken = true;
			if (mt->containers_freed != freed)
				parent = &mt->roots[root];
			continue;
		}
		err = -EBUSY;
		break;
	}
	unlock_write(&mt->writer);
	iomem_node_free(res);
	return err;
}

/* __release_region (§1.3): the region leaves with its children, in one store. */
static int ma_release(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t n)
{
	struct maple_tree *mt = MT(t);
	resource_size_t end = start + n - 1;
	struct mnode *p = &mt->roots[root], *res;
	struct mk_path path;
	struct mk_txn tx;
	bool muxed;

	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	mk_pool_prefetch(&mt->pool);
	while ((res = covering_child_path(p, start, end, &path)) &&
	       !(res->flags & IORESOURCE_BUSY))
		p = res;
	if (!res || res->start != start || res->end != end) {
		unlock_write(&mt->writer);
		return -ENOENT;
	}
	if (write_begin(mt, &tx, mk_need_remove_at(&path), true)) {
		unlock_write(&mt->writer);
		return -ENOMEM;
	}
	if (!mk_clear_at(&path, start))
		mk_remove_at(&tx, &p->kids, &path, start);
	/* Read now: once the lock is dropped, res may be freed under this thread. */
	muxed = res->flags & IORESOURCE_MUXED;
	retire_node(mt, res, FREE_SUBTREE);
	write_end(mt, &tx);
	unlock_write(&mt->writer);
	if (muxed)
		muxed_wake_up(&t->muxed, start, end);
	return 0;
}

/* __insert_resource (§1.4) under parent. 0 (linked), -EBUSY or -ENOMEM. */
static int insert_locked(struct maple_tree *mt, struct mnode *parent, struct mnode *new)
{
	struct mnode *first, *last, *c;
	struct mk_node *adopted = NULL, *r;
	struct mk_path path;
	struct mk_iter it;
	struct mk_txn tx;
	size_t moved = 1;

	for (;; parent = first) {
		first = conflict_of(parent, new->start, new->end, &path);
		if (!first)
			return link_child(mt, parent, new, &path);
		if (first == parent)
			return -EBUSY;
		if (first->start > new->start || first->end < new->end)
			break;
		if (first->start == new->start && first->end == new->end)
			break;
	}
	/* new must cover first and every sibling after it that starts inside new */
	for (last = mk_iter_seek(&it, parent->kids, first->start);; last = c, moved++) {
		if (last->start < new->start || last->end > new->end)
			return -EBUSY;
		c = mk_iter_next(&it);
		if (!c || c->start > new->end)
			break;
	}
	r = parent->kids;
	if (write_begin(mt, &tx, mk_need_build(moved) +
				 mk_need_remove_span(r, first->start, last->start), false))
		return -ENOMEM;
	/* new's own index of the children it adopts, private until the store below */
	c = mk_iter_seek(&it, r, first->start);
	for (size_t i = 0; i < moved; i++, c = mk_iter_next(&it))
		mk_insert(&tx, &adopted, c->start, c);
	new->kids = adopted;
	/* the parent's: new in first's place, the other adopted children gone */
	mk_rekey(&tx, &r, first->start, new->start, new);
	c = mk_iter_first(&it, adopted);
	while ((c = mk_iter_next(&it)))
		mk_remove(&tx, &r, c->start);
	mk_publish(&parent->kids, r);
	write_end(mt, &tx);
	return 0;
}

static int ma_insert(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, const char *name, unsigned long flags,
		     unsigned long desc)
{
	struct maple_tree *mt = MT(t);
	struct mnode *res = node_new(start, end, name, flags, desc);
	int err;

	if (!res)
		return -ENOMEM;
	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	err = insert_locked(mt, &mt->roots[root], res);
	unlock_write(&mt->writer);
	if (err)
		iomem_node_free(res);
	return err;
}

/* The outermost resource with exactly [start, end], or NULL; *parent gets its parent. */
static struct mnode *find_exact(struct mnode *root, resource_size_t start, resource_size_t end,
				struct mnode **parent)
{
	struct mnode *c;

	for (struct mnode *p = root; (c = covering_child(p->kids, start, end)); p = c) {
		if (c->start == start && c->end == end) {
			*parent = p;
			return c;
		}
	}
	return NULL;
}

/* remove_resource (§1.4): the children take its place, in one store. */
static int ma_remove(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end)
{
	struct maple_tree *mt = MT(t);
	struct mnode *old, *parent, *c;
	struct mk_node *r;
	struct mk_iter it;
	struct mk_txn tx;
	size_t moved = 0;
	bool muxed;
	int err;

	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	old = find_exact(&mt->roots[root], start, end, &parent);
	if (!old) {
		unlock_write(&mt->writer);
		return -ENOENT;
	}
	for (c = mk_iter_first(&it, old->kids); c; c = mk_iter_next(&it))
		moved++;
	r = parent->kids;
	err = moved ? write_begin(mt, &tx, mk_need_insert_run(r, moved), false) :
		      write_begin(mt, &tx, mk_need_remove(r), true);
	if (err) {
		unlock_write(&mt->writer);
		return err;
	}
	c = mk_iter_first(&it, old->kids);
	if (!c) {
		mk_remove(&tx, &parent->kids, old->start);
	} else {
		mk_rekey(&tx, &r, old->start, c->start, c);
		while ((c = mk_iter_next(&it)))
			mk_insert(&tx, &r, c->start, c);
		mk_publish(&parent->kids, r);
	}
	muxed = old->flags & IORESOURCE_MUXED;
	retire_node(mt, old, FREE_NODE_AND_INDEX);
	write_end(mt, &tx);
	unlock_write(&mt->writer);
	if (muxed)
		muxed_region_gone(&t->muxed, start, end);
	return 0;
}

/* adjust_resource (§1.4): a copy with the new range replaces the node in one store. The
 * new range stays between the neighbours, so the parent's index keeps its order. The copy
 * gets a clone of the children's index rather than the old node's own: later writes
 * change index nodes in place, and readers still in the old node must not find children
 * there that lie outside its range. */
static int ma_adjust(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		     resource_size_t end, resource_size_t new_start, resource_size_t new_size)
{
	bool muxed_moved = false;
	struct maple_tree *mt = MT(t);
	resource_size_t new_end = new_start + new_size - 1;
	struct mnode *res, *parent, *next, *prev, *lo, *hi, *copy;
	struct mk_iter it;
	struct mk_txn tx;
	int err = -EBUSY;

	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	res = find_exact(&mt->roots[root], start, end, &parent);
	if (!res) {
		err = -ENOENT;
		goto out;
	}
	mk_iter_seek(&it, parent->kids, res->start);
	next = mk_iter_next(&it);
	prev = res->start ? mk_at_or_before(parent->kids, res->start - 1) : NULL;
	lo = mk_first(res->kids);
	hi = mk_last(res->kids);
	if (new_end < new_start || new_start < parent->start || new_end > parent->end)
		goto out;
	if ((next && next->start <= new_end) || (prev && new_start <= prev->end))
		goto out;
	if ((lo && lo->start < new_start) || (hi && hi->end > new_end))
		goto out;
	err = -ENOMEM;
	copy = node_new(new_start, new_end, res->name, res->flags, res->desc);
	if (!copy)
		goto out;
	if (write_begin(mt, &tx, mk_need_rekey(parent->kids) + mk_need_clone(res->kids), true)) {
		iomem_node_free(copy);
		goto out;
	}
	copy->kids = mk_clone(&tx, res->kids);
	mk_rekey(&tx, &parent->kids, res->start, new_start, copy);
	muxed_moved = res->flags & IORESOURCE_MUXED;
	retire_node(mt, res, FREE_NODE_AND_INDEX);
	write_end(mt, &tx);
	err = 0;
out:
	unlock_write(&mt->writer);
	if (muxed_moved)
		muxed_region_gone(&t->muxed, start, end);
	return err;
}

/* __find_resource_space with the default alignf (§1.4): the lowest fit in root's gaps.
 * Gaps that end before min cannot fit, so the scan starts at the child at or before min;
 * and once a child reaches max, no gap after it can, so the scan stops there. */
static bool find_space(struct mnode *root, struct mnode *new, resource_size_t size,
		       resource_size_t min, resource_size_t max, resource_size_t align)
{
	struct resource tmp = { .start = root->start }, avail, alloc;
	struct mk_iter it;
	struct mnode *this = mk_iter_seek(&it, root->kids, min);

	if (this && this->start <= min) {
		if (this->end == root->end)
			return false;
		tmp.start = this->end + 1;
		this = mk_iter_next(&it);
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
		if (!this || this->end == root->end || this->end >= max)
			return false;
		tmp.start = this->end + 1;
		this = mk_iter_next(&it);
	}
}

static int ma_allocate(struct iomem_tree *t, enum iomem_root root, resource_size_t size,
		       resource_size_t min, resource_size_t max, resource_size_t align,
		       const char *name, unsigned long flags, resource_size_t *start_out)
{
	struct maple_tree *mt = MT(t);
	struct mnode *res = node_new(0, 0, name, flags, IORES_DESC_NONE);
	struct mk_path path;
	int err = -EBUSY;

	if (!res)
		return -ENOMEM;
	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	if (find_space(&mt->roots[root], res, size, min, max, align) &&
	    !conflict_of(&mt->roots[root], res->start, res->end, &path)) {
		err = link_child(mt, &mt->roots[root], res, &path);
		if (!err)
			*start_out = res->start;
	}
	unlock_write(&mt->writer);
	if (err)
		iomem_node_free(res);
	return err;
}

/* --- Readers: inside one read-side section each, without any lock or retry.
 *
 * Every resource node and index node a reader reaches is whole, and a lookup in one
 * family answers with a state the family was in while it ran (maple_kids.h). A walk
 * through the siblings of one family while writers change single children (in place, or
 * by copying a leaf) can meet a sibling that replaced one it already returned (a region
 * released and another requested over part of it, an adjusted one under its new start);
 * such a sibling starts inside the last one returned. Skipping it keeps every walk sorted and
 * disjoint, as the kernel's readers see siblings, and loses nothing that was there all
 * along: a sibling present throughout overlaps none that was ever beside it. A change of
 * several children never shows half-done: the index copies every node it touches up to
 * the family's root, so a walk that started before it stays in the old version of all of
 * them. */

/* Siblings in address order, from a reader's cursor, each starting after the last one
 * returned. */
struct siblings {
	struct mk_iter it;
	resource_size_t end;	/* of the last one returned */
	bool any;
};

static const struct mnode *sib_take(struct siblings *s, const struct mnode *c)
{
	while (c && s->any && c->start <= s->end)
		c = mk_iter_next(&s->it);
	if (c) {
		s->end = c->end;
		s->any = true;
	}
	return c;
}

/* The first child ending at or after addr in the family whose published index is fam. */
static const struct mnode *sib_from(struct siblings *s, const struct mk_node *fam,
				    resource_size_t addr)
{
	s->any = false;
	return sib_take(s, first_ending_from(&s->it, fam, addr));
}

static const struct mnode *sib_next(struct siblings *s)
{
	return sib_take(s, mk_iter_next(&s->it));
}

static bool match(const struct mnode *p, unsigned long flags, unsigned long desc)
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

/* The descendant loop of §1.5, in pre-order, below the family whose published index is
 * fam (a resource's, loaded once: its children are what it held then). Subtrees that miss
 * the range are skipped whole: every node in them misses it too; childless resources
 * cost no cursor. True when the kernel's loop would break. */
static bool scan_descendants(const struct mk_node *fam, struct intersect_scan *s)
{
	struct siblings sib;

	for (const struct mnode *c = sib_from(&sib, fam, s->start); c && c->start <= s->end;
	     c = sib_next(&sib)) {
		const struct mk_node *kids;

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
		kids = kids_of(c);
		if (kids && scan_descendants(kids, s))
			return true;
	}
	return false;
}

/* __region_intersects, 6.12+ (§1.5). */
static int ma_intersects(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t end, unsigned long flags, unsigned long desc)
{
	struct maple_tree *mt = MT(t);
	struct intersect_scan s = { .start = start, .end = end, .flags = flags, .desc = desc };
	struct siblings sib;
	int other = 0;

	rcu_read_begin();
	for (const struct mnode *p = sib_from(&sib, kids_of(&mt->roots[root]), start);
	     p && p->start <= end; p = sib_next(&sib)) {
		const struct mk_node *kids;

		if (match(p, flags, desc)) {
			s.type++;
			continue;
		}
		s.o.start = p->start > start ? p->start : start;
		s.o.end = p->end < end ? p->end : end;
		s.covered = false;
		kids = kids_of(p);
		if (kids)
			scan_descendants(kids, &s);
		if (!s.covered)
			other++;
	}
	rcu_read_end();
	if (s.type == 0)
		return REGION_DISJOINT;
	return other == 0 ? REGION_INTERSECTS : REGION_MIXED;
}

/* Regions a walk reads in one read-side section. */
#define WALK_AHEAD 32

/* What find_next would return for successive starts, read together: up to cap (at most
 * WALK_AHEAD) regions. */
struct walk_ahead {
	resource_size_t start, end;	/* the walk's next start, and its end */
	unsigned long flags, desc;
	struct resource res[WALK_AHEAD];
	unsigned n, cap;
	bool last;			/* no region after res[n - 1] */
};

/* Not an initializer: that would clear res[] too, 1.5 KB, on every walk. */
static void walk_ahead_init(struct walk_ahead *w, resource_size_t start, resource_size_t end,
			    unsigned long flags, unsigned long desc, unsigned cap)
{
	w->start = start;
	w->end = end;
	w->flags = flags;
	w->desc = desc;
	w->cap = cap;
	w->n = 0;
	w->last = false;
}

/* Appends to w, in pre-order, the matches find_next would return one after another in the
 * family whose published index is fam and below, each from the end of the one before; a
 * match's descendants are passed over, as the next start is after its end. True once w is
 * full or the walk is over. */
static bool read_ahead(const struct mk_node *fam, struct walk_ahead *w)
{
	struct siblings sib;

	for (const struct mnode *c = sib_from(&sib, fam, w->start); c; c = sib_next(&sib)) {
		const struct mk_node *kids;

		if (c->start > w->end) {
			w->last = true;
			return true;
		}
		if (match(c, w->flags, w->desc)) {
			struct resource *r = &w->res[w->n++];

			*r = (struct resource){
				.start = c->start > w->start ? c->start : w->start,
				.end = c->end < w->end ? c->end : w->end,
				.flags = c->flags,
				.desc = c->desc,
			};
			if (!iomem_walk_advance(r->end, w->end, &w->start)) {
				w->last = true;
				return true;
			}
			if (w->n == w->cap)
				return true;
			continue;
		}
		kids = kids_of(c);
		if (kids && read_ahead(kids, w))
			return true;
	}
	return false;
}

/* find_next_iomem_res (§1.6): a walk that reads one region. */
static int ma_find_next(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			resource_size_t end, unsigned long flags, unsigned long desc,
			struct resource *res)
{
	struct walk_ahead w;

	walk_ahead_init(&w, start, end, flags, desc, 1);
	rcu_read_begin();
	read_ahead(kids_of(&MT(t)->roots[root]), &w);
	rcu_read_end();
	if (!w.n)
		return -ENODEV;
	*res = w.res[0];
	return 0;
}

/* __walk_iomem_res_desc (§1.6) with the search kept in place: one read-side section reads
 * up to WALK_AHEAD regions, continuing from each one found, where find_next searches from
 * the root for every region. fn runs outside the section, on copies, as the kernel's runs
 * outside the lock. A region read ahead is what find_next would have returned after the
 * callback before it only if no write has been published since the section began: the
 * write sequence, even then and the same now, says so (a write fn made, or one that
 * happened before anything fn waited for, included). Else the walk reads again from
 * where it is. */
static int ma_walk(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		   resource_size_t end, unsigned long flags, unsigned long desc,
		   iomem_walk_fn fn, void *arg)
{
	struct maple_tree *mt = MT(t);
	struct walk_ahead w;
	int ret = -EINVAL;

	walk_ahead_init(&w, start, end, flags, desc, WALK_AHEAD);

	while (w.start < w.end) {
		unsigned long seq;
		unsigned i;

		w.n = 0;
		w.last = false;
		rcu_read_begin();
		/* acquire: pairs with write_seq_end; the reads below see every write it ends */
		seq = __atomic_load_n(&mt->write_seq, __ATOMIC_ACQUIRE);
		if (!read_ahead(kids_of(&mt->roots[root]), &w))
			w.last = true;
		rcu_read_end();
		for (i = 0; i < w.n; i++) {
			/* acquire: a write whose publication the reads above met stored the odd
			 * value first; it is seen here, as the loads of that publication were
			 * acquires too */
			if (i && ((seq & 1) ||
				  __atomic_load_n(&mt->write_seq, __ATOMIC_ACQUIRE) != seq))
				break;
			ret = fn(&w.res[i], arg);
			if (ret)
				return ret;
		}
		if (i == w.n && w.last)
			break;
		/* from the end of the last region reported (none can be the last address) */
		w.start = w.res[i - 1].end + 1;
	}
	return ret;
}

static int ma_lookup(struct iomem_tree *t, enum iomem_root root, resource_size_t addr,
		     struct resource *out, char *namebuf, size_t namelen)
{
	struct maple_tree *mt = MT(t);
	const struct mnode *found = NULL, *c;

	rcu_read_begin();
	for (const struct mnode *p = &mt->roots[root]; (c = covering_child(kids_of(p), addr, addr));
	     p = c)
		found = c;
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

/* Pre-order in the family whose published index is fam, and below, its members at depth;
 * nonzero from fn stops it. */
static int visit(const struct mk_node *fam, int depth, iomem_visit_fn fn, void *arg)
{
	struct siblings sib;
	int ret = 0;

	for (const struct mnode *c = sib_from(&sib, fam, 0); c && !ret; c = sib_next(&sib)) {
		struct resource r = { .start = c->start, .end = c->end, .name = c->name,
				      .flags = c->flags, .desc = c->desc };
		const struct mk_node *kids;

		ret = fn(&r, depth, arg);
		if (!ret && (kids = kids_of(c)))
			ret = visit(kids, depth + 1, fn, arg);
	}
	return ret;
}

static int ma_for_each(struct iomem_tree *t, enum iomem_root root, iomem_visit_fn fn, void *arg)
{
	int ret;

	rcu_read_begin();
	ret = visit(kids_of(&MT(t)->roots[root]), 0, fn, arg);
	rcu_read_end();
	return ret;
}

static struct iomem_node *ma_append(struct iomem_tree *t, enum iomem_root root,
				    struct iomem_node *handle, resource_size_t start,
				    resource_size_t end, const char *name, unsigned long flags,
				    unsigned long desc)
{
	struct maple_tree *mt = MT(t);
	struct mnode *parent = handle ? (struct mnode *)handle : &mt->roots[root];
	struct mnode *n = node_new(start, end, name, flags, desc);
	struct mk_path path;
	int err;

	if (!n)
		return NULL;
	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	mk_find_path(parent->kids, start, &path);
	err = link_child(mt, parent, n, &path);
	unlock_write(&mt->writer);
	if (err) {
		iomem_node_free(n);
		return NULL;
	}
	return (struct iomem_node *)n;
}

/* The undo of a load that ran out of memory: the root's children leave in one store, and
 * are freed once no reader can be inside them (a grace period: not a request or release
 * path). */
static void ma_clear(struct iomem_tree *t, enum iomem_root root)
{
	struct maple_tree *mt = MT(t);
	struct mnode gone;

	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	gone = mt->roots[root];
	write_seq_begin(mt);
	mk_publish(&mt->roots[root].kids, NULL);
	write_seq_end(mt);
	unlock_write(&mt->writer);
	urcu_memb_synchronize_rcu();
	free_descendants(&gone);
}

/* Returns once every write's retired nodes are freed, and the writers' caches (the spare
 * index nodes, the open batch) are given back: what is left allocated is the tree itself,
 * the state an exact accounting (iomem faultinject) compares. */
static void ma_quiesce(struct iomem_tree *t)
{
	struct maple_tree *mt = MT(t);

	rcu_reader_ensure_registered();
	lock_write(&mt->writer);
	if (mt->batch) {
		submit_batch(mt, mt->batch);
		mt->batch = NULL;
	}
	mk_pool_destroy(&mt->pool);
	urcu_memb_barrier();	/* every callback has run */
	free_reclaimable(mt);
	unlock_write(&mt->writer);
}

static int ma_create(const struct iomem_tree_opts *opts, struct iomem_tree **out)
{
	struct maple_tree *mt = iomem_alloc(IOMEM_ALLOC_OTHER, sizeof(*mt));
	int err;

	if (!mt)
		return -ENOMEM;
	err = iomem_tree_lock_init(&mt->writer, opts);
	if (err) {
		iomem_free(IOMEM_ALLOC_OTHER, mt);
		return err;
	}
	for (int i = 0; i < IOMEM_NR_ROOTS; i++) {
		struct resource r;

		iomem_root_init(&r, i);
		mt->roots[i] = (struct mnode){ .start = r.start, .end = r.end, .name = r.name,
					       .flags = r.flags };
	}
	mt->submitted_tail = &mt->submitted;
	*out = &mt->base;
	return 0;
}

static void ma_destroy(struct iomem_tree *t)
{
	struct maple_tree *mt = MT(t);

	rcu_reader_ensure_registered();
	urcu_memb_barrier();	/* every batch given to call_rcu may be freed */
	free_reclaimable(mt);
	rcu_tsan_reclaim_begin();
	if (mt->batch)
		free_batch(mt->batch);	/* and no reader is left for the last one */
	for (int i = 0; i < IOMEM_NR_ROOTS; i++)
		free_descendants(&mt->roots[i]);
	mk_pool_destroy(&mt->pool);
	lock_destroy(&mt->writer);
	iomem_free(IOMEM_ALLOC_OTHER, mt);
}

static const char *ma_lock_name(const struct iomem_tree *t)
{
	return lock_name(&((const struct maple_tree *)t)->writer);
}

const struct iomem_backend_ops iomem_backend_maple = {
	.name = "maple",
	.create = ma_create,
	.destroy = ma_destroy,
	.lock_name = ma_lock_name,
	.request = ma_request,
	.release = ma_release,
	.insert = ma_insert,
	.remove = ma_remove,
	.adjust = ma_adjust,
	.allocate = ma_allocate,
	.intersects = ma_intersects,
	.find_next = ma_find_next,
	.walk = ma_walk,
	.lookup = ma_lookup,
	.for_each = ma_for_each,
	.append = ma_append,
	.clear = ma_clear,
	.quiesce = ma_quiesce,
};
