/* SPDX-License-Identifier: MIT */
/* memremap and memunmap (kernel/iomem.c; kernel model §3): WB, then WT, then WC; WT and WC
 * never on RAM. */
#include <errno.h>

#include "iomem/ioremap.h"
#include "mmu_impl.h"

/* try_ram_remap: the linear-map address when the first page is map memory. */
static bool try_ram_remap(struct iomem_mmu *m, uint64_t offset, uint64_t *va)
{
	if (!iomem_pfn_is_map_memory(m, offset))
		return false;
	*va = PAGE_OFFSET + offset;
	return true;
}

int iomem_memremap(struct iomem_mmu *m, uint64_t offset, uint64_t size, unsigned long flags,
		   uint64_t *va)
{
	int is_ram = iomem_region_intersects(m->tree, IOMEM_ROOT_IOMEM, offset, size,
					     IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
	int rc = -EINVAL;

	if (!flags)
		return -EINVAL;
	if (is_ram == REGION_MIXED)	/* WARN_ONCE "memremap attempted on mixed range" */
		return -EINVAL;
	if (flags & MEMREMAP_WB) {
		if (is_ram == REGION_INTERSECTS && try_ram_remap(m, offset, va))
			return 0;
		rc = iomem_ioremap_cache_caller(m, offset, size, "memremap", va);	/* arch_memremap_wb */
		if (!rc)
			return 0;
	}
	if (is_ram == REGION_INTERSECTS && flags != MEMREMAP_WB)
		return -EINVAL;	/* WARN_ONCE "memremap attempted on ram" */
	if (flags & MEMREMAP_WT) {
		rc = iomem_ioremap_caller(m, offset, size, PROT_DEVICE_nGnRE, "memremap", va);
		if (!rc)
			return 0;
	}
	if (flags & MEMREMAP_WC)
		rc = iomem_ioremap_caller(m, offset, size, PROT_NORMAL_NC, "memremap", va);
	return rc;
}

void iomem_memunmap(struct iomem_mmu *m, uint64_t va)
{
	if (iomem_is_ioremap_addr(va))
		iomem_iounmap(m, va);
}
