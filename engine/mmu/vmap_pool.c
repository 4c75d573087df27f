/* SPDX-License-Identifier: MIT */
/* The sharded policy's per-node pools of free areas, one per size up to
 * MAX_VA_SIZE_PAGES pages (the kernel's vmap_node pools, 6.9+). Callers hold the node's
 * lock. */
#include "vmap_impl.h"

static struct va_pool *size_to_pool(struct vmap_node *vn, uint64_t size)
{
	uint64_t idx = (size - 1) / PAGE_SIZE;

	return idx < MAX_VA_SIZE_PAGES ? &vn->pool[idx] : NULL;
}

bool vmap_pool_fits(uint64_t size)
{
	return size && (size - 1) / PAGE_SIZE < MAX_VA_SIZE_PAGES;
}

void vmap_pool_add(struct vmap_node *vn, struct vmap_area *va)
{
	struct va_pool *p = size_to_pool(vn, va_size(&va->rb));

	va->next = p->head;
	p->head = va;
	if (!p->tail)
		p->tail = va;
	p->len++;
}

static struct vmap_area *pool_pop(struct va_pool *p)
{
	struct vmap_area *va = p->head;

	p->head = va->next;
	if (!p->head)
		p->tail = NULL;
	p->len--;
	va->next = NULL;
	return va;
}

static void pool_append(struct va_pool *p, struct vmap_area *va)
{
	va->next = NULL;
	if (p->tail)
		p->tail->next = va;
	else
		p->head = va;
	p->tail = va;
	p->len++;
}

struct vmap_area *vmap_pool_take(struct vmap_node *vn, uint64_t size, uint64_t align)
{
	struct va_pool *p = size_to_pool(vn, size);
	struct vmap_area *va;

	if (!p || !p->head)
		return NULL;
	va = pool_pop(p);
	if (!(va->rb.start & (align - 1)))
		return va;
	/* Misaligned for this request: to the back, and fall back to the free tree. */
	pool_append(p, va);
	return NULL;
}

void vmap_pool_decay(struct vmap_node *vn, bool full, struct vmap_area **list)
{
	for (unsigned i = 0; i < MAX_VA_SIZE_PAGES; i++) {
		struct va_pool *p = &vn->pool[i];
		uint64_t n = full ? p->len : p->len >> 2;

		while (n--) {
			struct vmap_area *va = pool_pop(p);

			va->next = *list;
			*list = va;
		}
	}
}
