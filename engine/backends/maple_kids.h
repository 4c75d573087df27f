/* SPDX-License-Identifier: MIT */
/* The maple backend's index of one parent's children: a copy-on-write B+tree from start
 * address to child, read without any lock while one writer at a time changes it.
 *
 * Siblings never overlap, so their starts are distinct keys and "the child at or before
 * addr" answers every question about a range. Nodes are laid out for cache lines: a
 * 16-byte header, then the keys, then the pointers; a full node (MK_FANOUT entries) is 240
 * bytes, served from the 256-byte size class, and its header and keys fill exactly its
 * first two cache lines, which a descent fetches together and compares without branches
 * (kids_slot.h) before it reads one pointer. Every key of an inner node is the exact
 * minimum of the subtree under it, so a descent never backtracks. A family of a few
 * children gets a small root leaf (room for 1, 3, 7, then MK_FANOUT entries).
 *
 * Readers. A node, once a reader can reach it, never changes: a writer copies every node
 * it changes (the path from the family's root down, and whatever splits or joins there),
 * builds the new version privately and publishes it with one release store of the new
 * root into the owner's root pointer. A reader loads that pointer once with acquire and
 * then descends, or iterates, a version no one will ever modify: it needs no lock, no
 * retry and no validation, and every answer it gets from one root is from one moment of
 * the family. The nodes a write replaced are handed to the caller, which frees them after
 * an RCU grace period; they stay intact until then.
 *
 * Writers are serialized by the caller and work in transactions (struct mk_txn): a node
 * made in the current transaction is private (no reader can reach it yet) and is changed
 * in place, so several changes to one family in one transaction copy each node at most
 * once, and all of them appear with the one store. Like the kernel's maple tree
 * (mas_preallocate, docs/kernel-model.md §5.6), a write first reserves every node it may
 * need (mk_reserve, sized by the mk_need_* functions) and takes nodes only from there, so
 * an allocation failure happens before anything has changed. */
#ifndef ENGINE_BACKENDS_MAPLE_KIDS_H
#define ENGINE_BACKENDS_MAPLE_KIDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iomem/iomem.h"
#include "kids_slot.h"

#define MK_FANOUT 14	/* 16 + 14 * 16 = 240 bytes: the header and keys in two lines */

struct mk_node {
	uint8_t n, cap;		/* entries, room */
	bool leaf;
	union {
		/* Writers only. Live: the transaction that made the node. Retired: the next
		 * node of its transaction's list of nodes to free. Readers never read it, so
		 * linking a retired node while readers still walk it races with nothing. */
		uint64_t gen;
		struct mk_node *next_retired;
	};
	/* cap keys, then cap pointers (children, or the values in a leaf) */
	resource_size_t key[];
};

_Static_assert(sizeof(struct mk_node) == 16, "the header is 16 bytes: keys end at byte 128");

static inline void **mk_ptrs(const struct mk_node *x)
{
	return (void **)(x->key + x->cap);
}

/* --- Readers, under rcu_read_lock (or the writer, under its lock). */

/* The published root of a family. The acquire pairs with mk_publish's release: whatever
 * the writer stored into the nodes before publishing them is visible to the loads that
 * follow, through any number of levels (on arm64 as on x86: an acquire orders every later
 * load after it). Nodes reached from a root are immutable, so every load below it is a
 * plain one. */
static inline struct mk_node *mk_load(struct mk_node *const *rootp)
{
	return __atomic_load_n(rootp, __ATOMIC_ACQUIRE);
}

/* Makes a write's new root visible. Release: every store that built the new nodes (and
 * the values they point to) is ordered before the pointer that reaches them. */
static inline void mk_publish(struct mk_node **rootp, struct mk_node *root)
{
	__atomic_store_n(rootp, root, __ATOMIC_RELEASE);
}

/* The value with the greatest key <= addr under root, or NULL. */
static inline void *mk_at_or_before(const struct mk_node *x, resource_size_t addr)
{
	if (!x || x->key[0] > addr)
		return NULL;
	while (!x->leaf)
		x = mk_ptrs(x)[kids_slot_search(x->key, x->n, addr)];
	return mk_ptrs(x)[kids_slot_search(x->key, x->n, addr)];
}

/* An in-order cursor over one version of a family: its root, and where it is in a leaf.
 * Leaving a leaf finds the next one by a descent from the same root, so the cursor needs
 * no stack and sees exactly that version, whatever writers publish meanwhile. */
struct mk_iter {
	const struct mk_node *root, *leaf;
	unsigned slot;
};

/* Positions it at the greatest key <= addr, or at the first entry when every key is
 * greater. The value there, or NULL for an empty family. */
void *mk_iter_seek(struct mk_iter *it, const struct mk_node *root, resource_size_t addr);
/* Positions it at the first entry: its value, or NULL. */
void *mk_iter_first(struct mk_iter *it, const struct mk_node *root);
void *mk_iter_next_leaf(struct mk_iter *it);

/* The value after the cursor's, or NULL at the end (where it stays). */
static inline void *mk_iter_next(struct mk_iter *it)
{
	if (!it->leaf)
		return NULL;
	if (++it->slot < it->leaf->n)
		return mk_ptrs(it->leaf)[it->slot];
	return mk_iter_next_leaf(it);
}

void *mk_first(const struct mk_node *root);
void *mk_last(const struct mk_node *root);
/* Levels from the root to the leaves; 0 for an empty family. */
unsigned mk_height(const struct mk_node *root);

/* --- Writers, serialized by the caller. */

/* Spare full-size nodes, reserved by writers before they change anything. An array, so
 * that taking one does not read the node: a spare is cold (the allocator's, or freed long
 * ago), and a list through the nodes would cost a cache miss per node before its copy
 * could even start. */
struct mk_pool {
	struct mk_node **spare;	/* spare[0..nr_spare) */
	size_t nr_spare, cap;
	size_t overdrawn;	/* nodes taken past the reservation: a bound too low (tests) */
};

/* A transaction lists the full-size published nodes it replaces in the caller's array,
 * and the rest (small root leaves, and whatever does not fit) through next_retired: an
 * array spares whoever frees them a cache miss per node to find the next one. */
struct mk_txn {
	struct mk_pool *pool;
	uint64_t gen;		/* nodes with this gen are this transaction's own */
	struct mk_node **ret;	/* replaced published nodes: ret[0..nr_ret) ... */
	unsigned nr_ret, cap_ret;
	struct mk_node *retired;	/* ... and the rest, through next_retired */
};

/* Nodes a write may take, in the worst case, for: one insert; one removal; one rekey;
 * removing every key in [lo, hi] of the family (after a rekey inside it); inserting k
 * keys in ascending order right after one existing key; building a new family of k keys
 * in ascending order. */
size_t mk_need_insert(const struct mk_node *root);
size_t mk_need_remove(const struct mk_node *root);
size_t mk_need_rekey(const struct mk_node *root);
size_t mk_need_remove_span(const struct mk_node *root, resource_size_t lo, resource_size_t hi);
size_t mk_need_insert_run(const struct mk_node *root, size_t k);
size_t mk_need_build(size_t k);

/* Makes sure the pool holds `nodes` spares. 0, or -ENOMEM with nothing changed. */
int mk_reserve(struct mk_pool *pool, size_t nodes);
/* Gives spares beyond a small stock back to the allocator. */
void mk_pool_trim(struct mk_pool *pool);
void mk_pool_destroy(struct mk_pool *pool);

/* Starts a transaction whose nodes are marked gen, which must be greater than that of
 * every transaction before it on the same nodes; what it replaces goes to ret[0..cap)
 * first (ret may be NULL with cap 0). */
static inline void mk_txn_begin(struct mk_txn *tx, struct mk_pool *pool, uint64_t gen,
				struct mk_node **ret, unsigned cap)
{
	*tx = (struct mk_txn){ .pool = pool, .gen = gen, .ret = ret, .cap_ret = cap };
}

/* The changes. *rootp is the transaction's own copy of the family's root pointer (NULL
 * for an empty family): it starts as the published root and is updated to the new
 * version's, which the caller then publishes with mk_publish. Every published node they
 * replace is added to the transaction's list; nothing published is ever written. */
/* Adds key -> val; key must not be present. */
void mk_insert(struct mk_txn *tx, struct mk_node **rootp, resource_size_t key, void *val);
/* Removes key, which must be present. */
void mk_remove(struct mk_txn *tx, struct mk_node **rootp, resource_size_t key);
/* Replaces the entry of key old (present) by new -> val; new must sort between the same
 * neighbours. */
void mk_rekey(struct mk_txn *tx, struct mk_node **rootp, resource_size_t old,
	      resource_size_t new, void *val);

/* Frees a retired list, or every node of a family (not the values). Only once no reader
 * can hold them. */
void mk_free_retired(struct mk_node *list);
void mk_destroy(struct mk_node *root);

/* Checks the structure (key order, exact minimums, counts, leaf depth, small nodes only
 * as the root leaf) and that it holds exactly n values. NULL, or what is wrong. */
const char *mk_check(const struct mk_node *root, size_t n);

#endif
