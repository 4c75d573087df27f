/* SPDX-License-Identifier: MIT */
/* Tree instances, backends, roots (§1.0), iomem_append/for_each/count and names.h. */
#include "common.h"

static void backends_listed(void **state)
{
	(void)state;
	const char *const *names = iomem_backend_names();
	bool rwlock = false;

	EXPECT_TRUE(names != NULL && names[0] != NULL);

	for (size_t i = 0; names[i]; i++) {
		if (strcmp(names[i], "rwlock") == 0)
			rwlock = true;
		for (size_t j = 0; j < i; j++)
			EXPECT_TRUE(strcmp(names[i], names[j]) != 0);
	}
	EXPECT_TRUE(rwlock);
}

static void tree_reports_backend_and_default_lock(void **state)
{
	(void)state;
	for (const char *const *b = test_backends(); *b; b++) {
		struct iomem_tree *t = test_tree_new(*b);

		EXPECT_STREQ(iomem_tree_backend(t), *b);
		EXPECT_STREQ(iomem_tree_lock(t), "pthread-rw");
		iomem_tree_free(t);
	}
}

static void unknown_backend_or_lock_is_enoent(void **state)
{
	(void)state;
	struct iomem_tree_opts bad_lock = { .lock = "no-such-lock" };

	errno = 0;
	EXPECT_TRUE(iomem_tree_new("no-such-backend", NULL) == NULL);
	EXPECT_EQ(errno, ENOENT);
	for (const char *const *b = test_backends(); *b; b++) {
		g_backend = *b;
		errno = 0;
		EXPECT_TRUE(iomem_tree_new(*b, &bad_lock) == NULL);
		EXPECT_EQ(errno, ENOENT);
	}
}

static void empty_tree(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct iomem_muxed_stats st;

		EXPECT_EQ(iomem_count(t, IOMEM), 0);
		EXPECT_EQ(iomem_count(t, IOPORT), 0);
		EXPECT_SHOW(t, IOMEM, "");
		EXPECT_SHOW(t, IOPORT, "");
		EXPECT_NO_LOOKUP(t, IOMEM, 0x1000);
		EXPECT_NO_LOOKUP(t, IOPORT, 0x60);
		memset(&st, 0xff, sizeof(st));
		iomem_tree_muxed_stats(t, &st);
		EXPECT_EQ(st.sleeps, 0);
		EXPECT_EQ(st.wakeups, 0);
		EXPECT_EQ(st.wake_calls, 0);
	}
}

/* §1.0: iomem root = [0, all ones] MEM; ioport root = [0, 0xffff] IO (x86). */
static void root_ranges(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_request_region(t, IOMEM, 0, 0x1000, "low", 0), 0);
		EXPECT_EQ(iomem_request_region(t, IOMEM, MAXADDR - 0xfff, 0x1000, "top", 0), 0);
		EXPECT_EQ(iomem_request_region(t, IOPORT, 0, 1, "port0", 0), 0);
		EXPECT_EQ(iomem_request_region(t, IOPORT, 0xffff, 1, "last", 0), 0);
		EXPECT_EQ(iomem_request_region(t, IOPORT, 0x10000, 1, "beyond", 0), -EBUSY);
		EXPECT_EQ(iomem_count(t, IOMEM), 2);
		EXPECT_EQ(iomem_count(t, IOPORT), 2);
		/* The roots are independent trees. */
		EXPECT_NO_LOOKUP(t, IOPORT, 0x1000);
		EXPECT_LOOKUP(t, IOMEM, 0, 0, 0xfff, "low");
		EXPECT_LOOKUP(t, IOPORT, 0, 0, 0, "port0");
		EXPECT_LOOKUP(t, IOMEM, MAXADDR, MAXADDR - 0xfff, MAXADDR, "top");
		EXPECT_LOOKUP(t, IOMEM, 0x1, 0, 0xfff, "low");
		EXPECT_NO_LOOKUP(t, IOPORT, 1);
	}
}

/* iomem_append builds trees verbatim, including identical nested ranges. */
static void append_builds_tree(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct iomem_node *ecam, *bus, *ram;

		ram = iomem_append(t, IOMEM, NULL, 0x100000, 0xbfffffff, "System RAM",
				   IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, IORES_DESC_NONE);
		EXPECT_TRUE(ram != NULL);
		EXPECT_TRUE(iomem_append(t, IOMEM, ram, 0x1000000, 0x220bb07, "Kernel code",
					 IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0) != NULL);
		ecam = iomem_append(t, IOMEM, NULL, 0xeec00000, 0xeecfffff,
				    "PCI ECAM 0000 [bus 00-00]", IORESOURCE_MEM, 0);
		EXPECT_TRUE(ecam != NULL);
		bus = iomem_append(t, IOMEM, ecam, 0xeec00000, 0xeecfffff, "PCI Bus 0000:00",
				   IORESOURCE_MEM, 0);
		EXPECT_TRUE(bus != NULL);
		EXPECT_EQ(iomem_count(t, IOMEM), 4);
		EXPECT_SHOW(t, IOMEM,
			    "00100000-bfffffff : System RAM\n"
			    "  01000000-0220bb07 : Kernel code\n"
			    "eec00000-eecfffff : PCI ECAM 0000 [bus 00-00]\n"
			    "  eec00000-eecfffff : PCI Bus 0000:00\n");
		EXPECT_LOOKUP(t, IOMEM, 0xeec00000, 0xeec00000, 0xeecfffff, "PCI Bus 0000:00");
		EXPECT_INVARIANTS(t, IOMEM);
	}
}

struct visit_log {
	int n, stop_at;
	resource_size_t start[16];
	int depth[16];
};

static int log_visit(const struct resource *r, int depth, void *arg)
{
	struct visit_log *l = arg;

	if (l->n < 16) {
		l->start[l->n] = r->start;
		l->depth[l->n] = depth;
	}
	l->n++;
	return l->n == l->stop_at;
}

/* iomem_for_each: pre-order, depth 0 for top-level children, stops on nonzero. */
static void for_each_preorder(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct visit_log l = { .stop_at = -1 };

		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x1fff, "a", IORESOURCE_MEM, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1100, 0x11ff, "a1", IORESOURCE_MEM, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1110, 0x111f, "a11", IORESOURCE_MEM, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1800, 0x18ff, "a2", IORESOURCE_MEM, 0), 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x3000, 0x3fff, "b", IORESOURCE_MEM, 0), 0);
		iomem_for_each(t, IOMEM, log_visit, &l);
		EXPECT_EQ(l.n, 5);
		EXPECT_EQ(l.start[0], 0x1000);
		EXPECT_EQ(l.depth[0], 0);
		EXPECT_EQ(l.start[1], 0x1100);
		EXPECT_EQ(l.depth[1], 1);
		EXPECT_EQ(l.start[2], 0x1110);
		EXPECT_EQ(l.depth[2], 2);
		EXPECT_EQ(l.start[3], 0x1800);
		EXPECT_EQ(l.depth[3], 1);
		EXPECT_EQ(l.start[4], 0x3000);
		EXPECT_EQ(l.depth[4], 0);

		struct visit_log stop = { .stop_at = 2 };

		iomem_for_each(t, IOMEM, log_visit, &stop);
		EXPECT_EQ(stop.n, 2);
	}
}

static void names_flags_and_descs(void **state)
{
	(void)state;
	unsigned long v;

	EXPECT_TRUE(iomem_parse_flags("mem", &v));
	EXPECT_EQ(v, IORESOURCE_MEM);
	EXPECT_TRUE(iomem_parse_flags("io", &v));
	EXPECT_EQ(v, IORESOURCE_IO);
	EXPECT_TRUE(iomem_parse_flags("system_ram", &v));
	EXPECT_EQ(v, IORESOURCE_SYSTEM_RAM);
	EXPECT_TRUE(iomem_parse_flags("sysram", &v));
	EXPECT_EQ(v, IORESOURCE_SYSRAM);
	EXPECT_TRUE(iomem_parse_flags("mem,busy,muxed,exclusive", &v));
	EXPECT_EQ(v, IORESOURCE_MEM | IORESOURCE_BUSY | IORESOURCE_MUXED | IORESOURCE_EXCLUSIVE);
	EXPECT_TRUE(iomem_parse_flags("0x200,busy", &v));
	EXPECT_EQ(v, IORESOURCE_MEM | IORESOURCE_BUSY);
	EXPECT_TRUE(!iomem_parse_flags("mem,bogus", &v));

	EXPECT_TRUE(iomem_parse_desc("none", &v));
	EXPECT_EQ(v, IORES_DESC_NONE);
	EXPECT_TRUE(iomem_parse_desc("reserved", &v));
	EXPECT_EQ(v, IORES_DESC_RESERVED);
	EXPECT_TRUE(iomem_parse_desc("soft_reserved", &v));
	EXPECT_EQ(v, IORES_DESC_SOFT_RESERVED);
	EXPECT_TRUE(iomem_parse_desc("persistent_memory", &v));
	EXPECT_EQ(v, IORES_DESC_PERSISTENT_MEMORY);
	EXPECT_TRUE(iomem_parse_desc("9", &v));
	EXPECT_EQ(v, IORES_DESC_CXL);
	EXPECT_TRUE(!iomem_parse_desc("bogus", &v));

	EXPECT_STREQ(iomem_errno_name(-EBUSY), "EBUSY");
	EXPECT_STREQ(iomem_errno_name(EBUSY), "EBUSY");
	EXPECT_STREQ(iomem_errno_name(-ENOENT), "ENOENT");
	EXPECT_STREQ(iomem_errno_name(-EINVAL), "EINVAL");
	EXPECT_STREQ(iomem_region_name(REGION_INTERSECTS), "REGION_INTERSECTS");
	EXPECT_STREQ(iomem_region_name(REGION_DISJOINT), "REGION_DISJOINT");
	EXPECT_STREQ(iomem_region_name(REGION_MIXED), "REGION_MIXED");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backends_listed),
		cmocka_unit_test(tree_reports_backend_and_default_lock),
		cmocka_unit_test(unknown_backend_or_lock_is_enoent),
		cmocka_unit_test(empty_tree),
		cmocka_unit_test(root_ranges),
		cmocka_unit_test(append_builds_tree),
		cmocka_unit_test(for_each_preorder),
		cmocka_unit_test(names_flags_and_descs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
