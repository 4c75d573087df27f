/* `itree-planted`: the itree backend with one bug planted in its overlap check (a sibling
 * that starts inside a new region is missed), selectable by name only. The tests use it to
 * prove that the differential checker and the live checks of `iomem stress` catch a real
 * double grant. Built when IOMEM_PLANTED_BACKEND is on (the default); off for packaging. */
#define IOMEM_PLANTED_BUG 1
#include "itree.c"
