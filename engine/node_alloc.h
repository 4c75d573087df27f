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

#endif
