/* SPDX-License-Identifier: MIT */
/* The ioremap family, iounmap and memremap (§2 "ioremap variants", "arm64 ioremap_prot",
 * "generic_ioremap_prot", §3), on every tree backend: memory types, refusals, the linear
 * map, unmapping, memremap's decision order and the vmallocinfo listing. */
#include "mmu_test.h"

#define S VMALLOC_START

/* must_map(iomem_ioremap(m, ..., &va), &va): *va once the call has set it. */
static uint64_t must_map(int rc, const uint64_t *va)
{
	if (rc)
		fail_msg("[%s] mapping failed: %d", test_backend, rc);
	return *va;
}

static struct vmap_stats vstats(struct iomem_mmu *m)
{
	struct vmap_stats s;

	vmap_stats(iomem_mmu_vmap(m), &s);
	return s;
}

static void check_type(struct iomem_mmu *m, uint64_t va, uint64_t pa, unsigned mt, int level)
{
	struct iomem_translation tr = test_translate(m, va);

	CHECK_EQ(tr.pa, pa);
	CHECK_EQ(tr.attrindx, mt);
	CHECK_EQ(tr.level, level);
}

static void test_variants_memory_types(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t va;

		va = must_map(iomem_ioremap(m, UART_PA, SZ_4K, &va), &va);
		check_type(m, va, UART_PA, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);
		va = must_map(iomem_ioremap_np(m, UART_PA, SZ_4K, &va), &va);
		check_type(m, va, UART_PA, MT_DEVICE_nGnRnE, IOMEM_MAP_PTE);
		va = must_map(iomem_ioremap_wc(m, PCI_PA, SZ_4K, &va), &va);
		check_type(m, va, PCI_PA, MT_NORMAL_NC, IOMEM_MAP_PTE);
		va = must_map(iomem_ioremap_wt(m, PCI_PA, SZ_4K, &va), &va);
		check_type(m, va, PCI_PA, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);	/* = ioremap */
		va = must_map(iomem_ioremap_cache(m, PCI_PA, SZ_4K, &va), &va);
		check_type(m, va, PCI_PA, MT_NORMAL, IOMEM_MAP_PTE);
		va = must_map(iomem_ioremap_prot(m, PCI_PA, SZ_4K, PROT_NORMAL_TAGGED & ~PTE_PXN,
						 &va), &va);
		check_type(m, va, PCI_PA, MT_NORMAL_TAGGED, IOMEM_MAP_PTE);
		{
			uint64_t d;	/* pgprot_nx: PXN forced */

			CHECK_EQ(pgtable_read_desc(iomem_mmu_pgtable(m), va, 3, &d), 0);
			CHECK_EQ(d, PCI_PA | PROT_NORMAL_TAGGED);
		}
	}
}

static void test_block_mappings(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t va;

		va = must_map(iomem_ioremap(m, PCI_PA, SZ_2M, &va), &va);
		CHECK_EQ(va & (SZ_2M - 1), 0);
		check_type(m, va + 0x1234, PCI_PA + 0x1234, MT_DEVICE_nGnRE, IOMEM_MAP_PMD);
		va = must_map(iomem_ioremap(m, PCI_PA + SZ_4K, SZ_2M, &va), &va);
		check_type(m, va, PCI_PA + SZ_4K, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);
		va = must_map(iomem_ioremap_wc(m, 0x4000000000ULL, SZ_1G, &va), &va);
		check_type(m, va + SZ_1G - 1, 0x4000000000ULL + SZ_1G - 1, MT_NORMAL_NC,
			   IOMEM_MAP_PUD);
	}
}

static void test_nohugeiomap(void **state)
{
	const struct iomem_mmu_opts opts = { .nohugeiomap = true };

	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, &opts) {
		uint64_t va = must_map(iomem_ioremap(m, PCI_PA, SZ_2M, &va), &va);

		check_type(m, va, PCI_PA, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);
	}
}

/* The offset inside the first page is kept; the mapping covers every page touched. */
static void test_unaligned_phys(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		struct vmap_info info;
		uint64_t va = must_map(iomem_ioremap(m, UART_PA + 0xff0, 0x20, &va), &va);

		CHECK_EQ(va, S + 0xff0);
		check_type(m, va + 0x1f, UART_PA + 0x100f, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);
		CHECK_EQ(vmap_find(iomem_mmu_vmap(m), va, &info), 0);
		CHECK_EQ(info.size, 2 * SZ_4K);
		CHECK_EQ(info.phys, UART_PA);
	}
}

static void test_ioremap_refusals(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t va = 0;

		CHECK_EQ(iomem_ioremap(m, UART_PA, 0, &va), -EINVAL);		/* zero size */
		CHECK_EQ(iomem_ioremap(m, 0, 0, &va), -EINVAL);
		CHECK_EQ(iomem_ioremap(m, 0xfffffffffffff000ULL, 0x2000, &va), -EINVAL); /* wraps */
		CHECK_EQ(iomem_ioremap(m, 0x1000000000000ULL, SZ_4K, &va), -EINVAL); /* > 48 bits */
		CHECK_EQ(iomem_ioremap(m, PHYS_MASK, 2, &va), -EINVAL);
		CHECK_EQ(iomem_ioremap(m, RAM_PA, SZ_4K, &va), -EINVAL);	/* RAM */
		CHECK_EQ(iomem_ioremap_wc(m, RAM_END - 0xfff, SZ_4K, &va), -EINVAL);
		CHECK_EQ(iomem_ioremap_np(m, RAM2_PA + 0x10, 1, &va), -EINVAL);
		CHECK_EQ(vstats(m).allocs, 0);
		CHECK_EQ(va, 0);
		/* Only the first page counts. */
		va = must_map(iomem_ioremap(m, RAM_PA - SZ_4K, 2 * SZ_4K, &va), &va);
		check_type(m, va + SZ_4K, RAM_PA, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);
		/* RAM the linear map cannot hold is not map memory. */
		va = must_map(iomem_ioremap(m, HIGH_RAM_PA, SZ_4K, &va), &va);
		va = must_map(iomem_ioremap(m, PHYS_MASK, 1, &va), &va);
		check_type(m, va, PHYS_MASK, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);
	}
}

/* No VA left: -ENOMEM (after the allocator's purge and retry). */
static void test_ioremap_out_of_space(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t va;

		CHECK_EQ(iomem_ioremap(m, 0, 1ULL << 47, &va), -ENOMEM);
		CHECK_EQ(vstats(m).alloc_failures, 1);
	}
}

static void test_ioremap_cache_of_ram_is_linear(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t va;

		CHECK_EQ(iomem_ioremap_cache(m, RAM_PA + 0x123, SZ_4K, &va), 0);
		CHECK_EQ(va, PAGE_OFFSET + RAM_PA + 0x123);
		check_type(m, va, RAM_PA + 0x123, MT_NORMAL, IOMEM_MAP_LINEAR);
		CHECK_EQ(iomem_ioremap_cache(m, RAM2_PA, 0, &va), 0);	/* no size check */
		CHECK_EQ(va, PAGE_OFFSET + RAM2_PA);
		CHECK_EQ(vstats(m).allocs, 0);
		CHECK_EQ(iomem_iounmap(m, va), 0);	/* not an ioremap address: no-op */
		check_type(m, va, RAM2_PA, MT_NORMAL, IOMEM_MAP_LINEAR);
		/* Beyond the linear map: a Normal mapping in the vmalloc range. */
		va = must_map(iomem_ioremap_cache(m, HIGH_RAM_PA, SZ_4K, &va), &va);
		check_type(m, va, HIGH_RAM_PA, MT_NORMAL, IOMEM_MAP_PTE);
	}
}

static void test_translate_linear_needs_ram(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		struct iomem_translation tr;

		CHECK_EQ(iomem_translate(m, PAGE_OFFSET + PCI_PA, &tr), -EFAULT);
		CHECK_EQ(iomem_translate(m, PAGE_OFFSET + RAM_END, &tr), 0);
		CHECK_EQ(iomem_translate(m, PAGE_OFFSET + RAM_END + 1, &tr), -EFAULT);
		CHECK_EQ(iomem_translate(m, 0x1000, &tr), -EFAULT);
		CHECK_EQ(iomem_translate(m, S, &tr), -EFAULT);
	}
}

static void test_iounmap(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		struct iomem_translation tr;
		struct pgtable_stats ps;
		uint64_t va = must_map(iomem_ioremap(m, PCI_PA, 3 * SZ_4K, &va), &va);

		CHECK_EQ(iomem_iounmap(m, va + SZ_4K + 0x10), 0);	/* inside: whole area */
		/* Translate after unmap: entries are cleared at once, before any purge. */
		CHECK_EQ(iomem_translate(m, va, &tr), -EFAULT);
		CHECK_EQ(iomem_translate(m, va + 2 * SZ_4K, &tr), -EFAULT);
		pgtable_stats(iomem_mmu_pgtable(m), &ps);
		CHECK_EQ(ps.tlb_flush_calls, 0);	/* the flush is deferred to the purge */
		CHECK_EQ(vstats(m).lazy_pages, 4);
		CHECK_EQ(iomem_iounmap(m, va), -ENOENT);	/* double unmap */
		CHECK_EQ(iomem_mmu_purge(m, NULL), true);
		CHECK_EQ(iomem_iounmap(m, va), -ENOENT);
		CHECK_EQ(iomem_iounmap(m, 0), 0);	/* NULL: outside the range */
		CHECK_EQ(iomem_iounmap(m, VMALLOC_END), 0);
		CHECK_EQ(iomem_iounmap(m, VMALLOC_END - 1), -ENOENT);
	}
}

static void test_memremap_ram(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t va = 0;

		CHECK_EQ(iomem_memremap(m, RAM_PA + SZ_4K, SZ_4K, MEMREMAP_WB, &va), 0);
		CHECK_EQ(va, PAGE_OFFSET + RAM_PA + SZ_4K);
		CHECK_EQ(iomem_memremap(m, RAM_PA, SZ_4K, MEMREMAP_WB | MEMREMAP_WC, &va), 0);
		CHECK_EQ(va, PAGE_OFFSET + RAM_PA);
		CHECK_EQ(iomem_memremap(m, RAM_PA, SZ_4K, MEMREMAP_WT, &va), -EINVAL);
		CHECK_EQ(iomem_memremap(m, RAM_PA, SZ_4K, MEMREMAP_WC, &va), -EINVAL);
		CHECK_EQ(iomem_memremap(m, RAM_PA, SZ_4K, MEMREMAP_WT | MEMREMAP_WC, &va), -EINVAL);
		CHECK_EQ(iomem_memremap(m, RAM_PA, SZ_4K, 0, &va), -EINVAL);	/* no flags */
		CHECK_EQ(iomem_memremap(m, PCI_PA, SZ_4K, MEMREMAP_ENC, &va), -EINVAL);
		/* RAM + Reserved: MIXED, refused whatever the flags. */
		CHECK_EQ(iomem_memremap(m, RAM_END - 0xfff, 2 * SZ_4K, MEMREMAP_WB, &va), -EINVAL);
		CHECK_EQ(iomem_memremap(m, RAM_END - 0xfff, 2 * SZ_4K, MEMREMAP_WC, &va), -EINVAL);
		/* PCI window + RAM: MIXED too. */
		CHECK_EQ(iomem_memremap(m, RAM_PA - SZ_4K, 2 * SZ_4K, MEMREMAP_WB, &va), -EINVAL);
		CHECK_EQ(vstats(m).allocs, 0);
	}
}

/* A hole counts as neither RAM nor other: hole + RAM is REGION_INTERSECTS. */
static void test_memremap_hole_then_ram(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t va;

		/* WB: the first page is no map memory, so ioremap_cache maps it Normal. */
		va = must_map(iomem_memremap(m, RAM2_PA - SZ_4K, 2 * SZ_4K, MEMREMAP_WB, &va), &va);
		check_type(m, va + SZ_4K, RAM2_PA, MT_NORMAL, IOMEM_MAP_PTE);
		/* Anything but pure WB on RAM is refused. */
		CHECK_EQ(iomem_memremap(m, RAM2_PA - SZ_4K, 2 * SZ_4K, MEMREMAP_WC, &va), -EINVAL);
		/* RAM the linear map cannot hold: WB maps it, WC is still refused. */
		va = must_map(iomem_memremap(m, HIGH_RAM_PA, SZ_4K, MEMREMAP_WB, &va), &va);
		check_type(m, va, HIGH_RAM_PA, MT_NORMAL, IOMEM_MAP_PTE);
		CHECK_EQ(iomem_memremap(m, HIGH_RAM_PA, SZ_4K, MEMREMAP_WC, &va), -EINVAL);
	}
}

static void test_memremap_device_order(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t va;

		va = must_map(iomem_memremap(m, PCI_PA, SZ_4K, MEMREMAP_WB, &va), &va);
		check_type(m, va, PCI_PA, MT_NORMAL, IOMEM_MAP_PTE);
		va = must_map(iomem_memremap(m, PCI_PA, SZ_4K, MEMREMAP_WT, &va), &va);
		check_type(m, va, PCI_PA, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);
		va = must_map(iomem_memremap(m, PCI_PA, SZ_4K, MEMREMAP_WC, &va), &va);
		check_type(m, va, PCI_PA, MT_NORMAL_NC, IOMEM_MAP_PTE);
		va = must_map(iomem_memremap(m, PCI_PA, SZ_4K, MEMREMAP_WT | MEMREMAP_WC, &va), &va);
		check_type(m, va, PCI_PA, MT_DEVICE_nGnRE, IOMEM_MAP_PTE);
		va = must_map(iomem_memremap(m, PCI_PA, SZ_4K, MEMREMAP_WB | MEMREMAP_WC, &va), &va);
		check_type(m, va, PCI_PA, MT_NORMAL, IOMEM_MAP_PTE);
		CHECK_EQ(iomem_memremap(m, PCI_PA, 0, MEMREMAP_WT, &va), -EINVAL);
	}
}

static void test_memunmap(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		struct iomem_translation tr;
		struct vmap_info info;
		uint64_t lin, va;

		CHECK_EQ(iomem_memremap(m, RAM_PA, SZ_4K, MEMREMAP_WB, &lin), 0);
		va = must_map(iomem_memremap(m, PCI_PA, SZ_4K, MEMREMAP_WC, &va), &va);
		iomem_memunmap(m, lin);
		check_type(m, lin, RAM_PA, MT_NORMAL, IOMEM_MAP_LINEAR);
		iomem_memunmap(m, va);
		CHECK_EQ(iomem_translate(m, va, &tr), -EFAULT);
		CHECK_EQ(vmap_find(iomem_mmu_vmap(m), va, &info), -ENOENT);
		CHECK_EQ(vstats(m).frees, 1);
	}
}

static char *vmallocinfo(struct iomem_mmu *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_EQ(iomem_vmallocinfo(m, f), 0);
	fclose(f);
	return buf;
}

static void test_vmallocinfo_listing(void **state)
{
	(void)state;
	FOR_EACH_BACKEND_MMU(t, m, NULL) {
		uint64_t uart, fb, zero;
		char *text;

		uart = must_map(iomem_ioremap(m, UART_PA, SZ_4K, &uart), &uart);
		fb = must_map(iomem_ioremap_wc(m, PCI_PA, SZ_2M, &fb), &fb);
		zero = must_map(iomem_memremap(m, 0, SZ_4K, MEMREMAP_WT, &zero), &zero);
		CHECK_EQ(iomem_iounmap(m, uart), 0);
		text = vmallocinfo(m);
		if (strcmp(text,
			   "0xffff800080002000-0xffff800080004000    8192 memremap ioremap\n"
			   "0xffff800080200000-0xffff800080401000 2101248 ioremap_wc"
			   " phys=0x0000000010000000 ioremap\n"
			   "0xffff800080000000-0xffff800080002000    8192 unpurged vm_area\n"))
			fail_msg("[%s] vmallocinfo:\n%s", test_backend, text);
		free(text);
		(void)fb;
		(void)zero;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variants_memory_types),
		cmocka_unit_test(test_block_mappings),
		cmocka_unit_test(test_nohugeiomap),
		cmocka_unit_test(test_unaligned_phys),
		cmocka_unit_test(test_ioremap_refusals),
		cmocka_unit_test(test_ioremap_out_of_space),
		cmocka_unit_test(test_ioremap_cache_of_ram_is_linear),
		cmocka_unit_test(test_translate_linear_needs_ram),
		cmocka_unit_test(test_iounmap),
		cmocka_unit_test(test_memremap_ram),
		cmocka_unit_test(test_memremap_hole_then_ram),
		cmocka_unit_test(test_memremap_device_order),
		cmocka_unit_test(test_memunmap),
		cmocka_unit_test(test_vmallocinfo_listing),
	};

	return cmocka_run_group_tests_name("mmu.ioremap", tests, NULL, NULL);
}
