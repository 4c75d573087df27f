/* SPDX-License-Identifier: MIT */
/* The sharded policy's per-node pools of free areas, one per size up to
 * MAX_VA_SIZE_PAGES pages (the kernel's vmap_node pools, 6.9+). Callers hold the node's
 * pool lock, but for vmap_pool_peek (none) and vmap_pool_decay (takes it). */
#include "vmap_impl.h"

unsigned vmap_pool_index(uint64_t size)
{
	return (unsigned)((size - 1) / PAGE_SIZE);
}

static struct va_pool *size_to_pool(struct vmap_node *vn, uint64_t size)
{
	uint64_t idx = (size - 1) / PAGE_SIZE;

	return idx < MAX_VA_SIZE_PAGES ? &vn->pools.pool[idx] : NULL;
}

static void set_len(struct va_pool *p, uint64_t len)
{
	atomic_store_explicit(&p->len, len, memory_order_relaxed);
}

static uint64_t get_len(struct va_pool *p)
{
	return atomic_load_explicit(&p->len, memory_order_relaxed);
}

bool vmap_pool_peek(struct vmap_node *vn, uint64_t size)
{
	struct va_pool *p = size_to_pool(vn, size);

	return p && get_len(p) != 0;
}

bool vmap_pool_fits(uint64_t size)
{
	return size && (size - 1) / PAGE_SIZE < MAX_VA_SIZE_PAGES;
}

void vmap_pool_push(struct va_pool *p, struct vmap_area *va)
{
	va->next = p->head;
	p->head = va;
	if (!p->tail)
		p->tail = va;
	set_len(p, get_len(p) + 1);
}

void vmap_pool_splice(struct vmap_node *vn, struct va_pool *batch)
{
	struct va_pool *p = size_to_pool(vn, va_size(&batch->head->rb));

	batch->tail->next = p->head;
	if (!p->tail)
		p->tail = batch->tail;
	p->head = batch->head;
	set_len(p, get_len(p) + get_len(batch));
	batch->head = batch->tail = NULL;
	set_len(batch, 0);
}

static struct vmap_area *pool_pop(struct va_pool *p)
{
	struct vmap_area *va = p->head;

	p->head = va->next;
	if (!p->head)
		p->tail = NULL;
	set_len(p, get_len(p) - 1);
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
	set_len(p, get_len(p) + 1);
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

/* As decay_va_pool_node: each pool is detached under the lock, a quarter of it (all of it
 * when full) split off without the lock, the rest put back under it; the lock is held
 * for O(1) at a time, so allocations taking from the pools barely wait. Only a purge
 * (under purge_lock) adds to the pools, so nothing was added meanwhile: allocations may
 * only have found the pool empty. */
void vmap_pool_decay(struct vmap_node *vn, bool full, struct vmap_area **list)
{
	for (unsigned i = 0; i < MAX_VA_SIZE_PAGES; i++) {
		struct va_pool *p = &vn->pools.pool[i], tmp;
		uint64_t n;

		if (!get_len(p))
			continue;
		vl_lock(&vn->pools.lock);
		tmp.head = p->head;
		tmp.tail = p->tail;
		atomic_init(&tmp.len, get_len(p));
		p->head = p->tail = NULL;
		set_len(p, 0);
		vl_unlock(&vn->pools.lock);
		n = full ? get_len(&tmp) : get_len(&tmp) >> 2;
		while (n--) {
			struct vmap_area *va = pool_pop(&tmp);

			va->next = *list;
			*list = va;
		}
		if (!tmp.head)
			continue;
		vl_lock(&vn->pools.lock);
		tmp.tail->next = p->head;
		if (!p->head)
			p->tail = tmp.tail;
		p->head = tmp.head;
		set_len(p, get_len(p) + get_len(&tmp));
		vl_unlock(&vn->pools.lock);
	}
}
