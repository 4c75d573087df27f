/* SPDX-License-Identifier: MIT */
/* ioremap, iounmap and memremap as on arm64 (docs/kernel-model.md §2.4, §3), on a
 * simulated page table and vmalloc allocator, with "RAM" taken from a resource tree.
 *
 * A mapping space binds a resource tree (its iomem root's System RAM is the memory the
 * linear map covers) to a page table and a VA allocator. Virtual addresses are 64-bit
 * numbers in the arm64 kernel layout; 0 plays NULL. Every call is thread-safe.
 *
 * The linear map is modelled with PHYS_OFFSET 0: a RAM physical address pa appears at
 * PAGE_OFFSET + pa, for pa below LINEAR_MAP_SIZE (RAM above it is not "map memory").
 */
#ifndef IOMEM_IOREMAP_H
#define IOMEM_IOREMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iomem/iomem.h"
#include "iomem/pgtable.h"
#include "iomem/vmap.h"

#define PAGE_OFFSET		0xffff000000000000ULL
#define LINEAR_MAP_SIZE		(1ULL << 47)
#define IOREMAP_START		VMALLOC_START
#define IOREMAP_END		VMALLOC_END

#define MEMREMAP_WB		(1UL << 0)
#define MEMREMAP_WT		(1UL << 1)
#define MEMREMAP_WC		(1UL << 2)
#define MEMREMAP_ENC		(1UL << 3)
#define MEMREMAP_DEC		(1UL << 4)

struct iomem_mmu;

struct iomem_mmu_opts {
	const char *va_policy;	/* vmap policy: "global" (NULL), "sharded", "sharded-cpu" */
	const char *va_lock;	/* lock strategy of the VA allocator; NULL = default */
	unsigned ncpus;		/* 0 = this machine's online CPUs */
	unsigned nodes;		/* sharded: vmap nodes; 0 = clamp(ncpus, 1, 128) */
	bool nohugeiomap;	/* ioremap_max_page_shift = PAGE_SHIFT: pages only */
};

/* NULL with errno ENOENT (unknown policy or lock), EINVAL or ENOMEM. The tree must
 * outlive the space. */
struct iomem_mmu *iomem_mmu_new(struct iomem_tree *t, const struct iomem_mmu_opts *opts);
void iomem_mmu_free(struct iomem_mmu *m);
struct pgtable *iomem_mmu_pgtable(struct iomem_mmu *m);
struct vmap_space *iomem_mmu_vmap(struct iomem_mmu *m);

/* Each returns 0 and the virtual address in *va, or:
 *   -EINVAL  refused: size 0, phys+size wraps, the last byte beyond PHYS_MASK, or the
 *            first page is RAM (arm64 checks only the first page);
 *   -ENOMEM  no virtual space left (after a purge) or no memory for page tables. */
/* Device-nGnRE */
int iomem_ioremap(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va);
/* Device-nGnRnE */
int iomem_ioremap_np(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va);
/* Normal-NC */
int iomem_ioremap_wc(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va);
/* asm-generic's ioremap_wt is ioremap: Device-nGnRE. */
int iomem_ioremap_wt(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va);
/* RAM (first page): the linear-map address, no new mapping, no size check. Else Normal. */
int iomem_ioremap_cache(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t *va);
/* prot as for pgtable_map; PXN is forced (pgprot_nx). */
int iomem_ioremap_prot(struct iomem_mmu *m, uint64_t phys, uint64_t size, uint64_t prot,
		       uint64_t *va);

/* generic_iounmap: a no-op (0) outside the ioremap range, so also for linear addresses
 * from ioremap_cache; else unmaps the area containing va. -ENOENT where the kernel warns
 * "Trying to vunmap() nonexistent vm area" (e.g. a double unmap). */
int iomem_iounmap(struct iomem_mmu *m, uint64_t va);

/* memremap (§3): WB, then WT, then WC. 0 and *va, or -EINVAL where memremap returns NULL
 * (no flags, a MIXED range, WT/WC on RAM, or the refusals of ioremap), -ENOMEM as ioremap. */
int iomem_memremap(struct iomem_mmu *m, uint64_t offset, uint64_t size, unsigned long flags,
		   uint64_t *va);
/* iounmap only for an ioremap-range address; linear addresses are left alone. */
void iomem_memunmap(struct iomem_mmu *m, uint64_t va);

/* pfn_is_map_memory: the page holding pa is System RAM and inside the linear map. */
bool iomem_pfn_is_map_memory(struct iomem_mmu *m, uint64_t pa);
bool iomem_is_ioremap_addr(uint64_t va);

enum iomem_map_level {
	IOMEM_MAP_LINEAR = 0,	/* a linear-map address */
	IOMEM_MAP_PUD = 1,	/* 1 GiB block */
	IOMEM_MAP_PMD = 2,	/* 2 MiB block */
	IOMEM_MAP_PTE = 3,	/* page */
};

struct iomem_translation {
	uint64_t pa;
	unsigned attrindx;	/* MT_* */
	enum iomem_map_level level;
};

/* What the MMU would do with va: the page tables for kernel VAs, the linear map for
 * linear addresses whose page is RAM. 0, or -EFAULT (translation fault). Lock-free for
 * page-table addresses; a linear address consults the resource tree. */
int iomem_translate(struct iomem_mmu *m, uint64_t va, struct iomem_translation *out);

/* "NORMAL", "NORMAL_TAGGED", "NORMAL_NC", "DEVICE_nGnRnE", "DEVICE_nGnRE" or "MT?". */
const char *iomem_mt_name(unsigned attrindx);
/* "linear", "pud", "pmd", "pte". */
const char *iomem_map_level_name(enum iomem_map_level level);

/* /proc/vmallocinfo (vmap_show). 0 or -EIO. */
int iomem_vmallocinfo(struct iomem_mmu *m, FILE *out);
/* vmap_purge. */
bool iomem_mmu_purge(struct iomem_mmu *m, struct vmap_purge_result *out);

#endif
