/* SPDX-License-Identifier: MIT */
/* The checks that need a quiet moment, or the end of a run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "scenarios/scenario.h"

bool check_tree_invariants(struct run *r, char *why, size_t len)
{
	return iomem_check_invariants(r->t, IOMEM_ROOT_IOMEM, why, len);
}

static bool nothing_held(struct run *r, char *why, size_t len)
{
	for (unsigned s = 0; s < CLAIM_SLOTS; s++)
		if (atomic_load(&r->tokens[s])) {
			snprintf(why, len, "claim slot %u still marked held after the run", s);
			return false;
		}
	for (unsigned k = 0; k < 64; k++)
		if (atomic_load(&r->muxed_inside[k])) {
			snprintf(why, len, "muxed region %u still marked held after the run", k);
			return false;
		}
	return true;
}

/* With the harness's windows removed, the tree must print as it started. */
static bool tree_as_started(struct run *r, char *why, size_t len)
{
	char *now = NULL;
	size_t n = 0;
	FILE *f;
	bool same;

	if (iomem_remove_resource(r->t, IOMEM_ROOT_IOMEM, r->claim_base,
				  r->claim_base + CLAIM_SLOTS * CLAIM_SLOT - 1) ||
	    iomem_remove_resource(r->t, IOMEM_ROOT_IOMEM, r->muxed_base,
				  r->muxed_base + 64 * MUXED_SIZE - 1)) {
		snprintf(why, len, "the harness's windows are gone from the tree");
		return false;
	}
	f = open_memstream(&now, &n);
	if (!f)
		return true;
	iomem_show(r->t, IOMEM_ROOT_IOMEM, f);
	fclose(f);
	same = strcmp(now, r->start_dump) == 0;
	if (!same)
		snprintf(why, len, "the tree differs from the starting tree after every region "
			 "was released");
	free(now);
	return same;
}

/* Every mapping undone: after a purge no area is busy or lazily freed. */
static bool vas_free(struct run *r, char *why, size_t len)
{
	struct vmap_purge_result purge;
	struct vmap_stats st;

	iomem_mmu_purge(r->m, &purge);
	vmap_stats(iomem_mmu_vmap(r->m), &st);
	if (st.busy_areas || st.lazy_areas) {
		snprintf(why, len, "%llu busy and %llu lazy vmap areas left after a purge",
			 (unsigned long long)st.busy_areas, (unsigned long long)st.lazy_areas);
		return false;
	}
	return vmap_check(iomem_mmu_vmap(r->m), why, len) == 0;
}

bool check_end_state(struct run *r, char *why, size_t len)
{
	return nothing_held(r, why, len) && scenario_check_end(r, why, len) &&
	       check_tree_invariants(r, why, len) && tree_as_started(r, why, len) &&
	       vas_free(r, why, len);
}
