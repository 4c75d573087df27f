/* SPDX-License-Identifier: MIT */
/* iomem_load_dump: /proc/iomem and /proc/ioports dumps (§1.7 format) into a tree.
 * Data: tests/dumps/ (IOMEM_TEST_DUMPS); malformed ones in tests/dumps/bad/ with their
 * expected error line in tests/dumps/bad/MANIFEST. */
#include "common.h"

#include <dirent.h>

#ifndef IOMEM_TEST_DUMPS
#error "IOMEM_TEST_DUMPS must name the tests/dumps directory"
#endif

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			buf = realloc(buf, cap);
			if (!buf)
				fail_msg("out of memory");
		}
		size_t got = fread(buf + n, 1, 4096, f);

		n += got;
		if (got < 4096)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

#define RI REGION_INTERSECTS
#define RD REGION_DISJOINT
#define RM REGION_MIXED

static enum iomem_root root_for(const char *name)
{
	return strstr(name, "ioports") ? IOPORT : IOMEM;
}

static int load_file(struct iomem_tree *t, enum iomem_root root, const char *path,
		     const char *shown_name, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int rc;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	err[0] = '\0';
	rc = iomem_load_dump(t, root, f, shown_name, err, errlen);
	fclose(f);
	return rc;
}

/* Every well-formed dump round-trips byte for byte through load + show. */
static void dumps_round_trip(void **state)
{
	(void)state;
	DIR *d = opendir(IOMEM_TEST_DUMPS);
	struct dirent *de;
	int files = 0;

	if (!d)
		fail_msg("cannot open %s", IOMEM_TEST_DUMPS);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char path[512];

		if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", IOMEM_TEST_DUMPS, de->d_name);
		char *want = slurp(path, NULL);

		files++;
		FOR_EACH_BACKEND(t) {
			char err[256];
			int rc = load_file(t, root_for(de->d_name), path, de->d_name, err,
					   sizeof(err));

			if (rc)
				fail_msg("[backend %s] %s: load failed %d: %s", g_backend, de->d_name,
					 rc, err);
			if (!show_matches(t, root_for(de->d_name), want))
				fail_msg("[backend %s] %s does not round-trip", g_backend, de->d_name);
			EXPECT_INVARIANTS(t, root_for(de->d_name));
		}
		free(want);
	}
	closedir(d);
	/* And the built-in one (engine/fallback/), as the engine embeds it. */
	files++;
	FOR_EACH_BACKEND(t) {
		FILE *f = fmemopen((void *)iomem_fallback_dump, strlen(iomem_fallback_dump), "r");
		char err[256];

		assert_non_null(f);
		if (iomem_load_dump(t, IOMEM, f, "built-in", err, sizeof(err)))
			fail_msg("[backend %s] the built-in dump: load failed: %s", g_backend, err);
		fclose(f);
		if (!show_matches(t, IOMEM, iomem_fallback_dump))
			fail_msg("[backend %s] the built-in dump does not round-trip", g_backend);
		EXPECT_INVARIANTS(t, IOMEM);
	}
	EXPECT_TRUE(files >= 8);
}

/* Malformed dumps: -EINVAL and "FILE:LINE: error: ..."; zeroed ones: -EPERM. */
static void bad_dumps_refused(void **state)
{
	(void)state;
	char *manifest = slurp(IOMEM_TEST_DUMPS "/bad/MANIFEST", NULL);
	char *save = NULL;
	int cases = 0;

	for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char file[128], rootname[16], path[512], prefix[200];
		int lineno;

		if (line[0] == '#' || sscanf(line, "%127s %15s %d", file, rootname, &lineno) != 3)
			continue;
		cases++;
		snprintf(path, sizeof(path), "%s/bad/%s", IOMEM_TEST_DUMPS, file);
		snprintf(prefix, sizeof(prefix), "%s:%d: error: ", file, lineno);
		FOR_EACH_BACKEND(t) {
			char err[512];
			enum iomem_root root = strcmp(rootname, "ioport") == 0 ? IOPORT : IOMEM;
			int rc = load_file(t, root, path, file, err, sizeof(err));

			if (lineno > 0) {
				if (rc != -EINVAL)
					fail_msg("[backend %s] %s: rc %d, expected -EINVAL (err \"%s\")",
						 g_backend, file, rc, err);
				if (strncmp(err, prefix, strlen(prefix)) != 0)
					fail_msg("[backend %s] %s: err \"%s\", expected to start "
						 "with \"%s\"", g_backend, file, err, prefix);
			} else {
				if (rc != -EPERM)
					fail_msg("[backend %s] %s: rc %d, expected -EPERM (err \"%s\")",
						 g_backend, file, rc, err);
				if (!strstr(err, "CAP_SYS_ADMIN") && !strstr(err, "root"))
					fail_msg("[backend %s] %s: err \"%s\" names neither "
						 "CAP_SYS_ADMIN nor root", g_backend, file, err);
			}
		}
	}
	free(manifest);
	EXPECT_TRUE(cases >= 15);
}

/* Small in-memory cases: line numbers count from 1, the given file name is used. */
static void load_errors_name_line(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		char err[256];

		EXPECT_EQ(load_str(t, IOMEM, "00001000-00001fff : a\nnonsense\n", "t.txt", err,
				   sizeof(err)), -EINVAL);
		EXPECT_TRUE(strncmp(err, "t.txt:2: error: ", 16) == 0);
	}
	FOR_EACH_BACKEND(t) {
		char err[256];

		EXPECT_EQ(load_str(t, IOMEM,
				   "00001000-00001fff : a\n"
				   "  00001000-00001fff : b\n"
				   "    00001800-00002fff : c\n", "x.dump", err, sizeof(err)),
			  -EINVAL);
		EXPECT_TRUE(strncmp(err, "x.dump:3: error: ", 17) == 0);
	}
}

static void load_into_nonempty_root_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		char err[256];

		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "there"), 0);
		EXPECT_EQ(load_str(t, IOMEM, "00100000-001fffff : System RAM\n", "t.txt", err,
				   sizeof(err)), -EBUSY);
		EXPECT_SHOW(t, IOMEM, "00001000-00001fff : there\n");
		/* the other root is still empty and loads */
		EXPECT_EQ(load_str(t, IOPORT, "0060-0060 : keyboard\n", "p.txt", err, sizeof(err)), 0);
		EXPECT_SHOW(t, IOPORT, "0060-0060 : keyboard\n");
	}
}

/* Loaded "System RAM" lines are RAM for region_intersects and the walkers. */
static void loaded_system_ram_is_ram(void **state)
{
	(void)state;
	unsigned long flags = 0, desc = 99;

	iomem_dump_classify(IOMEM, "System RAM", 0, &flags, &desc);
	EXPECT_EQ(flags & IORESOURCE_SYSTEM_RAM, IORESOURCE_SYSTEM_RAM);
	EXPECT_EQ(desc, IORES_DESC_NONE);
	iomem_dump_classify(IOMEM, "System RAM", 1, &flags, &desc);
	EXPECT_EQ(flags & IORESOURCE_SYSTEM_RAM, IORESOURCE_SYSTEM_RAM);

	FOR_EACH_BACKEND(t) {
		char err[256];

		EXPECT_EQ(load_file(t, IOMEM, IOMEM_TEST_DUMPS "/cxl-window-iomem.txt",
				    "cxl-window-iomem.txt", err, sizeof(err)), 0);
		/* top-level RAM */
		EXPECT_EQ(region_intersects(t, 0x200000, 0x1000, IORESOURCE_SYSTEM_RAM, 0), RI);
		/* under Kernel code, inside top-level RAM */
		EXPECT_EQ(region_intersects(t, 0x2000000, 0x1000, IORESOURCE_SYSTEM_RAM, 0), RI);
		EXPECT_EQ(region_intersects(t, 0x5ffff000, 0x2000, IORESOURCE_SYSTEM_RAM, 0), RM);
		EXPECT_EQ(region_intersects(t, 0xfe000000, 0x1000, IORESOURCE_SYSTEM_RAM, 0), RD);
		/* RAM three levels down in the CXL window */
		EXPECT_EQ(region_intersects(t, 0x480000000ULL, 0x400000000ULL,
					    IORESOURCE_SYSTEM_RAM, 0), RI);
		/* top-level RAM into the window's nested RAM */
		EXPECT_EQ(region_intersects(t, 0x47ffff000ULL, 0x2000, IORESOURCE_SYSTEM_RAM, 0), RI);
		/* nested RAM (in dax0.0) into the window's direct RAM child */
		EXPECT_EQ(region_intersects(t, 0x87ffff000ULL, 0x2000, IORESOURCE_SYSTEM_RAM, 0), RI);
		/* RAM into the window's uncovered tail */
		EXPECT_EQ(region_intersects(t, 0xc7ffff000ULL, 0x2000, IORESOURCE_SYSTEM_RAM, 0), RM);
		EXPECT_EQ(region_intersects(t, 0xc80000000ULL, 0x1000, IORESOURCE_SYSTEM_RAM, 0), RD);
		EXPECT_LOOKUP(t, IOMEM, 0x480000000ULL, 0x480000000ULL, 0x87fffffffULL, "System RAM");
	}
	FOR_EACH_BACKEND(t) {
		char err[256];

		EXPECT_EQ(load_file(t, IOMEM, IOMEM_TEST_DUMPS "/x86-ec2-iomem.txt",
				    "x86-ec2-iomem.txt", err, sizeof(err)), 0);
		EXPECT_EQ(region_intersects(t, 0x100000000ULL, 0x1000, IORESOURCE_SYSTEM_RAM, 0),
			  REGION_INTERSECTS);
		EXPECT_EQ(region_intersects(t, 0x9f000, 0x1000, IORESOURCE_SYSTEM_RAM, 0),
			  REGION_MIXED);
		EXPECT_EQ(region_intersects(t, 0xc0001000, 0x1000, IORESOURCE_SYSTEM_RAM, 0),
			  REGION_DISJOINT);
	}
}

struct count_arg {
	int n;
	resource_size_t start[8], end[8];
};

static int count_cb(const struct resource *r, void *arg)
{
	struct count_arg *c = arg;

	if (c->n < 8) {
		c->start[c->n] = r->start;
		c->end[c->n] = r->end;
	}
	c->n++;
	return 0;
}

static void loaded_system_ram_walk(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		char err[256];
		struct count_arg c = { 0 };

		EXPECT_EQ(load_file(t, IOMEM, IOMEM_TEST_DUMPS "/cxl-window-iomem.txt",
				    "cxl-window-iomem.txt", err, sizeof(err)), 0);
		EXPECT_EQ(walk_iomem_res_desc(t, IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM, 0, MAXADDR,
					      count_cb, &c), 0);
		EXPECT_EQ(c.n, 5);
		EXPECT_EQ(c.start[0], 0x1000);
		EXPECT_EQ(c.end[0], 0x9ffff);
		EXPECT_EQ(c.start[1], 0x100000);
		EXPECT_EQ(c.end[1], 0x5fffffff);
		EXPECT_EQ(c.start[2], 0x100000000ULL);
		EXPECT_EQ(c.start[3], 0x480000000ULL);
		EXPECT_EQ(c.end[3], 0x87fffffffULL);
		EXPECT_EQ(c.start[4], 0x880000000ULL);
		EXPECT_EQ(c.end[4], 0xc7fffffffULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dumps_round_trip),
		cmocka_unit_test(bad_dumps_refused),
		cmocka_unit_test(load_errors_name_line),
		cmocka_unit_test(load_into_nonempty_root_ebusy),
		cmocka_unit_test(loaded_system_ram_is_ram),
		cmocka_unit_test(loaded_system_ram_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
