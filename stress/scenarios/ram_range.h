/* SPDX-License-Identifier: MIT */
/* walk_system_ram_range (§1.6) as the kernel's callers see it: the busy System RAM in a
 * byte range, reported as whole pages (first page rounded up, end rounded down). */
#ifndef STRESS_SCENARIOS_RAM_RANGE_H
#define STRESS_SCENARIOS_RAM_RANGE_H

#include "iomem/iomem.h"

#define RAM_PAGE 4096ULL

struct ram_pages {
	unsigned long long pages;	/* whole pages of System RAM found */
	unsigned long long hits;	/* resources they came from (callbacks) */
};

/* [start, end] walked on t; *out counts what was found. */
void ram_range_walk(struct iomem_tree *t, resource_size_t start, resource_size_t end,
		    struct ram_pages *out);

#endif
