/* SPDX-License-Identifier: MIT */
/* stress.scenario_checkers: what the scenarios check their runs against is itself right.
 * The cxl scenario's answers from states alone (cxl_model.h) agree with every backend's
 * region_intersects and walk_system_ram_range on trees built by the scenario's own ops,
 * for every combination of one window's layers; the /proc/iomem checker accepts real
 * dumps fed in pieces of any size and refuses each kind of broken text; and a layout
 * holds what it says, with the tree's invariants. */
#include "common.h"

#include "scenarios/cxl_model.h"
#include "scenarios/layout.h"
#include "scenarios/procfs_reader.h"
#include "scenarios/ram_range.h"

#define BASE	(64ULL << 30)
#define PAGE	RAM_PAGE

/* The cxl scenario's layers of slot k of window wi, up to lv, made as its builders make
 * them. */
static void build_slot(struct iomem_tree *t, unsigned wi, unsigned k, enum cxl_level lv)
{
	resource_size_t rs = cxl_region_start(BASE, wi, k), re = rs + CXL_REGION_SIZE - 1;
	resource_size_t de = re - CXL_DAX_TAIL;

	if (lv >= CXL_REGION)
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, rs, re, "region", IORESOURCE_MEM, 0), 0);
	if (lv >= CXL_DAX)
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, rs, de, "dax", IORESOURCE_SYSTEM_RAM, 0),
			  0);
	if (lv >= CXL_KMEM)
		EXPECT_EQ(iomem_request_region(t, IOMEM, rs, de - rs + 1, "System RAM (kmem)",
					       IORESOURCE_SYSTEM_RAM |
					       IORESOURCE_SYSRAM_DRIVER_MANAGED), 0);
}

/* The edges of every layer of windows 0 and 1, and a page beside each. */
static unsigned edges(resource_size_t *at)
{
	unsigned n = 0;

	for (unsigned wi = 0; wi < 2; wi++)
		for (unsigned k = 0; k <= CXL_SLOTS; k++) {
			resource_size_t rs = cxl_region_start(BASE, wi, k);

			at[n++] = rs;
			at[n++] = rs + PAGE;
			if (k < CXL_SLOTS) {
				at[n++] = rs + CXL_REGION_SIZE - CXL_DAX_TAIL;
				at[n++] = rs + CXL_REGION_SIZE - CXL_DAX_TAIL - PAGE;
			}
		}
	return n;
}

static void test_cxl_model(void **state)
{
	resource_size_t at[64], lo = BASE, hi = BASE + 2 * LAYOUT_CXL_WINDOW_SIZE - 1;
	unsigned nat = edges(at);

	(void)state;
	/* Window 1 stays at region, dax, kmem, nothing; window 0 takes every combination. */
	for (unsigned combo = 0; combo < 256; combo++) {
		unsigned states[2] = { 0, 0 };

		for (unsigned k = 0; k < CXL_SLOTS; k++) {
			states[0] =
				cxl_state_set(states[0], k, (enum cxl_level)(combo >> 2 * k & 3));
			states[1] = cxl_state_set(states[1], k, (enum cxl_level)((k + 1) % 4));
		}
		FOR_EACH_BACKEND(t) {
			EXPECT_EQ(iomem_insert_resource(t, IOMEM, BASE,
							BASE + LAYOUT_CXL_WINDOW_SIZE - 1,
							"CXL Window 0", IORESOURCE_MEM,
							IORES_DESC_CXL),
				  0);
			EXPECT_EQ(iomem_insert_resource(t, IOMEM, BASE + LAYOUT_CXL_WINDOW_SIZE, hi,
							"CXL Window 1", IORESOURCE_MEM,
							IORES_DESC_CXL),
				  0);
			for (unsigned wi = 0; wi < 2; wi++)
				for (unsigned k = 0; k < CXL_SLOTS; k++)
					build_slot(t, wi, k, cxl_slot_level(states[wi], k));
			for (unsigned i = 0; i < nat; i++)
				for (unsigned j = 0; j < nat; j++) {
					resource_size_t s = at[i], e = at[j] - 1;
					struct ram_pages got;
					unsigned first, last;

					if (s >= e || s < lo || e > hi)
						continue;
					first = (unsigned)((s - lo) / LAYOUT_CXL_WINDOW_SIZE);
					last = (unsigned)((e - lo) / LAYOUT_CXL_WINDOW_SIZE);
					EXPECT_EQ(iomem_region_intersects(t, IOMEM, s, e - s + 1,
									  IORESOURCE_SYSTEM_RAM,
									  IORES_DESC_NONE),
						  cxl_expected_intersects(BASE, first, last,
									  states + first, s, e));
					ram_range_walk(t, s, e, &got);
					EXPECT_EQ(got.pages,
						  cxl_expected_pages(BASE, first, last,
								     states + first, s, e));
				}
		}
	}
}

/* The checker fed text in pieces of `piece` bytes. */
static bool check_text(const char *text, size_t piece, char *why, size_t len)
{
	struct procfs_check pc;
	size_t n = strlen(text);
	bool ok;

	procfs_check_reset(&pc);
	for (size_t at = 0; at < n; at += piece)
		procfs_check_feed(&pc, text + at, n - at < piece ? n - at : piece);
	ok = procfs_check_done(&pc);
	snprintf(why, len, "%s", pc.why);
	return ok;
}

static char *read_dump(const char *name)
{
	char path[512], *text = NULL, err[256];

	snprintf(path, sizeof(path), "%s/%s", IOMEM_TEST_DUMPS, name);
	if (iomem_dump_text(path, &text, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return text;
}

static void test_procfs_check_accepts(void **state)
{
	static const char *const dumps[] = { "x86-ec2-iomem.txt", "arm64-rpi4-iomem.txt",
					     "cxl-window-iomem.txt", "deep-nesting-iomem.txt",
					     "empty-name-iomem.txt" };
	static const size_t pieces[] = { 1, 7, 64, 4096 };
	char why[200];

	(void)state;
	for (size_t d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		char *text = read_dump(dumps[d]);

		for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++)
			if (!check_text(text, pieces[p], why, sizeof(why)))
				fail_msg("%s in pieces of %zu: %s", dumps[d], pieces[p], why);
		free(text);
	}
}

static void test_procfs_check_refuses(void **state)
{
	static const struct { const char *text, *fault; } bad[] = {
		{ "00002000-00002fff : b\n00001000-00001fff : a\n", "precedes" },
		{ "00001000-00002fff : a\n00002000-00003fff : b\n", "overlaps" },
		{ "00001000-00001fff : a\n  00000000-00001fff : child\n", "sticks out" },
		{ "00001000-00001fff : a\n    00001000-00001fff : grandchild\n", "deeper" },
		{ "00001000-00001fff : a\n   00001000-00001fff : odd\n", "indentation" },
		{ "00002000-00001fff : backwards\n", "ends before" },
		{ "00001000 : no end\n", "not 'start-end" },
		{ "00001000-00001fff : a", "no newline" },
		{ "", "nothing printed" },
	};
	char why[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (check_text(bad[i].text, 3, why, sizeof(why)))
			fail_msg("accepted: %s", bad[i].text);
		if (!strstr(why, bad[i].fault))
			fail_msg("'%s' refused for '%s', not '%s'", bad[i].text, why, bad[i].fault);
	}
}

static int count_top_ram(const struct resource *res, int depth, void *arg)
{
	if (depth == 0 && res->name && strcmp(res->name, "System RAM") == 0)
		++*(unsigned *)arg;
	return 0;
}

static void test_layout(void **state)
{
	static const unsigned blocks[] = { 0, 1, 1u << 15 };

	(void)state;
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		struct layout_spec spec = { .arch = i % 2 ? LAYOUT_ARM64 : LAYOUT_X86,
					    .blocks = blocks[i], .functions = 300,
					    .cxl_windows = 2, .drivers_bound = true, .seed = 7 };

		FOR_EACH_BACKEND(t) {
			struct layout l;
			char err[200];
			unsigned ram = 0;

			EXPECT_EQ(layout_build(t, &spec, &l, err, sizeof(err)), 0);
			EXPECT_TRUE(iomem_check_invariants(t, IOMEM, err, sizeof(err)));
			iomem_for_each(t, IOMEM, count_top_ram, &ram);
			/* x86 has two pieces of boot RAM below 4 GiB, arm64 one. */
			EXPECT_EQ(ram, blocks[i] + (spec.arch == LAYOUT_X86 ? 2 : 1));
			EXPECT_EQ(l.nfns, 300);
			EXPECT_EQ(l.ncxl, 2);
			for (unsigned k = 0; k < l.nbars; k++) {
				struct resource res;
				char name[32];

				/* Each BAR: its function's resource, with the driver's claim. */
				EXPECT_EQ(iomem_lookup(t, IOMEM, l.bars[k].start, &res, name,
						       sizeof(name)), 0);
				EXPECT_EQ(res.start, l.bars[k].start);
				EXPECT_EQ(res.end, l.bars[k].start + l.bars[k].size - 1);
				EXPECT_TRUE(strcmp(name, l.fns[l.bars[k].fn].driver) == 0);
			}
			layout_free(&l);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cxl_model),
		cmocka_unit_test(test_procfs_check_accepts),
		cmocka_unit_test(test_procfs_check_refuses),
		cmocka_unit_test(test_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
