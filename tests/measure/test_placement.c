/* SPDX-License-Identifier: MIT */
/* Placement maps on synthetic topologies this machine does not have, each map exact;
 * the topology summary; the environment variable; bad descriptions refused; a map checked
 * against the CPUs this process may use; and a thread pinned where the map says. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "measure/placement.h"

static void expect_map(const char *desc, enum placement_policy p, unsigned n,
		       const int *want)
{
	char err[256];
	struct placement_topology *t = placement_topology_load(desc, err, sizeof(err));
	int got[64];

	assert_non_null(t);
	assert_true(placement_topology_is_synthetic(t));
	assert_int_equal(placement_map(t, p, n, got), 0);
	for (unsigned i = 0; i < n; i++) {
		if (got[i] != want[i])
			fail_msg("%s, %s: thread %u on cpu %d, want %d", desc,
				 placement_policy_name(p), i, got[i], want[i]);
	}
	placement_topology_free(t);
}

/* 2 packages x 8 cores x 2 hardware threads: CPUs 0-15 in package 0, core k holds
 * CPUs 2k and 2k+1. */
static void test_two_packages_smt(void **state)
{
	static const int compact[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	/* package 0 core 0, package 1 core 0, package 0 core 1, ...; SMT siblings only once
	 * every core has a thread */
	static const int scatter[] = { 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30,
				       1, 17, 3, 19 };

	(void)state;
	expect_map("package:2 core:8 pu:2", PLACEMENT_COMPACT, 10, compact);
	expect_map("package:2 core:8 pu:2", PLACEMENT_SCATTER, 20, scatter);
}

/* 1 package x 4 cores x 1: both policies walk the cores; beyond 4 threads they wrap. */
static void test_one_package_four_cores(void **state)
{
	static const int both[] = { 0, 1, 2, 3, 0, 1 };

	(void)state;
	expect_map("package:1 core:4 pu:1", PLACEMENT_COMPACT, 6, both);
	expect_map("package:1 core:4 pu:1", PLACEMENT_SCATTER, 6, both);
}

/* 4 packages x 2 cores x 2 hardware threads. */
static void test_four_packages_smt(void **state)
{
	static const int compact[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const int scatter[] = { 0, 4, 8, 12, 2, 6, 10, 14, 1, 5, 9, 13, 3, 7, 11, 15, 0 };

	(void)state;
	expect_map("package:4 core:2 pu:2", PLACEMENT_COMPACT, 9, compact);
	expect_map("package:4 core:2 pu:2", PLACEMENT_SCATTER, 17, scatter);
}

/* A level between package and core (two L3 caches of 2 cores each): scatter spreads over
 * packages, then over the caches of a package, then over their cores. */
static void test_cache_level(void **state)
{
	static const int scatter[] = { 0, 4, 2, 6, 1, 5, 3, 7 };
	static const int compact[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	(void)state;
	expect_map("package:2 l3:2 core:2 pu:1", PLACEMENT_SCATTER, 8, scatter);
	expect_map("package:2 l3:2 core:2 pu:1", PLACEMENT_COMPACT, 8, compact);
}

static void test_none_pins_nothing(void **state)
{
	static const int none[] = { -1, -1, -1 };

	(void)state;
	expect_map("package:2 core:8 pu:2", PLACEMENT_NONE, 3, none);
}

static void test_summary(void **state)
{
	static const struct { const char *desc, *summary; unsigned pus; } cases[] = {
		{ "package:2 core:8 pu:2", "package:2 core:8 pu:2", 32 },
		{ "package:1 core:4 pu:1", "package:1 core:4 pu:1", 4 },
		{ "package:4 core:2 pu:2", "package:4 core:2 pu:2", 16 },
		{ "package:2 l3:2 core:2 pu:1", "package:2 core:4 pu:1", 8 },
		{ "core:3 pu:2", "package:1 core:3 pu:2", 6 },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct placement_topology *t = placement_topology_load(cases[i].desc, err,
								       sizeof(err));

		assert_non_null(t);
		assert_string_equal(placement_topology_summary(t), cases[i].summary);
		assert_int_equal(placement_topology_pus(t), cases[i].pus);
		placement_topology_free(t);
	}
}

static void test_environment_and_machine(void **state)
{
	struct placement_topology *t;
	char err[256];

	(void)state;
	setenv(PLACEMENT_TOPOLOGY_ENV, "package:4 core:2 pu:2", 1);
	t = placement_topology_load(NULL, err, sizeof(err));
	assert_non_null(t);
	assert_true(placement_topology_is_synthetic(t));
	assert_string_equal(placement_topology_summary(t), "package:4 core:2 pu:2");
	placement_topology_free(t);
	/* The machine's topology, whatever the environment says. */
	t = placement_topology_load_machine(err, sizeof(err));
	assert_non_null(t);
	assert_false(placement_topology_is_synthetic(t));
	assert_true(placement_topology_pus(t) >= 1);
	placement_topology_free(t);
	/* An explicit description wins over the environment. */
	t = placement_topology_load("package:1 core:4 pu:1", err, sizeof(err));
	assert_non_null(t);
	assert_string_equal(placement_topology_summary(t), "package:1 core:4 pu:1");
	placement_topology_free(t);
	unsetenv(PLACEMENT_TOPOLOGY_ENV);
}

static void test_bad_input(void **state)
{
	enum placement_policy p;
	char err[256] = "";

	(void)state;
	assert_null(placement_topology_load("package:two", err, sizeof(err)));
	assert_non_null(strstr(err, "not an hwloc synthetic topology"));
	assert_int_equal(placement_policy_parse("spread", &p), -EINVAL);
	assert_int_equal(placement_policy_parse("scatter", &p), 0);
	assert_int_equal(p, PLACEMENT_SCATTER);
}

static void test_map_check_and_pin(void **state)
{
	cpu_set_t allowed, now;
	int first = -1, bad = -2, map[2];

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &allowed))
			first = c;
	map[0] = first;
	map[1] = CPU_SETSIZE + 5;	/* no machine has it */
	assert_int_equal(placement_map_check(map, 1, &bad), 0);
	assert_int_equal(placement_map_check(map, 2, &bad), -EINVAL);
	assert_int_equal(bad, CPU_SETSIZE + 5);
	assert_int_equal(placement_pin_self(first), 0);
	assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
	assert_int_equal(CPU_COUNT(&now), 1);
	assert_true(CPU_ISSET(first, &now));
	assert_int_equal(sched_setaffinity(0, sizeof(allowed), &allowed), 0);
}

static void test_format(void **state)
{
	static const int map[] = { 0, 16, 2 }, none[] = { -1, -1 };
	char buf[64];

	(void)state;
	placement_map_format(map, 3, buf, sizeof(buf));
	assert_string_equal(buf, "0,16,2");
	placement_map_format(none, 2, buf, sizeof(buf));
	assert_string_equal(buf, "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_packages_smt),
		cmocka_unit_test(test_one_package_four_cores),
		cmocka_unit_test(test_four_packages_smt),
		cmocka_unit_test(test_cache_level),
		cmocka_unit_test(test_none_pins_nothing),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_environment_and_machine),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_map_check_and_pin),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
