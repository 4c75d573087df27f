/* SPDX-License-Identifier: MIT */
/* iomem_lookup: the deepest resource containing an address; -ENOENT in a hole. */
#include "common.h"

#define MEMF IORESOURCE_MEM

static void build(struct iomem_tree *t)
{
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0xbfffffff, "System RAM",
					IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000000, 0x220bb07, "Kernel code",
					IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0xeec00000, 0xfebfffff, "Reserved", MEMF,
					IORES_DESC_RESERVED), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0xeec00000, 0xeecfffff,
					"PCI ECAM 0000 [bus 00-00]", MEMF, 0), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0xeec00000, 0xeecfffff, "PCI Bus 0000:00",
					MEMF, 0), 0);
}

static void lookup_deepest(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_LOOKUP(t, IOMEM, 0x100000, 0x100000, 0xbfffffff, "System RAM");
		EXPECT_LOOKUP(t, IOMEM, 0x1000000, 0x1000000, 0x220bb07, "Kernel code");
		EXPECT_LOOKUP(t, IOMEM, 0x220bb07, 0x1000000, 0x220bb07, "Kernel code");
		EXPECT_LOOKUP(t, IOMEM, 0x220bb08, 0x100000, 0xbfffffff, "System RAM");
		EXPECT_LOOKUP(t, IOMEM, 0xbfffffff, 0x100000, 0xbfffffff, "System RAM");
		/* the later identical insert ("PCI Bus") became the parent of the ECAM
		 * resource, so the ECAM one is the deepest */
		EXPECT_LOOKUP(t, IOMEM, 0xeec00000, 0xeec00000, 0xeecfffff,
			      "PCI ECAM 0000 [bus 00-00]");
		EXPECT_LOOKUP(t, IOMEM, 0xeed00000, 0xeec00000, 0xfebfffff, "Reserved");
	}
}

static void lookup_copies_flags_desc(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		build(t);
		f = lookup(t, IOMEM, 0xeed00000);
		EXPECT_EQ(f.rc, 0);
		EXPECT_EQ(f.r.flags, MEMF);
		EXPECT_EQ(f.r.desc, IORES_DESC_RESERVED);
		EXPECT_TRUE(f.r.parent == NULL && f.r.sibling == NULL && f.r.child == NULL);
		f = lookup(t, IOMEM, 0x1000000);
		EXPECT_EQ(f.r.flags, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY);
	}
}

static void lookup_hole_enoent(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		build(t);
		EXPECT_NO_LOOKUP(t, IOMEM, 0);
		EXPECT_NO_LOOKUP(t, IOMEM, 0xfffff);
		EXPECT_NO_LOOKUP(t, IOMEM, 0xc0000000);
		EXPECT_NO_LOOKUP(t, IOMEM, 0xfec00000);
		EXPECT_NO_LOOKUP(t, IOMEM, MAXADDR);
		EXPECT_NO_LOOKUP(t, IOPORT, 0x100000);
	}
}

static void lookup_name_buffer(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct resource r;
		char small[4];

		build(t);
		memset(&r, 0xa5, sizeof(r));
		EXPECT_EQ(iomem_lookup(t, IOMEM, 0x100000, &r, NULL, 0), 0);
		EXPECT_TRUE(r.name == NULL);
		EXPECT_EQ(r.start, 0x100000);
		memset(small, 'x', sizeof(small));
		EXPECT_EQ(iomem_lookup(t, IOMEM, 0x100000, &r, small, sizeof(small)), 0);
		/* truncated, NUL-terminated, a prefix of "System RAM" */
		EXPECT_TRUE(memchr(small, '\0', sizeof(small)) != NULL);
		EXPECT_TRUE(strncmp(small, "System RAM", strlen(small)) == 0);
	}
}

static void lookup_ioport(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOPORT, 0, 0xcf7, "PCI Bus 0000:00", IORESOURCE_IO,
						0), 0);
		EXPECT_EQ(request_region(t, 0x60, 1, "keyboard"), 0);
		EXPECT_LOOKUP(t, IOPORT, 0x60, 0x60, 0x60, "keyboard");
		EXPECT_LOOKUP(t, IOPORT, 0x61, 0, 0xcf7, "PCI Bus 0000:00");
		EXPECT_NO_LOOKUP(t, IOPORT, 0xcf8);
		EXPECT_NO_LOOKUP(t, IOMEM, 0x60);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup_deepest),
		cmocka_unit_test(lookup_copies_flags_desc),
		cmocka_unit_test(lookup_hole_enoent),
		cmocka_unit_test(lookup_name_buffer),
		cmocka_unit_test(lookup_ioport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
