/* SPDX-License-Identifier: MIT */
#include "itree_kids.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_alloc.h"

/* Far above what 2^64 keys need even in half-empty nodes. */
#define KIDS_MAX_HEIGHT 32
/* A node this empty after a removal joins a neighbour when both fit in one node. */
#define KIDS_MERGE_AT (KIDS_FANOUT / 3)
/* Spare nodes a pool keeps between writes. */
#define KIDS_POOL_STOCK 64

static size_t node_bytes(unsigned cap)
{
	return sizeof(struct kids_node) + cap * (sizeof(resource_size_t) + sizeof(void *));
}

static struct kids_node *node_new(unsigned cap)
{
	const char *no_name;
	struct kids_node *x = iomem_node_alloc(node_bytes(cap), NULL, &no_name);

	if (x)
		x->cap = (unsigned char)cap;
	return x;
}

static _Noreturn void reserve_broken(void)
{
	fprintf(stderr, "iomem: itree index ran out of reserved nodes\n");
	abort();
}

/* A full-size node from the pool. The writer reserved it, so running dry is a bug here,
 * not a condition to report. */
static struct kids_node *take(struct kids_pool *pool, bool leaf)
{
	struct kids_node *x = pool->spare;

	if (x) {
		pool->spare = (struct kids_node *)(uintptr_t)x->key[0];
		pool->nr_spare--;
	} else if (!(x = node_new(KIDS_FANOUT))) {
		reserve_broken();
	}
	x->n = 0;
	x->cap = KIDS_FANOUT;
	x->leaf = leaf;
	return x;
}

static void give_back(struct kids_pool *pool, struct kids_node *x)
{
	if (x->cap != KIDS_FANOUT) {
		iomem_node_free(x);
		return;
	}
	x->key[0] = (uintptr_t)pool->spare;
	pool->spare = x;
	pool->nr_spare++;
}

/* A root leaf with room for cap entries: a small one from the allocator when it has
 * memory, else a full one from the reserve. */
static struct kids_node *small_leaf(struct kids_pool *pool, unsigned cap)
{
	struct kids_node *x = cap < KIDS_FANOUT ? node_new(cap) : NULL;

	if (!x)
		return take(pool, true);
	x->n = 0;
	x->leaf = true;
	return x;
}

void kids_pool_restore(struct kids_pool *pool, unsigned keep)
{
	while (pool->nr_spare > keep) {
		struct kids_node *x = pool->spare;

		pool->spare = (struct kids_node *)(uintptr_t)x->key[0];
		pool->nr_spare--;
		iomem_node_free(x);
	}
}

/* Nodes one insert may take in the worst case. */
static unsigned insert_need(const struct kids_pool *pool)
{
	return pool->max_height + 2;
}

int kids_reserve(struct kids_pool *pool, unsigned inserts, unsigned extra)
{
	size_t need = (size_t)inserts * insert_need(pool) + extra;
	unsigned had = pool->nr_spare;

	while (pool->nr_spare < need) {
		struct kids_node *x = node_new(KIDS_FANOUT);

		if (!x) {
			kids_pool_restore(pool, had);	/* nothing changed */
			return -ENOMEM;
		}
		give_back(pool, x);
	}
	return 0;
}

void kids_pool_trim(struct kids_pool *pool)
{
	kids_pool_restore(pool, KIDS_POOL_STOCK);
}

void kids_pool_destroy(struct kids_pool *pool)
{
	kids_pool_restore(pool, 0);
}

void *kids_first(const struct kids *k)
{
	const struct kids_node *x = k->root;

	if (!x)
		return NULL;
	while (!x->leaf)
		x = kids_ptrs(x)[0];
	return kids_ptrs(x)[0];
}

void *kids_last(const struct kids *k)
{
	const struct kids_node *x = k->root;

	if (!x)
		return NULL;
	while (!x->leaf)
		x = kids_ptrs(x)[x->n - 1];
	return kids_ptrs(x)[x->n - 1];
}

void *kids_before(const struct kids *k, resource_size_t addr)
{
	return addr ? kids_at_or_before(k, addr - 1) : NULL;
}

static void put_at(struct kids_node *x, unsigned pos, resource_size_t key, void *ptr)
{
	void **p = kids_ptrs(x);

	memmove(&x->key[pos + 1], &x->key[pos], (x->n - pos) * sizeof(*x->key));
	memmove(&p[pos + 1], &p[pos], (x->n - pos) * sizeof(*p));
	x->key[pos] = key;
	p[pos] = ptr;
	x->n++;
}

static void cut_at(struct kids_node *x, unsigned pos)
{
	void **p = kids_ptrs(x);

	memmove(&x->key[pos], &x->key[pos + 1], (x->n - pos - 1) * sizeof(*x->key));
	memmove(&p[pos], &p[pos + 1], (x->n - pos - 1) * sizeof(*p));
	x->n--;
}

/* Moves all of from's entries to the end of to. */
static void append_all(struct kids_node *to, const struct kids_node *from)
{
	memcpy(&to->key[to->n], from->key, from->n * sizeof(*to->key));
	memcpy(&kids_ptrs(to)[to->n], kids_ptrs(from), from->n * sizeof(void *));
	to->n += from->n;
}

/* The root leaf k->root, full below KIDS_FANOUT, moved to a bigger node. */
static struct kids_node *grow(struct kids_pool *pool, struct kids *k)
{
	struct kids_node *old = k->root, *x = small_leaf(pool, old->cap * 2u + 1);

	append_all(x, old);
	iomem_node_free(old);
	k->root = x;
	return x;
}

enum split_at { SPLIT_MIDDLE, SPLIT_AT_START, SPLIT_AT_END };

/* Inserts (key, ptr) at pos into the full node x by splitting it; returns the new right
 * half. Growing the tree at its very end (or start) leaves the old nodes full, so trees
 * built in address order, either way, come out packed. */
static struct kids_node *split(struct kids_pool *pool, struct kids_node *x, unsigned pos,
			       resource_size_t key, void *ptr, enum split_at where)
{
	struct kids_node *right = take(pool, x->leaf);
	unsigned keep = where == SPLIT_AT_END ? KIDS_FANOUT :
			where == SPLIT_AT_START ? pos + 1 : (KIDS_FANOUT + 1) / 2;
	void **xp = kids_ptrs(x), **rp = kids_ptrs(right);

	if (pos < keep) {
		/* the new entry stays left: the last n - (keep - 1) move right */
		unsigned moved = x->n - (keep - 1);

		memcpy(right->key, &x->key[keep - 1], moved * sizeof(*x->key));
		memcpy(rp, &xp[keep - 1], moved * sizeof(*rp));
		right->n = (unsigned char)moved;
		x->n = (unsigned char)(keep - 1);
		put_at(x, pos, key, ptr);
	} else {
		unsigned moved = x->n - keep;

		memcpy(right->key, &x->key[keep], moved * sizeof(*x->key));
		memcpy(rp, &xp[keep], moved * sizeof(*rp));
		right->n = (unsigned char)moved;
		x->n = (unsigned char)keep;
		put_at(right, pos - keep, key, ptr);
	}
	return right;
}

void *kids_insert(struct kids_pool *pool, struct kids *k, resource_size_t key, void *val)
{
	struct kids_node *path[KIDS_MAX_HEIGHT], *x = k->root, *right;
	unsigned idx[KIDS_MAX_HEIGHT], h = 0, pos;
	bool leftmost = true, rightmost = true;
	void *prev;

	if (!x) {
		x = k->root = small_leaf(pool, 1);
		put_at(x, 0, key, val);
		if (!pool->max_height)
			pool->max_height = 1;
		return NULL;
	}
	while (!x->leaf) {
		unsigned i = 0;

		if (key < x->key[0])
			x->key[0] = key;	/* a new minimum of the subtree */
		else
			i = kids_slot(x, key);
		leftmost &= i == 0;
		rightmost &= i == x->n - 1u;
		path[h] = x;
		idx[h++] = i;
		x = kids_ptrs(x)[i];
	}
	pos = key < x->key[0] ? 0 : kids_slot(x, key) + 1;
	/* Only the smallest key lands first in its leaf: the inner keys are exact minimums. */
	prev = pos ? kids_ptrs(x)[pos - 1] : NULL;
	if (x->n == x->cap && x->cap < KIDS_FANOUT)
		x = grow(pool, k);
	for (;;) {
		if (x->n < x->cap) {
			put_at(x, pos, key, val);
			return prev;
		}
		/* at the start: a new first leaf entry, or the half split off the first child */
		if (leftmost && pos == !x->leaf)
			right = split(pool, x, pos, key, val, SPLIT_AT_START);
		else
			right = split(pool, x, pos, key, val,
				      rightmost && pos == x->n ? SPLIT_AT_END : SPLIT_MIDDLE);
		key = right->key[0];
		val = right;
		if (!h)
			break;
		x = path[--h];
		pos = idx[h] + 1;
	}
	/* The root split: a new root above the two halves. */
	x = take(pool, false);
	put_at(x, 0, k->root->key[0], k->root);
	put_at(x, 1, key, val);
	k->root = x;
	for (h = 1; !x->leaf; h++)
		x = kids_ptrs(x)[0];
	if (h >= KIDS_MAX_HEIGHT)
		reserve_broken();
	if (h > pool->max_height)
		pool->max_height = h;
	return prev;
}

/* x = p's child pi is nearly empty: join it with a neighbour when both fit in one node. */
static void merge_small(struct kids_pool *pool, struct kids_node *p, unsigned pi)
{
	void **pp = kids_ptrs(p);
	struct kids_node *x = pp[pi];

	if (pi > 0 && ((struct kids_node *)pp[pi - 1])->n + x->n <= KIDS_FANOUT) {
		append_all(pp[pi - 1], x);
		give_back(pool, x);
		cut_at(p, pi);
	} else if (pi + 1u < p->n && ((struct kids_node *)pp[pi + 1])->n + x->n <= KIDS_FANOUT) {
		append_all(x, pp[pi + 1]);
		give_back(pool, pp[pi + 1]);
		cut_at(p, pi + 1);
	}
}

/* The greatest value left of the path's leaf, or NULL: the last value of the subtree just
 * left of the lowest turn the path took away from a first child. */
static void *left_of_path(struct kids_node *const *path, const unsigned *idx, unsigned h)
{
	const struct kids_node *x;

	while (h && !idx[h - 1])
		h--;
	if (!h)
		return NULL;
	for (x = kids_ptrs(path[h - 1])[idx[h - 1] - 1]; !x->leaf; x = kids_ptrs(x)[x->n - 1])
		;
	return kids_ptrs(x)[x->n - 1];
}

void *kids_remove(struct kids_pool *pool, struct kids *k, resource_size_t key)
{
	struct kids_node *path[KIDS_MAX_HEIGHT], *x = k->root;
	unsigned idx[KIDS_MAX_HEIGHT], h = 0, i;
	void *prev;

	while (!x->leaf) {
		i = kids_slot(x, key);
		path[h] = x;
		idx[h++] = i;
		x = kids_ptrs(x)[i];
	}
	i = kids_slot(x, key);
	prev = i ? kids_ptrs(x)[i - 1] : left_of_path(path, idx, h);
	cut_at(x, i);
	while (h) {
		struct kids_node *p = path[--h];
		unsigned pi = idx[h];

		if (!x->n) {
			give_back(pool, x);
			cut_at(p, pi);
		} else {
			p->key[pi] = x->key[0];
			if (x->n <= KIDS_MERGE_AT)
				merge_small(pool, p, pi);
		}
		x = p;
	}
	if (!x->n) {
		give_back(pool, x);
		k->root = NULL;
		return prev;
	}
	while (!x->leaf && x->n == 1) {
		k->root = kids_ptrs(x)[0];
		give_back(pool, x);
		x = k->root;
	}
	return prev;
}

void kids_rekey(struct kids *k, resource_size_t old, resource_size_t new)
{
	struct kids_node *x = k->root;

	for (;;) {
		unsigned i = kids_slot(x, old);

		/* exact minimums: the key equals old only where old is the subtree's minimum */
		if (x->key[i] == old)
			x->key[i] = new;
		if (x->leaf)
			return;
		x = kids_ptrs(x)[i];
	}
}

static void destroy_node(struct kids_node *x)
{
	if (!x->leaf)
		for (unsigned i = 0; i < x->n; i++)
			destroy_node(kids_ptrs(x)[i]);
	iomem_node_free(x);
}

void kids_destroy(struct kids *k)
{
	if (k->root)
		destroy_node(k->root);
	k->root = NULL;
}

static void release_node(struct kids_pool *pool, struct kids_node *x)
{
	if (!x->leaf)
		for (unsigned i = 0; i < x->n; i++)
			release_node(pool, kids_ptrs(x)[i]);
	give_back(pool, x);
}

void kids_release(struct kids_pool *pool, struct kids *k)
{
	if (k->root)
		release_node(pool, k->root);
	k->root = NULL;
}

struct check {
	size_t values;
	int leaf_depth;
	const char *err;
};

/* Checks the subtree at x; *max gets its greatest key. */
static void check_node(const struct kids_node *x, bool is_root, int depth, struct check *c,
		       resource_size_t *max)
{
	if (!x->n || x->n > x->cap || x->cap > KIDS_FANOUT) {
		c->err = "a node's count is 0 or above its capacity";
		return;
	}
	if (!is_root && x->cap != KIDS_FANOUT) {
		c->err = "a small node below the root";
		return;
	}
	for (unsigned i = 1; i < x->n; i++)
		if (x->key[i - 1] >= x->key[i]) {
			c->err = "keys out of order";
			return;
		}
	*max = x->key[x->n - 1];
	if (x->leaf) {
		if (c->leaf_depth < 0)
			c->leaf_depth = depth;
		else if (c->leaf_depth != depth)
			c->err = "leaves at different depths";
		for (unsigned i = 0; i < x->n; i++)
			if (!kids_ptrs(x)[i])
				c->err = "a NULL value";
		c->values += x->n;
		return;
	}
	for (unsigned i = 0; i < x->n && !c->err; i++) {
		const struct kids_node *child = kids_ptrs(x)[i];

		if (child->key[0] != x->key[i]) {
			c->err = "an inner key is not its subtree's minimum";
			return;
		}
		check_node(child, false, depth + 1, c, max);
		if (!c->err && i + 1u < x->n && *max >= x->key[i + 1])
			c->err = "a subtree's keys reach its right neighbour's";
	}
}

const char *kids_check(const struct kids *k, size_t n)
{
	struct check c = { .leaf_depth = -1 };
	resource_size_t max;

	if (k->root)
		check_node(k->root, true, 0, &c, &max);
	if (!c.err && c.values != n)
		c.err = "the index holds a different number of values";
	return c.err;
}
