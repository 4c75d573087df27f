/* SPDX-License-Identifier: MIT */
/* The ioremap family and iounmap as on arm64, over the simulated page table and VA
 * allocator (docs/kernel-model.md §2.4, §2.5). */
#include <errno.h>
#include <stdlib.h>

#include "iomem/ioremap.h"
#include "mmu_impl.h"

bool iomem_pfn_is_map_memory(struct iomem_mmu *m, uint64_t pa)
{
	pa &= PAGE_MASK;
	return pa < LINEAR_MAP_SIZE &&
	       iomem_region_intersects(m->tree, IOMEM_ROOT_IOMEM, pa, 1, IORESOURCE_SYSTEM_RAM,
				       IORES_DESC_NONE) == REGION_INTERSECTS;
}

bool iomem_is_ioremap_addr(uint64_t va)
{
	return va >= IOREMAP_START && va < IOREMAP_END;
}

/* generic_ioremap_prot from the VA allocation on: phys and size already checked. */
static int map_area(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t prot,
		    const char *caller, uint64_t *va)
{
	uint64_t offset = phys & ~PAGE_MASK, addr;
	int rc;

	phys -= offset;
	size = (size + offset + PAGE_SIZE - 1) & PAGE_MASK;
	rc = vmap_get_area(m->vs, size, phys, caller, &addr);
	if (rc)
		return rc;
	/* pgprot_nx */
	rc = pgtable_map(m->pt, addr, phys, size, (prot & ~PTE_GP) | PTE_PXN, m->max_page_shift);
	if (rc) {
		vmap_remove(m->vs, addr, NULL);	/* free_vm_area */
		return -ENOMEM;
	}
	*va = addr + offset;
	return 0;
}

int iomem_ioremap_caller(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t prot,
			 const char *caller, uint64_t *va)
{
	uint64_t last = phys + size - 1;

	if (last & ~PHYS_MASK)
		return -EINVAL;
	if (iomem_pfn_is_map_memory(m, phys))	/* the kernel WARNs: RAM is not ioremapped */
		return -EINVAL;
	if (!size || last < phys)
		return -EINVAL;
	return map_area(m, phys, size, prot, caller, va);
}

int iomem_ioremap_prot(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t prot,
		       uint64_t *va)
{
	return iomem_ioremap_caller(m, phys, size, prot, "ioremap_prot", va);
}

int iomem_ioremap(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va)
{
	return iomem_ioremap_caller(m, phys, size, PROT_DEVICE_nGnRE, "ioremap", va);
}

int iomem_ioremap_np(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va)
{
	return iomem_ioremap_caller(m, phys, size, PROT_DEVICE_nGnRnE, "ioremap_np", va);
}

int iomem_ioremap_wc(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va)
{
	return iomem_ioremap_caller(m, phys, size, PROT_NORMAL_NC, "ioremap_wc", va);
}

int iomem_ioremap_wt(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va)
{
	return iomem_ioremap_caller(m, phys, size, PROT_DEVICE_nGnRE, "ioremap_wt", va);
}

int iomem_ioremap_cache_caller(struct iomem_mmu *m, uint64_t phys, uint64_t size,
			       const char *caller, uint64_t *va)
{
	/* Normal memory already has a cacheable mapping. */
	if (iomem_pfn_is_map_memory(m, phys)) {
		*va = PAGE_OFFSET + phys;
		return 0;
	}
	return iomem_ioremap_caller(m, phys, size, PROT_NORMAL, caller, va);
}

int iomem_ioremap_cache(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va)
{
	return iomem_ioremap_cache_caller(m, phys, size, "ioremap_cache", va);
}

int iomem_iounmap(struct iomem_mmu *m, uint64_t va)
{
	va &= PAGE_MASK;
	if (!iomem_is_ioremap_addr(va))
		return 0;
	return vmap_remove(m->vs, va, NULL);
}
