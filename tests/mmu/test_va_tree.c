/* SPDX-License-Identifier: MIT */
/* The augmented AVL tree behind the VA allocator (engine/mmu/va_tree.h), against brute
 * force: random inserts (from the root, or where a neighbour search ended), removals,
 * in-place resizes, find-and-remove and neighbour queries with every invariant checked
 * after each step, and the lowest-fit search compared with the kernel's
 * find_vmap_lowest_match run on exact subtree maxima, lengths beyond the saturation cap
 * included. */
#include "mmu_test.h"
#include "va_tree.h"

#define SLOTS	256
#define WIDTH	(1ULL << 42)	/* each slot's share of the address space: 4 TiB */

struct model {
	struct va_node *root;
	struct va_node node[SLOTS];
	bool used[SLOTS];
	uint64_t seed;
	unsigned found_small, found_big;	/* fits found below and beyond the cap */
};

static uint64_t rnd(struct model *md)
{
	md->seed ^= md->seed << 13;
	md->seed ^= md->seed >> 7;
	md->seed ^= md->seed << 17;
	return md->seed;
}

/* Mostly a few pages, sometimes beyond VA_MAX_CAP (1 TiB). */
static void random_range(struct model *md, unsigned i)
{
	uint64_t len = rnd(md) % 8 == 0 ? VA_MAX_CAP + (rnd(md) % (2 * VA_MAX_CAP))
					  : (1 + rnd(md) % 64) * SZ_4K;

	md->node[i].start = (uint64_t)i * WIDTH + (rnd(md) % 16) * SZ_4K;
	md->node[i].end = md->node[i].start + len;
}

static void check_tree(struct model *md)
{
	char msg[200];
	size_t n = 0;

	if (va_tree_check(md->root, msg, sizeof(msg)))
		fail_msg("va_tree_check: %s", msg);
	for (unsigned i = 0; i < SLOTS; i++) {
		n += md->used[i];
		if (md->used[i] && va_tree_find(md->root, md->node[i].start) != &md->node[i])
			fail_msg("slot %u not found", i);
	}
	(void)n;
}

static uint64_t exact_max(const struct va_node *n)
{
	uint64_t m, l, r;

	if (!n)
		return 0;
	m = va_size(n);
	l = exact_max(n->kid[0]);
	r = exact_max(n->kid[1]);
	return m > l ? (m > r ? m : r) : (l > r ? l : r);
}

static bool ref_fits(const struct va_node *n, uint64_t size, uint64_t align, uint64_t vstart,
		     uint64_t *nva)
{
	uint64_t s = n->start < vstart ? vstart : n->start;
	uint64_t a = (s + align - 1) & ~(align - 1);

	if (a < s || a + size < a || a + size > n->end)
		return false;
	*nva = a;
	return true;
}

/* find_vmap_lowest_match with exact maxima (written recursively). */
static struct va_node *ref_fit(struct va_node *n, uint64_t size, uint64_t align,
			       uint64_t length, uint64_t vstart, uint64_t *nva)
{
	struct va_node *found;

	if (!n)
		return NULL;
	if (exact_max(n->kid[0]) >= length && vstart < n->start &&
	    (found = ref_fit(n->kid[0], size, align, length, vstart, nva)))
		return found;
	if (ref_fits(n, size, align, vstart, nva))
		return n;
	if (exact_max(n->kid[1]) >= length)
		return ref_fit(n->kid[1], size, align, length, vstart, nva);
	return NULL;
}

static void query_fit(struct model *md)
{
	uint64_t align = 1ULL << (12 + rnd(md) % 19), size, length, nva = 0, ref_nva = 0;
	struct va_node *got, *want;
	struct va_path p;

	size = rnd(md) % 4 == 0 ? VA_MAX_CAP + rnd(md) % (2 * VA_MAX_CAP)
				: (1 + rnd(md) % 64) * SZ_4K;
	length = rnd(md) % 2 ? size + align - 1 : size;
	got = va_tree_lowest_fit(&md->root, size, align, length, 0, &nva, &p);
	want = ref_fit(md->root, size, align, length, 0, &ref_nva);
	if (got != want || (got && nva != ref_nva))
		fail_msg("lowest fit of %#" PRIx64 " (align %#" PRIx64 ", length %#" PRIx64
			 "): got %p at %#" PRIx64 ", want %p at %#" PRIx64,
			 size, align, length, (void *)got, nva, (void *)want, ref_nva);
	if (got && (p.n < 1 || *p.slot[p.n - 1] != got))
		fail_msg("lowest fit's path does not end at the node");
	if (got && length > VA_MAX_CAP)
		md->found_big++;
	else if (got)
		md->found_small++;
}

static void query_neighbours(struct model *md)
{
	unsigned i = (unsigned)(rnd(md) % SLOTS);
	uint64_t start = (uint64_t)i * WIDTH + WIDTH - SZ_4K;	/* never a node's start */
	struct va_node *prev = NULL, *next = NULL;
	struct va_neighbours nb;

	for (unsigned k = 0; k < SLOTS; k++) {
		if (!md->used[k])
			continue;
		if (md->node[k].start < start && (!prev || md->node[k].start > prev->start))
			prev = &md->node[k];
		if (md->node[k].start > start && (!next || md->node[k].start < next->start))
			next = &md->node[k];
	}
	va_tree_neighbours(&md->root, start, &nb);
	CHECK_EQ(nb.prev, prev);
	CHECK_EQ(nb.next, next);
	if (prev)
		CHECK_EQ(*nb.path.slot[nb.prev_n - 1], prev);
	if (next)
		CHECK_EQ(*nb.path.slot[nb.next_n - 1], next);
}

static void step(struct model *md)
{
	unsigned i = (unsigned)(rnd(md) % SLOTS);
	unsigned op = (unsigned)(rnd(md) % 8);

	if (!md->used[i]) {
		struct va_neighbours nb;

		random_range(md, i);
		va_tree_neighbours(&md->root, md->node[i].start, &nb);
		if (op % 2 && (nb.prev || nb.next))	/* linked where the search ended */
			va_tree_insert_between(&nb, &md->node[i]);
		else
			va_tree_insert(&md->root, &md->node[i]);
		md->used[i] = true;
	} else if (op == 0) {
		va_tree_remove(&md->root, md->node[i].start);
		md->used[i] = false;
	} else if (op == 1) {
		uint64_t inside = md->node[i].start + rnd(md) % va_size(&md->node[i]);

		CHECK_EQ(va_tree_find_remove(&md->root, inside), &md->node[i]);
		md->used[i] = false;
	} else if (op == 2) {
		uint64_t len = rnd(md) % 2 ? 2 * VA_MAX_CAP : (1 + rnd(md) % 64) * SZ_4K;

		md->node[i].end = md->node[i].start + len;	/* resize in place */
		va_tree_update(&md->root, md->node[i].start);
	} else if (op == 3) {
		query_neighbours(md);
	} else {
		query_fit(md);
	}
}

static void test_random_against_brute_force(void **state)
{
	static struct model md;

	(void)state;
	for (int round = 0; round < 4; round++) {
		memset(&md, 0, sizeof(md));
		md.seed = 0x9e3779b97f4a7c15ULL + (uint64_t)round;
		for (int s = 0; s < 20000; s++) {
			step(&md);
			if (s % 64 == 0)
				check_tree(&md);
		}
		check_tree(&md);
		if (md.found_small < 100 || md.found_big < 100)
			fail_msg("round %d: only %u small and %u big fits found", round,
				 md.found_small, md.found_big);
	}
}

/* Sequential inserts and removals keep the height within AVL's bound. */
static void test_balance_under_sequential_use(void **state)
{
	static struct va_node nodes[4096];
	struct va_node *root = NULL;
	char msg[200];

	(void)state;
	for (unsigned i = 0; i < 4096; i++) {
		nodes[i].start = (uint64_t)i * SZ_64K;
		nodes[i].end = nodes[i].start + SZ_4K;
		va_tree_insert(&root, &nodes[i]);
	}
	if (va_tree_check(root, msg, sizeof(msg)))
		fail_msg("%s", msg);
	/* 1.44 log2(4097) ~ 17.3 */
	CHECK_EQ(1 + (root->kid_h[0] > root->kid_h[1] ? root->kid_h[0] : root->kid_h[1]) <= 17,
		 true);
	for (unsigned i = 0; i < 4096; i += 2)
		va_tree_remove(&root, nodes[i].start);
	if (va_tree_check(root, msg, sizeof(msg)))
		fail_msg("%s", msg);
	CHECK_EQ(va_tree_find(root, nodes[1].start), &nodes[1]);
	CHECK_EQ(va_tree_find(root, nodes[0].start), NULL);
}

/* insert_before puts a node right before the one a path leads to (the NE-fit split). */
static void test_insert_before(void **state)
{
	static struct va_node nodes[64], extra[64];
	struct va_node *root = NULL;
	char msg[200];

	(void)state;
	for (unsigned i = 0; i < 64; i++) {
		nodes[i].start = (uint64_t)i * SZ_2M + SZ_64K;
		nodes[i].end = nodes[i].start + SZ_64K;
		va_tree_insert(&root, &nodes[i]);
	}
	for (unsigned i = 0; i < 64; i++) {
		struct va_path p;
		uint64_t nva;

		/* The path to nodes[i], found as the lowest fit at or above its start. */
		CHECK_EQ(va_tree_lowest_fit(&root, SZ_4K, SZ_4K, SZ_4K, nodes[i].start, &nva, &p),
			 &nodes[i]);
		extra[i].start = nodes[i].start - SZ_64K;
		extra[i].end = nodes[i].start;
		va_tree_insert_before(&p, &extra[i]);
		if (va_tree_check(root, msg, sizeof(msg)))
			fail_msg("%s", msg);
	}
	for (unsigned i = 0; i < 64; i++)
		CHECK_EQ(va_tree_find(root, extra[i].start), &extra[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_brute_force),
		cmocka_unit_test(test_balance_under_sequential_use),
		cmocka_unit_test(test_insert_before),
	};

	return cmocka_run_group_tests_name("mmu.va_tree", tests, NULL, NULL);
}
