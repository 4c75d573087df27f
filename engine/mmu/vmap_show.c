/* SPDX-License-Identifier: MIT */
/* Looking at the VA allocator: statistics, the /proc/vmallocinfo listing and the
 * invariant check. Each takes every allocator lock for a consistent view. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"
#include "vmap_impl.h"

void vmap_lock_all(struct vmap_space *vs)
{
	vl_lock(&vs->purge_lock);
	vl_lock(&vs->lock);
	for (unsigned n = 0; vs->sharded && n < vs->nr_nodes; n++) {
		vl_lock(&vs->nodes[n].busy.lock);
		vl_lock(&vs->nodes[n].lazy.lock);
		vl_lock(&vs->nodes[n].pools.lock);
	}
}

void vmap_unlock_all(struct vmap_space *vs)
{
	for (unsigned n = vs->sharded ? vs->nr_nodes : 0; n-- > 0;) {
		vl_unlock(&vs->nodes[n].pools.lock);
		vl_unlock(&vs->nodes[n].lazy.lock);
		vl_unlock(&vs->nodes[n].busy.lock);
	}
	vl_unlock(&vs->lock);
	vl_unlock(&vs->purge_lock);
}

/* --- Lock statistics (no lock taken: relaxed reads of the counters). */

static void add_lock(struct vmap_lock_stat *st, const struct vmap_lock *vl)
{
	st->locks++;
	st->acquisitions += atomic_load_explicit(&vl->acquired, memory_order_relaxed);
	st->contended += atomic_load_explicit(&vl->contended, memory_order_relaxed);
	st->wait_ns += atomic_load_explicit(&vl->wait_ns, memory_order_relaxed);
}

unsigned vmap_lock_stats(struct vmap_space *vs, struct vmap_lock_stat *out)
{
	unsigned n = 0;

	memset(out, 0, VMAP_MAX_LOCK_CLASSES * sizeof(*out));
	if (!vs->sharded) {
		out[n].name = "global";
		add_lock(&out[n++], &vs->lock);
	} else {
		out[n].name = "free";
		add_lock(&out[n++], &vs->lock);
		out[n].name = "busy";
		out[n + 1].name = "lazy";
		out[n + 2].name = "pool";
		for (unsigned i = 0; i < vs->nr_nodes; i++) {
			add_lock(&out[n], &vs->nodes[i].busy.lock);
			add_lock(&out[n + 1], &vs->nodes[i].lazy.lock);
			add_lock(&out[n + 2], &vs->nodes[i].pools.lock);
		}
		n += 3;
	}
	out[n].name = "purge";
	add_lock(&out[n++], &vs->purge_lock);
	return n;
}

/* --- Statistics. */

struct tally {
	uint64_t areas, bytes;
};

static int tally_node(struct va_node *n, void *arg)
{
	struct tally *t = arg;

	t->areas++;
	t->bytes += va_size(n);
	return 0;
}

static void tally_list(const struct vmap_area *va, struct tally *t)
{
	for (; va; va = va->next) {
		t->areas++;
		t->bytes += va_size(&va->rb);
	}
}

static void stats_node(struct vmap_node *vn, struct vmap_stats *s)
{
	struct tally busy = { 0 }, lazy = { 0 }, pooled = { 0 };

	va_tree_for_each(vn->busy.root, tally_node, &busy);
	tally_list(vn->lazy.head, &lazy);
	for (unsigned p = 0; p < MAX_VA_SIZE_PAGES; p++)
		tally_list(vn->pools.pool[p].head, &pooled);
	s->allocs += vn->busy.allocs;
	s->frees += vn->busy.frees;
	s->pool_hits += vn->pools.hits;
	s->busy_areas += busy.areas;
	s->busy_bytes += busy.bytes;
	s->lazy_areas += lazy.areas;
	s->lazy_bytes += lazy.bytes;
	s->pooled_areas += pooled.areas;
	s->pooled_bytes += pooled.bytes;
}

void vmap_stats(struct vmap_space *vs, struct vmap_stats *out)
{
	struct tally free_ = { 0 };

	memset(out, 0, sizeof(*out));
	vmap_lock_all(vs);
	for (unsigned n = 0; n < vs->nr_nodes; n++)
		stats_node(&vs->nodes[n], out);
	va_tree_for_each(vs->free_root, tally_node, &free_);
	out->free_areas = free_.areas;
	out->free_bytes = free_.bytes;
	out->spare_areas = vs->nr_spare;
	out->purges = vs->purges;
	out->purged_areas = vs->purged_areas;
	out->purged_pages = vs->purged_pages;
	out->lazy_pages = atomic_load_explicit(&vs->lazy_nr, memory_order_relaxed);
	out->alloc_failures = atomic_load_explicit(&vs->alloc_failures, memory_order_relaxed);
	out->drains = atomic_load_explicit(&vs->drain.drains, memory_order_relaxed);
	out->drain_throttled = atomic_load_explicit(&vs->drain.throttled, memory_order_relaxed);
	vmap_unlock_all(vs);
}

/* --- Collecting every area. */

enum area_kind { AREA_FREE, AREA_BUSY, AREA_LAZY, AREA_POOLED };

struct area_ref {
	const struct vmap_area *va;
	enum area_kind kind;
	unsigned node;
};

struct collect {
	struct area_ref *v;
	size_t n, cap;
	enum area_kind kind;
	unsigned node;
	bool failed;
};

static void collect_one(struct collect *c, const struct vmap_area *va)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct area_ref *v = iomem_realloc(IOMEM_ALLOC_OTHER, c->v, cap * sizeof(*v));

		if (!v) {
			c->failed = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct area_ref){ .va = va, .kind = c->kind, .node = c->node };
}

static int collect_node(struct va_node *n, void *arg)
{
	collect_one(arg, to_area(n));
	return 0;
}

static void collect_list(struct collect *c, const struct vmap_area *va)
{
	for (; va; va = va->next)
		collect_one(c, va);
}

/* Every area of the kinds in mask (1 << kind), unsorted. Caller holds every lock. */
static void collect_all(struct vmap_space *vs, unsigned mask, struct collect *c)
{
	for (unsigned n = 0; n < vs->nr_nodes; n++) {
		struct vmap_node *vn = &vs->nodes[n];

		c->node = n;
		c->kind = AREA_BUSY;
		if (mask & (1u << AREA_BUSY))
			va_tree_for_each(vn->busy.root, collect_node, c);
		c->kind = AREA_LAZY;
		if (mask & (1u << AREA_LAZY))
			collect_list(c, vn->lazy.head);
		c->kind = AREA_POOLED;
		for (unsigned p = 0; (mask & (1u << AREA_POOLED)) && p < MAX_VA_SIZE_PAGES; p++)
			collect_list(c, vn->pools.pool[p].head);
	}
	c->kind = AREA_FREE;
	c->node = 0;
	if (mask & (1u << AREA_FREE))
		va_tree_for_each(vs->free_root, collect_node, c);
}

/* Busy areas first, then lazy ones; each by address. */
static int by_kind_then_start(const void *a, const void *b)
{
	const struct area_ref *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->va->rb.start < y->va->rb.start ? -1 : x->va->rb.start > y->va->rb.start;
}

/* --- /proc/vmallocinfo. */

static void show_area(FILE *out, const struct area_ref *r)
{
	const struct vmap_area *va = r->va;

	fprintf(out, "0x%016" PRIx64 "-0x%016" PRIx64 " %7" PRIu64, va->rb.start, va->rb.end,
		va->rb.end - va->rb.start);
	if (r->kind == AREA_LAZY) {
		fputs(" unpurged vm_area\n", out);
		return;
	}
	if (area_caller(va))
		fprintf(out, " %s", area_caller(va));
	if (area_phys(va))
		fprintf(out, " phys=0x%016" PRIx64, area_phys(va));
	fputs(" ioremap\n", out);
}

int vmap_show(struct vmap_space *vs, FILE *out)
{
	struct collect c = { 0 };

	vmap_lock_all(vs);
	collect_all(vs, 1u << AREA_BUSY | 1u << AREA_LAZY, &c);
	if (!c.failed) {
		if (c.n)	/* no area at all: c.v is NULL, which qsort may not get */
			qsort(c.v, c.n, sizeof(*c.v), by_kind_then_start);
		for (size_t i = 0; i < c.n; i++)
			show_area(out, &c.v[i]);
	}
	vmap_unlock_all(vs);
	iomem_free(IOMEM_ALLOC_OTHER, c.v);
	if (c.failed)
		return -ENOMEM;
	return ferror(out) ? -EIO : 0;
}

/* --- Invariants. */

static int by_start(const void *a, const void *b)
{
	const struct area_ref *x = a, *y = b;

	return x->va->rb.start < y->va->rb.start ? -1 : x->va->rb.start > y->va->rb.start;
}

static const char *const kind_names[] = { "free", "busy", "lazy", "pooled" };

/* Sorted areas must tile [VMALLOC_START, VMALLOC_END) exactly, with no two free-tree
 * areas touching (they would have been merged). */
static int check_tiling(const struct collect *c, char *msg, size_t msglen)
{
	uint64_t at = VMALLOC_START;

	for (size_t i = 0; i < c->n; i++) {
		const struct area_ref *r = &c->v[i];

		if (r->va->rb.start != at) {
			snprintf(msg, msglen, "%s area 0x%" PRIx64 "-0x%" PRIx64 " %s 0x%" PRIx64,
				 kind_names[r->kind], r->va->rb.start, r->va->rb.end,
				 r->va->rb.start < at ? "overlaps the area ending at"
						      : "leaves a hole after",
				 at);
			return -EUCLEAN;
		}
		if (i && r->kind == AREA_FREE && c->v[i - 1].kind == AREA_FREE) {
			snprintf(msg, msglen, "free areas at 0x%" PRIx64 " not merged",
				 r->va->rb.start);
			return -EUCLEAN;
		}
		at = r->va->rb.end;
	}
	if (at != VMALLOC_END) {
		snprintf(msg, msglen, "areas end at 0x%" PRIx64 ", not at VMALLOC_END", at);
		return -EUCLEAN;
	}
	return 0;
}

static int check_trees(struct vmap_space *vs, char *msg, size_t msglen)
{
	if (va_tree_check(vs->free_root, msg, msglen))
		return -EUCLEAN;
	for (unsigned n = 0; n < vs->nr_nodes; n++) {
		struct va_node *busy = vs->nodes[n].busy.root;

		if (va_tree_check_plain(busy, msg, msglen))
			return -EUCLEAN;
	}
	return 0;
}

/* Busy areas live in their busy node; lazy_nr covers every listed lazy page. */
static int check_placement(struct vmap_space *vs, const struct collect *c, char *msg,
			   size_t msglen)
{
	uint64_t lazy_pages = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct area_ref *r = &c->v[i];

		if (r->kind == AREA_LAZY)
			lazy_pages += va_size(&r->va->rb) >> PAGE_SHIFT;
		if (r->kind == AREA_BUSY &&
		    r->node != busy_node(vs, r->va->rb.start, r->va->rb.tag)) {
			snprintf(msg, msglen, "busy area 0x%" PRIx64 " in node %u", r->va->rb.start,
				 r->node);
			return -EUCLEAN;
		}
	}
	if (atomic_load_explicit(&vs->lazy_nr, memory_order_relaxed) < lazy_pages) {
		snprintf(msg, msglen, "lazy_nr below the %" PRIu64 " listed lazy pages",
			 lazy_pages);
		return -EUCLEAN;
	}
	return 0;
}

int vmap_check(struct vmap_space *vs, char *msg, size_t msglen)
{
	struct collect c = { 0 };
	int rc;

	msg[0] = '\0';
	vmap_lock_all(vs);
	rc = check_trees(vs, msg, msglen);
	if (!rc) {
		collect_all(vs, ~0u, &c);
		rc = c.failed ? -ENOMEM : 0;
	}
	if (!rc)
		rc = check_placement(vs, &c, msg, msglen);
	if (!rc) {
		qsort(c.v, c.n, sizeof(*c.v), by_start);
		rc = check_tiling(&c, msg, msglen);
	}
	vmap_unlock_all(vs);
	iomem_free(IOMEM_ALLOC_OTHER, c.v);
	return rc;
}
