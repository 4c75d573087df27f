/* SPDX-License-Identifier: MIT */
/* The kernel's tree algorithms over linked sibling lists (kernel/resource.c), one copy
 * for the two backends that keep the tree as the kernel does: rwlock (readers under the
 * read lock) and rcu (readers under RCU, no lock). The caller holds the tree's write side:
 * these read the lists with plain loads, as the only writer may.
 *
 * Where a node is linked into a list, `publish` does the store: a plain one for rwlock,
 * a release for rcu, whose readers may follow the link at once; the node is complete
 * (sibling, parent) before it. The independent cross-check of these algorithms is the
 * itree backend, which implements them on its own index, and `iomem difftest`. */
#ifndef ENGINE_BACKENDS_SIBLING_LIST_H
#define ENGINE_BACKENDS_SIBLING_LIST_H

#include <stdbool.h>

#include "iomem/resource.h"

/* Stores node into *link where readers may see it. */
typedef void (*list_publish_fn)(struct resource **link, struct resource *node);

/* __request_resource (§1.1): links new under root in address order, or returns what it
 * conflicts with (root itself when new is outside it). */
struct resource *list_request_conflict(struct resource *root, struct resource *new,
				       list_publish_fn publish);

/* The link that points at the outermost resource with exactly [start, end], or NULL. */
struct resource **list_find_exact(struct resource *root, resource_size_t start,
				  resource_size_t end);

/* __find_resource_space with the default alignf (§1.4): the lowest fit of size bytes
 * aligned to align in the gaps between root's children, clipped to [min, max], into
 * new's start and end. */
bool list_find_space(const struct resource *root, struct resource *new, resource_size_t size,
		     resource_size_t min, resource_size_t max, resource_size_t align);

#endif
