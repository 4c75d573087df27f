/* SPDX-License-Identifier: MIT */
/* remove_resource (§1.4: __release_resource(old, false)) on the outermost resource with
 * exactly the given range. */
#include "common.h"

#define MEMF IORESOURCE_MEM

/* Children move up into the removed resource's place, in order. */
static void remove_moves_children_up(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x2000, 0x2fff, "before", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x30ff, "X", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3010, 0x301f, "X1", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3200, 0x32ff, "Y", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x4000, 0x4fff, "after", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x3fff, "W", MEMF, 0), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 6);
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x3000, 0x3fff), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 5);
		EXPECT_SHOW(t, IOMEM,
			    "00002000-00002fff : before\n"
			    "00003000-000030ff : X\n"
			    "  00003010-0000301f : X1\n"
			    "00003200-000032ff : Y\n"
			    "00004000-00004fff : after\n");
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

/* Of identical nested ranges, the outermost goes. */
static void remove_outermost_identical(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "A", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "B", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1100, 0x11ff, "C", MEMF, 0), 0);
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x1000, 0x1fff), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00001000-00001fff : A\n"
			    "  00001100-000011ff : C\n");
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x1000, 0x1fff), 0);
		EXPECT_SHOW(t, IOMEM, "00001100-000011ff : C\n");
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x1000, 0x1fff), -ENOENT);
	}
}

static void remove_missing_is_enoent(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x1000, 0x1fff), -ENOENT);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "A", MEMF, 0), 0);
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x1000, 0x1ffe), -ENOENT);
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x1001, 0x1fff), -ENOENT);
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x0, 0x2fff), -ENOENT);
		EXPECT_EQ(iomem_remove_resource(t, IOPORT, 0x1000, 0x1fff), -ENOENT);
		EXPECT_EQ(iomem_count(t, IOMEM), 1);
	}
}

/* Works at any depth; a removed container's busy child keeps blocking requests. */
static void remove_nested_and_busy_children(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x5000, 0x5fff, "cont", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x5000, 0x57ff, "mid", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x5000, 0x100, "busy"), 0);
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x5000, 0x57ff), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00005000-00005fff : cont\n"
			    "  00005000-000050ff : busy\n");
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x5000, 0x5fff), 0);
		EXPECT_SHOW(t, IOMEM, "00005000-000050ff : busy\n");
		EXPECT_EQ(request_mem_region(t, 0x5000, 0x100, "again"), -EBUSY);
		/* a leaf goes away entirely */
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x5000, 0x50ff), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remove_moves_children_up),
		cmocka_unit_test(remove_outermost_identical),
		cmocka_unit_test(remove_missing_is_enoent),
		cmocka_unit_test(remove_nested_and_busy_children),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
