/* SPDX-License-Identifier: MIT */
/* The maple backend's index of one parent's children: a copy-on-write B+tree from start
 * address to child, read without any lock while one writer at a time changes it, after
 * the kernel's maple tree in RCU mode (docs/kernel-model.md §5.6).
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
 * Writers copy every node whose keys or entries they change; nothing of a published node
 * is ever written but two things, each with one release store. An inner node's pointer to
 * a child, which a write replaces by a new version of that child covering exactly the
 * same keys (the same minimum, so the inner node's keys stay right). And a leaf's value,
 * which a write that removes one child may clear in place, and a write that adds one
 * whose key is a cleared slot's fills in place, as the kernel's maple tree stores over an
 * exact range in place (mk_clear_at, mk_fill_at): the key stays, with no value. A leaf's
 * first and last slots are never cleared, nor more than half of its slots, and every
 * copy a write makes of a leaf leaves its cleared slots behind. A write that changes
 * one entry copies its leaf, and the ancestors whose keys or entries change with it, and
 * publishes with that one store into the first ancestor that keeps its keys, or into the
 * family's root pointer; a write that changes many (a transaction) copies every node it
 * touches up to the root, so that they all appear with the one store of the root. A
 * replaced node stays intact, for the readers still in it, until the caller frees it
 * after a grace period.
 *
 * Readers therefore need no lock and no retry. Every node they reach is whole: its keys
 * and count never change, a child pointer they load is either the old version of that
 * subtree or the new one, each complete, and a leaf value either a child or NULL, which
 * they pass over (the first slot never is: a search backwards ends in the leaf). A
 * lookup (mk_at_or_before) returns a value present when it read it, and only if every
 * slot it passed over was empty when read; since siblings never overlap, a child that
 * holds an address is found at a moment it held it, and none is reported only at a
 * moment none held it (docs/kernel-model.md §5.6 has the argument). A
 * cursor (mk_iter) finds the keys after the last one it returned through the parent of
 * the leaf it was in, as it read that parent, or else by descending again from the root
 * it started from: keys come out strictly ascending, each key was in the family at some
 * moment since the cursor started, and a key present throughout is never missed. While
 * single-entry writes land, a cursor can meet, in a newer leaf or in a slot filled in
 * place since it read past it (a seek that passed over cleared slots reads them again on
 * its next step), an entry that replaced one it already returned, or one that lies before
 * the address it sought; the caller, which knows what the values are, decides what that
 * means. A transaction's changes never mix that way with what a cursor already read:
 * every node they touch is replaced, so a cursor that started from the old root stays in
 * the old version of all of them.
 *
 * Writers are serialized by the caller and work in transactions (struct mk_txn): a node
 * made in the current transaction is private (no reader can reach it yet) and is changed
 * in place, so several changes in one transaction copy each node at most once. Like the
 * kernel's maple tree (mas_preallocate), a write first reserves every node it may need
 * (mk_reserve, sized by the mk_need_* functions) and takes nodes only from there, so an
 * allocation failure happens before anything has changed. */
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

/* Bytes of a node with room for cap entries. */
static inline size_t mk_node_bytes(unsigned cap)
{
	return sizeof(struct mk_node) + cap * (sizeof(resource_size_t) + sizeof(void *));
}

static inline void **mk_ptrs(const struct mk_node *x)
{
	return (void **)(x->key + x->cap);
}

/* --- Readers, under rcu_read_lock (or the writer, under its lock).
 *
 * Memory ordering: a writer fills new nodes with plain stores, then makes them reachable
 * with one release store (mk_publish into a root pointer, or into an inner node's child
 * pointer, or mk_fill_at into a leaf's value). Readers load every pointer a writer may
 * store that way, root and inner child pointers and leaf values, with acquire, which
 * pairs with it: the nodes' contents, and the values they point to, are visible to every
 * load after it, on arm64 as on x86 (an acquire orders all later loads after it; a plain
 * load of a pointer does not, on arm64, order loads through what it points to against the
 * writer's stores as C11 sees them). Keys and counts are never written once published, so
 * loads of them are plain. */

/* The published root of a family. */
static inline struct mk_node *mk_load(struct mk_node *const *rootp)
{
	return __atomic_load_n(rootp, __ATOMIC_ACQUIRE);
}

/* Makes a write's new root visible (release: see above). */
static inline void mk_publish(struct mk_node **rootp, struct mk_node *root)
{
	__atomic_store_n(rootp, root, __ATOMIC_RELEASE);
}

/* Inner node x's child i (acquire: see above). */
static inline struct mk_node *mk_child(const struct mk_node *x, unsigned i)
{
	return __atomic_load_n((struct mk_node *const *)&mk_ptrs(x)[i], __ATOMIC_ACQUIRE);
}

/* Leaf x's value i: a child, or NULL where a write cleared it in place. Acquire: pairs
 * with the release store of mk_fill_at, so a value filled in place is read whole. */
static inline void *mk_value(const struct mk_node *x, unsigned i)
{
	return __atomic_load_n((void *const *)&mk_ptrs(x)[i], __ATOMIC_ACQUIRE);
}

/* The value at leaf x's slot *i or, where that is cleared, at the nearest slot before it
 * (*i moves there). The first slot is never cleared; should it be, the value is NULL. */
static inline void *mk_value_back(const struct mk_node *x, unsigned *i)
{
	void *v;

	while (!(v = mk_value(x, *i)) && *i)
		--*i;
	return v;
}

/* The first value at leaf x's slot *i or after it (*i moves there), or NULL when the leaf
 * has none (*i is then its count). */
static inline void *mk_value_fwd(const struct mk_node *x, unsigned *i)
{
	for (; *i < x->n; ++*i) {
		void *v = mk_value(x, *i);

		if (v)
			return v;
	}
	return NULL;
}

/* The value of the greatest key <= addr under root that has one, or NULL. */
static inline void *mk_at_or_before(const struct mk_node *x, resource_size_t addr)
{
	unsigned i;

	if (!x || x->key[0] > addr)
		return NULL;
	while (!x->leaf)
		x = mk_child(x, kids_slot_search(x->key, x->n, addr));
	i = kids_slot_search(x->key, x->n, addr);
	return mk_value_back(x, &i);
}

/* An in-order cursor over a family: the root it started from, where it is in a leaf, and
 * the leaf's parent as it read it (NULL for a family of one leaf) with the slot of the
 * leaf there. Leaving a leaf finds the next one from that parent, or by a descent from
 * the root when the parent has nothing right of the leaf, so the cursor needs no stack
 * (what it returns is described at the top of this file). */
struct mk_iter {
	const struct mk_node *root, *leaf, *parent;
	unsigned slot, pslot;
};

/* Positions it at the first entry: its value, or NULL. */
void *mk_iter_first(struct mk_iter *it, const struct mk_node *root);
void *mk_iter_seek_descend(struct mk_iter *it, const struct mk_node *root,
			   resource_size_t addr);
void *mk_iter_next_leaf(struct mk_iter *it);

/* Positions it at the greatest key <= addr that has a value, or at the first entry when
 * every key is greater. The value there, or NULL for an empty family. */
static inline void *mk_iter_seek(struct mk_iter *it, const struct mk_node *root,
				 resource_size_t addr)
{
	/* A family that fits one leaf, as most do, needs no descent and no call (the slot
	 * search gives 0 for an addr before the first key). */
	if (root && root->leaf) {
		it->root = it->leaf = root;
		it->parent = NULL;
		it->slot = kids_slot_search(root->key, root->n, addr);
		return mk_value_back(root, &it->slot);
	}
	return mk_iter_seek_descend(it, root, addr);
}

/* The value after the cursor's, or NULL at the end (where it stays). */
static inline void *mk_iter_next(struct mk_iter *it)
{
	void *v;

	if (!it->leaf)
		return NULL;
	it->slot++;
	if ((v = mk_value_fwd(it->leaf, &it->slot)))
		return v;
	/* the end of a family of one leaf: its root is that leaf, whose keys never change */
	if (it->leaf == it->root) {
		it->leaf = NULL;
		return NULL;
	}
	return mk_iter_next_leaf(it);
}

void *mk_first(const struct mk_node *root);
void *mk_last(const struct mk_node *root);
/* Levels from the root to the leaves; 0 for an empty family. */
unsigned mk_height(const struct mk_node *root);

/* --- Writers, serialized by the caller. */

/* A bound no family reaches: every inner node but the root has two children or more
 * when it is made, and a tree gets taller only when its root splits. */
#define MK_MAX_HEIGHT 40

/* A writer's descent to the leaf where a key is or would go (a key below the family's
 * minimum: the first leaf), with the inner nodes it passed and the slot it took in each,
 * root first. An insert or removal at that key changes exactly these nodes, so a write
 * that searched the family for its key first (a conflict, the region to release) hands
 * its path to the change instead of descending again. Valid until the family's next
 * change. */
struct mk_path {
	struct mk_node *node[MK_MAX_HEIGHT];
	unsigned slot[MK_MAX_HEIGHT];
	unsigned h;			/* inner nodes passed */
	bool left_edge, right_edge;	/* it ran along that edge of the family */
	struct mk_node *leaf;		/* NULL for an empty family */
};

/* Fills p for key in the family at root; returns p->leaf. */
struct mk_node *mk_find_path(struct mk_node *root, resource_size_t key, struct mk_path *p);

/* Levels of the family p was found in; 0 for an empty one. */
static inline unsigned mk_path_height(const struct mk_path *p)
{
	return p->leaf ? p->h + 1 : 0;
}

/* The key of the first value after slot i of p's leaf, in this leaf or the next, without
 * reading the next leaf (an inner key is its subtree's minimum, and a leaf's first slot
 * is never cleared). False when slot i holds the family's last value. */
bool mk_path_next_key(const struct mk_path *p, unsigned i, resource_size_t *key);

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
	/* The transaction's last change publishes it, into the root pointer it is given or
	 * into an inner node in place; else the caller publishes the root it is handed. */
	bool publish;
	struct mk_node **ret;	/* replaced published nodes: ret[0..nr_ret) ... */
	unsigned nr_ret, cap_ret;
	struct mk_node *retired;	/* ... and the rest, through next_retired */
};

/* Nodes a write may take, in the worst case, for: one insert; one removal; one rekey;
 * removing every key in [lo, hi] of the family (after a rekey inside it); inserting k
 * keys in ascending order right after one existing key; building a new family of k keys
 * in ascending order; cloning the family. */
size_t mk_need_insert(const struct mk_node *root);
size_t mk_need_remove(const struct mk_node *root);
/* The same for a write at the end of a path just found. */
size_t mk_need_insert_at(const struct mk_path *p);
size_t mk_need_remove_at(const struct mk_path *p);
size_t mk_need_rekey(const struct mk_node *root);
size_t mk_need_remove_span(const struct mk_node *root, resource_size_t lo, resource_size_t hi);
size_t mk_need_insert_run(const struct mk_node *root, size_t k);
size_t mk_need_build(size_t k);
size_t mk_need_clone(const struct mk_node *root);

/* Makes sure the pool holds `nodes` spares. 0, or -ENOMEM with nothing changed. */
int mk_reserve(struct mk_pool *pool, size_t nodes);
/* Starts fetching, for writing, the spares a write takes first (the last in the array),
 * so that their cache misses overlap the write's search instead of following it: a spare
 * is cold, and its copy writes every 64-byte line of it. Only a hint: it changes nothing. */
static inline void mk_pool_prefetch(const struct mk_pool *pool)
{
	for (size_t i = 1; i <= 2 && i <= pool->nr_spare; i++)
		for (size_t off = 0; off < mk_node_bytes(MK_FANOUT); off += 64)
			__builtin_prefetch((const char *)pool->spare[pool->nr_spare - i] + off, 1);
}

/* Gives spares beyond a small stock back to the allocator. */
void mk_pool_trim(struct mk_pool *pool);
void mk_pool_destroy(struct mk_pool *pool);

/* Starts a transaction whose nodes are marked gen, which must be greater than that of
 * every transaction before it on the same nodes; what it replaces goes to ret[0..cap)
 * first (ret may be NULL with cap 0). `publish`: see struct mk_txn. */
static inline void mk_txn_begin(struct mk_txn *tx, struct mk_pool *pool, uint64_t gen,
				struct mk_node **ret, unsigned cap, bool publish)
{
	*tx = (struct mk_txn){ .pool = pool, .gen = gen, .ret = ret, .cap_ret = cap,
			       .publish = publish };
}

/* The changes. In a transaction that does not publish, *rootp is its own copy of the
 * family's root pointer (NULL for an empty family): it starts as the published root and
 * is updated to the new version's, which the caller then publishes with mk_publish, and
 * nothing published is written. In one that publishes, its one change is made visible by
 * the change itself: rootp is then the published root pointer (and earlier changes in the
 * transaction may only have built private nodes, which this one links). Every published
 * node they replace is added to the transaction's list. */
/* Adds key -> val; key must not be present. */
void mk_insert(struct mk_txn *tx, struct mk_node **rootp, resource_size_t key, void *val);
/* Removes key, which must be present. */
void mk_remove(struct mk_txn *tx, struct mk_node **rootp, resource_size_t key);
/* The same at the end of p, found for key in the family at *rootp since its last change. */
void mk_insert_at(struct mk_txn *tx, struct mk_node **rootp, const struct mk_path *p,
		  resource_size_t key, void *val);
void mk_remove_at(struct mk_txn *tx, struct mk_node **rootp, const struct mk_path *p,
		  resource_size_t key);
/* The same in place, with no node copied, where they can be, in a transaction of this
 * one change that publishes itself: an insert whose key is a cleared slot of p's leaf
 * fills it; a removal clears key's slot unless it is the leaf's first or last, or the
 * leaf would be more than half cleared. The one release store makes the change visible
 * (the value's resource is complete before it). False, with nothing changed, where they
 * cannot: mk_insert_at or mk_remove_at then makes the change. */
bool mk_fill_at(const struct mk_path *p, resource_size_t key, void *val);
bool mk_clear_at(const struct mk_path *p, resource_size_t key);
/* Replaces the entry of key old (present) by new -> val; new must sort between the same
 * neighbouring values. Cleared keys between them can only be in old's leaf (a leaf's
 * first and last slots hold values), whose copy leaves them behind. */
void mk_rekey(struct mk_txn *tx, struct mk_node **rootp, resource_size_t old,
	      resource_size_t new, void *val);
/* A private copy of every node of the family at root (the same values): for an owner that
 * replaces another and must not share nodes a write may change in place with it. */
struct mk_node *mk_clone(struct mk_txn *tx, const struct mk_node *root);

/* Frees a retired list, or every node of a family (not the values). Only once no reader
 * can hold them. */
void mk_free_retired(struct mk_node *list);
void mk_destroy(struct mk_node *root);

/* Checks the structure (key order, exact minimums, counts, leaf depth, small nodes only
 * as the root leaf, cleared slots only where mk_clear_at leaves them) and that it holds
 * exactly n values. NULL, or what is wrong. */
const char *mk_check(const struct mk_node *root, size_t n);

#endif
