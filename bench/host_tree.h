/* SPDX-License-Identifier: MIT */
/* The host's own iomem tree for the tree_rw/ family, and what its readers and writer use:
 * the System RAM ranges, lookup addresses, and a free span for device-sized churn.
 *
 * /proc/iomem is loaded when it is readable and not zeroed (reading it without
 * CAP_SYS_ADMIN gives all-zero addresses); otherwise the bundled dump
 * IOMEM_BENCH_FALLBACK_DUMP (a path compiled in by CMake). */
#ifndef IOMEM_BENCH_HOST_TREE_H
#define IOMEM_BENCH_HOST_TREE_H

#include <stddef.h>

#include "iomem/iomem.h"

#define HOST_CHURN_SIZE		0x4000ULL	/* one device region: 16 KiB */
#define HOST_CHURN_SLOTS	64u		/* the churn span holds this many */

struct host_range {
	resource_size_t start, end;
};

struct host_tree {
	struct iomem_tree *t;
	const char *source;		/* what was loaded: "/proc/iomem" or the built-in dump */
	size_t nr_resources;
	struct host_range *ram;		/* top-level System RAM resources */
	size_t nr_ram;
	resource_size_t *addrs;		/* the middle of each resource, for lookups */
	size_t nr_addrs;
	int ram_walk_hits;		/* callbacks of a walk of System RAM over everything */
	resource_size_t churn_start;	/* HOST_CHURN_SLOTS free slots of HOST_CHURN_SIZE */
	char churn_where[64];		/* "PCI Bus 0000:00" (a PCI window) or "hole" */
};

/* 0, or -1 with a one-line reason in err. lock: the tree's lock strategy (NULL: default). */
int host_tree_load(struct host_tree *h, const char *backend, const char *lock, char *err,
		   size_t errlen);
void host_tree_destroy(struct host_tree *h);

/* walk_system_ram_res's filter (§1.6). */
#define HOST_RAM_WALK_FLAGS	(IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY)

/* Counts callbacks into the int at arg. */
int host_walk_count(const struct resource *res, void *arg);

#endif
