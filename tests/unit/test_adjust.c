/* SPDX-License-Identifier: MIT */
/* adjust_resource (§1.4, __adjust_resource) on the outermost resource with exactly the
 * given range. Each -EBUSY case below breaks exactly one of the kernel's checks. */
#include "common.h"

#define MEMF IORESOURCE_MEM

/* parent [0x10000,0x1ffff] with children prev [0x11000,0x11fff], res [0x14000,0x14fff]
 * (holding child [0x14400,0x144ff]) and next [0x17000,0x17fff]. */
static void build(struct iomem_tree *t)
{
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x10000, 0x1ffff, "parent", MEMF, 0), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x11000, 0x11fff, "prev", MEMF, 0), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x14000, 0x14fff, "res", MEMF, 0), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x17000, 0x17fff, "next", MEMF, 0), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x14400, 0x144ff, "child", MEMF, 0), 0);
}

static const char *const built =
	"00010000-0001ffff : parent\n"
	"  00011000-00011fff : prev\n"
	"  00014000-00014fff : res\n"
	"    00014400-000144ff : child\n"
	"  00017000-00017fff : next\n";

static void adjust_success(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14000, 0x14fff, 0x13000, 0x3000), 0);
		EXPECT_LOOKUP(t, IOMEM, 0x13000, 0x13000, 0x15fff, "res");
		/* right up to both neighbours */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x13000, 0x15fff, 0x12000, 0x5000), 0);
		/* shrink onto the child exactly */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x12000, 0x16fff, 0x14400, 0x100), 0);
		/* first child down to the parent's start, last child up to its end */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x11000, 0x11fff, 0x10000, 0x2000), 0);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x17000, 0x17fff, 0x17000, 0x9000), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00010000-0001ffff : parent\n"
			    "  00010000-00011fff : prev\n"
			    "  00014400-000144ff : res\n"
			    "    00014400-000144ff : child\n"
			    "  00017000-0001ffff : next\n");
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

static void adjust_outside_parent_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		/* prev is the first child: only the parent-start check can fail */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x11000, 0x11fff, 0xf000, 0x3000), -EBUSY);
		/* next is the last child: only the parent-end check can fail */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x17000, 0x17fff, 0x17000, 0x9001), -EBUSY);
		EXPECT_SHOW(t, IOMEM, built);
	}
}

static void adjust_touches_next_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		/* [0x14000,0x17000]: next->start <= end */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14000, 0x14fff, 0x14000, 0x3001), -EBUSY);
		EXPECT_SHOW(t, IOMEM, built);
	}
}

static void adjust_touches_prev_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		/* [0x11fff,0x14fff]: start <= prev->end */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14000, 0x14fff, 0x11fff, 0x3001), -EBUSY);
		EXPECT_SHOW(t, IOMEM, built);
	}
}

static void adjust_loses_child_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		/* child starts before the new start */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14000, 0x14fff, 0x14401, 0x1000), -EBUSY);
		/* child ends after the new end */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14000, 0x14fff, 0x14000, 0x4ff), -EBUSY);
		/* a parent cannot shrink away from its children either */
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x10000, 0x1ffff, 0x10000, 0x7fff), -EBUSY);
		EXPECT_SHOW(t, IOMEM, built);
	}
}

/* size 0 gives end = start - 1: with a child inside, the child check fails. */
static void adjust_size_zero_with_child_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14000, 0x14fff, 0x14400, 0), -EBUSY);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x10000, 0x1ffff, 0x10000, 0), -EBUSY);
		EXPECT_SHOW(t, IOMEM, built);
	}
}

/* Top-level resources: the root is the parent, siblings are other top-level ones. */
static void adjust_top_level(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x30000, 0x3ffff, "top2", MEMF, 0), 0);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x10000, 0x1ffff, 0x10000, 0x20001), -EBUSY);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x10000, 0x1ffff, 0x10000, 0x20000), 0);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x30000, 0x3ffff, 0x2ffff, 0x10001), -EBUSY);
		EXPECT_EQ(iomem_adjust_resource(t, IOPORT, 0, 0xffff, 0, 0x10000), -ENOENT);
		EXPECT_EQ(iomem_insert_resource(t, IOPORT, 0xff00, 0xffff, "io", IORESOURCE_IO, 0), 0);
		/* beyond the ioport root's end */
		EXPECT_EQ(iomem_adjust_resource(t, IOPORT, 0xff00, 0xffff, 0xff00, 0x101), -EBUSY);
		EXPECT_EQ(iomem_adjust_resource(t, IOPORT, 0xff00, 0xffff, 0xfe00, 0x200), 0);
		EXPECT_SHOW(t, IOPORT, "fe00-ffff : io\n");
		EXPECT_LOOKUP(t, IOMEM, 0x2ffff, 0x10000, 0x2ffff, "parent");
	}
}

static void adjust_missing_is_enoent(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x5000, 0x5fff, 0x5000, 0x1000), -ENOENT);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14000, 0x14ffe, 0x14000, 0x1000), -ENOENT);
		EXPECT_SHOW(t, IOMEM, built);
	}
}

/* With identical nested ranges the OUTERMOST is adjusted: here it still holds the inner
 * one as a child, so shrinking it fails, where shrinking the inner one would not. */
static void adjust_acts_on_outermost(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14000, 0x14fff, 0x14400, 0x100), 0);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14400, 0x144ff, 0x14400, 0x80), -EBUSY);
		EXPECT_EQ(iomem_adjust_resource(t, IOMEM, 0x14400, 0x144ff, 0x14400, 0x200), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00010000-0001ffff : parent\n"
			    "  00011000-00011fff : prev\n"
			    "  00014400-000145ff : res\n"
			    "    00014400-000144ff : child\n"
			    "  00017000-00017fff : next\n");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adjust_success),
		cmocka_unit_test(adjust_outside_parent_ebusy),
		cmocka_unit_test(adjust_touches_next_ebusy),
		cmocka_unit_test(adjust_touches_prev_ebusy),
		cmocka_unit_test(adjust_loses_child_ebusy),
		cmocka_unit_test(adjust_size_zero_with_child_ebusy),
		cmocka_unit_test(adjust_top_level),
		cmocka_unit_test(adjust_missing_is_enoent),
		cmocka_unit_test(adjust_acts_on_outermost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
