/* SPDX-License-Identifier: MIT */
/* The seam between the public API (tree.c) and the tree backends.
 * A backend embeds struct iomem_tree first in its own tree type. */
#ifndef IOMEM_BACKEND_H
#define IOMEM_BACKEND_H

#include <stdbool.h>

#include "iomem/iomem.h"
#include "muxed_wait.h"

/* The step of __walk_iomem_res_desc's loop (§1.6) after a region ending at region_end:
 * true, with *start the next start, while the walk goes on (start < end). The kernel's
 * start = end + 1 would wrap to 0 after a region ending at 2^64-1 and loop forever; here
 * the walk stops. */
static inline bool iomem_walk_advance(resource_size_t region_end, resource_size_t end,
				      resource_size_t *start)
{
	if (region_end == ~(resource_size_t)0)
		return false;
	*start = region_end + 1;
	return *start < end;
}

struct iomem_backend_ops {
	const char *name;
	/* 0 and *out, or -ENOENT (unknown lock) / -ENOMEM. */
	int (*create)(const struct iomem_tree_opts *opts, struct iomem_tree **out);
	void (*destroy)(struct iomem_tree *t);
	const char *(*lock_name)(const struct iomem_tree *t);

	int (*request)(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		       resource_size_t n, const char *name, unsigned long flags, bool nowait);
	int (*release)(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		       resource_size_t n);
	int (*insert)(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t end, const char *name, unsigned long flags,
		      unsigned long desc);
	int (*remove)(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t end);
	int (*adjust)(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		      resource_size_t end, resource_size_t new_start, resource_size_t new_size);
	int (*allocate)(struct iomem_tree *t, enum iomem_root root, resource_size_t size,
			resource_size_t min, resource_size_t max, resource_size_t align,
			const char *name, unsigned long flags, resource_size_t *start_out);

	int (*intersects)(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			  resource_size_t end, unsigned long flags, unsigned long desc);
	/* find_next_iomem_res (§1.6) with start < end already checked: 0 and *res, or -ENODEV. */
	int (*find_next)(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t end, unsigned long flags, unsigned long desc,
			 struct resource *res);
	/* Optional: __walk_iomem_res_desc (§1.6) whole, with start < end checked; NULL for
	 * tree.c's loop of find_next calls. It reports what that loop would: fn runs outside
	 * any lock or read-side section, and every region comes from a search made after the
	 * callback before it returned (or that no write since could have changed). */
	int (*walk)(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
		    resource_size_t end, unsigned long flags, unsigned long desc,
		    iomem_walk_fn fn, void *arg);
	int (*lookup)(struct iomem_tree *t, enum iomem_root root, resource_size_t addr,
		      struct resource *out, char *namebuf, size_t namelen);
	int (*for_each)(struct iomem_tree *t, enum iomem_root root, iomem_visit_fn fn, void *arg);
	struct iomem_node *(*append)(struct iomem_tree *t, enum iomem_root root,
				     struct iomem_node *parent, resource_size_t start,
				     resource_size_t end, const char *name, unsigned long flags,
				     unsigned long desc);
	/* Frees every resource under the root: the undo of a load that ran out of memory,
	 * single-threaded as append is. */
	void (*clear)(struct iomem_tree *t, enum iomem_root root);
	/* Optional: returns once every node the tree retired is freed (iomem_tree_quiesce).
	 * NULL for a backend that frees at once. */
	void (*quiesce)(struct iomem_tree *t);
};

struct iomem_tree {
	const struct iomem_backend_ops *ops;
	struct muxed_wait muxed;
};

extern const struct iomem_backend_ops iomem_backend_rwlock;
extern const struct iomem_backend_ops iomem_backend_rcu;
extern const struct iomem_backend_ops iomem_backend_itree;
extern const struct iomem_backend_ops iomem_backend_maple;

/* A backend from outside the engine (a test build's), found by name but never listed.
 * 0, -EEXIST for a name taken, -ENOSPC when the few slots are full. */
int iomem_backend_register_hidden(const struct iomem_backend_ops *ops);

struct lock;
/* A backend's tree lock, as the options ask. 0, -ENOENT, -ENOMEM. */
int iomem_tree_lock_init(struct lock *l, const struct iomem_tree_opts *opts);

/* The roots' fixed ranges and types (§1.0). */
void iomem_root_init(struct resource *r, enum iomem_root root);

/* is_type_match of §1.5/§1.6. */
static inline bool iomem_type_match(const struct resource *p, unsigned long flags,
				    unsigned long desc)
{
	return (p->flags & flags) == flags && (desc == IORES_DESC_NONE || desc == p->desc);
}

/* The kernel's ALIGN() for a power-of-two alignment, wrapping as it does. */
static inline resource_size_t iomem_align_up(resource_size_t x, resource_size_t a)
{
	return (x + (a - 1)) & ~(a - 1);
}

#endif
