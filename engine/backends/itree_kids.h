/* SPDX-License-Identifier: MIT */
/* The itree backend's index of one parent's children: a B+tree from start address to
 * child, with up to KIDS_FANOUT entries per node. Siblings never overlap, so their starts
 * are distinct keys and "the child at or before addr" answers every question about a
 * range. A node keeps its keys apart from its pointers, so a descent reads two cache lines
 * of keys per level and then one pointer: a few dependent cache misses where a binary tree
 * of the same children takes one per level.
 *
 * Every key of an inner node is the exact minimum of the subtree under it, so a descent
 * never backtracks. A parent with few children gets a small root leaf (room for 1, 3, 7,
 * then KIDS_FANOUT entries), so childless and small families cost little.
 *
 * Writers never fail half-way: like the kernel's maple tree (mas_preallocate), a write
 * first reserves the nodes it may need in a kids_pool (kids_reserve), outside any change,
 * and inserts then take nodes only from there. Removals never allocate. Readers and
 * writers are serialized by the caller (the itree backend's lock). */
#ifndef IOMEM_ITREE_KIDS_H
#define IOMEM_ITREE_KIDS_H

#include <stdbool.h>
#include <stddef.h>

#include "iomem/iomem.h"
#include "kids_slot.h"

#define KIDS_FANOUT 15	/* 8 + 15 * 16 bytes: a 256-byte node, four cache lines */

struct kids_node {
	unsigned char n, cap;
	bool leaf;
	/* cap keys, then cap pointers (children, or the values in a leaf) */
	resource_size_t key[];
};

struct kids {
	struct kids_node *root;
};

/* Spare full-size nodes for writers, and the greatest height any tree using it reached
 * (a bound for what one insert may split). */
struct kids_pool {
	struct kids_node *spare;	/* a list threaded through key[0] */
	unsigned nr_spare, max_height;
};

static inline void **kids_ptrs(const struct kids_node *x)
{
	return (void **)(x->key + x->cap);
}

/* The index of the last key <= addr in x, given key[0] <= addr. */
static inline unsigned kids_slot(const struct kids_node *x, resource_size_t addr)
{
	return kids_slot_search(x->key, x->n, addr);
}

/* The value with the greatest key <= addr, or NULL. */
static inline void *kids_at_or_before(const struct kids *k, resource_size_t addr)
{
	const struct kids_node *x = k->root;

	if (!x || x->key[0] > addr)
		return NULL;
	while (!x->leaf)
		x = kids_ptrs(x)[kids_slot(x, addr)];
	return kids_ptrs(x)[kids_slot(x, addr)];
}

static inline bool kids_empty(const struct kids *k)
{
	return !k->root;
}

/* True when key would be the smallest (the root's first key is the minimum). */
static inline bool kids_below_all(const struct kids *k, resource_size_t key)
{
	return !k->root || key < k->root->key[0];
}

void *kids_first(const struct kids *k);
void *kids_last(const struct kids *k);
/* The value with the greatest key < addr, or NULL. */
void *kids_before(const struct kids *k, resource_size_t addr);

/* Makes sure the pool holds what `inserts` more inserts into trees no taller than
 * pool->max_height (plus extra) may take. 0, or -ENOMEM with nothing changed. */
int kids_reserve(struct kids_pool *pool, unsigned inserts, unsigned extra);
/* Gives spare nodes beyond a small stock back to the allocator. */
void kids_pool_trim(struct kids_pool *pool);
/* Gives back the spares beyond the first keep: a write that fails restores the pool to
 * what it held when the write began (pool->nr_spare then), so that it changes nothing. */
void kids_pool_restore(struct kids_pool *pool, unsigned keep);
void kids_pool_destroy(struct kids_pool *pool);

/* Adds key -> val; key must not be present. Takes nodes from the pool (see kids_reserve).
 * Returns the value before it (greatest key < key), or NULL: found on the way down. */
void *kids_insert(struct kids_pool *pool, struct kids *k, resource_size_t key, void *val);
/* Removes key, which must be present. Returns the value before it, or NULL. */
void *kids_remove(struct kids_pool *pool, struct kids *k, resource_size_t key);
/* Changes key old (present) to new, which must sort between the same neighbours. */
void kids_rekey(struct kids *k, resource_size_t old, resource_size_t new);
/* Frees the index's nodes (not the values). */
void kids_destroy(struct kids *k);
/* Empties the index (not the values): its full-size nodes go to the pool, where the
 * writers' reservations came from, the smaller ones to the allocator. */
void kids_release(struct kids_pool *pool, struct kids *k);

/* Checks the structure (key order, exact minimums, counts, leaf depth) and that it holds
 * exactly n values. NULL, or what is wrong. For tests. */
const char *kids_check(const struct kids *k, size_t n);

#endif
