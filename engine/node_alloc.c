/* SPDX-License-Identifier: MIT */
#include "node_alloc.h"

#include <string.h>

#include "iomem/alloc.h"

void *iomem_node_alloc(size_t size, const char *name, const char **name_out)
{
	size_t len = name ? strlen(name) + 1 : 0;
	char *node = iomem_alloc(IOMEM_ALLOC_NODE, size + len);

	if (!node)
		return NULL;
	if (name) {
		memcpy(node + size, name, len);
		*name_out = node + size;
	} else {
		*name_out = NULL;
	}
	return node;
}

void iomem_node_free(void *node)
{
	iomem_free(IOMEM_ALLOC_NODE, node);
}

size_t iomem_node_alloc_bulk(size_t size, void **nodes, size_t n)
{
	return iomem_alloc_bulk(IOMEM_ALLOC_NODE, size, nodes, n);
}

void iomem_node_free_bulk(void *const *nodes, size_t n)
{
	iomem_free_bulk(IOMEM_ALLOC_NODE, nodes, n);
}
