/* SPDX-License-Identifier: MIT */
/* The lock interface: the registry, properties, trylock semantics, spin policies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "locks/lock.h"

struct expected_strategy {
	const char *name;
	unsigned props;
};

static const struct expected_strategy expected[] = {
	{ "pthread-rw", LOCK_PROP_SLEEPING | LOCK_PROP_SHARED_READS },
	{ "pthread-mutex", LOCK_PROP_SLEEPING },
	{ "ticket", LOCK_PROP_FAIR | LOCK_PROP_SPINNING },
	{ "mcs", LOCK_PROP_FAIR | LOCK_PROP_SPINNING },
	{ "qrwlock", LOCK_PROP_FAIR | LOCK_PROP_SPINNING | LOCK_PROP_SHARED_READS },
	{ "pflock", LOCK_PROP_FAIR | LOCK_PROP_SPINNING | LOCK_PROP_SHARED_READS },
	{ "brlock", LOCK_PROP_SPINNING | LOCK_PROP_SHARED_READS },
};

#define NR_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static void test_names_list_every_strategy(void **state)
{
	const char *const *names = lock_names();
	size_t n = 0;

	(void)state;
	while (names[n])
		n++;
	assert_int_equal(n, NR_EXPECTED);
	for (size_t i = 0; i < NR_EXPECTED; i++)
		assert_string_equal(names[i], expected[i].name);
}

/* The build's list, from which ctest registers a torture test per strategy. */
static void test_build_lists_every_strategy(void **state)
{
	char list[256] = "";

	(void)state;
	for (const char *const *name = lock_names(); *name; name++) {
		if (*list)
			strcat(list, ",");
		strcat(list, *name);
	}
	assert_string_equal(list, IOMEM_LOCK_STRATEGIES);
}

static void test_properties(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_EXPECTED; i++) {
		const struct lock_ops *ops = lock_find(expected[i].name);
		struct lock l;

		assert_non_null(ops);
		assert_string_equal(ops->name, expected[i].name);
		if (ops->props != expected[i].props)
			fail_msg("%s: props %#x, expected %#x", ops->name, ops->props,
				 expected[i].props);
		assert_non_null(ops->description);
		assert_true(strlen(ops->description) > 10);
		/* Spinning and sleeping exclude each other, and one of them holds. */
		assert_true(!(ops->props & LOCK_PROP_SPINNING) != !(ops->props & LOCK_PROP_SLEEPING));
		assert_int_equal(lock_init(&l, expected[i].name), 0);
		assert_ptr_equal(l.ops, ops);
		assert_string_equal(lock_name(&l), expected[i].name);
		assert_int_equal(lock_props(&l), expected[i].props);
		lock_destroy(&l);
	}
}

static void test_unknown_name_is_enoent(void **state)
{
	struct lock l;

	(void)state;
	assert_null(lock_find("no-such-lock"));
	assert_int_equal(lock_init(&l, "no-such-lock"), -ENOENT);
	assert_int_equal(lock_init(&l, ""), -ENOENT);
	assert_int_equal(lock_init(&l, "Ticket"), -ENOENT);
	assert_int_equal(lock_init_spin(&l, "mcs ", NULL), -ENOENT);
}

static void test_null_name_is_default(void **state)
{
	struct lock l;

	(void)state;
	assert_ptr_equal(lock_find(NULL), lock_find(LOCK_DEFAULT));
	assert_int_equal(lock_init(&l, NULL), 0);
	assert_string_equal(lock_name(&l), "pthread-rw");
	lock_destroy(&l);
}

static void test_init_ops_rejects_incomplete_ops(void **state)
{
	struct lock_ops ops = *lock_find("ticket");
	struct lock l;

	(void)state;
	ops.write_trylock = NULL;
	assert_int_equal(lock_init_ops(&l, &ops, NULL), -EINVAL);
	ops = *lock_find("ticket");
	assert_int_equal(lock_init_ops(&l, &ops, NULL), 0);
	assert_ptr_equal(l.ops, &ops);
	lock_destroy(&l);
}

/* Single-threaded: what trylock may and may not take while the lock is held. */
static void check_trylock_semantics(const char *name, const struct lock_spin_policy *spin)
{
	struct lock l;
	bool shared;

	assert_int_equal(lock_init_spin(&l, name, spin), 0);
	shared = lock_props(&l) & LOCK_PROP_SHARED_READS;

	/* Free: both sides can be taken. */
	assert_true(trylock_write(&l));
	/* Write held: nothing else. */
	if (trylock_read(&l))
		fail_msg("%s: read_trylock succeeded while write held", name);
	if (trylock_write(&l))
		fail_msg("%s: write_trylock succeeded while write held", name);
	unlock_write(&l);

	assert_true(trylock_read(&l));
	unlock_read(&l);

	lock_read(&l);
	if (trylock_write(&l))
		fail_msg("%s: write_trylock succeeded while read held", name);
	if (trylock_read(&l) != shared)
		fail_msg("%s: read_trylock while read held: expected %s", name,
			 shared ? "success (shared reads)" : "failure (exclusive)");
	if (shared)
		unlock_read(&l);
	unlock_read(&l);

	/* A failed trylock left nothing behind. */
	lock_write(&l);
	unlock_write(&l);
	assert_true(trylock_write(&l));
	unlock_write(&l);
	lock_read(&l);
	unlock_read(&l);
	lock_destroy(&l);
}

static void test_trylock_semantics(void **state)
{
	const struct lock_spin_policy pure = { .mode = LOCK_SPIN_PURE, .spins = 0 };
	const struct lock_spin_policy park = { .mode = LOCK_SPIN_PARK, .spins = 0 };

	(void)state;
	for (size_t i = 0; i < NR_EXPECTED; i++) {
		check_trylock_semantics(expected[i].name, NULL);
		check_trylock_semantics(expected[i].name, &pure);
		check_trylock_semantics(expected[i].name, &park);
	}
}

static void test_hook_policy_needs_a_hook(void **state)
{
	const struct lock_spin_policy hookless = { .mode = LOCK_SPIN_HOOK };
	struct lock l;

	(void)state;
	assert_int_equal(lock_init_spin(&l, "ticket", &hookless), -EINVAL);
}

/* Every spinning strategy shows its state words, free and held; the others say they
 * have none to show. */
static void test_describe(void **state)
{
	static const char *const held[] = {
		[2] = "serving 0 next 1", [3] = "tail set (held)",
		[4] = "cnts 0xff (readers 0, a writer holds), wait_lock serving 0 next 0",
		[5] = "writer bits 0x3", [6] = "writer flag 1",
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < NR_EXPECTED; i++) {
		struct lock l;

		assert_int_equal(lock_init(&l, expected[i].name), 0);
		lock_write(&l);
		assert_true(lock_describe(&l, buf, sizeof(buf)) > 0);
		if (expected[i].props & LOCK_PROP_SLEEPING)
			assert_non_null(strstr(buf, "state not shown"));
		else if (!strstr(buf, held[i]))
			fail_msg("%s held: \"%s\" lacks \"%s\"", expected[i].name, buf, held[i]);
		unlock_write(&l);
		lock_destroy(&l);
	}
}

static void test_spin_policy_parse(void **state)
{
	struct lock_spin_policy p = { .mode = LOCK_SPIN_YIELD, .spins = 99 };

	(void)state;
	assert_int_equal(lock_spin_policy_parse("pure", &p), 0);
	assert_int_equal(p.mode, LOCK_SPIN_PURE);
	assert_int_equal(lock_spin_policy_parse("yield", &p), 0);
	assert_int_equal(p.mode, LOCK_SPIN_YIELD);
	assert_int_equal(p.spins, LOCK_SPIN_DEFAULT_SPINS);
	assert_int_equal(lock_spin_policy_parse("yield:0", &p), 0);
	assert_int_equal(p.spins, 0);
	assert_int_equal(lock_spin_policy_parse("yield:4096", &p), 0);
	assert_int_equal(p.mode, LOCK_SPIN_YIELD);
	assert_int_equal(p.spins, 4096);
	assert_int_equal(lock_spin_policy_parse("park", &p), 0);
	assert_int_equal(p.mode, LOCK_SPIN_PARK);
	assert_int_equal(p.spins, LOCK_SPIN_DEFAULT_SPINS);
	assert_int_equal(lock_spin_policy_parse("park:0", &p), 0);
	assert_int_equal(p.mode, LOCK_SPIN_PARK);
	assert_int_equal(p.spins, 0);

	const char *bad[] = { "", "Pure", "yield:", "yield:-1", "yield:1x", "yield:99999999999",
			      "spin", "pure:1", "park:", "park:x", "parked", "hook" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = (struct lock_spin_policy){ .mode = LOCK_SPIN_YIELD, .spins = 7 };
		if (lock_spin_policy_parse(bad[i], &p) != -EINVAL)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_int_equal(p.spins, 7);	/* untouched on error */
	}

	/* Formatting reads back. */
	const char *good[] = { "pure", "yield:0", "yield:128", "park:0", "park:4096" };
	char buf[32];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(lock_spin_policy_parse(good[i], &p), 0);
		lock_spin_policy_format(&p, buf, sizeof(buf));
		assert_string_equal(buf, good[i]);
	}
}

static void test_spin_default_from_env_then_set(void **state)
{
	struct lock_spin_policy p;

	(void)state;
	/* The first call reads IOMEM_LOCK_SPIN; main() sets it before any lock is made. */
	p = lock_spin_default();
	assert_int_equal(p.mode, LOCK_SPIN_YIELD);
	assert_int_equal(p.spins, 33);
	lock_set_spin_default(&(struct lock_spin_policy){ .mode = LOCK_SPIN_PURE, .spins = 0 });
	p = lock_spin_default();
	assert_int_equal(p.mode, LOCK_SPIN_PURE);
	lock_set_spin_default(&(struct lock_spin_policy){ .mode = LOCK_SPIN_YIELD,
							  .spins = LOCK_SPIN_DEFAULT_SPINS });
	p = lock_spin_default();
	assert_int_equal(p.mode, LOCK_SPIN_YIELD);
	assert_int_equal(p.spins, LOCK_SPIN_DEFAULT_SPINS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spin_default_from_env_then_set),
		cmocka_unit_test(test_names_list_every_strategy),
		cmocka_unit_test(test_build_lists_every_strategy),
		cmocka_unit_test(test_hook_policy_needs_a_hook),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_unknown_name_is_enoent),
		cmocka_unit_test(test_null_name_is_default),
		cmocka_unit_test(test_init_ops_rejects_incomplete_ops),
		cmocka_unit_test(test_trylock_semantics),
		cmocka_unit_test(test_spin_policy_parse),
	};

	setenv("IOMEM_LOCK_SPIN", "yield:33", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
