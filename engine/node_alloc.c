/* SPDX-License-Identifier: MIT */
#include "node_alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#ifdef IOMEM_JEMALLOC
#include <jemalloc/jemalloc.h>
#define node_malloc(n) mallocx((n), MALLOCX_ZERO)
#define node_malloc_raw(n) mallocx((n), 0)
#define node_free(p) dallocx((p), 0)
#define node_size(p) sallocx((p), 0)
#else
#include <malloc.h>
#include <stdlib.h>
#define node_malloc(n) calloc(1, (n))
#define node_malloc_raw(n) malloc(n)
#define node_free(p) free(p)
#define node_size(p) malloc_usable_size(p)
#endif

/* Live node bytes, for the leak check of `iomem stress`. Writers are serialized by the tree
 * lock, so this counter is rarely contended. */
static atomic_llong node_bytes;

void *iomem_node_alloc(size_t size, const char *name, const char **name_out)
{
	size_t len = name ? strlen(name) + 1 : 0;
	char *node = node_malloc(size + len);

	if (!node)
		return NULL;
	atomic_fetch_add_explicit(&node_bytes, (long long)node_size(node), memory_order_relaxed);
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
	if (node) {
		atomic_fetch_sub_explicit(&node_bytes, (long long)node_size(node),
					  memory_order_relaxed);
		node_free(node);
	}
}

size_t iomem_node_alloc_bulk(size_t size, void **nodes, size_t n)
{
	long long bytes = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(nodes[i] = node_malloc_raw(size)))
			break;
		bytes += (long long)node_size(nodes[i]);
	}
	/* Relaxed, as every update of the counter: it is a sum, read once the threads that
	 * change it are done (joined, or past an rcu_barrier), which orders it. */
	atomic_fetch_add_explicit(&node_bytes, bytes, memory_order_relaxed);
	return i;
}

void iomem_node_free_bulk(void *const *nodes, size_t n)
{
	long long bytes = 0;

	for (size_t i = 0; i < n; i++) {
		bytes += (long long)node_size(nodes[i]);
		node_free(nodes[i]);
	}
	atomic_fetch_sub_explicit(&node_bytes, bytes, memory_order_relaxed);
}

long long iomem_node_bytes(void)
{
	return atomic_load_explicit(&node_bytes, memory_order_relaxed);
}

size_t iomem_allocated_bytes(void)
{
#ifdef IOMEM_JEMALLOC
	uint64_t epoch = 1;
	size_t sz = sizeof(epoch), allocated = 0;

	mallctl("epoch", &epoch, &sz, &epoch, sz);
	sz = sizeof(allocated);
	if (mallctl("stats.allocated", &allocated, &sz, NULL, 0) != 0)
		return 0;
	return allocated;
#else
	return 0;
#endif
}
