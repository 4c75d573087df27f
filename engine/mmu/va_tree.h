/* SPDX-License-Identifier: MIT */
/* An AVL tree of address ranges [start, end), sorted by start, augmented with the largest
 * range size in each subtree: the kernel's free_vmap_area_root, balanced by height rather
 * than colour. Also used, augmentation unused, for busy areas.
 *
 * Each node caches its children's heights and subtree maxima, so rebalancing and the
 * augmented search read only the nodes on the path (an off-path sibling is a cache miss
 * per level otherwise). Edits record their path from the root and retrace it upwards
 * only while a cached value changes, as the kernel's augment_tree_propagate_from stops.
 *
 * Cached maxima saturate at VA_MAX_CAP: the free area above everything allocated is far
 * bigger than that and changes size on most allocations and purges; exact, it would
 * rewrite every ancestor each time. A search for more than VA_MAX_CAP bytes, which the
 * saturated values cannot steer, computes exact maxima as it goes (O(n)) and so finds
 * the same node.
 * A plain tree (the *_plain calls: the kernel's busy trees, which it links without
 * augmentation) keeps heights only: no maximum is computed, compared or moved, so the
 * retrace stops sooner and kid_max is free for the owner.
 * Depth <= 1.44 log2 n. Nodes are owned by the caller. */
#ifndef IOMEM_MMU_VA_TREE_H
#define IOMEM_MMU_VA_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VA_MAX_CAP (1ULL << 40)

struct va_node {
	uint64_t start, end;
	struct va_node *kid[2];		/* left, right */
	uint64_t kid_max[2];		/* augmented trees: largest range size in each
					 * child's subtree, saturated at VA_MAX_CAP; plain
					 * trees never touch them (the owner's to use) */
	int8_t kid_h[2];		/* each child's height (0: none) */
	uint16_t tag;			/* the owner's: the tree never touches it */
};

static inline uint64_t va_size(const struct va_node *n)
{
	return n->end - n->start;
}

/* The largest range size in n's subtree, saturated at VA_MAX_CAP (0 for NULL). */
uint64_t va_subtree_max(const struct va_node *n);

/* The links from the root down to a node: slot[0] is the root pointer, slot[i] the child
 * pointer inside *slot[i-1] (its side dir[i]) leading on; the node is *slot[n-1]. */
#define VA_MAX_DEPTH 96

struct va_path {
	struct va_node **slot[VA_MAX_DEPTH];
	int8_t dir[VA_MAX_DEPTH];
	int n;
	bool aug;		/* the tree keeps subtree maxima */
};

void va_tree_insert(struct va_node **root, struct va_node *n);
/* Unlinks the node starting at start (it must be there). */
void va_tree_remove(struct va_node **root, uint64_t start);
/* After a node's range changed in place without moving past a neighbour, recomputes
 * the maxima on the path to it (found by its new start). */
void va_tree_update(struct va_node **root, uint64_t start);
/* The same two for the node a path leads to; the path is used up. */
void va_tree_remove_at(struct va_path *p);
void va_tree_update_at(struct va_path *p);
/* Inserts n right before the node the path leads to (n's range must fall between that
 * node and its predecessor); the path is used up. */
void va_tree_insert_before(struct va_path *p, struct va_node *n);

/* The node containing addr, or NULL. */
struct va_node *va_tree_find(struct va_node *root, uint64_t addr);
/* The node containing addr, unlinked; NULL if none. */
struct va_node *va_tree_find_remove(struct va_node **root, uint64_t addr);
/* Insert and find-and-unlink on a plain tree. */
void va_tree_insert_plain(struct va_node **root, struct va_node *n);
struct va_node *va_tree_find_remove_plain(struct va_node **root, uint64_t addr);
/* The last node starting before a start (prev) and the first starting after it (next),
 * NULL if none. Both lie on path: cut it to prev_n or next_n entries to reach one. */
struct va_neighbours {
	struct va_node *prev, *next;
	int prev_n, next_n;
	struct va_path path;
};

/* start itself must not be in the tree. */
void va_tree_neighbours(struct va_node **root, uint64_t start, struct va_neighbours *nb);
/* Links n, which starts at the start the neighbours were found for and lies between them,
 * where that search ended, without descending again; the tree must not have been empty
 * (a neighbour was found) and nb->path is used up. */
void va_tree_insert_between(struct va_neighbours *nb, struct va_node *n);

/* find_vmap_lowest_match: descends left while the left subtree holds a block of at least
 * length bytes, else takes this node if size fits in it at an address aligned to align
 * (and >= vstart), else goes right. *nva is the aligned start, *p the path to the node.
 * NULL when nothing fits. */
struct va_node *va_tree_lowest_fit(struct va_node **root, uint64_t size, uint64_t align,
				   uint64_t length, uint64_t vstart, uint64_t *nva,
				   struct va_path *p);

/* In-order visit; a nonzero return stops it and is returned. */
typedef int (*va_visit_fn)(struct va_node *n, void *arg);
int va_tree_for_each(struct va_node *root, va_visit_fn fn, void *arg);
/* Post-order: fn may free the node. */
void va_tree_destroy(struct va_node *root, void (*fn)(struct va_node *n));

/* Order, disjointness, balance and every cached height and maximum. 0, or -1 with a
 * message. */
int va_tree_check(struct va_node *root, char *msg, size_t msglen);
/* The same for a plain tree (no maxima to check). */
int va_tree_check_plain(struct va_node *root, char *msg, size_t msglen);

#endif
