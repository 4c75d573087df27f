/* SPDX-License-Identifier: MIT */
/* The itree backend's child index (engine/backends/itree_kids.h) against a sorted array:
 * every answer, the B+tree's structure after every change, how tightly ordered fills pack,
 * and that inserts take their nodes from the writer's reservation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "random_ops.h"

#include "backends/itree_kids.h"

struct model {
	resource_size_t *key;
	void **val;
	size_t n;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Index of the first key >= k. */
static size_t lower_bound(const struct model *m, resource_size_t k)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->key[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void *model_at_or_before(const struct model *m, resource_size_t k)
{
	size_t i = lower_bound(m, k);

	if (i < m->n && m->key[i] == k)
		return m->val[i];
	return i ? m->val[i - 1] : NULL;
}

static void model_insert(struct model *m, resource_size_t k, void *v)
{
	size_t i = lower_bound(m, k);

	memmove(&m->key[i + 1], &m->key[i], (m->n - i) * sizeof(*m->key));
	memmove(&m->val[i + 1], &m->val[i], (m->n - i) * sizeof(*m->val));
	m->key[i] = k;
	m->val[i] = v;
	m->n++;
}

static void model_remove_at(struct model *m, size_t i)
{
	memmove(&m->key[i], &m->key[i + 1], (m->n - i - 1) * sizeof(*m->key));
	memmove(&m->val[i], &m->val[i + 1], (m->n - i - 1) * sizeof(*m->val));
	m->n--;
}

static void expect_same(const struct kids *k, const struct model *m, resource_size_t probe)
{
	const char *err = kids_check(k, m->n);

	if (err)
		fail_msg("index broken with %zu keys: %s", m->n, err);
	assert_ptr_equal(kids_at_or_before(k, probe), model_at_or_before(m, probe));
	assert_ptr_equal(kids_before(k, probe), probe ? model_at_or_before(m, probe - 1) : NULL);
	assert_ptr_equal(kids_first(k), m->n ? m->val[0] : NULL);
	assert_ptr_equal(kids_last(k), m->n ? m->val[m->n - 1] : NULL);
}

/* Keys from a small range (so inserts collide with removals and the tree keeps changing
 * shape), with the edges 0 and 2^64-1 among them. */
static resource_size_t random_key(unsigned range)
{
	uint64_t r = next_rand();

	if (r % 64 == 0)
		return (r >> 8) % 2 ? 0 : UINT64_MAX;
	return UINT64_MAX / 2 + (r >> 8) % range;
}

static void run_random(unsigned range, unsigned ops)
{
	struct kids_pool pool = { 0 };
	struct kids k = { 0 };
	/* rekeys move keys out of the range, so up to one key per op */
	struct model m = { calloc(ops + 1, sizeof(*m.key)), calloc(ops + 1, sizeof(void *)), 0 };
	long long base = iomem_node_bytes();

	for (unsigned op = 0; op < ops; op++) {
		resource_size_t key = random_key(range);
		size_t i = lower_bound(&m, key);
		bool present = i < m.n && m.key[i] == key;
		unsigned what = next_rand() % 8;

		assert_int_equal(kids_reserve(&pool, 1, 0), 0);
		if (what < 4 && !present) {
			/* both return the value before the key */
			assert_ptr_equal(kids_insert(&pool, &k, key, (void *)(uintptr_t)(2 * op + 1)),
					 i ? m.val[i - 1] : NULL);
			model_insert(&m, key, (void *)(uintptr_t)(2 * op + 1));
		} else if (what < 7 && present) {
			assert_ptr_equal(kids_remove(&pool, &k, key), i ? m.val[i - 1] : NULL);
			model_remove_at(&m, i);
		} else if (present) {
			/* rekey within the gap between the neighbours */
			resource_size_t lo = i ? m.key[i - 1] + 1 : 0;
			resource_size_t hi = i + 1 < m.n ? m.key[i + 1] - 1 : UINT64_MAX;
			resource_size_t nk = lo + next_rand() % (hi - lo + (hi - lo < UINT64_MAX));

			kids_rekey(&k, key, nk);
			m.key[i] = nk;
		}
		kids_pool_trim(&pool);
		expect_same(&k, &m, random_key(range));
		expect_same(&k, &m, key);
	}
	kids_destroy(&k);
	kids_pool_destroy(&pool);
	assert_int_equal(iomem_node_bytes(), base);
	free(m.key);
	free(m.val);
}

static void random_ops_small_families(void **state)
{
	(void)state;
	run_random(24, RANDOM_OPS(200000));		/* root leaves growing and shrinking */
}

static void random_ops_large_families(void **state)
{
	(void)state;
	run_random(4000, RANDOM_OPS(300000));	/* three levels, splits and merges everywhere */
}

/* Removing every key, in random order, empties the index and frees every node. */
static void drain_frees_everything(void **state)
{
	enum { N = 20000 };
	struct kids_pool pool = { 0 };
	struct kids k = { 0 };
	static resource_size_t keys[N];
	long long base = iomem_node_bytes();

	(void)state;
	for (size_t i = 0; i < N; i++) {
		keys[i] = i * 0x1000;
		assert_int_equal(kids_reserve(&pool, 1, 0), 0);
		kids_insert(&pool, &k, keys[(i * 7919) % N] = i * 0x1000, &keys[i]);
	}
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = next_rand() % (i + 1);
		resource_size_t t = keys[i];

		keys[i] = keys[j];
		keys[j] = t;
	}
	for (size_t i = 0; i < N; i++) {
		kids_remove(&pool, &k, keys[i]);
		if (i % 997 == 0 && kids_check(&k, N - i - 1))
			fail_msg("after %zu removals: %s", i + 1, kids_check(&k, N - i - 1));
	}
	assert_true(kids_empty(&k));
	kids_pool_destroy(&pool);
	assert_int_equal(iomem_node_bytes(), base);
}

/* Bytes of index nodes for n keys added in ascending (or descending) order. */
static long long fill_bytes(size_t n, bool descending)
{
	struct kids_pool pool = { 0 };
	struct kids k = { 0 };
	long long base = iomem_node_bytes(), bytes;

	for (size_t i = 0; i < n; i++) {
		resource_size_t key = (descending ? n - i : i) * 0x2000;

		assert_int_equal(kids_reserve(&pool, 1, 0), 0);
		kids_insert(&pool, &k, key, (void *)(uintptr_t)(key | 1));
	}
	assert_null(kids_check(&k, n));
	kids_pool_destroy(&pool);
	bytes = iomem_node_bytes() - base;
	kids_destroy(&k);
	return bytes;
}

/* Address-order fills (how dumps load and the benchmarks build) keep leaves full: the index
 * costs about 256 / KIDS_FANOUT bytes per child, not twice that as a middle split gives. */
static void ordered_fills_pack_leaves(void **state)
{
	const long long n = 15000, full_leaves = n / KIDS_FANOUT;

	(void)state;
	for (int desc = 0; desc < 2; desc++) {
		long long bytes = fill_bytes((size_t)n, desc);

		if (bytes > full_leaves * 256 * 110 / 100)
			fail_msg("%s fill: %lld bytes of index for %lld keys (full leaves: %lld)",
				 desc ? "descending" : "ascending", bytes, n, full_leaves * 256);
	}
	/* a family of one child costs a small leaf, not a full node */
	assert_true(fill_bytes(1, false) <= 32);
}

/* After kids_reserve, inserts allocate nothing: the reservation is what a write may not
 * fail to get once it has changed the tree. */
static void inserts_use_the_reservation(void **state)
{
	struct kids_pool pool = { 0 };
	struct kids k = { 0 };

	(void)state;
	for (resource_size_t i = 0; i < 5000; i++) {
		long long before;

		assert_int_equal(kids_reserve(&pool, 1, 0), 0);
		before = iomem_node_bytes();
		kids_insert(&pool, &k, (i * 7919) % 5003 * 16, (void *)(uintptr_t)(i + 1));
		if (i >= KIDS_FANOUT)	/* past the small root leaves */
			assert_int_equal(iomem_node_bytes(), before);
		assert_true(pool.max_height >= 1);
	}
	assert_null(kids_check(&k, 5000));
	kids_destroy(&k);
	kids_pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_ops_small_families),
		cmocka_unit_test(random_ops_large_families),
		cmocka_unit_test(drain_frees_everything),
		cmocka_unit_test(ordered_fills_pack_leaves),
		cmocka_unit_test(inserts_use_the_reservation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
