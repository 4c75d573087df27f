/* SPDX-License-Identifier: MIT */
/* `itree-planted`: the itree backend with one bug planted in its overlap check (a sibling
 * that starts inside a new region is missed), selectable by name only. The tests use it to
 * prove that the differential checker and the live checks of `iomem stress` catch a real
 * double grant. Linked into the build's `iomem` when IOMEM_PLANTED_BACKEND is on (the
 * default where tests are built); never into the engine library nor an install. */
#define IOMEM_PLANTED_BUG 1
#include "backends/itree.c"

__attribute__((constructor)) static void register_planted(void)
{
	iomem_backend_register_hidden(&iomem_backend_itree_planted);
}
