/* SPDX-License-Identifier: MIT */
/* __request_region (§1.2) and __request_resource's bounds rule (§1.1). */
#include "common.h"

#define MEMF IORESOURCE_MEM

static void request_grants_then_busy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "a"), 0);
		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "again"), -EBUSY);
		EXPECT_EQ(request_mem_region(t, 0x1800, 0x1000, "overlaps end"), -EBUSY);
		EXPECT_EQ(request_mem_region(t, 0x800, 0x1000, "overlaps start"), -EBUSY);
		EXPECT_EQ(request_mem_region(t, 0x0, 0x10000, "covers"), -EBUSY);
		EXPECT_EQ(request_mem_region(t, 0x1fff, 1, "last byte"), -EBUSY);
		EXPECT_EQ(request_mem_region(t, 0x2000, 0x1000, "adjacent above"), 0);
		EXPECT_EQ(request_mem_region(t, 0x0, 0x1000, "adjacent below"), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 3);
		EXPECT_SHOW(t, IOMEM,
			    "00000000-00000fff : adjacent below\n"
			    "00001000-00001fff : a\n"
			    "00002000-00002fff : adjacent above\n");
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

/* §1.1: end < start → conflict with the root → -EBUSY. */
static void request_n_zero_is_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x5000, 0, "zero"), -EBUSY);
		EXPECT_EQ(request_region(t, 0x60, 0, "zero"), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 0);
		EXPECT_EQ(iomem_count(t, IOPORT), 0);
	}
}

/* end = start + n - 1 wraps below start → -EBUSY. */
static void request_wrapping_is_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, MAXADDR - 0xfff, 0x2000, "wrap"), -EBUSY);
		EXPECT_EQ(request_mem_region(t, 0x1000, MAXADDR, "wrap2"), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 0);
		/* exactly up to the root's end is fine */
		EXPECT_EQ(request_mem_region(t, MAXADDR - 0xfff, 0x1000, "top"), 0);
		EXPECT_LOOKUP(t, IOMEM, MAXADDR, MAXADDR - 0xfff, MAXADDR, "top");
	}
}

/* The kernel does no n == 0 check: at start 0, end = 0 + 0 - 1 = all ones, which is
 * exactly the iomem root's range, so __request_resource accepts it. */
static void request_n_zero_at_zero_spans_iomem(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0, 0, "everything"), 0);
		EXPECT_LOOKUP(t, IOMEM, 0x123456789ULL, 0, MAXADDR, "everything");
		/* on the ioport root the same end is beyond 0xffff */
		EXPECT_EQ(request_region(t, 0, 0, "everything"), -EBUSY);
	}
}

/* §1.1: end > root->end → -EBUSY (ioport root ends at 0xffff). */
static void request_beyond_ioport_root(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_region(t, 0xfff0, 0x20, "straddles"), -EBUSY);
		EXPECT_EQ(request_region(t, 0x10000, 1, "beyond"), -EBUSY);
		EXPECT_EQ(request_region(t, 0xffff0000ULL, 0x10, "far"), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOPORT), 0);
		EXPECT_EQ(request_region(t, 0xfff0, 0x10, "fits"), 0);
		EXPECT_SHOW(t, IOPORT, "fff0-ffff : fits\n");
	}
}

/* A start below a container's start, found after descending, fails with conflict ==
 * parent (the "start < root->start" rule, applied at the container's level). */
static void request_descends_into_container(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0x1fffff, "container", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x100000, 0x1000, "inside"), 0);
		EXPECT_EQ(request_mem_region(t, 0x1ff000, 0x1000, "inside top"), 0);
		EXPECT_LOOKUP(t, IOMEM, 0x100000, 0x100000, 0x100fff, "inside");
		EXPECT_LOOKUP(t, IOMEM, 0x101000, 0x100000, 0x1fffff, "container");
		EXPECT_SHOW(t, IOMEM,
			    "00100000-001fffff : container\n"
			    "  00100000-00100fff : inside\n"
			    "  001ff000-001fffff : inside top\n");
	}
}

static void request_partial_overlap_with_container_fails(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0x1fffff, "container", MEMF, 0), 0);
		/* sticks out above: end > container end */
		EXPECT_EQ(request_mem_region(t, 0x1ff000, 0x2000, "high"), -EBUSY);
		/* sticks out below: start < container start */
		EXPECT_EQ(request_mem_region(t, 0xff000, 0x2000, "low"), -EBUSY);
		/* covers the whole container: still a descent, then start < container start */
		EXPECT_EQ(request_mem_region(t, 0xf0000, 0x200000, "covers"), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 1);
		EXPECT_SHOW(t, IOMEM, "00100000-001fffff : container\n");
	}
}

/* A range identical to a non-busy container nests inside it. */
static void request_identical_to_container_nests(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x300000, 0x3fffff, "c2", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x300000, 0x100000, "same"), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00300000-003fffff : c2\n"
			    "  00300000-003fffff : same\n");
		/* the container is now full: the next request descends and meets "same" */
		EXPECT_EQ(request_mem_region(t, 0x300000, 0x10, "more"), -EBUSY);
	}
}

/* Only the first overlapping sibling is tried: a range spanning two containers fails. */
static void request_spanning_two_containers_fails(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x300000, 0x3fffff, "c2", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x400000, 0x4fffff, "c3", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x3ff000, 0x2000, "span"), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 2);
	}
}

static void request_descends_several_levels(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000000, 0x1ffffff, "outer", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000000, 0x17fffff, "inner", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x1400000, 0x1000, "deep"), 0);
		EXPECT_EQ(request_mem_region(t, 0x1800000, 0x1000, "shallow"), 0);
		/* partial overlap at the second level fails */
		EXPECT_EQ(request_mem_region(t, 0x17ff000, 0x2000, "straddle"), -EBUSY);
		EXPECT_SHOW(t, IOMEM,
			    "01000000-01ffffff : outer\n"
			    "  01000000-017fffff : inner\n"
			    "    01400000-01400fff : deep\n"
			    "  01800000-01800fff : shallow\n");
	}
}

/* No descent into a BUSY conflict, even if it has non-busy children. */
static void request_inside_busy_fails(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x10000, 0x10000, "busy"), 0);
		EXPECT_EQ(request_mem_region(t, 0x11000, 0x10, "inside"), -EBUSY);
		/* a non-busy container under the busy one does not help */
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x12000, 0x12fff, "sub", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x12000, 0x10, "in sub"), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 2);
	}
}

/* Flags: type|ext_type of the parent where it landed | BUSY | requested; desc = parent's. */
static void request_top_level_flags(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "mem"), 0);
		f = lookup(t, IOMEM, 0x1000);
		EXPECT_EQ(f.rc, 0);
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_BUSY);
		EXPECT_EQ(f.r.desc, IORES_DESC_NONE);

		EXPECT_EQ(request_region(t, 0x60, 1, "keyboard"), 0);
		f = lookup(t, IOPORT, 0x60);
		EXPECT_EQ(f.rc, 0);
		EXPECT_EQ(f.r.flags, IORESOURCE_IO | IORESOURCE_BUSY);
		EXPECT_EQ(f.r.desc, IORES_DESC_NONE);
		EXPECT_STREQ(f.name, "keyboard");
	}
}

static void request_inherits_sysram(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0x1fffffff, "System RAM",
						IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE), 0);
		EXPECT_EQ(request_mem_region(t, 0x200000, 0x1000, "Kernel code"), 0);
		f = lookup(t, IOMEM, 0x200000);
		EXPECT_EQ(f.rc, 0);
		EXPECT_STREQ(f.name, "Kernel code");
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_SYSRAM | IORESOURCE_BUSY);
		EXPECT_EQ(f.r.desc, IORES_DESC_NONE);
	}
}

static void request_inherits_desc(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x40000000, 0x4fffffff, "Soft Reserved",
						IORESOURCE_MEM, IORES_DESC_SOFT_RESERVED), 0);
		EXPECT_EQ(request_mem_region(t, 0x40000000, 0x1000, "dax"), 0);
		f = lookup(t, IOMEM, 0x40000000);
		EXPECT_EQ(f.rc, 0);
		EXPECT_EQ(f.r.desc, IORES_DESC_SOFT_RESERVED);
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_BUSY);
	}
}

/* Only TYPE and EXT_TYPE bits come from the parent, not PREFETCH/MEM_64/WINDOW. */
static void request_inherits_only_type_bits(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x4000000000ULL, 0x7fffffffffULL,
						"PCI Bus 0000:00",
						IORESOURCE_MEM | IORESOURCE_PREFETCH |
						IORESOURCE_MEM_64 | IORESOURCE_WINDOW, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x4000000000ULL, 0x80000, "virtio-pci-modern"), 0);
		f = lookup(t, IOMEM, 0x4000000000ULL);
		EXPECT_EQ(f.rc, 0);
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_BUSY);
	}
}

/* Flags are recomputed at every level: they come from the level the request lands at. */
static void request_inherits_from_landing_level(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0x1fffffff, "System RAM",
						IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000000, 0x1ffffff, "reserved",
						IORESOURCE_MEM, IORES_DESC_RESERVED), 0);
		EXPECT_EQ(request_mem_region(t, 0x1000000, 0x1000, "in reserved"), 0);
		EXPECT_EQ(request_mem_region(t, 0x2000000, 0x1000, "in ram"), 0);
		f = lookup(t, IOMEM, 0x1000000);
		EXPECT_STREQ(f.name, "in reserved");
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_BUSY);
		EXPECT_EQ(f.r.desc, IORES_DESC_RESERVED);
		f = lookup(t, IOMEM, 0x2000000);
		EXPECT_STREQ(f.name, "in ram");
		EXPECT_EQ(f.r.flags, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY);
		EXPECT_EQ(f.r.desc, IORES_DESC_NONE);
	}
}

static void request_keeps_requested_flags(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		EXPECT_EQ(request_mem_region_exclusive(t, 0x1000, 0x1000, "exclusive"), 0);
		f = lookup(t, IOMEM, 0x1000);
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_BUSY | IORESOURCE_EXCLUSIVE);

		EXPECT_EQ(iomem_request_region(t, IOMEM, 0x3000, 0x1000, "prefetch",
					       IORESOURCE_PREFETCH), 0);
		f = lookup(t, IOMEM, 0x3000);
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_BUSY | IORESOURCE_PREFETCH);

		EXPECT_EQ(request_mem_region_muxed(t, 0x5000, 0x1000, "muxed"), 0);
		f = lookup(t, IOMEM, 0x5000);
		EXPECT_EQ(f.r.flags, IORESOURCE_MEM | IORESOURCE_BUSY | IORESOURCE_MUXED);

		/* an exclusive region is busy like any other */
		EXPECT_EQ(request_mem_region(t, 0x1800, 0x10, "x"), -EBUSY);
	}
}

/* The nowait variant behaves exactly like the sleeping one when nothing would sleep. */
static void request_nowait_same_results(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_request_region_nowait(t, IOMEM, 0x1000, 0x1000, "a", 0), 0);
		EXPECT_EQ(iomem_request_region_nowait(t, IOMEM, 0x1000, 0x1000, "b", 0), -EBUSY);
		EXPECT_EQ(iomem_request_region_nowait(t, IOMEM, 0x5000, 0, "zero", 0), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_grants_then_busy),
		cmocka_unit_test(request_n_zero_is_ebusy),
		cmocka_unit_test(request_wrapping_is_ebusy),
		cmocka_unit_test(request_n_zero_at_zero_spans_iomem),
		cmocka_unit_test(request_beyond_ioport_root),
		cmocka_unit_test(request_descends_into_container),
		cmocka_unit_test(request_partial_overlap_with_container_fails),
		cmocka_unit_test(request_identical_to_container_nests),
		cmocka_unit_test(request_spanning_two_containers_fails),
		cmocka_unit_test(request_descends_several_levels),
		cmocka_unit_test(request_inside_busy_fails),
		cmocka_unit_test(request_top_level_flags),
		cmocka_unit_test(request_inherits_sysram),
		cmocka_unit_test(request_inherits_desc),
		cmocka_unit_test(request_inherits_only_type_bits),
		cmocka_unit_test(request_inherits_from_landing_level),
		cmocka_unit_test(request_keeps_requested_flags),
		cmocka_unit_test(request_nowait_same_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
