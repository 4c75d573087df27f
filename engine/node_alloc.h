/* SPDX-License-Identifier: MIT */
/* Tree nodes and their names come from one allocation, through the allocation seam
 * (iomem/alloc.h, kind IOMEM_ALLOC_NODE: jemalloc in normal builds, the sanitizers' malloc
 * in sanitizer builds, where jemalloc cannot replace malloc). */
#ifndef IOMEM_NODE_ALLOC_H
#define IOMEM_NODE_ALLOC_H

#include <stddef.h>

#include "iomem/iomem.h"

/* size bytes of zeroed node followed by a copy of name (if not NULL); *name_out points
 * to the copy, or is NULL. NULL when out of memory. */
void *iomem_node_alloc(size_t size, const char *name, const char **name_out);
void iomem_node_free(void *node);

/* Many nodes of one size at once, counted with one update of the live-bytes counter (which
 * a writer and the RCU reclaim thread would otherwise both hit for every node). Fills
 * nodes[0..n) and returns how many it allocated, stopping at the first failure. The
 * memory is not zeroed. */
size_t iomem_node_alloc_bulk(size_t size, void **nodes, size_t n);
void iomem_node_free_bulk(void *const *nodes, size_t n);

#endif
