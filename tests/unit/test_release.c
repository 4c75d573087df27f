/* SPDX-License-Identifier: MIT */
/* __release_region (§1.3). */
#include "common.h"

#define MEMF IORESOURCE_MEM

static void release_exact_busy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "a"), 0);
		EXPECT_EQ(request_mem_region(t, 0x3000, 0x1000, "b"), 0);
		EXPECT_EQ(release_mem_region(t, 0x1000, 0x1000), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 1);
		EXPECT_NO_LOOKUP(t, IOMEM, 0x1000);
		EXPECT_SHOW(t, IOMEM, "00003000-00003fff : b\n");
		/* the range is free again */
		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "a again"), 0);
	}
}

static void release_nonexistent_is_enoent(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(release_mem_region(t, 0x1000, 0x1000), -ENOENT);
		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "a"), 0);
		EXPECT_EQ(release_mem_region(t, 0x1000, 0x1000), 0);
		/* double release */
		EXPECT_EQ(release_mem_region(t, 0x1000, 0x1000), -ENOENT);
		EXPECT_EQ(release_region(t, 0x60, 1), -ENOENT);
	}
}

/* A BUSY resource covering the range but not exactly equal: the kernel breaks out
 * ("Trying to free nonexistent resource") and leaves everything in place. */
static void release_busy_not_exact_is_enoent(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "a"), 0);
		EXPECT_EQ(release_mem_region(t, 0x1100, 0x100), -ENOENT);
		EXPECT_EQ(release_mem_region(t, 0x1000, 0xfff), -ENOENT);
		EXPECT_EQ(release_mem_region(t, 0x1001, 0xfff), -ENOENT);
		/* not covering: overlapping, larger */
		EXPECT_EQ(release_mem_region(t, 0x800, 0x1000), -ENOENT);
		EXPECT_EQ(release_mem_region(t, 0x1000, 0x2000), -ENOENT);
		EXPECT_EQ(iomem_count(t, IOMEM), 1);
		EXPECT_LOOKUP(t, IOMEM, 0x1000, 0x1000, 0x1fff, "a");
	}
}

/* Non-busy covering resources are descended into. */
static void release_descends_containers(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0x1fffff, "container", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x180000, 0x18ffff, "sub", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x180000, 0x1000, "deep"), 0);
		EXPECT_EQ(request_mem_region(t, 0x100000, 0x1000, "shallow"), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 4);
		EXPECT_EQ(release_mem_region(t, 0x180000, 0x1000), 0);
		EXPECT_EQ(release_mem_region(t, 0x100000, 0x1000), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00100000-001fffff : container\n"
			    "  00180000-0018ffff : sub\n");
	}
}

/* An exact match that is NOT busy is descended into, not released. */
static void release_exact_non_busy_is_enoent(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0x1fffff, "container", MEMF, 0), 0);
		EXPECT_EQ(release_mem_region(t, 0x100000, 0x100000), -ENOENT);
		EXPECT_EQ(request_mem_region(t, 0x180000, 0x1000, "in"), 0);
		EXPECT_EQ(release_mem_region(t, 0x100000, 0x100000), -ENOENT);
		EXPECT_EQ(iomem_count(t, IOMEM), 2);
	}
}

/* A non-busy resource with the same range as a busy one sits above it (insert rule);
 * release descends through it and frees the busy one. */
static void release_through_identical_wrapper(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x300000, 0x1000, "busy"), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x300000, 0x300fff, "wrapper", MEMF, 0), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00300000-00300fff : wrapper\n"
			    "  00300000-00300fff : busy\n");
		EXPECT_EQ(release_mem_region(t, 0x300000, 0x1000), 0);
		EXPECT_SHOW(t, IOMEM, "00300000-00300fff : wrapper\n");
	}
}

/* Release unlinks the region with its whole subtree: children are NOT re-parented. */
static void release_drops_children(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x400000, 0x10000, "dev"), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x401000, 0x401fff, "sub", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x402000, 0x402fff, "sub2", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x402100, 0x4021ff, "subsub", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x500000, 0x1000, "other"), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00400000-0040ffff : dev\n"
			    "  00401000-00401fff : sub\n"
			    "  00402000-00402fff : sub2\n"
			    "    00402100-004021ff : subsub\n"
			    "00500000-00500fff : other\n");
		EXPECT_EQ(iomem_count(t, IOMEM), 5);
		EXPECT_EQ(release_mem_region(t, 0x400000, 0x10000), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 1);
		EXPECT_SHOW(t, IOMEM, "00500000-00500fff : other\n");
		EXPECT_NO_LOOKUP(t, IOMEM, 0x401000);
		EXPECT_NO_LOOKUP(t, IOMEM, 0x402100);
		EXPECT_EQ(request_mem_region(t, 0x401000, 0x1000, "new"), 0);
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

static void release_keeps_siblings(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_region(t, 0x60, 1, "keyboard"), 0);
		EXPECT_EQ(request_region(t, 0x64, 1, "keyboard"), 0);
		EXPECT_EQ(request_region(t, 0x70, 2, "rtc"), 0);
		EXPECT_EQ(release_region(t, 0x64, 1), 0);
		EXPECT_SHOW(t, IOPORT, "0060-0060 : keyboard\n0070-0071 : rtc\n");
		EXPECT_EQ(release_region(t, 0x70, 2), 0);
		EXPECT_EQ(release_region(t, 0x60, 1), 0);
		EXPECT_EQ(iomem_count(t, IOPORT), 0);
	}
}

/* Release acts on the root it is given. */
static void release_per_root(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_region(t, 0x60, 1, "keyboard"), 0);
		EXPECT_EQ(release_mem_region(t, 0x60, 1), -ENOENT);
		EXPECT_EQ(iomem_count(t, IOPORT), 1);
		EXPECT_EQ(release_region(t, 0x60, 1), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(release_exact_busy),
		cmocka_unit_test(release_nonexistent_is_enoent),
		cmocka_unit_test(release_busy_not_exact_is_enoent),
		cmocka_unit_test(release_descends_containers),
		cmocka_unit_test(release_exact_non_busy_is_enoent),
		cmocka_unit_test(release_through_identical_wrapper),
		cmocka_unit_test(release_drops_children),
		cmocka_unit_test(release_keeps_siblings),
		cmocka_unit_test(release_per_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
