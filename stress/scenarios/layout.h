/* SPDX-License-Identifier: MIT */
/* Starting trees of the scenarios: the boot layout of an x86 server (or an arm64 one),
 * hot-pluggable memory blocks that are each a System RAM resource of their own, CXL
 * windows, and a PCI hierarchy of host bridges, bridges and functions with their BARs,
 * shaped after the real dumps of tests/dumps/ and engine/fallback/. Built with
 * iomem_append in address order, so a tree of 2^15 blocks takes milliseconds. */
#ifndef STRESS_SCENARIOS_LAYOUT_H
#define STRESS_SCENARIOS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iomem/iomem.h"

#define LAYOUT_BLOCK_SIZE	(128ULL << 20)	/* x86's and arm64's default memory block */
#define LAYOUT_MAX_BLOCKS	(1u << 16)	/* 8 TiB of blocks: below the 64-bit windows */
#define LAYOUT_CXL_WINDOW_SIZE	(64ULL << 30)
#define LAYOUT_MAX_FUNCTIONS	1024u
/* The 64-bit PCI windows start here, above any RAM a layout has. */
#define LAYOUT_PCI64_BASE	(1ULL << 44)

enum layout_arch { LAYOUT_X86, LAYOUT_ARM64 };

struct layout_spec {
	enum layout_arch arch;
	resource_size_t boot_ram_high;	/* boot RAM right above the low layout (0: none) */
	unsigned blocks;		/* then this many memory blocks */
	unsigned cxl_windows;		/* then CXL windows, LAYOUT_CXL_WINDOW_SIZE each */
	unsigned functions;		/* PCI functions (x86: two sockets, 8 host bridges) */
	bool drivers_bound;		/* each BAR already claimed by its function's driver */
	uint64_t seed;			/* which device each function is */
};

/* A BAR: a "DDDD:BB:DD.F" resource below its bridge's window, where the function's
 * driver claims its range with request_mem_region. */
struct layout_bar {
	resource_size_t start, size;
	unsigned fn;
	bool pref64;		/* 64-bit prefetchable: in the window above 4 GiB */
};

struct layout_fn {
	char name[16];			/* "0000:bb:dd.f" */
	const char *driver;		/* the name its driver claims its BARs under */
	unsigned first_bar, nbars;
};

struct layout {
	resource_size_t ram_start, ram_end;	/* the boot RAM the kernel sits in */
	resource_size_t block_base;		/* block i: block_base + i * LAYOUT_BLOCK_SIZE */
	unsigned nblocks;
	resource_size_t cxl_base;		/* window i: cxl_base + i * 64 GiB */
	unsigned ncxl;
	struct layout_fn *fns;
	unsigned nfns;
	struct layout_bar *bars;
	unsigned nbars;
	resource_size_t top;			/* the end of the highest resource, + 1 */
};

/* Builds the layout into the empty iomem root of t. 0, or -ENOMEM / -ENOSPC (the
 * functions' BARs do not fit below 4 GiB) with a message. */
int layout_build(struct iomem_tree *t, const struct layout_spec *spec, struct layout *out,
		 char *err, size_t errlen);
void layout_free(struct layout *l);

#endif
