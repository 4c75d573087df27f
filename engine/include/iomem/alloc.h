/* SPDX-License-Identifier: MIT */
/* The allocation seam. Every allocation the engine (trees, backends, dump loading) and the
 * mapping code (engine/mmu/) make goes through these functions, so that
 *   - each live allocation is counted by kind, exactly: what `iomem stress` and
 *     `iomem faultinject` check for leaks, and what iomem_node_bytes() reports;
 *   - any one allocation can be made to fail, as the kernel's failslab does: counting from
 *     the moment it is armed, the allocations numbered first .. first + count - 1 return
 *     NULL (`iomem faultinject` fails them one at a time; the fuzzers give each input a
 *     budget and fail everything past it).
 * A backend or mapping structure must allocate through here, never through malloc, or its
 * failures are never injected and its leaks never counted (docs/architecture.md, "Adding
 * a backend").
 *
 * Not through here: lock implementations (locks/ is below the engine), liburcu's own
 * bookkeeping, and text handed to callers who free it with free() (iomem/dump.h). */
#ifndef IOMEM_ALLOC_H
#define IOMEM_ALLOC_H

#include <stddef.h>
#include <stdint.h>

enum iomem_alloc_kind {
	IOMEM_ALLOC_NODE,	/* tree nodes with their names, and index nodes */
	IOMEM_ALLOC_VA,		/* the VA allocator's areas (struct vmap_area) */
	IOMEM_ALLOC_PGTABLE,	/* page-table pages, the PGD included */
	IOMEM_ALLOC_OTHER,	/* trees, mapping spaces, readers' and loaders' buffers */
	IOMEM_ALLOC_NR_KINDS,
};

/* size zeroed bytes (NODE allocations come from jemalloc in builds that have it), or NULL. */
void *iomem_alloc(enum iomem_alloc_kind kind, size_t size);
/* size zeroed bytes aligned to align (a power of two, a multiple of sizeof(void *)). */
void *iomem_alloc_aligned(enum iomem_alloc_kind kind, size_t align, size_t size);
/* realloc(p, size), p from iomem_alloc of the same kind or NULL (not for NODE); on failure
 * p is left as it was. */
void *iomem_realloc(enum iomem_alloc_kind kind, void *p, size_t size);
char *iomem_strdup(enum iomem_alloc_kind kind, const char *s);
/* p (or NULL) from an allocation of the same kind. */
void iomem_free(enum iomem_alloc_kind kind, void *p);
/* Many allocations of one size at once, counted with one update of this thread's counts:
 * fills p[0..n) and returns how many it allocated, stopping at the first failure (an
 * injected one included: each allocation is numbered). The memory is not zeroed. */
size_t iomem_alloc_bulk(enum iomem_alloc_kind kind, size_t size, void **p, size_t n);
/* Frees p[0..n), each from an allocation of this kind. */
void iomem_free_bulk(enum iomem_alloc_kind kind, void *const *p, size_t n);

/* Live allocations of a kind, over the whole process: how many, and their usable bytes. */
struct iomem_alloc_count {
	long long live;
	long long bytes;
};
void iomem_alloc_count(enum iomem_alloc_kind kind, struct iomem_alloc_count *out);
const char *iomem_alloc_kind_name(enum iomem_alloc_kind kind);

/* Failure injection. From this call on, allocations are numbered 1, 2, ...; those numbered
 * first .. first + count - 1 fail (first 0: none fails, they are only counted). Meant for
 * one thread at a time: another thread's allocations are numbered too. */
void iomem_alloc_fail(uint64_t first, uint64_t count);
/* Stops injecting; the number of allocations attempted since iomem_alloc_fail(). */
uint64_t iomem_alloc_fail_stop(void);

#endif
