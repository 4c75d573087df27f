/* SPDX-License-Identifier: MIT */
/* The free space: lowest-fit carving from the augmented free tree (__alloc_vmap_area,
 * va_clip) and coalescing frees back into it (merge_or_add_vmap_area). Callers hold
 * vs->lock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"
#include "vmap_impl.h"

#define SPARE_AREAS 32

struct vmap_area *va_area_new(void)
{
	/* Line-aligned (the seam rounds the size up to whole lines and zeroes it). */
	return iomem_alloc_aligned(IOMEM_ALLOC_VA, CACHELINE, sizeof(struct vmap_area));
}

/* Free-area nodes come from a small cache under the free tree's lock, as the kernel
 * preloads one for NE fits: a split does not call the allocator with the lock held. */
static struct vmap_area *spare_get(struct vmap_space *vs)
{
	struct vmap_area *va = vs->spare;

	if (!va)
		return va_area_new();
	vs->spare = va->next;
	vs->nr_spare--;
	memset(va, 0, sizeof(*va));
	return va;
}

static void spare_put(struct vmap_space *vs, struct vmap_area *va)
{
	if (vs->nr_spare == SPARE_AREAS) {
		iomem_free(IOMEM_ALLOC_VA, va);
		return;
	}
	va->next = vs->spare;
	vs->spare = va;
	vs->nr_spare++;
}

/* va_clip: carves [nva, nva+size) out of the free area fa, at the end of path p (FL, LE,
 * RE or NE fit). */
static int free_tree_clip(struct vmap_space *vs, struct va_node *fa, struct va_path *p,
			  uint64_t nva, uint64_t size)
{
	struct vmap_area *lva;

	if (fa->start == nva && fa->end == nva + size) {
		va_tree_remove_at(p);
		spare_put(vs, to_area(fa));
	} else if (fa->start == nva) {
		fa->start += size;
		va_tree_update_at(p);
	} else if (fa->end == nva + size) {
		fa->end = nva;
		va_tree_update_at(p);
	} else {
		lva = spare_get(vs);
		if (!lva)
			return -ENOMEM;
		lva->rb.start = fa->start;
		lva->rb.end = nva;
		/* A size change never rotates: the path is still good for the insert. */
		fa->start = nva + size;
		va_tree_update_at(p);
		va_tree_insert_before(p, &lva->rb);
	}
	return 0;
}

/* __alloc_vmap_area: the lowest fit, searched with the alignment slack added when the
 * alignment is above a page. */
int vmap_free_tree_take(struct vmap_space *vs, uint64_t size, uint64_t align,
			  uint64_t *start)
{
	uint64_t length = align > PAGE_SIZE ? size + align - 1 : size;
	struct va_path p;
	struct va_node *fa = va_tree_lowest_fit(&vs->free_root, size, align, length,
						VMALLOC_START, start, &p);

	if (!fa)
		return -ENOMEM;
	return free_tree_clip(vs, fa, &p, *start, size);
}

/* A freed area joins its two free neighbours: the bigger grows over the smaller, which
 * leaves the tree, so cached maxima change as little as they can. A size change never
 * rotates, so the path recorded to both stays good for the removal. */
static void merge_both(struct vmap_space *vs, struct va_neighbours *nb)
{
	bool keep_next = va_size(nb->next) >= va_size(nb->prev);

	if (keep_next)
		nb->next->start = nb->prev->start;
	else
		nb->prev->end = nb->next->end;
	nb->path.n = keep_next ? nb->next_n : nb->prev_n;
	va_tree_update_at(&nb->path);
	nb->path.n = keep_next ? nb->prev_n : nb->next_n;
	va_tree_remove_at(&nb->path);
	spare_put(vs, to_area(keep_next ? nb->prev : nb->next));
}

void vmap_free_tree_merge(struct vmap_space *vs, struct vmap_area *va)
{
	struct va_neighbours nb;
	struct va_node *prev, *next;
	bool merge_next, merge_prev;

	va_tree_neighbours(&vs->free_root, va->rb.start, &nb);
	prev = nb.prev;
	next = nb.next;
	merge_next = next && next->start == va->rb.end;
	merge_prev = prev && prev->end == va->rb.start;
	if (merge_next && merge_prev) {
		merge_both(vs, &nb);
	} else if (merge_next) {
		next->start = va->rb.start;
		nb.path.n = nb.next_n;
		va_tree_update_at(&nb.path);
	} else if (merge_prev) {
		prev->end = va->rb.end;
		nb.path.n = nb.prev_n;
		va_tree_update_at(&nb.path);
	} else if (prev || next) {
		va_tree_insert_between(&nb, &va->rb);	/* the path is already there */
		return;
	} else {
		va_tree_insert(&vs->free_root, &va->rb);
		return;
	}
	spare_put(vs, va);
}

/* mask all ones: p, else q; by arithmetic, which compilers keep branch-free. */
static inline struct vmap_area *pick(uintptr_t mask, struct vmap_area *p, struct vmap_area *q)
{
	return (struct vmap_area *)(((uintptr_t)p & mask) | ((uintptr_t)q & ~mask));
}

/* Bottom-up merge sort: runs of 1, 2, 4, ... merged pairwise, O(n log n), no recursion. */
static struct vmap_area *merge_sorted(struct vmap_area *a, struct vmap_area *b)
{
	struct vmap_area *head = NULL, **tail = &head;

	/* Branch-free: the lists come from frees in no particular order, so a branch on the
	 * comparison would mispredict half the time (most of the sort's cost, profiled). */
	while (a && b) {
		uintptr_t b_first = -(uintptr_t)(b->rb.start < a->rb.start);
		struct vmap_area *x = pick(b_first, b, a);

		*tail = x;
		tail = &x->next;
		a = pick(b_first, a, x->next);
		b = pick(b_first, x->next, b);
	}
	*tail = a ? a : b;
	return head;
}

struct vmap_area *vmap_sort_by_addr(struct vmap_area *list)
{
	/* run[k]: a sorted run of 2^k areas, or NULL (a binary counter of runs). */
	struct vmap_area *run[64] = { NULL }, *va, *out = NULL;

	while (list) {
		unsigned k = 0;

		va = list;
		list = list->next;
		va->next = NULL;
		for (; run[k]; k++) {
			va = merge_sorted(run[k], va);
			run[k] = NULL;
		}
		run[k] = va;
	}
	for (unsigned k = 0; k < 64; k++)
		out = merge_sorted(run[k], out);
	return out;
}
