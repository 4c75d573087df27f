/* SPDX-License-Identifier: MIT */
/* The maple backend's copy-on-write child index (engine/backends/maple_kids.h) against a
 * sorted array: every answer and the cursor's order after every change, the B+tree's
 * structure, that a version a reader may hold stays whole (after a write that replaced
 * the root, the old root still answers as before until its retired nodes are freed; a
 * write that stored in place left the root, which answers as after it), that a write
 * copies only what it changes, that a removal and an insert at a cleared key change a
 * leaf in place where they may, that every write takes its nodes only from its
 * reservation, how tightly ordered fills pack, and that every node is accounted for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "random_ops.h"

#include "backends/maple_kids.h"
#include "node_alloc.h"

struct model {
	resource_size_t *key;
	void **val;
	size_t n, cap;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void model_init(struct model *m, size_t cap)
{
	m->key = calloc(cap, sizeof(*m->key));
	m->val = calloc(cap, sizeof(*m->val));
	m->n = 0;
	m->cap = cap;
	assert_non_null(m->key);
	assert_non_null(m->val);
}

static void model_free(struct model *m)
{
	free(m->key);
	free(m->val);
}

static void model_copy(struct model *to, const struct model *from)
{
	memcpy(to->key, from->key, from->n * sizeof(*to->key));
	memcpy(to->val, from->val, from->n * sizeof(*to->val));
	to->n = from->n;
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

	assert_true(m->n < m->cap);
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

/* Every answer of the index at root agrees with the model: the structure, the lookups of
 * the probes, the first and last values, and a cursor from a seek to the end. */
static void expect_same(const struct mk_node *root, const struct model *m, resource_size_t probe)
{
	const char *err = mk_check(root, m->n);
	struct mk_iter it;
	size_t i;
	void *v;

	if (err)
		fail_msg("index broken with %zu keys: %s", m->n, err);
	assert_ptr_equal(mk_at_or_before(root, probe), model_at_or_before(m, probe));
	assert_ptr_equal(mk_first(root), m->n ? m->val[0] : NULL);
	assert_ptr_equal(mk_last(root), m->n ? m->val[m->n - 1] : NULL);
	v = mk_iter_seek(&it, root, probe);
	i = lower_bound(m, probe);
	if (i == m->n || m->key[i] != probe)
		i = i ? i - 1 : 0;	/* the greatest key <= probe, else the first */
	for (unsigned steps = 0; steps < 40 && i < m->n; steps++, i++, v = mk_iter_next(&it))
		assert_ptr_equal(v, m->val[i]);
	if (i == m->n)
		assert_null(v);
}

/* Every value in order, by the cursor from the first. */
static void expect_full_walk(const struct mk_node *root, const struct model *m)
{
	struct mk_iter it;
	size_t i = 0;

	for (void *v = mk_iter_first(&it, root); v; v = mk_iter_next(&it), i++) {
		assert_true(i < m->n);
		assert_ptr_equal(v, m->val[i]);
	}
	assert_int_equal(i, m->n);
	assert_null(mk_iter_next(&it));
}

/* Keys from a small range (so inserts collide with removals and the tree keeps changing
 * shape), with the edges 0 and 2^64-1 among them. */
static resource_size_t random_key(unsigned range)
{
	uint64_t r = next_rand();

	if (r % 64 == 0)
		return (r >> 8) % 2 ? 0 : UINT64_MAX;
	return UINT64_MAX / 2 + (r >> 8) % range * 64;
}

/* A key in [lo, hi], at random. */
static resource_size_t between(resource_size_t lo, resource_size_t hi)
{
	return lo + next_rand() % (hi - lo + (hi - lo < UINT64_MAX));
}

struct writer {
	struct mk_pool pool;
	struct mk_txn tx;
	uint64_t gen;
};

/* Starts a write that may take exactly `need` nodes: the pool holds that many and no
 * more (a refill brings MK_POOL_REFILL at least, so the rest is taken back out), and a
 * bound too low shows as an overdraft. */
static void begin_exact(struct writer *w, size_t need, bool publish)
{
	mk_pool_destroy(&w->pool);
	assert_int_equal(mk_reserve(&w->pool, need), 0);
	if (w->pool.nr_spare > need) {
		iomem_node_free_bulk((void *const *)&w->pool.spare[need], w->pool.nr_spare - need);
		w->pool.nr_spare = need;
	}
	mk_txn_begin(&w->tx, &w->pool, ++w->gen, NULL, 0, publish);
}

static void end_checked(struct writer *w, const char *what)
{
	if (w->pool.overdrawn)
		fail_msg("%s took %zu nodes past its reservation", what, w->pool.overdrawn);
}

static void run_random(unsigned range, unsigned ops)
{
	struct writer w = { 0 };
	struct mk_node *root = NULL;
	struct model m, old;
	long long base = iomem_node_bytes();
	unsigned long long seq = 0, in_place = 0;
	struct mk_path p;

	/* Keys on the grid of random_key, keys rekeyed off it (one per op at most), and runs
	 * of up to 40, which are made only while the family is below 2 * range + 100. */
	size_t cap = ops + 4 * (size_t)range + 200;

	model_init(&m, cap);
	model_init(&old, cap);
	for (unsigned op = 0; op < ops; op++) {
		resource_size_t key = random_key(range);
		size_t i = lower_bound(&m, key);
		bool present = i < m.n && m.key[i] == key;
		unsigned what = next_rand() % 16;
		const struct mk_node *before = root;
		bool keep_old = op % 16 == 0;
		/* a single change publishes itself (in place, or through root) half the time */
		bool publish = next_rand() % 2;

		if (keep_old)
			model_copy(&old, &m);
		if (what < 7 && !present) {
			void *v = (void *)(uintptr_t)(2 * ++seq + 1);

			begin_exact(&w, mk_need_insert(root), publish);
			if (publish && next_rand() % 2) {	/* in place where it can be */
				mk_find_path(root, key, &p);
				if (mk_fill_at(&p, key, v))
					in_place++;
				else
					mk_insert_at(&w.tx, &root, &p, key, v);
			} else {
				mk_insert(&w.tx, &root, key, v);
			}
			end_checked(&w, "an insert");
			model_insert(&m, key, v);
		} else if (what < 12 && present) {
			begin_exact(&w, mk_need_remove(root), publish);
			if (publish && next_rand() % 2) {
				mk_find_path(root, key, &p);
				if (mk_clear_at(&p, key))
					in_place++;
				else
					mk_remove_at(&w.tx, &root, &p, key);
			} else {
				mk_remove(&w.tx, &root, key);
			}
			end_checked(&w, "a removal");
			model_remove_at(&m, i);
		} else if (what < 14 && present) {
			/* rekey within the gap between the neighbours, new value */
			resource_size_t lo = i ? m.key[i - 1] + 1 : 0;
			resource_size_t hi = i + 1 < m.n ? m.key[i + 1] - 1 : UINT64_MAX;
			resource_size_t nk = between(lo, hi);
			void *v = (void *)(uintptr_t)(2 * ++seq + 1);

			begin_exact(&w, mk_need_rekey(root), publish);
			mk_rekey(&w.tx, &root, key, nk, v);
			end_checked(&w, "a rekey");
			m.key[i] = nk;
			m.val[i] = v;
		} else if (what == 14 && present) {
			/* insert adopting a run: the first of up to 40 keys becomes the new one,
			 * the rest leave, in one transaction */
			size_t c = 1 + next_rand() % 40, j;
			resource_size_t lo = i ? m.key[i - 1] + 1 : 0, nk = between(lo, key);
			void *v = (void *)(uintptr_t)(2 * ++seq + 1);

			if (c > m.n - i)
				c = m.n - i;
			publish = false;
			begin_exact(&w, mk_need_remove_span(root, key, m.key[i + c - 1]), false);
			mk_rekey(&w.tx, &root, key, nk, v);
			for (j = 1; j < c; j++)
				mk_remove(&w.tx, &root, m.key[i + j]);
			end_checked(&w, "a span removal");
			for (j = 1; j < c; j++)
				model_remove_at(&m, i + 1);
			m.key[i] = nk;
			m.val[i] = v;
		} else if (what == 15 && present && m.n < 2 * (size_t)range + 100) {
			/* a removal whose children move up: the key becomes the first of up to 40
			 * ascending keys in its gap, in one transaction */
			resource_size_t hi = i + 1 < m.n ? m.key[i + 1] - 1 : UINT64_MAX;
			size_t c = 1 + next_rand() % 40;
			resource_size_t step = (hi - key) / (c + 1);

			if (!step)
				continue;
			publish = false;
			begin_exact(&w, mk_need_insert_run(root, c), false);
			mk_rekey(&w.tx, &root, key, key + step, m.val[i]);
			m.key[i] = key + step;
			for (size_t j = 1; j < c; j++) {
				void *v = (void *)(uintptr_t)(2 * ++seq + 1);

				mk_insert(&w.tx, &root, key + (j + 1) * step, v);
				model_insert(&m, key + (j + 1) * step, v);
			}
			end_checked(&w, "a run insert");
		} else {
			continue;
		}
		/* The version published before the write is intact until its retired nodes
		 * are freed: readers still in it see it whole. A write that publishes itself
		 * either replaced the root (the old one is that whole old version) or stored a
		 * pointer in place below it (the root is the same, and the new version). */
		if (keep_old && (!publish || before != root))
			expect_same(before, &old, random_key(range));
		mk_free_retired(w.tx.retired);
		expect_same(root, &m, random_key(range));
		expect_same(root, &m, key);
		if (op % 256 == 0)
			expect_full_walk(root, &m);
		if (op % 512 == 0 && root) {	/* a clone leaves cleared slots behind */
			struct mk_node *copy;

			begin_exact(&w, mk_need_clone(root), false);
			copy = mk_clone(&w.tx, root);
			end_checked(&w, "a clone");
			expect_same(copy, &m, random_key(range));
			mk_destroy(copy);
		}
	}
	expect_full_walk(root, &m);
	assert_true(in_place > 0);	/* slots were cleared and filled in place */
	mk_destroy(root);
	mk_pool_destroy(&w.pool);
	assert_int_equal(iomem_node_bytes(), base);
	model_free(&m);
	model_free(&old);
}

static void random_ops_small_families(void **state)
{
	(void)state;
	run_random(24, RANDOM_OPS(100000));		/* root leaves growing and shrinking */
}

static void random_ops_large_families(void **state)
{
	(void)state;
	run_random(4000, RANDOM_OPS(100000));	/* three levels, splits and merges everywhere */
}

/* Building a family in ascending order in one transaction, then taking it apart key by
 * key in random order, one transaction each: every node is accounted for at the end. */
static void build_then_drain(void **state)
{
	enum { N = 20000 };
	static resource_size_t keys[N];
	struct writer w = { 0 };
	struct mk_node *root = NULL;
	long long base = iomem_node_bytes();

	(void)state;
	begin_exact(&w, mk_need_build(N), false);
	for (size_t i = 0; i < N; i++) {
		keys[i] = i * 0x1000;
		mk_insert(&w.tx, &root, keys[i], &keys[i]);
	}
	end_checked(&w, "a build");
	assert_null(w.tx.retired);	/* nothing published was replaced */
	assert_null(mk_check(root, N));
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = next_rand() % (i + 1);
		resource_size_t t = keys[i];

		keys[i] = keys[j];
		keys[j] = t;
	}
	for (size_t i = 0; i < N; i++) {
		begin_exact(&w, mk_need_remove(root), i % 2);
		mk_remove(&w.tx, &root, keys[i]);
		end_checked(&w, "a removal");
		mk_free_retired(w.tx.retired);
		if (i % 997 == 0 && mk_check(root, N - i - 1))
			fail_msg("after %zu removals: %s", i + 1, mk_check(root, N - i - 1));
	}
	assert_null(root);
	mk_pool_destroy(&w.pool);
	assert_int_equal(iomem_node_bytes(), base);
}

/* A writer's path, for keys present, absent, below the first and after the last, in
 * families of one leaf to several levels: its leaf holds the greatest key <= the probe
 * (or is the first leaf), the key after that slot is the model's next one (read from the
 * inner keys when it is in the next leaf), the reservation from the path is the one from
 * the root, and an insert and a removal at the end of the path change the family as the
 * model. */
static void path_finds_leaf_and_next_key(void **state)
{
	static const size_t sizes[] = { 1, 5, MK_FANOUT, 200, 5000 };
	struct writer w = { 0 };
	long long base = iomem_node_bytes();

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		struct mk_node *root = NULL;
		struct model m;

		model_init(&m, n + 1);
		begin_exact(&w, mk_need_build(n), false);
		for (size_t i = 0; i < n; i++) {
			mk_insert(&w.tx, &root, 0x1000 + i * 0x100, &m.key[i]);
			model_insert(&m, 0x1000 + i * 0x100, &m.key[i]);
		}
		end_checked(&w, "a build");
		for (unsigned t = 0; t < 4000; t++) {
			resource_size_t probe = between(0xf00, 0x1000 + n * 0x100 + 0x100);
			struct mk_path p;
			struct mk_node *leaf = mk_find_path(root, probe, &p);
			unsigned i = kids_slot_search(leaf->key, leaf->n, probe);
			size_t at = lower_bound(&m, probe);
			resource_size_t next;
			bool has_next;

			if (at == m.n || m.key[at] != probe)
				at = at ? at - 1 : 0;	/* the greatest key <= probe, else the first */
			assert_int_equal(leaf->key[i], m.key[at]);
			has_next = mk_path_next_key(&p, i, &next);
			assert_int_equal(has_next, at + 1 < m.n);
			if (has_next)
				assert_int_equal(next, m.key[at + 1]);
			assert_int_equal(mk_path_height(&p), mk_height(root));
			assert_int_equal(mk_need_insert_at(&p), mk_need_insert(root));
			assert_int_equal(mk_need_remove_at(&p), mk_need_remove(root));
			if (t % 37 == 0 && probe % 0x100) {	/* a key not present: in and out */
				begin_exact(&w, mk_need_insert_at(&p), t % 2);
				mk_insert_at(&w.tx, &root, &p, probe, &m.val[0]);
				end_checked(&w, "an insert at a path");
				mk_free_retired(w.tx.retired);
				model_insert(&m, probe, &m.val[0]);
				expect_same(root, &m, probe);
				mk_find_path(root, probe, &p);
				begin_exact(&w, mk_need_remove_at(&p), t % 3);
				mk_remove_at(&w.tx, &root, &p, probe);
				end_checked(&w, "a removal at a path");
				mk_free_retired(w.tx.retired);
				model_remove_at(&m, lower_bound(&m, probe));
				expect_same(root, &m, probe);
			}
		}
		mk_destroy(root);
		model_free(&m);
	}
	assert_null(mk_find_path(NULL, 1, &(struct mk_path){ 0 }));
	mk_pool_destroy(&w.pool);
	assert_int_equal(iomem_node_bytes(), base);
}

/* Values cleared and filled in place: a removal in the middle of a leaf stores NULL into
 * its slot and copies nothing; readers pass over the slot (a lookup finds the value
 * before it, a cursor the one after); a leaf's first and last slots, a slot already
 * cleared, and more than half of a leaf's slots are never cleared; an insert at a cleared
 * key fills it in place, and only there; the next copy of the leaf leaves its cleared
 * slots behind. */
static void clear_and_fill_in_place(void **state)
{
	enum { N = 200 };
	static int vals[N], again;
	struct writer w = { 0 };
	struct mk_node *root = NULL, *leaf;
	long long base = iomem_node_bytes();
	resource_size_t k1, first;
	unsigned n, cleared = 0;
	struct mk_path p;
	struct mk_iter it;
	size_t i1, seen = 0;

	(void)state;
	begin_exact(&w, mk_need_build(N), false);
	for (size_t i = 0; i < N; i++)
		mk_insert(&w.tx, &root, 0x1000 * (i + 1), &vals[i]);
	end_checked(&w, "a build");
	leaf = mk_find_path(root, 0x1000 * 100, &p);
	n = leaf->n;
	first = leaf->key[0];
	assert_true(n >= 4);
	assert_false(mk_clear_at(&p, first));
	assert_false(mk_clear_at(&p, leaf->key[n - 1]));

	k1 = leaf->key[1];
	i1 = k1 / 0x1000 - 1;
	assert_true(mk_clear_at(&p, k1));
	assert_ptr_equal(mk_find_path(root, k1, &p), leaf);	/* nothing was copied */
	assert_null(mk_check(root, N - 1));
	assert_ptr_equal(mk_at_or_before(root, k1), &vals[i1 - 1]);
	assert_ptr_equal(mk_at_or_before(root, k1 + 0x800), &vals[i1 - 1]);
	assert_ptr_equal(mk_iter_seek(&it, root, k1), &vals[i1 - 1]);
	assert_ptr_equal(mk_iter_next(&it), &vals[i1 + 1]);
	assert_false(mk_clear_at(&p, k1));

	assert_false(mk_fill_at(&p, first, &again));		/* a value is there */
	assert_false(mk_fill_at(&p, k1 + 1, &again));		/* no such key */
	/* A seek that passed over the cleared slot reads it again on its next step: filled
	 * meanwhile, it gives a key below the address sought (the caller must skip it). */
	assert_ptr_equal(mk_iter_seek(&it, root, k1 + 0x800), &vals[i1 - 1]);
	assert_true(mk_fill_at(&p, k1, &again));
	assert_ptr_equal(mk_iter_next(&it), &again);
	assert_ptr_equal(mk_iter_next(&it), &vals[i1 + 1]);
	assert_ptr_equal(mk_at_or_before(root, k1), &again);
	assert_null(mk_check(root, N));

	for (unsigned i = 1; i + 1u < n; i++)
		cleared += mk_clear_at(&p, leaf->key[i]);
	assert_int_equal(cleared, n / 2);			/* half of the slots, no more */
	assert_null(mk_check(root, N - cleared));
	for (void *v = mk_iter_first(&it, root); v; v = mk_iter_next(&it))
		seen++;
	assert_int_equal(seen, N - cleared);

	/* an insert copies the leaf, without its cleared slots */
	begin_exact(&w, mk_need_insert(root), true);
	mk_insert(&w.tx, &root, first + 0x800, &again);
	end_checked(&w, "an insert");
	mk_free_retired(w.tx.retired);
	leaf = mk_find_path(root, first, &p);
	assert_int_equal(leaf->n, n - cleared + 1);
	assert_null(mk_check(root, N - cleared + 1));
	mk_destroy(root);
	mk_pool_destroy(&w.pool);
	assert_int_equal(iomem_node_bytes(), base);
}

/* Bytes of index nodes for n keys added in ascending (or descending) order, one
 * transaction per key as the backend's writes are. */
static long long fill_bytes(size_t n, bool descending)
{
	struct writer w = { 0 };
	struct mk_node *root = NULL;
	long long base, bytes;

	for (size_t i = 0; i < n; i++) {
		resource_size_t key = (descending ? n - i : i) * 0x2000;

		assert_int_equal(mk_reserve(&w.pool, mk_need_insert(root)), 0);
		mk_txn_begin(&w.tx, &w.pool, ++w.gen, NULL, 0, false);
		mk_insert(&w.tx, &root, key, (void *)(uintptr_t)(key | 1));
		mk_free_retired(w.tx.retired);
	}
	assert_null(mk_check(root, n));
	mk_pool_destroy(&w.pool);
	base = iomem_node_bytes();
	mk_destroy(root);
	bytes = base - iomem_node_bytes();
	return bytes;
}

/* Address-order fills (how dumps load and the benchmarks build) keep leaves full: the index
 * costs about 256 / MK_FANOUT bytes per child, not twice that as a middle split gives. */
static void ordered_fills_pack_leaves(void **state)
{
	const long long n = 15000, full_leaves = n / MK_FANOUT;

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

static size_t count_retired(const struct mk_txn *tx)
{
	size_t n = 0;

	for (const struct mk_node *x = tx->retired; x; x = x->next_retired)
		n++;
	return n;
}

/* A write copies what it changes and nothing else. In a packed family of 10^5 keys, a
 * transaction that publishes its root copies one node per level; a single change that
 * publishes itself copies the leaf alone when the leaf keeps its minimum, and stores the
 * new leaf into the unchanged parent, so the root stays the same. */
static void writes_copy_only_what_changes(void **state)
{
	enum { N = 100000 };
	struct writer w = { 0 };
	struct mk_node *root = NULL, *before;
	unsigned h;

	(void)state;
	assert_int_equal(mk_reserve(&w.pool, mk_need_build(N)), 0);
	mk_txn_begin(&w.tx, &w.pool, ++w.gen, NULL, 0, false);
	for (size_t i = 0; i < N; i++)
		mk_insert(&w.tx, &root, i * 4, (void *)(uintptr_t)(i * 4 + 1));
	h = mk_height(root);
	assert_true(h >= 4);
	/* a transaction: the path to the leaf, which is full and splits */
	assert_int_equal(mk_reserve(&w.pool, mk_need_insert(root)), 0);
	mk_txn_begin(&w.tx, &w.pool, ++w.gen, NULL, 0, false);
	mk_insert(&w.tx, &root, 4 * (N / 2) + 1, (void *)(uintptr_t)3);
	assert_int_equal(count_retired(&w.tx), h);
	mk_free_retired(w.tx.retired);
	/* a single change: the leaf (now half full) alone */
	before = root;
	assert_int_equal(mk_reserve(&w.pool, mk_need_insert(root)), 0);
	mk_txn_begin(&w.tx, &w.pool, ++w.gen, NULL, 0, true);
	mk_insert(&w.tx, &root, 4 * (N / 2) + 2, (void *)(uintptr_t)5);
	assert_int_equal(count_retired(&w.tx), 1);
	assert_ptr_equal(root, before);
	mk_free_retired(w.tx.retired);
	assert_null(mk_check(root, N + 2));
	mk_destroy(root);
	mk_pool_destroy(&w.pool);
}

/* A cursor that crosses leaves while single changes publish themselves in place below its
 * root (a reader's walk while writers work): it returns keys strictly ascending, and every
 * key present throughout the walk, though the leaf it is in has meanwhile been replaced by
 * a version holding more keys (a removal that absorbed the right neighbour) or fewer (an
 * insert that split it). What the writes retired is freed only after the walk, as the
 * grace period does for a reader. */
static void cursor_keeps_keys_present_throughout(void **state)
{
	enum { N = 3000, WALKS = 400, GRID = 16 };
	static bool present[N * GRID], was[N * GRID], removed[N * GRID], seen[N * GRID];
	struct mk_node *retired[4 * N];
	struct writer w = { 0 };
	struct mk_node *root = NULL;
	long long base = iomem_node_bytes();

	(void)state;
	begin_exact(&w, mk_need_build(N), false);
	for (size_t i = 0; i < N; i++) {
		mk_insert(&w.tx, &root, i * GRID, (void *)(uintptr_t)(i * GRID + 1));
		present[i * GRID] = true;
	}
	for (unsigned walk = 0; walk < WALKS; walk++) {
		resource_size_t from = next_rand() % (N * GRID), last = 0;
		size_t nr_retired = 0, returned = 0;
		struct mk_iter it;
		void *v;

		memcpy(was, present, sizeof(was));
		memset(removed, 0, sizeof(removed));
		memset(seen, 0, sizeof(seen));
		for (v = mk_iter_seek(&it, root, from); v; v = mk_iter_next(&it)) {
			resource_size_t key = (uintptr_t)v - 1;

			if (returned++ && key <= last)
				fail_msg("walk %u: key %llu after %llu", walk,
					 (unsigned long long)key, (unsigned long long)last);
			last = key;
			seen[key] = true;
			/* a few writes just ahead of the cursor, where its next leaves are */
			for (int k = next_rand() % 3; k > 0 && nr_retired < 4 * N - 1; k--) {
				resource_size_t at = key + 1 + next_rand() % (40 * GRID);
				bool publish = true;

				if (at >= N * GRID)
					continue;
				if (present[at]) {
					begin_exact(&w, mk_need_remove(root), publish);
					mk_remove(&w.tx, &root, at);
					present[at] = false;
					removed[at] = true;
				} else if (next_rand() % 4 == 0) {
					begin_exact(&w, mk_need_insert(root), publish);
					mk_insert(&w.tx, &root, at, (void *)(uintptr_t)(at + 1));
					present[at] = true;
				} else {
					continue;
				}
				end_checked(&w, "a write during a walk");
				retired[nr_retired++] = w.tx.retired;
			}
		}
		/* every key after the one it started at, there all along, came out */
		for (resource_size_t key = from + 1; key < N * GRID; key++)
			if (was[key] && !removed[key] && !seen[key])
				fail_msg("walk %u from %llu missed %llu", walk,
					 (unsigned long long)from, (unsigned long long)key);
		while (nr_retired)
			mk_free_retired(retired[--nr_retired]);
	}
	mk_destroy(root);
	mk_pool_destroy(&w.pool);
	assert_int_equal(iomem_node_bytes(), base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_ops_small_families),
		cmocka_unit_test(random_ops_large_families),
		cmocka_unit_test(build_then_drain),
		cmocka_unit_test(ordered_fills_pack_leaves),
		cmocka_unit_test(writes_copy_only_what_changes),
		cmocka_unit_test(cursor_keeps_keys_present_throughout),
		cmocka_unit_test(path_finds_leaf_and_next_key),
		cmocka_unit_test(clear_and_fill_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
