/* SPDX-License-Identifier: MIT */
/* region_intersects, 6.12+ algorithm (§1.5). */
#include "common.h"

#define SYSRAM IORESOURCE_SYSTEM_RAM
#define MEMF IORESOURCE_MEM
#define NONE IORES_DESC_NONE

#define EXPECT_REGION(t, start, size, flags, desc, want)                                   \
	do {                                                                               \
		int r_ = region_intersects((t), (start), (size), (flags), (desc));         \
		if (r_ != (want))                                                          \
			fail_msg("[backend %s] region_intersects(%#llx, %#llx, %s, %s) = %s, " \
				 "expected %s", g_backend, (unsigned long long)(start),    \
				 (unsigned long long)(size), #flags, #desc,                \
				 iomem_region_name(r_), #want);                            \
	} while (0)

/*
 * 00100000-1fffffff : System RAM
 * 30000000-30ffffff : Reserved            (MEM, desc RESERVED)
 * 31000000-3fffffff : System RAM
 * 100000000-1ffffffff : CXL Window 0      (MEM, desc CXL; not RAM)
 *   100000000-13fffffff : System RAM
 *   140000000-17fffffff : System RAM
 *                                           (gap 180000000-1bfffffff)
 *   1c0000000-1ffffffff : System RAM
 */
static void build(struct iomem_tree *t)
{
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0x1fffffff, "System RAM", SYSRAM, NONE), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x30000000, 0x30ffffff, "Reserved", MEMF,
					IORES_DESC_RESERVED), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x31000000, 0x3fffffff, "System RAM", SYSRAM, NONE), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000000ULL, 0x1ffffffffULL, "CXL Window 0",
					MEMF, IORES_DESC_CXL), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000000ULL, 0x13fffffffULL, "System RAM",
					SYSRAM, NONE), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x140000000ULL, 0x17fffffffULL, "System RAM",
					SYSRAM, NONE), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1c0000000ULL, 0x1ffffffffULL, "System RAM",
					SYSRAM, NONE), 0);
	EXPECT_EQ(iomem_count(t, IOMEM), 7);
}

static void ram_only_intersects(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_REGION(t, 0x200000, 0x1000, SYSRAM, NONE, REGION_INTERSECTS);
		EXPECT_REGION(t, 0x100000, 0x1ff00000, SYSRAM, NONE, REGION_INTERSECTS);
		/* two adjacent top-level RAM ranges */
		EXPECT_REGION(t, 0x31000000, 0x1000, SYSRAM, NONE, REGION_INTERSECTS);
	}
}

/* Holes count as neither type nor other. */
static void ram_and_hole_intersects(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_REGION(t, 0x1ffff000, 0x2000, SYSRAM, NONE, REGION_INTERSECTS);
		EXPECT_REGION(t, 0x0, 0x200000, SYSRAM, NONE, REGION_INTERSECTS);
		EXPECT_REGION(t, 0x3ffff000, 0x10000, SYSRAM, NONE, REGION_INTERSECTS);
	}
}

static void ram_and_other_mixed(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_REGION(t, 0x30fff000, 0x2000, SYSRAM, NONE, REGION_MIXED);
		EXPECT_REGION(t, 0x1ffff000, 0x10002000, SYSRAM, NONE, REGION_MIXED);
		EXPECT_REGION(t, 0x0, 0x200000000ULL, SYSRAM, NONE, REGION_MIXED);
	}
}

static void nothing_disjoint(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_REGION(t, 0x20000000, 0x1000, SYSRAM, NONE, REGION_DISJOINT);
		/* hole + non-RAM */
		EXPECT_REGION(t, 0x2ffff000, 0x2000, SYSRAM, NONE, REGION_DISJOINT);
		EXPECT_REGION(t, 0x30000000, 0x1000000, SYSRAM, NONE, REGION_DISJOINT);
		EXPECT_REGION(t, 0x300000000ULL, 0x1000, SYSRAM, NONE, REGION_DISJOINT);
	}
	/* an empty tree */
	FOR_EACH_BACKEND(t) {
		EXPECT_REGION(t, 0x0, 0x1000, SYSRAM, NONE, REGION_DISJOINT);
	}
}

/* A non-matching container whose matching children cover the whole overlap
 * contiguously counts as type, not other (6.12+; ≤6.11 said DISJOINT here). */
static void nested_ram_fully_covered_intersects(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_REGION(t, 0x100000000ULL, 0x1000, SYSRAM, NONE, REGION_INTERSECTS);
		EXPECT_REGION(t, 0x100000000ULL, 0x80000000ULL, SYSRAM, NONE, REGION_INTERSECTS);
		/* across the boundary of two adjacent matching children */
		EXPECT_REGION(t, 0x13ffff000ULL, 0x2000, SYSRAM, NONE, REGION_INTERSECTS);
		EXPECT_REGION(t, 0x1fffff000ULL, 0x1000, SYSRAM, NONE, REGION_INTERSECTS);
		/* top-level RAM + hole + nested RAM, all covered */
		EXPECT_REGION(t, 0x3ffff000, 0xc0002000ULL, SYSRAM, NONE, REGION_INTERSECTS);
	}
}

/* Not fully covered: the container counts as other. */
static void nested_ram_not_covered_mixed(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		/* RAM then the window's gap */
		EXPECT_REGION(t, 0x17ffff000ULL, 0x2000, SYSRAM, NONE, REGION_MIXED);
		/* the window's gap then RAM: a matching child starting after o.start */
		EXPECT_REGION(t, 0x1bffff000ULL, 0x2000, SYSRAM, NONE, REGION_MIXED);
		/* only the gap: no match at all */
		EXPECT_REGION(t, 0x180000000ULL, 0x1000, SYSRAM, NONE, REGION_DISJOINT);
		/* the whole window */
		EXPECT_REGION(t, 0x100000000ULL, 0x100000000ULL, SYSRAM, NONE, REGION_MIXED);
	}
}

static void desc_matching(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_REGION(t, 0x30000000, 0x1000, MEMF, IORES_DESC_RESERVED, REGION_INTERSECTS);
		/* RAM matches MEM but not desc RESERVED */
		EXPECT_REGION(t, 0x30fff000, 0x2000, MEMF, IORES_DESC_RESERVED, REGION_MIXED);
		EXPECT_REGION(t, 0x200000, 0x1000, MEMF, IORES_DESC_RESERVED, REGION_DISJOINT);
		/* desc NONE matches any desc */
		EXPECT_REGION(t, 0x30fff000, 0x2000, MEMF, NONE, REGION_INTERSECTS);
		/* the window itself matches MEM + CXL: its children are not examined */
		EXPECT_REGION(t, 0x100000000ULL, 0x100000000ULL, MEMF, IORES_DESC_CXL,
			      REGION_INTERSECTS);
		EXPECT_REGION(t, 0x100000000ULL, 0x100000000ULL, MEMF, NONE, REGION_INTERSECTS);
		/* flags must all be present */
		EXPECT_REGION(t, 0x200000, 0x1000, SYSRAM | IORESOURCE_BUSY, NONE, REGION_DISJOINT);
	}
}

/* Matching descendants deeper down count; non-matching descendants are skipped over. */
static void non_matching_descendants_ignored(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		/* window 1 > region1 (both non-matching, identical ranges) > System RAM */
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x200000000ULL, 0x2ffffffffULL, "region1",
						MEMF, NONE), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x200000000ULL, 0x2ffffffffULL,
						"CXL Window 1", MEMF, IORES_DESC_CXL), 0);
		EXPECT_EQ(iomem_request_region(t, IOMEM, 0x200000000ULL, 0x100000000ULL,
					       "System RAM", SYSRAM), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00100000-1fffffff : System RAM\n"
			    "30000000-30ffffff : Reserved\n"
			    "31000000-3fffffff : System RAM\n"
			    "100000000-1ffffffff : CXL Window 0\n"
			    "  100000000-13fffffff : System RAM\n"
			    "  140000000-17fffffff : System RAM\n"
			    "  1c0000000-1ffffffff : System RAM\n"
			    "200000000-2ffffffff : CXL Window 1\n"
			    "  200000000-2ffffffff : region1\n"
			    "    200000000-2ffffffff : System RAM\n");
		EXPECT_REGION(t, 0x200000000ULL, 0x1000, SYSRAM, NONE, REGION_INTERSECTS);
		EXPECT_REGION(t, 0x200000000ULL, 0x100000000ULL, SYSRAM, NONE, REGION_INTERSECTS);
		/* two windows, both covered */
		EXPECT_REGION(t, 0x1fffff000ULL, 0x2000, SYSRAM, NONE, REGION_INTERSECTS);

		/* a non-matching busy leaf in window 0's gap changes nothing */
		EXPECT_EQ(request_mem_region(t, 0x180000000ULL, 0x1000, "dev"), 0);
		EXPECT_REGION(t, 0x180000000ULL, 0x1000, SYSRAM, NONE, REGION_DISJOINT);
		EXPECT_REGION(t, 0x17ffff000ULL, 0x2000, SYSRAM, NONE, REGION_MIXED);
	}
}

/* A matching top-level resource counts as type whatever its children are. */
static void matching_parent_hides_children(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000000, 0x1ffffff, "reserved", MEMF,
						IORES_DESC_RESERVED), 0);
		EXPECT_REGION(t, 0x1000000, 0x1000, SYSRAM, NONE, REGION_INTERSECTS);
		/* looking for RESERVED, the RAM parent does not match, so its subtree is
		 * searched and the reserved child covers the range (≤6.11: DISJOINT) */
		EXPECT_REGION(t, 0x1000000, 0x1000, MEMF, IORES_DESC_RESERVED, REGION_INTERSECTS);
		/* partly outside the child: the parent counts as other */
		EXPECT_REGION(t, 0xfff000, 0x2000, MEMF, IORES_DESC_RESERVED, REGION_MIXED);
	}
}

/* o.start only moves forward: max(o.start, dp->end + 1). A matching grandchild that
 * ends before the current o.start must not pull it back. */
static void coverage_cursor_only_advances(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x400000000ULL, 0x40000ffffULL, "window",
						MEMF, NONE), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x400000000ULL, 0x400007fffULL, "ram1",
						SYSRAM, NONE), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x400000000ULL, 0x400000fffULL, "ram1a",
						SYSRAM, NONE), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x400008000ULL, 0x40000ffffULL, "ram2",
						SYSRAM, NONE), 0);
		EXPECT_SHOW(t, IOMEM,
			    "400000000-40000ffff : window\n"
			    "  400000000-400007fff : ram1\n"
			    "    400000000-400000fff : ram1a\n"
			    "  400008000-40000ffff : ram2\n");
		EXPECT_REGION(t, 0x400000000ULL, 0x10000, SYSRAM, NONE, REGION_INTERSECTS);
	}
}

/* Trees built with iomem_append: RAM directly under an identical non-RAM window. */
static void appended_identical_window(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct iomem_node *w = iomem_append(t, IOMEM, NULL, 0x480000000ULL, 0x87fffffffULL,
						  "CXL Window 0", MEMF, IORES_DESC_CXL);
		EXPECT_TRUE(w != NULL);
		EXPECT_TRUE(iomem_append(t, IOMEM, w, 0x480000000ULL, 0x87fffffffULL, "System RAM",
					 SYSRAM | IORESOURCE_BUSY, NONE) != NULL);
		EXPECT_REGION(t, 0x480000000ULL, 0x400000000ULL, SYSRAM, NONE, REGION_INTERSECTS);
		EXPECT_REGION(t, 0x47ffff000ULL, 0x2000, SYSRAM, NONE, REGION_INTERSECTS);
		EXPECT_REGION(t, 0x87ffff000ULL, 0x2000, SYSRAM, NONE, REGION_INTERSECTS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ram_only_intersects),
		cmocka_unit_test(ram_and_hole_intersects),
		cmocka_unit_test(ram_and_other_mixed),
		cmocka_unit_test(nothing_disjoint),
		cmocka_unit_test(nested_ram_fully_covered_intersects),
		cmocka_unit_test(nested_ram_not_covered_mixed),
		cmocka_unit_test(desc_matching),
		cmocka_unit_test(non_matching_descendants_ignored),
		cmocka_unit_test(matching_parent_hides_children),
		cmocka_unit_test(coverage_cursor_only_advances),
		cmocka_unit_test(appended_identical_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
