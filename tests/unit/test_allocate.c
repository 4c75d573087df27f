/* SPDX-License-Identifier: MIT */
/* allocate_resource (§1.4): lowest fit among the root's gaps, clipped to [min,max],
 * start aligned up; -EBUSY when nothing fits. */
#include "common.h"

#define MEMF IORESOURCE_MEM

#define EXPECT_ALLOC(t, root, size, min, max, align, name, want_start)                     \
	do {                                                                               \
		resource_size_t s_ = 0xdeadbeef;                                           \
		EXPECT_EQ(iomem_allocate_resource((t), (root), (size), (min), (max), (align), \
						  (name), MEMF, &s_), 0);                  \
		EXPECT_EQ(s_, (want_start));                                               \
		EXPECT_LOOKUP((t), (root), (want_start), (want_start),                     \
			      (want_start) + (size) - 1, (name));                          \
	} while (0)

static void allocate_lowest_fit_and_alignment(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x0, 0xfff, "A", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x3fff, "B", MEMF, 0), 0);
		/* the gap after A (which starts at the root's start) */
		EXPECT_ALLOC(t, IOMEM, 0x1000, 0, MAXADDR, 0x1000, "r1", 0x1000);
		EXPECT_ALLOC(t, IOMEM, 0x1000, 0, MAXADDR, 0x1000, "r2", 0x2000);
		/* no gap below B any more */
		EXPECT_ALLOC(t, IOMEM, 0x800, 0, MAXADDR, 0x1000, "r3", 0x4000);
		/* alignment pushes the start up */
		EXPECT_ALLOC(t, IOMEM, 0x100, 0, MAXADDR, 0x10000, "r4", 0x10000);
		/* the lower gap [0x4800,0xffff] still wins for a smaller alignment */
		EXPECT_ALLOC(t, IOMEM, 0x100, 0, MAXADDR, 0x100, "r5", 0x4800);
		EXPECT_SHOW(t, IOMEM,
			    "00000000-00000fff : A\n"
			    "00001000-00001fff : r1\n"
			    "00002000-00002fff : r2\n"
			    "00003000-00003fff : B\n"
			    "00004000-000047ff : r3\n"
			    "00004800-000048ff : r5\n"
			    "00010000-000100ff : r4\n");
	}
}

/* The first gap need not start at the root's start. */
static void allocate_below_first_child(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x2000, 0x2fff, "B", MEMF, 0), 0);
		EXPECT_ALLOC(t, IOMEM, 0x1000, 0, MAXADDR, 1, "low", 0x0);
		EXPECT_ALLOC(t, IOMEM, 0x1000, 0, MAXADDR, 1, "next", 0x1000);
		EXPECT_ALLOC(t, IOMEM, 0x1000, 0, MAXADDR, 1, "after", 0x3000);
	}
}

static void allocate_min_max_clipping(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		resource_size_t s;

		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x0, 0xfff, "A", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x10000, 0x100ff, "B", MEMF, 0), 0);
		/* min skips the low gaps */
		EXPECT_ALLOC(t, IOMEM, 0x1000, 0x20000, MAXADDR, 1, "r6", 0x20000);
		/* max cuts the top gap down to exactly one more block */
		EXPECT_ALLOC(t, IOMEM, 0x1000, 0x20000, 0x21fff, 1, "r7", 0x21000);
		EXPECT_EQ(iomem_allocate_resource(t, IOMEM, 0x1000, 0x20000, 0x21fff, 1, "r8", MEMF,
						  &s), -EBUSY);
		/* one byte short */
		EXPECT_EQ(iomem_allocate_resource(t, IOMEM, 0x1000, 0x20000, 0x22ffe, 1, "r9", MEMF,
						  &s), -EBUSY);
		EXPECT_ALLOC(t, IOMEM, 0x1000, 0x20000, 0x22fff, 1, "r10", 0x22000);
		/* min not aligned: aligned up */
		EXPECT_ALLOC(t, IOMEM, 0x100, 0x30001, MAXADDR, 0x100, "r11", 0x30100);
		/* min and max inside a gap between children */
		EXPECT_ALLOC(t, IOMEM, 0x100, 0x5000, 0x50ff, 1, "r12", 0x5000);
		EXPECT_EQ(iomem_count(t, IOMEM), 7);
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

static void allocate_no_space_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		resource_size_t s = 0x1234;

		EXPECT_EQ(iomem_allocate_resource(t, IOPORT, 0x20000, 0, 0xffff, 1, "too big", IORESOURCE_IO,
						  &s), -EBUSY);
		EXPECT_EQ(iomem_allocate_resource(t, IOPORT, 0x10000, 0, 0xffff, 1, "all", IORESOURCE_IO, &s),
			  0);
		EXPECT_EQ(s, 0);
		EXPECT_SHOW(t, IOPORT, "0000-ffff : all\n");
		EXPECT_EQ(iomem_allocate_resource(t, IOPORT, 1, 0, 0xffff, 1, "more", IORESOURCE_IO, &s),
			  -EBUSY);
		EXPECT_EQ(iomem_count(t, IOPORT), 1);
		/* min > max */
		EXPECT_EQ(iomem_allocate_resource(t, IOMEM, 0x10, 0x2000, 0x1000, 1, "inverted", MEMF,
						  &s), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allocate_lowest_fit_and_alignment),
		cmocka_unit_test(allocate_below_first_child),
		cmocka_unit_test(allocate_min_max_clipping),
		cmocka_unit_test(allocate_no_space_ebusy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
