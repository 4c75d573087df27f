/* SPDX-License-Identifier: MIT */
/* The mapping space's private state, shared by mmu.c, ioremap.c and memremap.c. */
#ifndef IOMEM_MMU_MMU_IMPL_H
#define IOMEM_MMU_MMU_IMPL_H

#include "iomem/ioremap.h"

struct iomem_mmu {
	struct iomem_tree *tree;
	struct pgtable *pt;
	struct vmap_space *vs;
	unsigned max_page_shift;	/* ioremap_max_page_shift */
};

/* ioremap_prot with the name vmallocinfo shows as the caller. */
int iomem_ioremap_caller(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t prot,
			 const char *caller, uint64_t *va);
int iomem_ioremap_cache_caller(struct iomem_mmu *m, uint64_t phys, uint64_t size,
			       const char *caller, uint64_t *va);

#endif
