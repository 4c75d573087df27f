/* SPDX-License-Identifier: MIT */
/* The simulated arm64 page table (§2): descriptor encoding, block-vs-page choice,
 * contiguous runs, break-before-make, unmap, translate, TLB counting. */
#include "mmu_test.h"

#define VA0 0xffff800080000000ULL	/* VMALLOC_START: 2 GiB aligned */
#define DEV PROT_DEVICE_nGnRE

static uint64_t desc_at(struct pgtable *pt, uint64_t va, int level)
{
	uint64_t d;

	if (pgtable_read_desc(pt, va, level, &d))
		fail_msg("no level-%d descriptor for %#" PRIx64, level, va);
	return d;
}

static struct pgtable_walk walk_ok(struct pgtable *pt, uint64_t va)
{
	struct pgtable_walk w;

	if (pgtable_translate(pt, va, &w))
		fail_msg("translate(%#" PRIx64 ") faulted", va);
	return w;
}

static struct pgtable_stats stats(struct pgtable *pt)
{
	struct pgtable_stats s;

	pgtable_stats(pt, &s);
	return s;
}

static void test_prot_values(void **state)
{
	(void)state;
	CHECK_EQ(PROT_NORMAL, 0x0068000000000703ULL);
	CHECK_EQ(PROT_NORMAL_NC, 0x006800000000070bULL);
	CHECK_EQ(PROT_DEVICE_nGnRnE, 0x006800000000070fULL);
	CHECK_EQ(PROT_DEVICE_nGnRE, 0x0068000000000713ULL);
	CHECK_EQ(PROT_NORMAL_TAGGED, 0x0068000000000707ULL);
}

static void test_page_descriptor(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct pgtable_walk w;
	uint64_t d;

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA, SZ_4K, DEV, 63), 0);
	CHECK_EQ(desc_at(pt, VA0, 3), UART_PA | 0x0068000000000713ULL);
	for (int level = 0; level < 3; level++) {
		d = desc_at(pt, VA0, level);
		CHECK_EQ(d & PTE_TYPE_MASK, PMD_TYPE_TABLE);
		CHECK_EQ(d & (PMD_TABLE_UXN | ~PTE_ADDR_MASK), PMD_TABLE_UXN | PMD_TYPE_TABLE);
	}
	w = walk_ok(pt, VA0 + 0x123);
	CHECK_EQ(w.pa, UART_PA + 0x123);
	CHECK_EQ(w.level, 3);
	CHECK_EQ((w.desc & PTE_ATTRINDX_MASK) >> 2, MT_DEVICE_nGnRE);
	CHECK_EQ(stats(pt).tables_allocated, 3);	/* L1, L2, L3 */
	/* A neighbour in the same 2 MiB shares every table. */
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_4K, UART_PA + SZ_4K, SZ_4K, DEV, 63), 0);
	CHECK_EQ(stats(pt).tables_allocated, 3);
	pgtable_free(pt);
}

static void test_pmd_block_when_all_aligned(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct pgtable_walk w;
	uint64_t d;

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA, SZ_2M, DEV, 63), 0);
	/* mk_pmd_sect_prot clears bit 1: block type 0b01. */
	CHECK_EQ(desc_at(pt, VA0, 2), PCI_PA | 0x0068000000000711ULL);
	CHECK_EQ(pgtable_read_desc(pt, VA0, 3, &d), -EFAULT);
	w = walk_ok(pt, VA0 + 0x1ff123);
	CHECK_EQ(w.pa, PCI_PA + 0x1ff123);
	CHECK_EQ(w.level, 2);
	CHECK_EQ(stats(pt).tables_allocated, 2);	/* L1, L2 */
	pgtable_free(pt);
}

static void test_pud_block_when_all_aligned(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct pgtable_walk w;

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, RAM2_PA, SZ_1G, PROT_NORMAL, 63), 0);
	CHECK_EQ(desc_at(pt, VA0, 1), RAM2_PA | (PROT_NORMAL & ~PTE_TABLE_BIT));
	w = walk_ok(pt, VA0 + SZ_1G - 1);
	CHECK_EQ(w.pa, RAM2_PA + SZ_1G - 1);
	CHECK_EQ(w.level, 1);
	pgtable_free(pt);
}

/* Counts the level-3 entries of [va, va+size) carrying PTE_CONT; fails on a hole. */
static unsigned count_cont(struct pgtable *pt, uint64_t va, uint64_t size)
{
	unsigned n = 0;

	for (uint64_t off = 0; off < size; off += SZ_4K) {
		uint64_t d = desc_at(pt, va + off, 3);

		CHECK_EQ(d & PTE_TYPE_MASK, PTE_TYPE_PAGE);
		n += (d & PTE_CONT) != 0;
	}
	return n;
}

static void test_pages_when_pa_unaligned(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA + SZ_4K, SZ_2M, DEV, 63), 0);
	CHECK_EQ(count_cont(pt, VA0, SZ_2M), 0);
	CHECK_EQ(walk_ok(pt, VA0 + SZ_2M - 1).pa, PCI_PA + SZ_4K + SZ_2M - 1);
	CHECK_EQ(walk_ok(pt, VA0).level, 3);
	pgtable_free(pt);
}

static void test_pages_when_va_unaligned(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_4K, PCI_PA, SZ_2M, DEV, 63), 0);
	CHECK_EQ(count_cont(pt, VA0 + SZ_4K, SZ_2M), 0);
	CHECK_EQ(walk_ok(pt, VA0 + SZ_4K).pa, PCI_PA);
	pgtable_free(pt);
}

/* The rule is per entry: the part of the span covering a whole 2 MiB gets a block. */
static void test_block_then_page_in_one_span(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA, SZ_2M + SZ_4K, DEV, 63), 0);
	CHECK_EQ(walk_ok(pt, VA0).level, 2);
	CHECK_EQ(walk_ok(pt, VA0 + SZ_2M).level, 3);
	CHECK_EQ(walk_ok(pt, VA0 + SZ_2M).pa, PCI_PA + SZ_2M);
	pgtable_free(pt);
}

static void test_cont_runs_of_64k(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA, SZ_64K, DEV, 63), 0);
	CHECK_EQ(count_cont(pt, VA0, SZ_64K), 16);
	/* 64 KiB + 4 KiB: one run, then a plain page. */
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_2M, PCI_PA, SZ_64K + SZ_4K, DEV, 63), 0);
	CHECK_EQ(count_cont(pt, VA0 + SZ_2M, SZ_64K + SZ_4K), 16);
	/* PA off 64 KiB alignment: no run. */
	CHECK_EQ(pgtable_map(pt, VA0 + 2 * SZ_2M, PCI_PA + SZ_4K, SZ_64K, DEV, 63), 0);
	CHECK_EQ(count_cont(pt, VA0 + 2 * SZ_2M, SZ_64K), 0);
	pgtable_free(pt);
}

/* nohugeiomap: max_page_shift = PAGE_SHIFT, pages only. */
static void test_max_page_shift_forces_pages(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA, SZ_2M, DEV, PAGE_SHIFT), 0);
	CHECK_EQ(walk_ok(pt, VA0).level, 3);
	CHECK_EQ(count_cont(pt, VA0, SZ_2M), 0);
	/* Below PUD_SHIFT, a 1 GiB span is made of 2 MiB blocks. */
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_1G, RAM2_PA, SZ_1G, PROT_NORMAL, PMD_SHIFT), 0);
	CHECK_EQ(walk_ok(pt, VA0 + SZ_1G).level, 2);
	pgtable_free(pt);
}

static void test_map_rejects_bad_ranges(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0 + 1, UART_PA, SZ_4K, DEV, 63), -EINVAL);
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA + 1, SZ_4K, DEV, 63), -EINVAL);
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA, 100, DEV, 63), -EINVAL);
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA, 0, DEV, 63), -EINVAL);
	CHECK_EQ(pgtable_map(pt, 0x0000400000000000ULL, UART_PA, SZ_4K, DEV, 63), -EINVAL);
	CHECK_EQ(pgtable_map(pt, VA0, PHYS_MASK + 1 - SZ_4K, 2 * SZ_4K, DEV, 63), -EINVAL);
	CHECK_EQ(pgtable_map(pt, VA0, PHYS_MASK + 1 - SZ_4K, SZ_4K, DEV, 63), 0);
	pgtable_free(pt);
}

/* vmap_pte_range BUG_ONs a live PTE; we refuse, leaving it as it was. */
static void test_map_over_live_entry_refused(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA, SZ_4K, DEV, 63), 0);
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA, SZ_4K, DEV, 63), -EEXIST);
	CHECK_EQ(walk_ok(pt, VA0).pa, UART_PA);
	/* A block over a table that still holds a live page. */
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA, SZ_2M, DEV, 63), -EEXIST);
	CHECK_EQ(walk_ok(pt, VA0).pa, UART_PA);
	CHECK_EQ(walk_ok(pt, VA0).level, 3);
	/* A block over a live block, and pages under a live block. */
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_2M, PCI_PA, SZ_2M, DEV, 63), 0);
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_2M, RAM_PA, SZ_2M, DEV, 63), -EEXIST);
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_2M, RAM_PA, SZ_4K, DEV, 63), -EEXIST);
	CHECK_EQ(walk_ok(pt, VA0 + SZ_2M).pa, PCI_PA);
	CHECK_EQ(stats(pt).tables_replaced, 0);
	pgtable_free(pt);
}

/* Break (clear), invalidate the table walk (grace period), free, make. */
static void test_empty_table_replaced_by_block(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct pgtable_stats s;

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA, SZ_4K, DEV, 63), 0);
	CHECK_EQ(pgtable_unmap(pt, VA0, SZ_4K), 1);
	CHECK_EQ(stats(pt).tables_freed, 0);	/* vunmap keeps tables */
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA, SZ_2M, DEV, 63), 0);
	CHECK_EQ(walk_ok(pt, VA0).level, 2);
	s = stats(pt);
	CHECK_EQ(s.tables_replaced, 1);
	CHECK_EQ(s.tables_freed, 1);
	CHECK_EQ(s.tlbi_pgtable, 1);
	CHECK_EQ(s.grace_periods, 1);
	CHECK_EQ(s.bbm_violations, 0);
	pgtable_free(pt);
}

/* pud_free_pmd_page frees the PMD table and every PTE table under it. */
static void test_pmd_tree_replaced_by_pud_block(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA, SZ_4K, DEV, 63), 0);
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_4M, UART_PA, SZ_4K, DEV, 63), 0);
	pgtable_unmap(pt, VA0, SZ_4K);
	pgtable_unmap(pt, VA0 + SZ_4M, SZ_4K);
	CHECK_EQ(stats(pt).tables_allocated, 4);	/* L1, L2, two L3 */
	CHECK_EQ(pgtable_map(pt, VA0, RAM2_PA, SZ_1G, PROT_NORMAL, 63), 0);
	CHECK_EQ(walk_ok(pt, VA0 + SZ_4M).level, 1);
	CHECK_EQ(stats(pt).tables_freed, 3);
	CHECK_EQ(stats(pt).tables_replaced, 1);
	pgtable_free(pt);
}

static void test_unmap_clears_and_translate_faults(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct pgtable_walk w;

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA + SZ_4K, SZ_2M, DEV, 63), 0);
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_4M, PCI_PA, SZ_2M, DEV, 63), 0);
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_1G, RAM2_PA, SZ_1G, PROT_NORMAL, 63), 0);
	CHECK_EQ(pgtable_unmap(pt, VA0, SZ_2M), 512);
	CHECK_EQ(pgtable_unmap(pt, VA0 + SZ_4M, SZ_2M), 1);
	CHECK_EQ(pgtable_unmap(pt, VA0 + SZ_1G, SZ_1G), 1);
	CHECK_EQ(pgtable_translate(pt, VA0, &w), -EFAULT);
	CHECK_EQ(pgtable_translate(pt, VA0 + SZ_2M - 1, &w), -EFAULT);
	CHECK_EQ(pgtable_translate(pt, VA0 + SZ_4M, &w), -EFAULT);
	CHECK_EQ(pgtable_translate(pt, VA0 + SZ_1G + 12345, &w), -EFAULT);
	CHECK_EQ(pgtable_unmap(pt, VA0, SZ_2M), 0);	/* nothing left */
	CHECK_EQ(stats(pt).tables_freed, 0);
	pgtable_free(pt);
}

static void test_translate_faults(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct pgtable_walk w;

	(void)state;
	CHECK_EQ(pgtable_translate(pt, VA0, &w), -EFAULT);	/* empty L0 */
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA, SZ_4K, DEV, 63), 0);
	CHECK_EQ(pgtable_translate(pt, VA0 + SZ_4K, &w), -EFAULT);	/* empty L3 entry */
	CHECK_EQ(pgtable_translate(pt, VA0 + SZ_2M, &w), -EFAULT);	/* empty L2 entry */
	CHECK_EQ(pgtable_translate(pt, VA0 & 0x0000ffffffffffffULL, &w), -EFAULT); /* TTBR0 */
	pgtable_free(pt);
}

static void test_pgattr_change_is_safe(void **state)
{
	uint64_t dev = UART_PA | DEV, nc = UART_PA | PROT_NORMAL_NC;
	uint64_t normal = RAM_PA | PROT_NORMAL, tagged = RAM_PA | PROT_NORMAL_TAGGED;

	(void)state;
	CHECK_EQ(pgattr_change_is_safe(0, dev), true);
	CHECK_EQ(pgattr_change_is_safe(dev, 0), true);
	CHECK_EQ(pgattr_change_is_safe(dev, dev), true);
	CHECK_EQ(pgattr_change_is_safe(dev, dev & ~PTE_WRITE), true);
	CHECK_EQ(pgattr_change_is_safe(dev, dev | PTE_RDONLY), true);
	CHECK_EQ(pgattr_change_is_safe(dev & ~PTE_PXN, dev), true);
	CHECK_EQ(pgattr_change_is_safe(dev, dev | PTE_NG), true);
	CHECK_EQ(pgattr_change_is_safe(dev | PTE_NG, dev), false);	/* nG 1 -> 0 */
	CHECK_EQ(pgattr_change_is_safe(dev, dev + SZ_4K), false);	/* another page */
	CHECK_EQ(pgattr_change_is_safe(dev, nc), false);		/* memory type */
	CHECK_EQ(pgattr_change_is_safe(dev, dev | PTE_CONT), false);
	CHECK_EQ(pgattr_change_is_safe(dev | PTE_CONT, dev | PTE_CONT), false);
	CHECK_EQ(pgattr_change_is_safe(normal, tagged), true);
	CHECK_EQ(pgattr_change_is_safe(tagged, normal), true);
	CHECK_EQ(pgattr_change_is_safe(normal, RAM_PA | PROT_NORMAL_NC), false);
	CHECK_EQ(pgattr_change_is_safe(dev, dev & ~PTE_AF), false);
}

/* In place, break-before-make allows only safe changes; the debug check refuses and
 * counts the rest. With bbm the entry is broken and invalidated first. */
static void test_break_before_make_enforced(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct pgtable_stats s;

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, UART_PA, SZ_4K, DEV, 63), 0);
	CHECK_EQ(pgtable_set_prot(pt, VA0, SZ_4K, (DEV & ~PTE_WRITE) | PTE_RDONLY, false), 0);
	CHECK_EQ(desc_at(pt, VA0, 3), UART_PA | (DEV & ~PTE_WRITE) | PTE_RDONLY);
	CHECK_EQ(pgtable_set_prot(pt, VA0, SZ_4K, PROT_NORMAL_NC, false), -EPERM);
	CHECK_EQ(desc_at(pt, VA0, 3), UART_PA | (DEV & ~PTE_WRITE) | PTE_RDONLY);
	s = stats(pt);
	CHECK_EQ(s.bbm_violations, 1);
	CHECK_EQ(s.tlbi_pages, 0);
	CHECK_EQ(pgtable_set_prot(pt, VA0, SZ_4K, PROT_NORMAL_NC, true), 0);
	CHECK_EQ(desc_at(pt, VA0, 3), UART_PA | PROT_NORMAL_NC);
	s = stats(pt);
	CHECK_EQ(s.bbm_violations, 1);
	CHECK_EQ(s.tlbi_pages, 1);
	/* Blocks too: a type change needs the break. */
	CHECK_EQ(pgtable_map(pt, VA0 + SZ_2M, PCI_PA, SZ_2M, DEV, 63), 0);
	CHECK_EQ(pgtable_set_prot(pt, VA0 + SZ_2M, SZ_2M, PROT_NORMAL_NC, false), -EPERM);
	CHECK_EQ(pgtable_set_prot(pt, VA0 + SZ_2M, SZ_2M, PROT_NORMAL_NC, true), 0);
	CHECK_EQ(desc_at(pt, VA0 + SZ_2M, 2), PCI_PA | (PROT_NORMAL_NC & ~PTE_TABLE_BIT));
	CHECK_EQ(pgtable_set_prot(pt, VA0 + SZ_2M, SZ_4K, PROT_NORMAL_NC, true), -EINVAL);
	CHECK_EQ(pgtable_set_prot(pt, VA0 + SZ_4K, SZ_4K, DEV, true), -EFAULT);
	pgtable_free(pt);
}

/* Live contiguous runs may not be changed in place at all; with bbm the whole run is
 * broken, invalidated and made again. */
static void test_break_before_make_cont_run(void **state)
{
	struct pgtable *pt = pgtable_new();

	(void)state;
	CHECK_EQ(pgtable_map(pt, VA0, PCI_PA, SZ_64K, DEV, 63), 0);
	CHECK_EQ(pgtable_set_prot(pt, VA0, SZ_64K, DEV & ~PTE_WRITE, false), -EPERM);
	CHECK_EQ(stats(pt).bbm_violations, 1);
	CHECK_EQ(pgtable_set_prot(pt, VA0, SZ_4K, DEV & ~PTE_WRITE, true), -EINVAL);
	CHECK_EQ(pgtable_set_prot(pt, VA0, SZ_64K, DEV & ~PTE_WRITE, true), 0);
	CHECK_EQ(count_cont(pt, VA0, SZ_64K), 16);
	CHECK_EQ(desc_at(pt, VA0 + 15 * SZ_4K, 3),
		 (PCI_PA + 15 * SZ_4K) | (DEV & ~PTE_WRITE) | PTE_CONT);
	CHECK_EQ(stats(pt).tlbi_pages, 16);
	pgtable_free(pt);
}

/* flush_tlb_kernel_range: page by page up to MAX_TLBI_OPS pages, then a full flush. */
static void test_tlb_flush_counts(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct pgtable_stats s;

	(void)state;
	CHECK_EQ(pgtable_flush_tlb_kernel_range(pt, VA0, VA0 + 512 * SZ_4K), 512);
	CHECK_EQ(pgtable_flush_tlb_kernel_range(pt, VA0, VA0 + 513 * SZ_4K), 0);
	CHECK_EQ(pgtable_flush_tlb_kernel_range(pt, VA0 + 1, VA0 + SZ_4K + 1), 2);
	s = stats(pt);
	CHECK_EQ(s.tlb_flush_calls, 3);
	CHECK_EQ(s.tlbi_pages, 514);
	CHECK_EQ(s.tlbi_all, 1);
	pgtable_free(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prot_values),
		cmocka_unit_test(test_page_descriptor),
		cmocka_unit_test(test_pmd_block_when_all_aligned),
		cmocka_unit_test(test_pud_block_when_all_aligned),
		cmocka_unit_test(test_pages_when_pa_unaligned),
		cmocka_unit_test(test_pages_when_va_unaligned),
		cmocka_unit_test(test_block_then_page_in_one_span),
		cmocka_unit_test(test_cont_runs_of_64k),
		cmocka_unit_test(test_max_page_shift_forces_pages),
		cmocka_unit_test(test_map_rejects_bad_ranges),
		cmocka_unit_test(test_map_over_live_entry_refused),
		cmocka_unit_test(test_empty_table_replaced_by_block),
		cmocka_unit_test(test_pmd_tree_replaced_by_pud_block),
		cmocka_unit_test(test_unmap_clears_and_translate_faults),
		cmocka_unit_test(test_translate_faults),
		cmocka_unit_test(test_pgattr_change_is_safe),
		cmocka_unit_test(test_break_before_make_enforced),
		cmocka_unit_test(test_break_before_make_cont_run),
		cmocka_unit_test(test_tlb_flush_counts),
	};

	return cmocka_run_group_tests_name("mmu.pgtable", tests, NULL, NULL);
}
