/* SPDX-License-Identifier: MIT */
/* The slot search both child indexes use (itree_kids.h, maple_kids.h). */
#ifndef ENGINE_BACKENDS_KIDS_SLOT_H
#define ENGINE_BACKENDS_KIDS_SLOT_H

#include "iomem/resource.h"

/* The index of the last of the n sorted keys that is <= addr, given key[0] <= addr.
 * Branch-free: a node's keys (two cache lines) are fetched together and compared in
 * parallel, not probed one after another as a binary search would. */
static inline unsigned kids_slot_search(const resource_size_t *key, unsigned n,
					resource_size_t addr)
{
	unsigned i = 0;

	for (unsigned j = 1; j < n; j++)
		i += key[j] <= addr;
	return i;
}

#endif
