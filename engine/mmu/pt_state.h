/* SPDX-License-Identifier: MIT */
/* The page table's private state: its tables, walkers and counters, shared by pgtable.c
 * (the tables) and tlb.c (the invalidations). */
#ifndef IOMEM_MMU_PT_STATE_H
#define IOMEM_MMU_PT_STATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "iomem/pgtable.h"
#include "walkers.h"

/* One 4 KiB translation table. */
struct pt_table {
	_Atomic uint64_t e[PTRS_PER_TABLE];
};

struct pt_counters {
	_Atomic uint64_t tables_allocated, tables_freed;
	_Atomic uint64_t tables_replaced, bbm_violations;
	_Atomic uint64_t tlb_flush_calls, tlbi_pages, tlbi_all, tlbi_pgtable, grace_periods;
};

struct pgtable {
	struct walkers walkers;
	struct pt_table *pgd;
	struct pt_counters c;
};

static inline void pt_count(_Atomic uint64_t *counter, uint64_t n)
{
	atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

/* __flush_tlb_kernel_pgtable before a table is freed: counts one invalidation and waits
 * out every walker that may still hold the unlinked table. */
void pgtable_flush_tlb_pgtable(struct pgtable *pt, uint64_t va);

#endif
