/* SPDX-License-Identifier: MIT */
/* insert_resource (§1.4). */
#include "common.h"

#define MEMF IORESOURCE_MEM

static void insert_into_gap(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x3fff, "b", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "a", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x5000, 0x5fff, "c", MEMF, 0), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00001000-00001fff : a\n"
			    "00003000-00003fff : b\n"
			    "00005000-00005fff : c\n");
	}
}

/* insert keeps the flags and desc it is given. */
static void insert_keeps_flags_and_desc(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x30000000, 0x30ffffff, "Reserved",
						IORESOURCE_MEM | IORESOURCE_BUSY,
						IORES_DESC_RESERVED), 0);
		f = lookup(t, IOMEM, 0x30000000);
		EXPECT_EQ(f.rc, 0);
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_BUSY);
		EXPECT_EQ(f.r.desc, IORES_DESC_RESERVED);
	}
}

/* An identical range becomes the PARENT of the existing resource. */
static void insert_identical_becomes_parent(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "A", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "B", MEMF, 0), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00001000-00001fff : B\n"
			    "  00001000-00001fff : A\n");
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "C", MEMF, 0), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00001000-00001fff : C\n"
			    "  00001000-00001fff : B\n"
			    "    00001000-00001fff : A\n");
		/* lookup returns the deepest */
		EXPECT_LOOKUP(t, IOMEM, 0x1800, 0x1000, 0x1fff, "A");
	}
}

/* Strictly inside an existing resource: one level down, repeatedly. */
static void insert_inside_goes_down(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "A", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "B", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1100, 0x11ff, "C", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x10ff, "D", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1100, 0x110f, "E", MEMF, 0), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00001000-00001fff : B\n"
			    "  00001000-00001fff : A\n"
			    "    00001000-000010ff : D\n"
			    "    00001100-000011ff : C\n"
			    "      00001100-0000110f : E\n");
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

/* A range covering several siblings adopts them all. */
static void insert_adopts_siblings(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x2000, 0x2fff, "before", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x30ff, "X", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3200, 0x32ff, "Y", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3400, 0x34ff, "Z", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x5000, 0x5fff, "after", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x3fff, "W", MEMF, 0), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00002000-00002fff : before\n"
			    "00003000-00003fff : W\n"
			    "  00003000-000030ff : X\n"
			    "  00003200-000032ff : Y\n"
			    "  00003400-000034ff : Z\n"
			    "00005000-00005fff : after\n");
		/* a range adopting only some siblings, with room on both sides */
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3100, 0x33ff, "V", MEMF, 0), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00002000-00002fff : before\n"
			    "00003000-00003fff : W\n"
			    "  00003000-000030ff : X\n"
			    "  00003100-000033ff : V\n"
			    "    00003200-000032ff : Y\n"
			    "  00003400-000034ff : Z\n"
			    "00005000-00005fff : after\n");
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

/* Partial overlap with a sibling → -EBUSY, tree unchanged. */
static void insert_partial_overlap_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x30ff, "X", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3200, 0x32ff, "Y", MEMF, 0), 0);
		/* first overlapping sibling X sticks out below */
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3080, 0x31ff, "P", MEMF, 0), -EBUSY);
		/* X fits, the later Y sticks out above */
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x327f, "Q", MEMF, 0), -EBUSY);
		/* straddles the end of X only */
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x30ff, 0x3100, "R", MEMF, 0), -EBUSY);
		/* inside a resource but crossing one of its children */
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x3fff, "W", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3280, 0x3fff, "S", MEMF, 0), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 3);
		EXPECT_SHOW(t, IOMEM,
			    "00003000-00003fff : W\n"
			    "  00003000-000030ff : X\n"
			    "  00003200-000032ff : Y\n");
	}
}

/* Out of the root, or end < start → -EBUSY. */
static void insert_out_of_root_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOPORT, 0xff00, 0x1ffff, "big", IORESOURCE_IO, 0),
			  -EBUSY);
		EXPECT_EQ(iomem_insert_resource(t, IOPORT, 0x10000, 0x10000, "beyond",
						IORESOURCE_IO, 0), -EBUSY);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x5000, 0x4fff, "backwards", MEMF, 0),
			  -EBUSY);
		EXPECT_EQ(iomem_count(t, IOPORT), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOPORT, 0, 0xffff, "all", IORESOURCE_IO, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0, MAXADDR, "all", MEMF, 0), 0);
		EXPECT_SHOW(t, IOPORT, "0000-ffff : all\n");
		EXPECT_SHOW(t, IOMEM, "00000000-ffffffffffffffff : all\n");
	}
}

/* insert ignores BUSY: it can wrap a busy region (then requests inside fail at it). */
static void insert_around_busy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x10000, 0x10000, "busy"), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x10000, 0x1ffff, "same", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x18000, 0x18fff, "under busy", MEMF, 0),
			  0);
		EXPECT_SHOW(t, IOMEM,
			    "00010000-0001ffff : same\n"
			    "  00010000-0001ffff : busy\n"
			    "    00018000-00018fff : under busy\n");
		EXPECT_EQ(request_mem_region(t, 0x10000, 0x1000, "x"), -EBUSY);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(insert_into_gap),
		cmocka_unit_test(insert_keeps_flags_and_desc),
		cmocka_unit_test(insert_identical_becomes_parent),
		cmocka_unit_test(insert_inside_goes_down),
		cmocka_unit_test(insert_adopts_siblings),
		cmocka_unit_test(insert_partial_overlap_ebusy),
		cmocka_unit_test(insert_out_of_root_ebusy),
		cmocka_unit_test(insert_around_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
