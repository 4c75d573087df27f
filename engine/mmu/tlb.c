/* SPDX-License-Identifier: MIT */
/* Simulated TLB maintenance: nothing is cached, the invalidations are counted (arm64
 * flush_tlb_kernel_range and __flush_tlb_kernel_pgtable, kernel model §2.10). */
#include "pt_state.h"

uint64_t pgtable_flush_tlb_kernel_range(struct pgtable *pt, uint64_t start, uint64_t end)
{
	uint64_t pages;

	start &= PAGE_MASK;
	end = (end + PAGE_SIZE - 1) & PAGE_MASK;
	pages = (end - start) >> PAGE_SHIFT;
	pt_count(&pt->c.tlb_flush_calls, 1);
	if (pages > MAX_TLBI_OPS) {
		pt_count(&pt->c.tlbi_all, 1);
		return 0;
	}
	pt_count(&pt->c.tlbi_pages, pages);
	return pages;
}

/* The hardware walker's cached table entries go with the TLBI; our software walkers
 * are waited for instead. */
void pgtable_flush_tlb_pgtable(struct pgtable *pt, uint64_t va)
{
	(void)va;
	pt_count(&pt->c.tlbi_pgtable, 1);
	walkers_synchronize(&pt->walkers);
	pt_count(&pt->c.grace_periods, 1);
}
