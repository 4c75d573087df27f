/* SPDX-License-Identifier: MIT */
/* The answers a CXL window's states give (cxl_model.h), by §1.5's and §1.6's rules applied
 * to a list of the window's descendants, not through any backend. */
#include "cxl_model.h"

#define PAGE 4096ULL

/* A window's descendants in pre-order: region, its dax, the dax's kmem; next slot. */
struct descendant {
	resource_size_t start, end;
	bool system_ram;	/* matches IORESOURCE_SYSTEM_RAM */
	bool busy;
};

static unsigned descendants(resource_size_t base, unsigned wi, unsigned state,
			    struct descendant *d)
{
	unsigned n = 0;

	for (unsigned k = 0; k < CXL_SLOTS; k++) {
		resource_size_t rs = cxl_region_start(base, wi, k);
		resource_size_t de = rs + CXL_REGION_SIZE - CXL_DAX_TAIL - 1;
		enum cxl_level lv = cxl_slot_level(state, k);

		if (lv >= CXL_REGION)
			d[n++] = (struct descendant){ rs, rs + CXL_REGION_SIZE - 1, false, false };
		if (lv >= CXL_DAX)
			d[n++] = (struct descendant){ rs, de, true, false };
		if (lv >= CXL_KMEM)
			d[n++] = (struct descendant){ rs, de, true, true };
	}
	return n;
}

int cxl_expected_intersects(resource_size_t base, unsigned first, unsigned last,
			    const unsigned *state, resource_size_t start, resource_size_t end)
{
	unsigned type = 0, other = 0;

	/* Each window is a child of the root that overlaps the range and does not match
	 * (flags MEM, no SYSRAM): its matching descendants must cover its part. */
	for (unsigned wi = first; wi <= last; wi++) {
		struct descendant d[3 * CXL_SLOTS];
		resource_size_t ws = cxl_region_start(base, wi, 0);
		resource_size_t we = ws + LAYOUT_CXL_WINDOW_SIZE - 1;
		resource_size_t os = start > ws ? start : ws, oe = end < we ? end : we;
		unsigned n = descendants(base, wi, state[wi - first], d);
		bool covered = false;

		if (os > oe)
			continue;
		for (unsigned i = 0; i < n; i++) {
			if (d[i].start > end || d[i].end < start || !d[i].system_ram)
				continue;
			type++;
			if (d[i].start > os)
				break;		/* a gap before it: not covered */
			if (d[i].end >= oe) {
				covered = true;
				break;
			}
			if (d[i].end + 1 > os)
				os = d[i].end + 1;
		}
		if (!covered)
			other++;
	}
	return type == 0 ? REGION_DISJOINT : other == 0 ? REGION_INTERSECTS : REGION_MIXED;
}

unsigned long long cxl_expected_pages(resource_size_t base, unsigned first, unsigned last,
				      const unsigned *state, resource_size_t start,
				      resource_size_t end)
{
	unsigned long long pages = 0;

	/* System RAM and busy: only kmem, which has no children to hide (§1.6). */
	for (unsigned wi = first; wi <= last; wi++) {
		struct descendant d[3 * CXL_SLOTS];
		unsigned n = descendants(base, wi, state[wi - first], d);

		for (unsigned i = 0; i < n; i++) {
			resource_size_t s = d[i].start > start ? d[i].start : start;
			resource_size_t e = d[i].end < end ? d[i].end : end;

			if (d[i].busy && s <= e)
				pages += (e - s + 1) / PAGE;
		}
	}
	return pages;
}
