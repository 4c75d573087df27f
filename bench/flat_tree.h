/* SPDX-License-Identifier: MIT */
/* The flat synthetic tree of the tree/ and tree_mem/ families: N sibling regions directly
 * under the iomem root, region i being
 *
 *	[FLAT_BASE + i*FLAT_STRIDE, FLAT_BASE + i*FLAT_STRIDE + FLAT_REGION_SIZE - 1]
 *
 * (IORESOURCE_MEM, not busy, desc NONE), so gap i, the FLAT_GAP_SIZE bytes that follow
 * region i, is free.
 */
#ifndef IOMEM_BENCH_FLAT_TREE_H
#define IOMEM_BENCH_FLAT_TREE_H

#include <stddef.h>

#include "iomem/iomem.h"

#define FLAT_BASE		0x100000000ULL
#define FLAT_REGION_SIZE	0x1000ULL
#define FLAT_STRIDE		0x2000ULL
#define FLAT_GAP_SIZE		(FLAT_STRIDE - FLAT_REGION_SIZE)

static inline resource_size_t flat_region_start(size_t i)
{
	return FLAT_BASE + (resource_size_t)i * FLAT_STRIDE;
}

static inline resource_size_t flat_gap_start(size_t i)
{
	return flat_region_start(i) + FLAT_REGION_SIZE;
}

/* Adds the n regions, named `name`, to the empty tree t and checks them (count, lookup of
 * the last region). 0, or -1 with a one-line reason in err.
 *
 * Regions are added with iomem_insert_resource in descending address order, so every
 * insert lands at the head of the root's sibling list: O(1) per region on the linked-list
 * backends, O(log n) on itree. (iomem_append would do, but the rcu backend's append walks
 * the whole sibling list, which makes a 10^5 tree take ~10 s and 10^6 hours.) */
int flat_tree_fill(struct iomem_tree *t, size_t n, const char *name, char *err, size_t errlen);

/* A new tree on `backend` filled by flat_tree_fill, or NULL with the reason in err. */
struct iomem_tree *flat_tree_build(const char *backend, size_t n, const char *name, char *err,
				   size_t errlen);

#endif
