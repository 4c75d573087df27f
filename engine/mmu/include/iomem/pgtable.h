/* SPDX-License-Identifier: MIT */
/* A simulated arm64 kernel page table (the TTBR1 half): 4 KiB granule, 48-bit VA, four
 * levels of 512 eight-byte descriptors, with the real descriptor encoding.
 * See docs/kernel-model.md §2.
 *
 * Levels are numbered as the architecture does: 0 (PGD, VA[47:39]), 1 (PUD, VA[38:30],
 * 1 GiB blocks), 2 (PMD, VA[29:21], 2 MiB blocks), 3 (PTE, VA[20:12], pages).
 *
 * Mapping and unmapping of disjoint ranges may run concurrently; pgtable_translate() is
 * lock-free and safe against both. Tables are freed only when a block replaces them, and
 * then only after every walker that could still hold them has left (a grace period that
 * plays the part of the kernel's __flush_tlb_kernel_pgtable).
 */
#ifndef IOMEM_PGTABLE_H
#define IOMEM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#ifndef PAGE_SHIFT
#define PAGE_SHIFT		12
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE		(1ULL << PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#endif
#define CONT_PTE_SHIFT		16
#define CONT_PTES		16
#define CONT_PTE_SIZE		(1ULL << CONT_PTE_SHIFT)
#define PMD_SHIFT		21
#define PMD_SIZE		(1ULL << PMD_SHIFT)
#define PUD_SHIFT		30
#define PUD_SIZE		(1ULL << PUD_SHIFT)
#define PGDIR_SHIFT		39
#define PTRS_PER_TABLE		512
#define PHYS_MASK_SHIFT		48
#define PHYS_MASK		((1ULL << PHYS_MASK_SHIFT) - 1)
/* flush_tlb_kernel_range invalidates page by page up to this many pages, else all. */
#define MAX_TLBI_OPS		PTRS_PER_TABLE

/* MAIR indices (current order, since 2021). */
enum {
	MT_NORMAL		= 0,
	MT_NORMAL_TAGGED	= 1,
	MT_NORMAL_NC		= 2,
	MT_DEVICE_nGnRnE	= 3,
	MT_DEVICE_nGnRE		= 4,
};

/* Descriptor bits. */
#define PTE_VALID		(1ULL << 0)
#define PTE_TABLE_BIT		(1ULL << 1)
#define PTE_TYPE_MASK		3ULL
#define PTE_TYPE_PAGE		3ULL	/* L3 */
#define PMD_TYPE_TABLE		3ULL	/* L0..L2 */
#define PMD_TYPE_SECT		1ULL	/* block, L1/L2 */
#define PTE_ATTRINDX(t)		((uint64_t)(t) << 2)
#define PTE_ATTRINDX_MASK	(7ULL << 2)
#define PTE_NS			(1ULL << 5)
#define PTE_USER		(1ULL << 6)	/* AP[1] */
#define PTE_RDONLY		(1ULL << 7)	/* AP[2] */
#define PTE_SHARED		(3ULL << 8)	/* SH: inner shareable */
#define PTE_AF			(1ULL << 10)
#define PTE_NG			(1ULL << 11)
#define PTE_GP			(1ULL << 50)
#define PTE_DBM			(1ULL << 51)
#define PTE_WRITE		PTE_DBM
#define PTE_CONT		(1ULL << 52)
#define PTE_PXN			(1ULL << 53)
#define PTE_UXN			(1ULL << 54)
#define PTE_DIRTY		(1ULL << 55)
#define PTE_SPECIAL		(1ULL << 56)
#define PTE_SWBITS_MASK		((1ULL << 63) | (0xfULL << 55))
#define PMD_TABLE_PXN		(1ULL << 59)
#define PMD_TABLE_UXN		(1ULL << 60)
#define PTE_ADDR_MASK		0x0000fffffffff000ULL	/* output address [47:12] */

/* 48-bit VA with 4K pages: SH bits are shareability (no LPA2); nG off (no KPTI). */
#define PTE_MAYBE_NG		0ULL
#define PTE_MAYBE_SHARED	PTE_SHARED
#define PROT_DEFAULT		(PTE_TYPE_PAGE | PTE_MAYBE_NG | PTE_MAYBE_SHARED | PTE_AF)
#define PROT_ATTR_(mt)		(PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(mt))
#define PROT_DEVICE_nGnRnE	PROT_ATTR_(MT_DEVICE_nGnRnE)	/* 0x006800000000070f */
#define PROT_DEVICE_nGnRE	PROT_ATTR_(MT_DEVICE_nGnRE)	/* 0x0068000000000713 */
#define PROT_NORMAL_NC		PROT_ATTR_(MT_NORMAL_NC)	/* 0x006800000000070b */
#define PROT_NORMAL		PROT_ATTR_(MT_NORMAL)		/* 0x0068000000000703 */
#define PROT_NORMAL_TAGGED	PROT_ATTR_(MT_NORMAL_TAGGED)	/* 0x0068000000000707 */

struct pgtable;

/* NULL when out of memory. */
struct pgtable *pgtable_new(void);
/* Frees every table. No walker or mapper may still be running. */
void pgtable_free(struct pgtable *pt);

/* vmap_range_noflush: maps [va, va+size) to [pa, pa+size) with prot (an L3 page
 * descriptor's attributes, type bits included). Uses a 1 GiB or 2 MiB block wherever an
 * entry's whole span, its VA and its PA are aligned to it and max_page_shift allows, then
 * 64 KiB contiguous-PTE runs (PTE_CONT) under the same rule, else pages. An empty table in
 * the way of a block is freed first (break, table flush, make).
 * 0; -EINVAL for an unaligned or non-kernel range or a PA beyond 48 bits; -ENOMEM;
 * -EEXIST where a live entry is in the way (the kernel BUG()s). On failure the entries
 * already made stay: the caller unmaps the range. */
int pgtable_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot,
		unsigned max_page_shift);

/* vunmap_range_noflush: clears every leaf (page or block) in [va, va+size), without TLB
 * maintenance and without freeing tables. Returns the number of leaf entries cleared. */
uint64_t pgtable_unmap(struct pgtable *pt, uint64_t va, uint64_t size);

/* Changes the attributes of the live leaves covering [va, va+size) to prot (the output
 * address and the leaf type are kept; a contiguous run keeps PTE_CONT). Without bbm each
 * entry is rewritten in place, which break-before-make allows only for the changes
 * pgattr_change_is_safe() accepts: others are refused and counted as violations. With
 * bbm each leaf (or contiguous run) is broken, its TLB entries invalidated, then made.
 * 0; -EFAULT where nothing is mapped; -EINVAL where a block or run sticks out of the
 * range; -EPERM for a refused live change (entries before it are changed). */
int pgtable_set_prot(struct pgtable *pt, uint64_t va, uint64_t size, uint64_t prot, bool bbm);

/* arm64 pgattr_change_is_safe(): may the live descriptor old become new in place? */
bool pgattr_change_is_safe(uint64_t old, uint64_t new);

struct pgtable_walk {
	uint64_t pa;	/* the output address of va */
	uint64_t desc;	/* the leaf descriptor */
	int level;	/* 1 (1 GiB block), 2 (2 MiB block) or 3 (page) */
};

/* The MMU's walk on a TLB miss. Lock-free. 0, or -EFAULT (translation fault). */
int pgtable_translate(struct pgtable *pt, uint64_t va, struct pgtable_walk *w);

/* The raw descriptor for va at level (0..3). -EFAULT when the walk ends above level
 * (an invalid entry or a block). */
int pgtable_read_desc(struct pgtable *pt, uint64_t va, int level, uint64_t *desc);

/* flush_tlb_kernel_range: counts per-page invalidations up to MAX_TLBI_OPS pages, one
 * full flush beyond. Returns the pages invalidated one by one, 0 after a full flush. */
uint64_t pgtable_flush_tlb_kernel_range(struct pgtable *pt, uint64_t start, uint64_t end);

/* Cumulative counters (rare events only: per-mapping counters would be a shared hot
 * cache line between mapping threads). */
struct pgtable_stats {
	uint64_t tables_allocated, tables_freed;	/* intermediate tables (not the PGD) */
	uint64_t tables_replaced;	/* a block took an empty table's place */
	uint64_t bbm_violations;	/* unsafe live changes refused */
	uint64_t tlb_flush_calls;	/* flush_tlb_kernel_range calls */
	uint64_t tlbi_pages;		/* per-page invalidations */
	uint64_t tlbi_all;		/* full flushes */
	uint64_t tlbi_pgtable;		/* table-walk-cache invalidations */
	uint64_t grace_periods;		/* waits for walkers before a table free */
};
void pgtable_stats(struct pgtable *pt, struct pgtable_stats *out);

#endif
