/* SPDX-License-Identifier: MIT */
/* The cxl scenario's geometry and states, and the answers §1.5 and §1.6 give for them,
 * computed from the states alone: what its readers' answers are checked against.
 *
 * Window i of a run is [base + i * LAYOUT_CXL_WINDOW_SIZE, +64 GiB). Slot k of a window
 * is its k-th quarter; at level CXL_REGION it holds "regionN" (the whole quarter, flags
 * MEM), at CXL_DAX also "daxN.0" below it (the quarter less CXL_DAX_TAIL, System RAM, not
 * busy), at CXL_KMEM also "System RAM (kmem)" below that (the dax range, busy). */
#ifndef STRESS_SCENARIOS_CXL_MODEL_H
#define STRESS_SCENARIOS_CXL_MODEL_H

#include "iomem/iomem.h"
#include "layout.h"

#define CXL_SLOTS	4
#define CXL_REGION_SIZE	(LAYOUT_CXL_WINDOW_SIZE / CXL_SLOTS)
/* The dax range stops this short of its region's end: remove_resource addresses by range
 * here (§1.4), and an identical range would address the region. */
#define CXL_DAX_TAIL	(256ULL << 20)

enum cxl_level { CXL_NONE, CXL_REGION, CXL_DAX, CXL_KMEM };

/* A window's state word: bit 0 set while its builder changes it, bits 1-8 the level of
 * each slot (two bits each), the rest a count of changes, so that an unchanged word
 * means an unchanged window. */
#define CXL_STATE_CHANGING	1u
#define CXL_STATE_GEN		(1u << 9)

static inline enum cxl_level cxl_slot_level(unsigned state, unsigned k)
{
	return (enum cxl_level)(state >> (1 + 2 * k) & 3);
}

/* state with slot k at level lv, the count of changes advanced and not changing. */
static inline unsigned cxl_state_set(unsigned state, unsigned k, enum cxl_level lv)
{
	unsigned levels = (state >> 1 & 0xff) & ~(3u << 2 * k);

	levels |= (unsigned)lv << 2 * k;
	return ((state & ~(CXL_STATE_GEN - 1)) + CXL_STATE_GEN) | levels << 1;
}

static inline resource_size_t cxl_region_start(resource_size_t base, unsigned wi, unsigned k)
{
	return base + (resource_size_t)wi * LAYOUT_CXL_WINDOW_SIZE +
	       (resource_size_t)k * CXL_REGION_SIZE;
}

/* region_intersects([start, end], IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) when windows
 * first..last (all the range touches) are in states state[0..last-first]. */
int cxl_expected_intersects(resource_size_t base, unsigned first, unsigned last,
			    const unsigned *state, resource_size_t start, resource_size_t end);
/* The whole pages walk_system_ram_range finds in [start, end] (page-aligned) then. */
unsigned long long cxl_expected_pages(resource_size_t base, unsigned first, unsigned last,
				      const unsigned *state, resource_size_t start,
				      resource_size_t end);

#endif
