/* SPDX-License-Identifier: MIT */
#include "host_tree.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/dump.h"

#define HOST_CHURN_BYTES ((resource_size_t)HOST_CHURN_SLOTS * HOST_CHURN_SIZE)

/* One resource of the loaded tree, in pre-order. */
struct node_info {
	resource_size_t start, end;
	unsigned long flags;
	int depth;
	char name[48];
};

struct node_list {
	struct node_info *v;
	size_t n, cap;
};

static int collect(const struct resource *res, int depth, void *arg)
{
	struct node_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct node_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = (struct node_info){ .start = res->start, .end = res->end,
					 .flags = res->flags, .depth = depth };
	snprintf(l->v[l->n].name, sizeof(l->v[l->n].name), "%s", res->name ? res->name : "");
	l->n++;
	return 0;
}

/* A tree loaded from path, or NULL with the reason in err. */
static struct iomem_tree *load_text(const char *backend, const char *lock, const char *text,
				    const char *source, char *err, size_t errlen)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	struct iomem_tree *t;
	int rc;

	if (!in) {
		snprintf(err, errlen, "%s: %s", source, strerror(errno));
		return NULL;
	}
	t = iomem_tree_new(backend, &(struct iomem_tree_opts){ .lock = lock });
	if (!t) {
		snprintf(err, errlen, "iomem_tree_new(%s, lock %s): %s", backend,
			 lock ? lock : "default", strerror(errno));
		fclose(in);
		return NULL;
	}
	rc = iomem_load_dump(t, IOMEM_ROOT_IOMEM, in, source, err, errlen);
	fclose(in);
	if (rc) {
		iomem_tree_free(t);
		return NULL;
	}
	return t;
}

/* The lowest HOST_CHURN_BYTES-long, HOST_CHURN_SIZE-aligned span inside [lo, hi]. */
static bool fit_in(resource_size_t lo, resource_size_t hi, resource_size_t *start)
{
	resource_size_t a = (lo + HOST_CHURN_SIZE - 1) & ~(HOST_CHURN_SIZE - 1);

	if (a < lo || a > hi || hi - a < HOST_CHURN_BYTES - 1)
		return false;
	*start = a;
	return true;
}

/* A free span among the direct children of parent (index into l, or -1: the root). */
static bool free_span_under(const struct node_list *l, long parent, resource_size_t *start)
{
	int depth = parent < 0 ? -1 : l->v[parent].depth;
	resource_size_t lo = parent < 0 ? 0 : l->v[parent].start;
	resource_size_t hi = parent < 0 ? ~(resource_size_t)0 : l->v[parent].end;
	bool open = true;	/* lo is still inside [.., hi] (no child ended at 2^64-1) */

	for (size_t j = (size_t)(parent + 1); j < l->n && l->v[j].depth > depth; j++) {
		const struct node_info *c = &l->v[j];

		if (c->depth != depth + 1)
			continue;
		if (c->start > lo && fit_in(lo, c->start - 1, start))
			return true;
		open = c->end != ~(resource_size_t)0;
		lo = c->end + 1;
	}
	return open && fit_in(lo, hi, start);
}

/* Prefers a PCI window (a non-busy "PCI Bus ..."), as a driver's BARs would be; else a
 * hole between top-level resources. */
static int find_churn_span(struct host_tree *h, const struct node_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct node_info *p = &l->v[i];

		if (strncmp(p->name, "PCI Bus", 7) || (p->flags & IORESOURCE_BUSY))
			continue;
		if (free_span_under(l, (long)i, &h->churn_start)) {
			snprintf(h->churn_where, sizeof(h->churn_where), "%s", p->name);
			return 0;
		}
	}
	snprintf(h->churn_where, sizeof(h->churn_where), "hole");
	return free_span_under(l, -1, &h->churn_start) ? 0 : -1;
}

static int fill_ranges(struct host_tree *h, const struct node_list *l)
{
	h->ram = calloc(l->n, sizeof(*h->ram));
	h->addrs = calloc(l->n, sizeof(*h->addrs));
	if (!h->ram || !h->addrs)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		const struct node_info *p = &l->v[i];

		h->addrs[h->nr_addrs++] = p->start + (p->end - p->start) / 2;
		if (p->depth == 0 &&
		    (p->flags & IORESOURCE_SYSTEM_RAM) == IORESOURCE_SYSTEM_RAM)
			h->ram[h->nr_ram++] = (struct host_range){ p->start, p->end };
	}
	return 0;
}

static int describe(struct host_tree *h, char *err, size_t errlen)
{
	struct node_list l = { 0 };
	int rc = iomem_for_each(h->t, IOMEM_ROOT_IOMEM, collect, &l);

	h->nr_resources = l.n;
	if (rc || fill_ranges(h, &l)) {
		snprintf(err, errlen, "%s: out of memory", h->source);
		rc = -1;
	} else if (!h->nr_ram) {
		snprintf(err, errlen, "%s: no top-level System RAM", h->source);
		rc = -1;
	} else if (find_churn_span(h, &l)) {
		snprintf(err, errlen, "%s: no free span of %llu bytes", h->source,
			 (unsigned long long)HOST_CHURN_BYTES);
		rc = -1;
	}
	free(l.v);
	return rc;
}

int host_walk_count(const struct resource *res, void *arg)
{
	(void)res;
	++*(int *)arg;
	return 0;
}

int host_tree_load(struct host_tree *h, const char *backend, const char *lock, char *err,
		   size_t errlen)
{
	char *text;

	*h = (struct host_tree){ 0 };
	text = iomem_host_dump(&h->source);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->t = load_text(backend, lock, text, h->source, err, errlen);
	free(text);
	if (!h->t)
		return -1;
	if (describe(h, err, errlen)) {
		host_tree_destroy(h);
		return -1;
	}
	iomem_walk_res_desc(h->t, IOMEM_ROOT_IOMEM, IORES_DESC_NONE, HOST_RAM_WALK_FLAGS, 0,
			    ~(resource_size_t)0, host_walk_count, &h->ram_walk_hits);
	return 0;
}

void host_tree_destroy(struct host_tree *h)
{
	iomem_tree_free(h->t);
	free(h->ram);
	free(h->addrs);
	*h = (struct host_tree){ 0 };
}
