/* SPDX-License-Identifier: MIT */
/* The mapping space: a resource tree's RAM, a page table and a VA allocator together;
 * translation as the MMU sees it (page tables, or the linear map). */
#include <errno.h>
#include <stdlib.h>

#include "iomem/alloc.h"
#include "iomem/ioremap.h"
#include "mmu_impl.h"

struct iomem_mmu *iomem_mmu_new(struct iomem_tree *t, const struct iomem_mmu_opts *opts)
{
	static const struct iomem_mmu_opts defaults;
	struct iomem_mmu *m;
	struct vmap_opts vo;

	if (!opts)
		opts = &defaults;
	m = iomem_alloc(IOMEM_ALLOC_OTHER, sizeof(*m));
	if (!m || !(m->pt = pgtable_new())) {
		iomem_free(IOMEM_ALLOC_OTHER, m);
		errno = ENOMEM;
		return NULL;
	}
	vo = (struct vmap_opts){ .policy = opts->va_policy, .lock = opts->va_lock,
				 .ncpus = opts->ncpus, .nodes = opts->nodes };
	m->vs = vmap_new(m->pt, &vo);
	if (!m->vs) {
		int err = errno;

		pgtable_free(m->pt);
		iomem_free(IOMEM_ALLOC_OTHER, m);
		errno = err;
		return NULL;
	}
	m->tree = t;
	m->max_page_shift = opts->nohugeiomap ? PAGE_SHIFT : 63;
	return m;
}

void iomem_mmu_free(struct iomem_mmu *m)
{
	if (!m)
		return;
	vmap_free(m->vs);
	pgtable_free(m->pt);
	iomem_free(IOMEM_ALLOC_OTHER, m);
}

struct pgtable *iomem_mmu_pgtable(struct iomem_mmu *m)
{
	return m->pt;
}

struct vmap_space *iomem_mmu_vmap(struct iomem_mmu *m)
{
	return m->vs;
}

static bool is_linear_addr(uint64_t va)
{
	return va >= PAGE_OFFSET && va - PAGE_OFFSET < LINEAR_MAP_SIZE;
}

int iomem_translate(struct iomem_mmu *m, uint64_t va, struct iomem_translation *out)
{
	struct pgtable_walk w;

	if (is_linear_addr(va)) {
		/* The linear map covers map memory only. */
		if (!iomem_pfn_is_map_memory(m, va - PAGE_OFFSET))
			return -EFAULT;
		*out = (struct iomem_translation){ .pa = va - PAGE_OFFSET, .attrindx = MT_NORMAL,
						   .level = IOMEM_MAP_LINEAR };
		return 0;
	}
	if (pgtable_translate(m->pt, va, &w))
		return -EFAULT;
	*out = (struct iomem_translation){
		.pa = w.pa,
		.attrindx = (unsigned)((w.desc & PTE_ATTRINDX_MASK) >> 2),
		.level = (enum iomem_map_level)w.level,
	};
	return 0;
}

const char *iomem_mt_name(unsigned attrindx)
{
	static const char *const names[] = {
		[MT_NORMAL] = "NORMAL",
		[MT_NORMAL_TAGGED] = "NORMAL_TAGGED",
		[MT_NORMAL_NC] = "NORMAL_NC",
		[MT_DEVICE_nGnRnE] = "DEVICE_nGnRnE",
		[MT_DEVICE_nGnRE] = "DEVICE_nGnRE",
	};

	return attrindx < sizeof(names) / sizeof(names[0]) ? names[attrindx] : "MT?";
}

const char *iomem_map_level_name(enum iomem_map_level level)
{
	switch (level) {
	case IOMEM_MAP_LINEAR: return "linear";
	case IOMEM_MAP_PUD: return "pud";
	case IOMEM_MAP_PMD: return "pmd";
	case IOMEM_MAP_PTE: return "pte";
	}
	return "?";
}

int iomem_vmallocinfo(struct iomem_mmu *m, FILE *out)
{
	return vmap_show(m->vs, out);
}

bool iomem_mmu_purge(struct iomem_mmu *m, struct vmap_purge_result *out)
{
	return vmap_purge(m->vs, out);
}
