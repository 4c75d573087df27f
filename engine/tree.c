/* SPDX-License-Identifier: MIT */
/* The public API: argument handling shared by every backend, then dispatch. */
#include <errno.h>
#include <string.h>

#include "backend.h"
#include "locks/lock.h"

const struct iomem_backend_ops *iomem_backend_find(const char *name);

void iomem_root_init(struct resource *r, enum iomem_root root)
{
	memset(r, 0, sizeof(*r));
	if (root == IOMEM_ROOT_IOMEM) {
		r->name = "PCI mem";
		r->end = ~(resource_size_t)0;
		r->flags = IORESOURCE_MEM;
	} else {
		r->name = "PCI IO";
		r->end = IOMEM_IOPORT_LIMIT;
		r->flags = IORESOURCE_IO;
	}
}

int iomem_tree_lock_init(struct lock *l, const struct iomem_tree_opts *opts)
{
	return opts->lock_ops ? lock_init_ops(l, opts->lock_ops, NULL) : lock_init(l, opts->lock);
}

struct iomem_tree *iomem_tree_new(const char *backend, const struct iomem_tree_opts *opts)
{
	static const struct iomem_tree_opts defaults;
	const struct iomem_backend_ops *ops = iomem_backend_find(backend ? backend : "rwlock");
	struct iomem_tree *t;
	int err;

	if (!ops) {
		errno = ENOENT;
		return NULL;
	}
	if (!opts)
		opts = &defaults;
	err = ops->create(opts, &t);
	if (err) {
		errno = -err;
		return NULL;
	}
	t->ops = ops;
	err = muxed_wait_init(&t->muxed, opts->muxed_wait);
	if (err) {
		ops->destroy(t);
		errno = -err;
		return NULL;
	}
	return t;
}

void iomem_tree_free(struct iomem_tree *t)
{
	if (!t)
		return;
	muxed_wait_destroy(&t->muxed);
	t->ops->destroy(t);
}

void iomem_tree_quiesce(struct iomem_tree *t)
{
	if (t->ops->quiesce)
		t->ops->quiesce(t);
}

const char *iomem_tree_backend(const struct iomem_tree *t)
{
	return t->ops->name;
}

const char *iomem_tree_lock(const struct iomem_tree *t)
{
	return t->ops->lock_name(t);
}

const char *iomem_tree_muxed_wait(const struct iomem_tree *t)
{
	return muxed_wait_name(&t->muxed);
}

void iomem_tree_muxed_stats(struct iomem_tree *t, struct iomem_muxed_stats *out)
{
	muxed_wait_stats(&t->muxed, out);
}

int iomem_request_region(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t n, const char *name, unsigned long flags)
{
	return t->ops->request(t, root, start, n, name, flags, false);
}

int iomem_request_region_nowait(struct iomem_tree *t, enum iomem_root root,
				resource_size_t start, resource_size_t n, const char *name,
				unsigned long flags)
{
	return t->ops->request(t, root, start, n, name, flags, true);
}

int iomem_release_region(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t n)
{
	return t->ops->release(t, root, start, n);
}

int iomem_insert_resource(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			  resource_size_t end, const char *name, unsigned long flags,
			  unsigned long desc)
{
	return t->ops->insert(t, root, start, end, name, flags, desc);
}

int iomem_remove_resource(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			  resource_size_t end)
{
	return t->ops->remove(t, root, start, end);
}

int iomem_adjust_resource(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			  resource_size_t end, resource_size_t new_start, resource_size_t new_size)
{
	return t->ops->adjust(t, root, start, end, new_start, new_size);
}

int iomem_allocate_resource(struct iomem_tree *t, enum iomem_root root, resource_size_t size,
			    resource_size_t min, resource_size_t max, resource_size_t align,
			    const char *name, unsigned long flags, resource_size_t *start_out)
{
	return t->ops->allocate(t, root, size, min, max, align, name, flags, start_out);
}

int iomem_region_intersects(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			    size_t size, unsigned long flags, unsigned long desc)
{
	return t->ops->intersects(t, root, start, start + size - 1, flags, desc);
}

/* __walk_iomem_res_desc (§1.6): the lock is taken per step inside find_next, and the
 * callback runs unlocked on a copy, as in the kernel; or the backend's own walk, which
 * reports the same. */
int iomem_walk_res_desc(struct iomem_tree *t, enum iomem_root root, unsigned long desc,
			unsigned long flags, resource_size_t start, resource_size_t end,
			iomem_walk_fn fn, void *arg)
{
	struct resource res;
	int ret = -EINVAL;

	if (start >= end)
		return ret;
	if (t->ops->walk)
		return t->ops->walk(t, root, start, end, flags, desc, fn, arg);
	while (!t->ops->find_next(t, root, start, end, flags, desc, &res)) {
		ret = fn(&res, arg);
		if (ret || !iomem_walk_advance(res.end, end, &start))
			break;
	}
	return ret;
}

int iomem_lookup(struct iomem_tree *t, enum iomem_root root, resource_size_t addr,
		 struct resource *out, char *namebuf, size_t namelen)
{
	return t->ops->lookup(t, root, addr, out, namebuf, namelen);
}

int iomem_for_each(struct iomem_tree *t, enum iomem_root root, iomem_visit_fn fn, void *arg)
{
	return t->ops->for_each(t, root, fn, arg);
}

static int count_one(const struct resource *res, int depth, void *arg)
{
	(void)res;
	(void)depth;
	++*(size_t *)arg;
	return 0;
}

size_t iomem_count(struct iomem_tree *t, enum iomem_root root)
{
	size_t n = 0;

	iomem_for_each(t, root, count_one, &n);
	return n;
}

struct iomem_node *iomem_append(struct iomem_tree *t, enum iomem_root root,
				struct iomem_node *parent, resource_size_t start,
				resource_size_t end, const char *name, unsigned long flags,
				unsigned long desc)
{
	return t->ops->append(t, root, parent, start, end, name, flags, desc);
}
