/* SPDX-License-Identifier: MIT */
/* r_show (§1.7): /proc/iomem and /proc/ioports formatting. */
#include "common.h"

#define MEMF IORESOURCE_MEM

/* iomem: width 8, zero padded, lowercase. */
static void show_iomem_width8(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x0, 0x1000, "low"), 0);
		EXPECT_EQ(request_mem_region(t, 0x9fc00, 0x400, "Reserved"), 0);
		EXPECT_EQ(request_mem_region(t, 0xABCDE000, 0x1000, "LowerCase"), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00000000-00000fff : low\n"
			    "0009fc00-0009ffff : Reserved\n"
			    "abcde000-abcdefff : LowerCase\n");
	}
}

/* Wider values are printed in full. */
static void show_wide_values(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0xfec00000, 0x400, "IOAPIC 0"), 0);
		EXPECT_EQ(request_mem_region(t, 0x100000000ULL, 0x12e000000ULL, "System RAM"), 0);
		EXPECT_EQ(request_mem_region(t, 0x1018b60000ULL, 0x10000, "wide"), 0);
		EXPECT_EQ(request_mem_region(t, MAXADDR - 0xfff, 0x1000, "top"), 0);
		EXPECT_SHOW(t, IOMEM,
			    "fec00000-fec003ff : IOAPIC 0\n"
			    "100000000-22dffffff : System RAM\n"
			    "1018b60000-1018b6ffff : wide\n"
			    "fffffffffffff000-ffffffffffffffff : top\n");
	}
}

/* x86 ioport root ends at 0xffff < 0x10000: width 4. */
static void show_ioport_width4(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOPORT, 0, 0xcf7, "PCI Bus 0000:00", IORESOURCE_IO, 0),
			  0);
		EXPECT_EQ(request_region(t, 0x60, 1, "keyboard"), 0);
		EXPECT_EQ(request_region(t, 0x3f8, 8, "serial"), 0);
		EXPECT_EQ(request_region(t, 0xcf8, 8, "PCI conf1"), 0);
		EXPECT_EQ(request_region(t, 0xfff0, 0x10, "top"), 0);
		EXPECT_SHOW(t, IOPORT,
			    "0000-0cf7 : PCI Bus 0000:00\n"
			    "  0060-0060 : keyboard\n"
			    "  03f8-03ff : serial\n"
			    "0cf8-0cff : PCI conf1\n"
			    "fff0-ffff : top\n");
	}
}

/* Two spaces per level, capped at MAX_IORES_LEVEL = 5 (10 spaces). */
static void show_indent_capped(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		static const struct { resource_size_t s, e; const char *n; } chain[] = {
			{ 0x10000000, 0x1fffffff, "L0" }, { 0x10000000, 0x17ffffff, "L1" },
			{ 0x10000000, 0x13ffffff, "L2" }, { 0x10000000, 0x11ffffff, "L3" },
			{ 0x10000000, 0x10ffffff, "L4" }, { 0x10000000, 0x107fffff, "L5" },
			{ 0x10000000, 0x103fffff, "L6" }, { 0x10000000, 0x101fffff, "L7" },
			{ 0x10400000, 0x107fffff, "L6b" }, { 0x18000000, 0x1fffffff, "L1b" },
		};

		for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
			EXPECT_EQ(iomem_insert_resource(t, IOMEM, chain[i].s, chain[i].e, chain[i].n,
							MEMF, 0), 0);
		EXPECT_SHOW(t, IOMEM,
			    "10000000-1fffffff : L0\n"
			    "  10000000-17ffffff : L1\n"
			    "    10000000-13ffffff : L2\n"
			    "      10000000-11ffffff : L3\n"
			    "        10000000-10ffffff : L4\n"
			    "          10000000-107fffff : L5\n"
			    "          10000000-103fffff : L6\n"
			    "          10000000-101fffff : L7\n"
			    "          10400000-107fffff : L6b\n"
			    "  18000000-1fffffff : L1b\n");
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

/* An empty name gives a line ending in " : ". */
static void show_empty_name(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_mem_region(t, 0x2000, 0x1000, ""), 0);
		EXPECT_EQ(request_region(t, 0x80, 0x10, ""), 0);
		EXPECT_SHOW(t, IOMEM, "00002000-00002fff : \n");
		EXPECT_SHOW(t, IOPORT, "0080-008f : \n");
	}
}

static void show_after_edits(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "A", MEMF, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "B", MEMF, 0), 0);
		EXPECT_EQ(request_mem_region(t, 0x1800, 0x100, "busy"), 0);
		EXPECT_SHOW(t, IOMEM,
			    "00001000-00001fff : B\n"
			    "  00001000-00001fff : A\n"
			    "    00001800-000018ff : busy\n");
		EXPECT_EQ(iomem_count(t, IOMEM), 3);
		EXPECT_EQ(release_mem_region(t, 0x1800, 0x100), 0);
		EXPECT_EQ(iomem_remove_resource(t, IOMEM, 0x1000, 0x1fff), 0);
		EXPECT_SHOW(t, IOMEM, "00001000-00001fff : A\n");
		EXPECT_EQ(iomem_count(t, IOMEM), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(show_iomem_width8),
		cmocka_unit_test(show_wide_values),
		cmocka_unit_test(show_ioport_width4),
		cmocka_unit_test(show_indent_capped),
		cmocka_unit_test(show_empty_name),
		cmocka_unit_test(show_after_edits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
