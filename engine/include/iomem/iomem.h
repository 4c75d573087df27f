/* SPDX-License-Identifier: MIT */
/* The resource-tree API: one interface over runtime-chosen backends.
 *
 * A tree instance holds both roots (iomem and ioport), its lock(s) and the MUXED wait
 * queue. Operations address resources by range, the way the kernel's region API does;
 * resources never leave the tree as pointers, so a backend may free or replace nodes
 * (RCU) without the caller holding references. Return values are 0 or a negative errno.
 */
#ifndef IOMEM_IOMEM_H
#define IOMEM_IOMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "iomem/resource.h"

struct iomem_tree;

enum iomem_root {
	IOMEM_ROOT_IOMEM,	/* "PCI mem" [0, 2^64-1], IORESOURCE_MEM */
	IOMEM_ROOT_IOPORT,	/* "PCI IO"  [0, 0xffff], IORESOURCE_IO (x86 IO_SPACE_LIMIT) */
	IOMEM_NR_ROOTS,
};

#define IOMEM_IOPORT_LIMIT 0xffffULL

struct lock_ops;

struct iomem_tree_opts {
	const char *lock;	/* lock strategy name; NULL = default ("pthread-rw") */
	const struct lock_ops *lock_ops;	/* a strategy from outside the registry
						 * (e.g. a perturbing wrapper); overrides lock */
	const char *muxed_wait;	/* "global" (the kernel's, default) or "hashed" */
};

/* Counters of the MUXED wait queue, cumulative since the tree was made. */
struct iomem_muxed_stats {
	unsigned long long sleeps;		/* a muxed request went to sleep */
	unsigned long long wakeups;		/* a sleeper woke up */
	unsigned long long spurious_wakeups;	/* ... and found itself still blocked */
	unsigned long long wake_calls;		/* muxed releases that called wake_up */
	unsigned long long sleeping;		/* asleep right now */
	unsigned long long wait_ns_total;	/* time asleep, summed */
	unsigned long long wait_ns_max;
};

/* Bytes the node allocator holds for live allocations (jemalloc's "stats.allocated"), or
 * 0 in builds without jemalloc (sanitizer builds). Process-wide. */
size_t iomem_allocated_bytes(void);
/* Bytes (usable size) of the tree nodes alive now, over every tree of the process: exact,
 * unlike stats.allocated, which thread caches blur. */
long long iomem_node_bytes(void);

/* Backend names, NULL-terminated, in a stable order. */
const char *const *iomem_backend_names(void);
/* Whether a backend of that name can be made: the listed ones, and hidden ones a test
 * build links in (`itree-planted`, tests/planted/). */
bool iomem_backend_exists(const char *name);

/* NULL with errno = ENOENT for an unknown backend, lock or muxed wait, ENOMEM when out
 * of memory. */
struct iomem_tree *iomem_tree_new(const char *backend, const struct iomem_tree_opts *opts);
void iomem_tree_free(struct iomem_tree *t);
const char *iomem_tree_backend(const struct iomem_tree *t);
const char *iomem_tree_lock(const struct iomem_tree *t);
const char *iomem_tree_muxed_wait(const struct iomem_tree *t);
void iomem_tree_muxed_stats(struct iomem_tree *t, struct iomem_muxed_stats *out);
/* Returns once every node the tree has retired is freed (the rcu backend frees replaced
 * nodes after a grace period), so that allocation counts can be compared exactly. Not
 * from inside a walk's callback. */
void iomem_tree_quiesce(struct iomem_tree *t);

/* __request_region (§1.2). Sleeps while a MUXED request meets a busy MUXED region.
 * 0, -EBUSY, -ENOMEM. */
int iomem_request_region(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t n, const char *name, unsigned long flags);
/* As above, but returns -EWOULDBLOCK where the request would have slept. */
int iomem_request_region_nowait(struct iomem_tree *t, enum iomem_root root,
				resource_size_t start, resource_size_t n, const char *name,
				unsigned long flags);
/* __release_region (§1.3). 0, or -ENOENT where the kernel warns "Trying to free
 * nonexistent resource"; -ENOMEM, with the tree unchanged, on a backend that copies nodes
 * to release (maple) when memory runs out. */
int iomem_release_region(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t n);

/* insert_resource (§1.4): 0 or -EBUSY; -ENOMEM (tree unchanged) on the backends that
 * copy or index (rcu, itree, maple). */
int iomem_insert_resource(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			  resource_size_t end, const char *name, unsigned long flags,
			  unsigned long desc);
/* remove_resource on the outermost resource with exactly [start, end]: its children move
 * up into its place. 0 or -ENOENT; -ENOMEM as insert. */
int iomem_remove_resource(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			  resource_size_t end);
/* adjust_resource on the outermost resource with exactly [start, end]. 0, -EBUSY, -ENOENT;
 * -ENOMEM as insert. */
int iomem_adjust_resource(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			  resource_size_t end, resource_size_t new_start, resource_size_t new_size);
/* allocate_resource under the root, lowest fit, default alignf. 0 (and *start_out) or -EBUSY. */
int iomem_allocate_resource(struct iomem_tree *t, enum iomem_root root, resource_size_t size,
			    resource_size_t min, resource_size_t max, resource_size_t align,
			    const char *name, unsigned long flags, resource_size_t *start_out);

/* __region_intersects over the root (§1.5): REGION_INTERSECTS, _DISJOINT or _MIXED. */
int iomem_region_intersects(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			    size_t size, unsigned long flags, unsigned long desc);

/* walk_iomem_res_desc (§1.6). The callback gets the kernel's clipped copy (name NULL) and
 * runs without the tree lock held; a nonzero return stops the walk and is returned.
 * -EINVAL when nothing matched (the kernel's convention). */
typedef int (*iomem_walk_fn)(const struct resource *res, void *arg);
int iomem_walk_res_desc(struct iomem_tree *t, enum iomem_root root, unsigned long desc,
			unsigned long flags, resource_size_t start, resource_size_t end,
			iomem_walk_fn fn, void *arg);

/* The deepest resource containing addr, copied into *out (links NULL; name copied into
 * namebuf, truncated, or NULL when namebuf is NULL). 0 or -ENOENT. */
int iomem_lookup(struct iomem_tree *t, enum iomem_root root, resource_size_t addr,
		 struct resource *out, char *namebuf, size_t namelen);

/* Pre-order visit of every resource under the root (not the root), with its depth below
 * the root (0 = a top-level child), under the read side. Nonzero from fn stops it. */
typedef int (*iomem_visit_fn)(const struct resource *res, int depth, void *arg);
int iomem_for_each(struct iomem_tree *t, enum iomem_root root, iomem_visit_fn fn, void *arg);

/* The root in /proc/iomem format (r_show, §1.7). -errno on a write error, or -ENOMEM when
 * the walk could not go on (what was printed by then stays printed). */
int iomem_show(struct iomem_tree *t, enum iomem_root root, FILE *out);

/* Siblings sorted and disjoint, children inside their parent, checked through
 * iomem_for_each (so concurrently with writers on any backend). false, with the first
 * offending resource described in why, when broken. */
bool iomem_check_invariants(struct iomem_tree *t, enum iomem_root root, char *why, size_t len);

/* Number of resources under the root. */
size_t iomem_count(struct iomem_tree *t, enum iomem_root root);

/* --- Loading. Appends a resource as the last child of `parent` without any checks; the
 * caller guarantees order and nesting. parent NULL means the root. The handle returned
 * (NULL when out of memory) is only good as a later parent. Used by the dump loader and
 * synthetic tree builders, single-threaded, before the tree is shared. */
struct iomem_node;
struct iomem_node *iomem_append(struct iomem_tree *t, enum iomem_root root,
				struct iomem_node *parent, resource_size_t start,
				resource_size_t end, const char *name, unsigned long flags,
				unsigned long desc);

/* Kernel-named wrappers. */
static inline int request_mem_region(struct iomem_tree *t, resource_size_t start,
				     resource_size_t n, const char *name)
{
	return iomem_request_region(t, IOMEM_ROOT_IOMEM, start, n, name, 0);
}

static inline int request_mem_region_muxed(struct iomem_tree *t, resource_size_t start,
					   resource_size_t n, const char *name)
{
	return iomem_request_region(t, IOMEM_ROOT_IOMEM, start, n, name, IORESOURCE_MUXED);
}

static inline int request_mem_region_exclusive(struct iomem_tree *t, resource_size_t start,
					       resource_size_t n, const char *name)
{
	return iomem_request_region(t, IOMEM_ROOT_IOMEM, start, n, name, IORESOURCE_EXCLUSIVE);
}

static inline int request_region(struct iomem_tree *t, resource_size_t start,
				 resource_size_t n, const char *name)
{
	return iomem_request_region(t, IOMEM_ROOT_IOPORT, start, n, name, 0);
}

static inline int request_muxed_region(struct iomem_tree *t, resource_size_t start,
				       resource_size_t n, const char *name)
{
	return iomem_request_region(t, IOMEM_ROOT_IOPORT, start, n, name, IORESOURCE_MUXED);
}

static inline int release_mem_region(struct iomem_tree *t, resource_size_t start,
				     resource_size_t n)
{
	return iomem_release_region(t, IOMEM_ROOT_IOMEM, start, n);
}

static inline int release_region(struct iomem_tree *t, resource_size_t start, resource_size_t n)
{
	return iomem_release_region(t, IOMEM_ROOT_IOPORT, start, n);
}

static inline int region_intersects(struct iomem_tree *t, resource_size_t start, size_t size,
				    unsigned long flags, unsigned long desc)
{
	return iomem_region_intersects(t, IOMEM_ROOT_IOMEM, start, size, flags, desc);
}

static inline int walk_iomem_res_desc(struct iomem_tree *t, unsigned long desc,
				      unsigned long flags, resource_size_t start,
				      resource_size_t end, iomem_walk_fn fn, void *arg)
{
	return iomem_walk_res_desc(t, IOMEM_ROOT_IOMEM, desc, flags, start, end, fn, arg);
}

#endif
