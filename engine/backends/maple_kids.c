/* SPDX-License-Identifier: MIT */
#include "maple_kids.h"

#include "iomem/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_alloc.h"

/* A node this empty after a removal absorbs a neighbour when both fit in one node. */
#define MK_MERGE_AT (MK_FANOUT / 3)
/* Spare nodes a pool keeps between writes, and gets from the allocator at a time. */
#define MK_POOL_STOCK 64
#define MK_POOL_REFILL 32

static struct mk_node *node_alloc(unsigned cap)
{
	const char *no_name;
	struct mk_node *x = iomem_node_alloc(mk_node_bytes(cap), NULL, &no_name);

	if (x)
		x->cap = (uint8_t)cap;
	return x;
}

static _Noreturn void broken(const char *what)
{
	fprintf(stderr, "iomem: maple index: %s\n", what);
	abort();
}

/* --- Readers. */

void *mk_iter_first(struct mk_iter *it, const struct mk_node *root)
{
	const struct mk_node *x = root;

	it->root = root;
	it->parent = NULL;
	it->slot = it->pslot = 0;
	if (!x) {
		it->leaf = NULL;
		return NULL;
	}
	while (!x->leaf) {
		it->parent = x;
		x = mk_child(x, 0);
	}
	it->leaf = x;
	return mk_value(x, 0);
}

/* mk_iter_seek's general case. */
void *mk_iter_seek_descend(struct mk_iter *it, const struct mk_node *root,
			   resource_size_t addr)
{
	const struct mk_node *x = root;

	if (!x || x->key[0] > addr)
		return mk_iter_first(it, root);
	it->parent = NULL;
	it->pslot = 0;
	while (!x->leaf) {
		it->parent = x;
		it->pslot = kids_slot_search(x->key, x->n, addr);
		x = mk_child(x, it->pslot);
	}
	it->root = root;
	it->leaf = x;
	it->slot = kids_slot_search(x->key, x->n, addr);
	return mk_value_back(x, &it->slot);
}

/* The first value after key last in leaf x, a version of the cursor's leaf under parent
 * p at slot ps: the cursor moves there. NULL when x has none, as the cursor's own leaf
 * never has (it has no key after its last). */
static void *after_in(struct mk_iter *it, const struct mk_node *x, const struct mk_node *p,
		      unsigned ps, resource_size_t last)
{
	unsigned i;
	void *v;

	if (x == it->leaf)
		return NULL;
	i = kids_slot_search(x->key, x->n, last) + 1;
	if (!(v = mk_value_fwd(x, &i)))
		return NULL;
	it->leaf = x;
	it->parent = p;
	it->pslot = ps;
	it->slot = i;
	return v;
}

/* The first entry of leaf x, under parent p at slot ps: the cursor moves there. */
static void *first_of(struct mk_iter *it, const struct mk_node *x, const struct mk_node *p,
		      unsigned ps)
{
	it->leaf = x;
	it->parent = p;
	it->pslot = ps;
	it->slot = 0;
	return mk_value(x, 0);
}

/* The cursor's leaf is done: the next entry is the first with a key after that leaf's
 * last. It is not simply the first of the leaf right of the one the cursor was in,
 * because single changes store in place below the root: the subtree holding the last key
 * may by now be a newer version whose leaf there has more keys after it (a removal that
 * absorbed its right neighbour) or fewer (an insert that split it). Inner keys are never
 * written, so the key after it is in the current version of that leaf, or else first in
 * the subtree right of the deepest turn that has one. The leaf's parent, as the cursor
 * read it, answers most of the time: its pointer to the leaf gives the current version,
 * and its next child the subtree right of it. The parent may have been replaced since
 * (it is then intact, and nothing is stored into it any more): what it still reaches held
 * every key present when it was replaced, so a key present throughout is not missed, and
 * every key comes after the last one. Otherwise a descent from the cursor's root finds
 * the deepest such turn. */
void *mk_iter_next_leaf(struct mk_iter *it)
{
	resource_size_t last = it->leaf->key[it->leaf->n - 1];
	const struct mk_node *x, *next = NULL, *xp = NULL, *np = NULL;
	unsigned i, xi = 0, ni = 0;
	void *v;

	if ((x = it->parent)) {
		if ((v = after_in(it, mk_child(x, it->pslot), x, it->pslot, last)))
			return v;
		if (it->pslot + 1u < x->n)
			return first_of(it, mk_child(x, it->pslot + 1), x, it->pslot + 1);
	}
	for (x = it->root; !x->leaf; xp = x, xi = i, x = mk_child(x, i)) {
		i = kids_slot_search(x->key, x->n, last);
		if (i + 1u < x->n) {
			next = mk_child(x, i + 1);
			np = x;
			ni = i + 1;
		}
	}
	/* a family of one leaf ends here */
	if ((v = after_in(it, x, xp, xi, last)))
		return v;
	if (!next) {
		it->leaf = NULL;
		return NULL;
	}
	while (!next->leaf) {
		np = next;
		ni = 0;
		next = mk_child(next, 0);
	}
	return first_of(it, next, np, ni);
}

void *mk_first(const struct mk_node *root)
{
	struct mk_iter it;

	return mk_iter_first(&it, root);
}

void *mk_last(const struct mk_node *x)
{
	if (!x)
		return NULL;
	while (!x->leaf)
		x = mk_child(x, x->n - 1u);
	return mk_value(x, x->n - 1u);	/* a leaf's last slot is never cleared */
}

unsigned mk_height(const struct mk_node *x)
{
	unsigned h = 0;

	for (; x; x = x->leaf ? NULL : mk_child(x, 0))
		h++;
	return h;
}

/* --- What a write may take. Every change first makes the path from the root to where it
 * changes private, one node per level (own); an insert then splits at most one node per
 * level and may add a root; a removal never allocates: it joins a nearly empty node with
 * a neighbour by moving the neighbour's entries into the node it already owns. */

size_t mk_need_insert(const struct mk_node *root)
{
	return 2 * (size_t)mk_height(root) + 2;
}

size_t mk_need_insert_at(const struct mk_path *p)
{
	return 2 * (size_t)mk_path_height(p) + 2;
}

size_t mk_need_remove(const struct mk_node *root)
{
	return mk_height(root);
}

size_t mk_need_remove_at(const struct mk_path *p)
{
	return mk_path_height(p);
}

size_t mk_need_rekey(const struct mk_node *root)
{
	return mk_height(root);
}

/* Nodes whose key range meets [lo, hi]: what removing the keys there may copy. A copy is
 * never copied again in the same transaction, and the neighbours a removal absorbs are
 * not copied at all. */
static size_t span(const struct mk_node *x, resource_size_t lo, resource_size_t hi)
{
	size_t n = 1;

	if (x->leaf)
		return n;
	for (unsigned i = 0; i < x->n; i++)
		if (x->key[i] <= hi && (i + 1u == x->n || x->key[i + 1] > lo))
			n += span(mk_ptrs(x)[i], lo, hi);
	return n;
}

size_t mk_need_remove_span(const struct mk_node *root, resource_size_t lo, resource_size_t hi)
{
	return root ? span(root, lo, hi) : 0;
}

/* k keys inserted one after another at one place: after a split the place has at least
 * MK_FANOUT / 2 - 1 free slots on its side, so a level splits at most once per 6 keys that
 * reach it, and each split sends one key to the level above; the path, and a few new
 * roots, on top. */
size_t mk_need_insert_run(const struct mk_node *root, size_t k)
{
	return k / 5 + 4 * (size_t)mk_height(root) + 16;
}

/* k keys appended to an empty family: splits at the right edge leave the left node full,
 * so the family packs into k / MK_FANOUT leaves and a level of inner nodes per 13-fold;
 * the small root leaves grow on the way (the allocator's, or the pool's if it fails). */
size_t mk_need_build(size_t k)
{
	return k / 13 + 16;
}

static size_t count_nodes(const struct mk_node *x)
{
	size_t n = 1;

	if (!x->leaf)
		for (unsigned i = 0; i < x->n; i++)
			n += count_nodes(mk_ptrs(x)[i]);
	return n;
}

size_t mk_need_clone(const struct mk_node *root)
{
	return root ? count_nodes(root) : 0;
}

/* --- The pool. */

/* Room for `n` spares in the array. */
static int pool_room(struct mk_pool *pool, size_t n)
{
	struct mk_node **a;
	size_t cap = pool->cap ? pool->cap : MK_POOL_STOCK;

	if (n <= pool->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (!(a = iomem_realloc(IOMEM_ALLOC_OTHER, pool->spare, cap * sizeof(*a))))
		return -ENOMEM;
	pool->spare = a;
	pool->cap = cap;
	return 0;
}

/* Refills come in batches of at least MK_POOL_REFILL: one update of the allocator's
 * counter for many nodes. The nodes are not touched: a spare's header is written when it
 * is taken. */
int mk_reserve(struct mk_pool *pool, size_t nodes)
{
	size_t had = pool->nr_spare, had_cap = pool->cap, got;

	if (had >= nodes)
		return 0;
	if (nodes < had + MK_POOL_REFILL)
		nodes = had + MK_POOL_REFILL;
	if (pool_room(pool, nodes))
		return -ENOMEM;
	got = iomem_node_alloc_bulk(mk_node_bytes(MK_FANOUT), (void **)&pool->spare[had],
				    nodes - had);
	if (had + got < nodes) {
		/* All or nothing: a failed reservation leaves the pool, and the count of live
		 * node bytes, as they were. */
		iomem_node_free_bulk((void *const *)&pool->spare[had], got);
		if (!had_cap) {		/* the array too, when this call made it */
			iomem_free(IOMEM_ALLOC_OTHER, pool->spare);
			pool->spare = NULL;
			pool->cap = 0;
		}
		return -ENOMEM;
	}
	pool->nr_spare = nodes;
	return 0;
}

void mk_pool_trim(struct mk_pool *pool)
{
	if (pool->nr_spare <= MK_POOL_STOCK)
		return;
	iomem_node_free_bulk((void *const *)&pool->spare[MK_POOL_STOCK],
			     pool->nr_spare - MK_POOL_STOCK);
	pool->nr_spare = MK_POOL_STOCK;
}

void mk_pool_destroy(struct mk_pool *pool)
{
	iomem_node_free_bulk((void *const *)pool->spare, pool->nr_spare);
	iomem_free(IOMEM_ALLOC_OTHER, pool->spare);
	*pool = (struct mk_pool){ 0 };
}

/* --- Writers. */

/* A full-size node of the transaction, from the reservation. Running dry means a
 * mk_need_* bound is wrong; the allocator then stands in (counted, for the tests), and only
 * its failure is fatal: the write has changed the tree and cannot stop half-way. */
static struct mk_node *take(struct mk_txn *tx, bool leaf)
{
	struct mk_pool *pool = tx->pool;
	struct mk_node *x;

	if (pool->nr_spare) {
		x = pool->spare[--pool->nr_spare];
	} else {
		pool->overdrawn++;
		if (!(x = node_alloc(MK_FANOUT)))
			broken("out of memory past the reservation");
	}
	x->n = 0;
	x->cap = MK_FANOUT;
	x->leaf = leaf;
	x->gen = tx->gen;
	return x;
}

/* A root leaf with room for cap entries: a small node from the allocator when it has
 * memory, else a full one from the reservation. */
static struct mk_node *small_leaf(struct mk_txn *tx, unsigned cap)
{
	struct mk_node *x = cap < MK_FANOUT ? node_alloc(cap) : NULL;

	if (!x)
		return take(tx, true);
	x->n = 0;
	x->leaf = true;
	x->gen = tx->gen;
	return x;
}

static bool is_private(const struct mk_txn *tx, const struct mk_node *x)
{
	return x->gen == tx->gen;
}

/* x leaves the family. A published node may still be read: it goes on the transaction's
 * list, for the caller to free after a grace period. A private one was never seen. */
static void drop(struct mk_txn *tx, struct mk_node *x)
{
	if (!is_private(tx, x)) {
		if (x->cap == MK_FANOUT && tx->nr_ret < tx->cap_ret) {
			tx->ret[tx->nr_ret++] = x;
		} else {
			x->next_retired = tx->retired;
			tx->retired = x;
		}
	} else if (x->cap == MK_FANOUT && tx->pool->nr_spare < tx->pool->cap) {
		/* never seen: back to the pool (whose array has room, unless the write took
		 * nodes past its reservation) */
		tx->pool->spare[tx->pool->nr_spare++] = x;
	} else {
		iomem_node_free(x);
	}
}

/* Leaf x's cleared slots (an inner node has none). */
static unsigned cleared_in(const struct mk_node *x)
{
	unsigned cleared = 0;

	for (unsigned i = 0; i < x->n; i++)
		cleared += !mk_ptrs(x)[i];
	return cleared;
}

/* Appends from's entries to x's but for its cleared slots, which a copy leaves behind. */
static void append_live(struct mk_node *x, const struct mk_node *from)
{
	void **xp = mk_ptrs(x), *const *fp = mk_ptrs(from);

	for (unsigned i = 0; i < from->n; i++) {
		if (fp[i]) {
			x->key[x->n] = from->key[i];
			xp[x->n++] = fp[i];
		}
	}
}

static void copy_entries(struct mk_node *to, const struct mk_node *from)
{
	to->n = 0;
	append_live(to, from);
}

/* The version of x this transaction may change: x itself if the transaction made it,
 * else a private copy that takes its place. `room`: x is the root leaf about to get an
 * entry, so a full small one moves to the next size. */
static struct mk_node *own(struct mk_txn *tx, struct mk_node *x, bool room)
{
	unsigned cap = x->cap;
	struct mk_node *c;

	if (room && x->n == cap && cap < MK_FANOUT)
		cap = 2 * cap + 1 < MK_FANOUT ? 2 * cap + 1 : MK_FANOUT;
	if (is_private(tx, x) && cap == x->cap)
		return x;
	c = x->leaf && cap < MK_FANOUT ? small_leaf(tx, cap) : take(tx, x->leaf);
	copy_entries(c, x);
	drop(tx, x);
	return c;
}

static void place(struct mk_node *x, unsigned pos, resource_size_t key, void *ptr)
{
	void **p = mk_ptrs(x);

	memmove(&x->key[pos + 1], &x->key[pos], (x->n - pos) * sizeof(*x->key));
	memmove(&p[pos + 1], &p[pos], (x->n - pos) * sizeof(*p));
	x->key[pos] = key;
	p[pos] = ptr;
	x->n++;
}

static void cut(struct mk_node *x, unsigned pos)
{
	void **p = mk_ptrs(x);

	memmove(&x->key[pos], &x->key[pos + 1], (x->n - pos - 1u) * sizeof(*x->key));
	memmove(&p[pos], &p[pos + 1], (x->n - pos - 1u) * sizeof(*p));
	x->n--;
}

/* Moves x's entries from `from` on into the empty node r. */
static void move_tail(struct mk_node *r, struct mk_node *x, unsigned from)
{
	unsigned moved = x->n - from;

	memcpy(r->key, &x->key[from], moved * sizeof(*r->key));
	memcpy(mk_ptrs(r), &mk_ptrs(x)[from], moved * sizeof(void *));
	r->n = (uint8_t)moved;
	x->n = (uint8_t)from;
}

/* x (private, full) gets (key, ptr) at pos by splitting; returns the new right half.
 * `left` is how many of the MK_FANOUT + 1 entries stay in x. */
static struct mk_node *split(struct mk_txn *tx, struct mk_node *x, unsigned pos,
			     resource_size_t key, void *ptr, unsigned left)
{
	struct mk_node *r = take(tx, x->leaf);

	if (pos < left) {
		move_tail(r, x, left - 1);
		place(x, pos, key, ptr);
	} else {
		move_tail(r, x, left);
		place(r, pos - left, key, ptr);
	}
	return r;
}

struct mk_node *mk_find_path(struct mk_node *x, resource_size_t key, struct mk_path *p)
{
	p->h = 0;
	p->left_edge = p->right_edge = true;
	if (!x)
		return p->leaf = NULL;
	while (!x->leaf) {
		/* a key below the family's minimum goes down the first child */
		unsigned i = kids_slot_search(x->key, x->n, key);

		if (p->h == MK_MAX_HEIGHT)
			broken("taller than MK_MAX_HEIGHT");
		p->left_edge &= i == 0;
		p->right_edge &= i + 1u == x->n;
		p->node[p->h] = x;
		p->slot[p->h++] = i;
		x = mk_child(x, i);
	}
	return p->leaf = x;
}

bool mk_path_next_key(const struct mk_path *p, unsigned i, resource_size_t *key)
{
	i++;
	if (mk_value_fwd(p->leaf, &i)) {
		*key = p->leaf->key[i];
		return true;
	}
	/* the deepest turn with a subtree to its right: that subtree's minimum is its key */
	for (unsigned h = p->h; h--;) {
		if (p->slot[h] + 1u < p->node[h]->n) {
			*key = p->node[h]->key[p->slot[h] + 1];
			return true;
		}
	}
	return false;
}

/* x (private, full) gets (key, ptr) at pos; returns the node split off to its right. In
 * the middle both halves keep room for what comes next; at the family's edges a fill in
 * address order (dumps, the benchmarks) keeps coming to the same edge, so there the old
 * node stays full and the new one starts nearly empty, and such fills pack. */
static struct mk_node *split_at(struct mk_txn *tx, const struct mk_path *p, struct mk_node *x,
				unsigned pos, resource_size_t key, void *ptr)
{
	unsigned left = (MK_FANOUT + 1) / 2;

	/* a new first leaf entry, or the half split off the first child; a new last one */
	if (p->left_edge && pos == !x->leaf)
		left = pos + 1;
	else if (p->right_edge && pos == x->n)
		left = x->n;
	return split(tx, x, pos, key, ptr, left);
}

/* Whether x, p's child i and nearly empty, will absorb a neighbour. */
static bool absorbs(const struct mk_node *p, unsigned i, const struct mk_node *x)
{
	if (x->n > MK_MERGE_AT)
		return false;
	return (i > 0 && mk_child(p, i - 1)->n + x->n <= MK_FANOUT) ||
	       (i + 1u < p->n && mk_child(p, i + 1)->n + x->n <= MK_FANOUT);
}

/* x = p's child pi, private and nearly empty, absorbs a neighbour when both fit in one
 * node. Moving the neighbour's entries into x, rather than x's into the neighbour,
 * writes only nodes the transaction owns: a removal needs no node it did not reserve. */
static void absorb(struct mk_txn *tx, struct mk_node *p, unsigned pi)
{
	void **pp = mk_ptrs(p), **xp;
	struct mk_node *x = pp[pi], *y;

	xp = mk_ptrs(x);
	if (pi > 0 && (y = pp[pi - 1])->n + x->n <= MK_FANOUT) {
		unsigned n = x->n, live = y->n - cleared_in(y);

		/* y's values before x's: x's move right, then y's come in from slot 0 */
		memmove(&x->key[live], x->key, n * sizeof(*x->key));
		memmove(&xp[live], xp, n * sizeof(*xp));
		x->n = 0;
		append_live(x, y);
		x->n = (uint8_t)(n + live);
		cut(p, pi - 1);
		p->key[pi - 1] = x->key[0];
		drop(tx, y);
	} else if (pi + 1u < p->n && (y = pp[pi + 1])->n + x->n <= MK_FANOUT) {
		append_live(x, y);
		cut(p, pi + 1);
		drop(tx, y);
	}
}

static void set_root(struct mk_txn *tx, struct mk_node **rootp, struct mk_node *root)
{
	if (tx->publish)
		mk_publish(rootp, root);
	else
		*rootp = root;
}

/* The leaf at the bottom of the path changed: c is its new version (private; NULL when it
 * emptied) and r a node split off to its right (private, or NULL). Hands the change up:
 * every ancestor whose keys or entries change is made private, bottom up, and the first
 * one whose only change is the pointer to its changed child is not copied at all. In a
 * publishing transaction that pointer is stored in place, with release: the child's new
 * version covers exactly the keys the old one did (same minimum, so the ancestor's keys
 * stay right), and the store is the one that makes the whole change visible. Otherwise
 * the change reaches the root, which is published (or handed to the caller). */
static void propagate(struct mk_txn *tx, struct mk_node **rootp, const struct mk_path *p,
		      struct mk_node *c, struct mk_node *r)
{
	unsigned h = p->h;

	while (h) {
		struct mk_node *q = p->node[--h], *qc;
		unsigned i = p->slot[h];

		if (c && !r && c->key[0] == q->key[i] && !absorbs(q, i, c)) {
			if (is_private(tx, q)) {
				mk_ptrs(q)[i] = c;
				return;
			}
			if (tx->publish) {
				__atomic_store_n(&mk_ptrs(q)[i], c, __ATOMIC_RELEASE);
				return;
			}
		}
		qc = own(tx, q, false);
		if (!c) {
			cut(qc, i);
		} else {
			mk_ptrs(qc)[i] = c;
			qc->key[i] = c->key[0];
			if (r && qc->n < qc->cap) {
				place(qc, i + 1, r->key[0], r);
				r = NULL;
			} else if (r) {
				r = split_at(tx, p, qc, i + 1, r->key[0], r);
			} else if (c->n <= MK_MERGE_AT) {
				absorb(tx, qc, i);
			}
		}
		c = qc;
		if (!c->n) {
			drop(tx, c);
			c = NULL;
		}
	}
	if (r) {
		struct mk_node *root = take(tx, false);

		place(root, 0, c->key[0], c);
		place(root, 1, r->key[0], r);
		c = root;
	}
	/* a root with one child gives way to it */
	while (c && !c->leaf && c->n == 1) {
		struct mk_node *only = mk_ptrs(c)[0];

		drop(tx, c);
		c = only;
	}
	set_root(tx, rootp, c);
}

void mk_insert_at(struct mk_txn *tx, struct mk_node **rootp, const struct mk_path *p,
		  resource_size_t key, void *val)
{
	struct mk_node *x = p->leaf, *c, *r = NULL;
	unsigned pos;

	if (!x) {
		c = small_leaf(tx, 1);
		place(c, 0, key, val);
		set_root(tx, rootp, c);
		return;
	}
	/* Below the root only a family's smallest key lands first in a leaf: every inner key
	 * is its subtree's minimum. The position is taken in the copy, which has left x's
	 * cleared slots behind (one of them may have had this key). */
	c = own(tx, x, !p->h);
	pos = key < c->key[0] ? 0 : kids_slot_search(c->key, c->n, key) + 1;
	if (c->n < c->cap)
		place(c, pos, key, val);
	else
		r = split_at(tx, p, c, pos, key, val);
	propagate(tx, rootp, p, c, r);
}

void mk_insert(struct mk_txn *tx, struct mk_node **rootp, resource_size_t key, void *val)
{
	struct mk_path p;

	mk_find_path(*rootp, key, &p);
	mk_insert_at(tx, rootp, &p, key, val);
}

void mk_remove_at(struct mk_txn *tx, struct mk_node **rootp, const struct mk_path *p,
		  resource_size_t key)
{
	struct mk_node *c = own(tx, p->leaf, false);

	cut(c, kids_slot_search(c->key, c->n, key));
	if (!c->n) {
		drop(tx, c);
		c = NULL;
	}
	propagate(tx, rootp, p, c, NULL);
}

bool mk_fill_at(const struct mk_path *p, resource_size_t key, void *val)
{
	struct mk_node *x = p->leaf;
	unsigned i;

	if (!x || x->key[0] > key)
		return false;
	i = kids_slot_search(x->key, x->n, key);
	if (x->key[i] != key || mk_ptrs(x)[i])
		return false;
	/* Release: the resource val points to is complete before a reader that loads it
	 * (mk_value, acquire) reads it. */
	__atomic_store_n(&mk_ptrs(x)[i], val, __ATOMIC_RELEASE);
	return true;
}

bool mk_clear_at(const struct mk_path *p, resource_size_t key)
{
	struct mk_node *x = p->leaf;
	unsigned i = kids_slot_search(x->key, x->n, key);

	/* The first slot stays, so that a search backwards ends in its leaf; the last, so
	 * that a key moved to a neighbouring leaf's edge never passes a cleared one (a leaf's
	 * keys lie between its first and last values'). At most half the slots are cleared,
	 * so the index holds at most twice the keys of the values it has. */
	if (i == 0 || i + 1u == x->n || x->key[i] != key || !mk_ptrs(x)[i])
		return false;
	if (2 * (cleared_in(x) + 1) > x->n)
		return false;
	/* Release, for the writes before it (whose nodes a reader that meets the cleared
	 * slot may go on to read); a reader that still loads the value reads a child that
	 * stays whole until a grace period after this write. */
	__atomic_store_n(&mk_ptrs(x)[i], NULL, __ATOMIC_RELEASE);
	return true;
}

void mk_remove(struct mk_txn *tx, struct mk_node **rootp, resource_size_t key)
{
	struct mk_path p;

	mk_find_path(*rootp, key, &p);
	mk_remove_at(tx, rootp, &p, key);
}

void mk_rekey(struct mk_txn *tx, struct mk_node **rootp, resource_size_t old,
	      resource_size_t new, void *val)
{
	struct mk_path p;
	struct mk_node *c = own(tx, mk_find_path(*rootp, old, &p), false);
	unsigned i = kids_slot_search(c->key, c->n, old);

	c->key[i] = new;
	mk_ptrs(c)[i] = val;
	propagate(tx, rootp, &p, c, NULL);
}

static struct mk_node *clone(struct mk_txn *tx, const struct mk_node *x)
{
	struct mk_node *c = x->cap < MK_FANOUT ? small_leaf(tx, x->cap) : take(tx, x->leaf);

	copy_entries(c, x);
	if (!x->leaf)
		for (unsigned i = 0; i < x->n; i++)
			mk_ptrs(c)[i] = clone(tx, mk_ptrs(x)[i]);
	return c;
}

struct mk_node *mk_clone(struct mk_txn *tx, const struct mk_node *root)
{
	return root ? clone(tx, root) : NULL;
}

void mk_free_retired(struct mk_node *x)
{
	while (x) {
		struct mk_node *next = x->next_retired;

		iomem_node_free(x);
		x = next;
	}
}

void mk_destroy(struct mk_node *x)
{
	if (!x)
		return;
	if (!x->leaf)
		for (unsigned i = 0; i < x->n; i++)
			mk_destroy(mk_ptrs(x)[i]);
	iomem_node_free(x);
}

struct check {
	size_t values;
	int leaf_depth;
	const char *err;
};

/* Checks the subtree at x; *max gets its greatest key. */
static void check_node(const struct mk_node *x, bool is_root, int depth, struct check *c,
		       resource_size_t *max)
{
	if (!x->n || x->n > x->cap || x->cap > MK_FANOUT) {
		c->err = "a node's count is 0 or above its capacity";
		return;
	}
	if ((!is_root || !x->leaf) && x->cap != MK_FANOUT) {
		c->err = "a small node that is not the root leaf";
		return;
	}
	for (unsigned i = 1; i < x->n; i++)
		if (x->key[i - 1] >= x->key[i]) {
			c->err = "keys out of order";
			return;
		}
	*max = x->key[x->n - 1];
	if (x->leaf) {
		unsigned cleared = cleared_in(x);

		if (c->leaf_depth < 0)
			c->leaf_depth = depth;
		else if (c->leaf_depth != depth)
			c->err = "leaves at different depths";
		if (!mk_ptrs(x)[0] || !mk_ptrs(x)[x->n - 1u])
			c->err = "a leaf's first or last slot cleared";
		else if (2 * cleared > x->n)
			c->err = "a leaf more than half cleared";
		c->values += x->n - cleared;
		return;
	}
	for (unsigned i = 0; i < x->n && !c->err; i++) {
		const struct mk_node *child = mk_ptrs(x)[i];

		if (child->key[0] != x->key[i]) {
			c->err = "an inner key is not its subtree's minimum";
			return;
		}
		check_node(child, false, depth + 1, c, max);
		if (!c->err && i + 1u < x->n && *max >= x->key[i + 1])
			c->err = "a subtree's keys reach its right neighbour's";
	}
}

const char *mk_check(const struct mk_node *root, size_t n)
{
	struct check c = { .leaf_depth = -1 };
	resource_size_t max;

	if (root)
		check_node(root, true, 0, &c, &max);
	if (!c.err && c.values != n)
		c.err = "the index holds a different number of values";
	return c.err;
}
