/* SPDX-License-Identifier: MIT */
/* The vmalloc VA allocator (§2 "VA allocation", "Lazy free"): ioremap alignment, guard
 * pages, lowest fit, lazy free and the purge trigger, TLB counts of a purge, exhaustion,
 * the sharded policy's pools, the address order a purge merges in, and the invariants
 * under random use. */
#include <pthread.h>

#include "mmu_test.h"
#include "vmap_cpu.h"
#include "vmap_impl.h"

#define S VMALLOC_START

struct fixture {
	struct pgtable *pt;
	struct vmap_space *vs;
};

static struct fixture fx_new(const char *policy, unsigned ncpus, unsigned nodes)
{
	struct vmap_opts o = { .policy = policy, .ncpus = ncpus, .nodes = nodes };
	struct fixture f = { .pt = pgtable_new() };

	f.vs = vmap_new(f.pt, &o);
	if (!f.vs)
		fail_msg("vmap_new(%s): %s", policy ? policy : "global", strerror(errno));
	return f;
}

static void fx_free(struct fixture *f)
{
	test_vmap_check(f->vs);
	vmap_free(f->vs);
	pgtable_free(f->pt);
}

static uint64_t get(struct fixture *f, uint64_t size)
{
	uint64_t addr;
	int rc = vmap_get_area(f->vs, size, 0x1000, "test", &addr);

	if (rc)
		fail_msg("vmap_get_area(%#" PRIx64 "): %d", size, rc);
	return addr;
}

static struct vmap_stats vstats(struct fixture *f)
{
	struct vmap_stats s;

	vmap_stats(f->vs, &s);
	return s;
}

static void test_ioremap_align(void **state)
{
	(void)state;
	CHECK_EQ(vmap_ioremap_align(1), SZ_4K);
	CHECK_EQ(vmap_ioremap_align(SZ_4K), SZ_4K);
	CHECK_EQ(vmap_ioremap_align(SZ_4K + 1), 2 * SZ_4K);
	CHECK_EQ(vmap_ioremap_align(3 * SZ_4K), 4 * SZ_4K);
	CHECK_EQ(vmap_ioremap_align(SZ_64K), SZ_64K);
	CHECK_EQ(vmap_ioremap_align(SZ_2M), SZ_2M);
	CHECK_EQ(vmap_ioremap_align(SZ_2M + SZ_4K), SZ_4M);
	CHECK_EQ(vmap_ioremap_align(SZ_1G), SZ_1G);
	CHECK_EQ(vmap_ioremap_align(3 * SZ_1G), SZ_1G);	/* IOREMAP_MAX_ORDER = PUD_SHIFT */
}

static void test_guard_page(void **state)
{
	struct fixture f = fx_new(NULL, 1, 0);
	struct vmap_info info;

	(void)state;
	CHECK_EQ(get(&f, SZ_4K), S);
	CHECK_EQ(get(&f, 100), S + 2 * SZ_4K);	/* size page-aligned, then a guard page */
	CHECK_EQ(vmap_find(f.vs, S + SZ_4K, &info), 0);	/* the guard belongs to the area */
	CHECK_EQ(info.addr, S);
	CHECK_EQ(info.size, SZ_4K);
	CHECK_EQ(info.va_end, S + 2 * SZ_4K);
	CHECK_EQ(info.phys, 0x1000);
	CHECK_EQ(vmap_find(f.vs, S + 4 * SZ_4K, &info), -ENOENT);
	fx_free(&f);
}

/* Aligned areas leave holes; the lowest fit fills them first. */
static void test_alignment_and_lowest_fit(void **state)
{
	struct fixture f = fx_new(NULL, 1, 0);

	(void)state;
	CHECK_EQ(get(&f, SZ_4K), S);
	CHECK_EQ(get(&f, SZ_2M), S + SZ_2M);
	/* 4 MiB-aligned: S + 4M holds the guard page of the area before. */
	CHECK_EQ(get(&f, SZ_2M + SZ_4K), S + 2 * SZ_4M);
	CHECK_EQ(get(&f, SZ_4K), S + 2 * SZ_4K);
	CHECK_EQ(get(&f, SZ_64K), S + SZ_64K);
	CHECK_EQ(get(&f, SZ_1G), S + SZ_1G);
	CHECK_EQ(get(&f, SZ_4K), S + 4 * SZ_4K);
	fx_free(&f);
}

/* A freed VA is not reused until a purge; then the lowest fit finds it again. */
static void test_lazy_free_then_reuse(void **state)
{
	struct fixture f = fx_new(NULL, 1, 0);
	struct vmap_stats s;

	(void)state;
	CHECK_EQ(get(&f, SZ_4K), S);
	CHECK_EQ(get(&f, SZ_4K), S + 2 * SZ_4K);
	CHECK_EQ(get(&f, SZ_4K), S + 4 * SZ_4K);
	CHECK_EQ(vmap_remove(f.vs, S + 2 * SZ_4K, NULL), 0);
	s = vstats(&f);
	CHECK_EQ(s.lazy_pages, 2);
	CHECK_EQ(s.lazy_areas, 1);
	CHECK_EQ(get(&f, SZ_4K), S + 6 * SZ_4K);
	CHECK_EQ(vmap_purge(f.vs, NULL), true);
	CHECK_EQ(vstats(&f).lazy_pages, 0);
	CHECK_EQ(get(&f, SZ_4K), S + 2 * SZ_4K);
	fx_free(&f);
}

static void test_double_remove(void **state)
{
	struct fixture f = fx_new(NULL, 1, 0);
	struct vmap_info info;

	(void)state;
	CHECK_EQ(get(&f, 2 * SZ_4K), S);
	CHECK_EQ(vmap_remove(f.vs, S + SZ_4K, &info), 0);	/* any address inside */
	CHECK_EQ(info.addr, S);
	CHECK_EQ(info.size, 2 * SZ_4K);
	CHECK_EQ(vmap_remove(f.vs, S, NULL), -ENOENT);
	CHECK_EQ(vmap_purge(f.vs, NULL), true);
	CHECK_EQ(vmap_remove(f.vs, S, NULL), -ENOENT);
	CHECK_EQ(vstats(&f).frees, 1);
	fx_free(&f);
}

/* 1023 pages + the guard: 1024 pages per area. */
#define AREA_4M (SZ_4M - SZ_4K)

static void lazy_trigger_at(unsigned ncpus, uint64_t expected_max)
{
	struct fixture f = fx_new(NULL, ncpus, 0);
	uint64_t areas = expected_max / 1024;
	uint64_t *addr = calloc(areas + 1, sizeof(*addr));

	CHECK_EQ(vmap_lazy_max_pages(f.vs), expected_max);
	for (uint64_t i = 0; i <= areas; i++)
		addr[i] = get(&f, AREA_4M);
	for (uint64_t i = 0; i < areas; i++)
		CHECK_EQ(vmap_remove(f.vs, addr[i], NULL), 0);
	/* Exactly lazy_max_pages lazy: not yet beyond it. */
	CHECK_EQ(vstats(&f).lazy_pages, expected_max);
	CHECK_EQ(vstats(&f).purges, 0);
	CHECK_EQ(vmap_remove(f.vs, addr[areas], NULL), 0);
	/* Past it: the drain worker purges, not the freeing thread. */
	vmap_settle(f.vs);
	CHECK_EQ(vstats(&f).purges, 1);
	CHECK_EQ(vstats(&f).drains, 1);
	CHECK_EQ(vstats(&f).purged_areas, areas + 1);
	CHECK_EQ(vstats(&f).lazy_pages, 0);
	CHECK_EQ(get(&f, AREA_4M), S);
	free(addr);
	fx_free(&f);
}

/* lazy_max_pages = fls(ncpus) * 32 MiB / PAGE_SIZE. */
static void test_lazy_purge_trigger(void **state)
{
	(void)state;
	lazy_trigger_at(1, 8192);
	lazy_trigger_at(2, 16384);
	lazy_trigger_at(3, 16384);
	lazy_trigger_at(4, 24576);
}

/* One flush over [lowest start, highest end) of the lazy areas, gaps included. */
static void test_purge_tlb_counts(void **state)
{
	struct fixture f = fx_new(NULL, 1, 0);
	struct vmap_purge_result r;
	struct pgtable_stats ps;
	uint64_t a = get(&f, SZ_4K), b = get(&f, SZ_4K), c = get(&f, SZ_4K);

	(void)state;
	vmap_remove(f.vs, a, NULL);
	vmap_remove(f.vs, c, NULL);
	CHECK_EQ(vmap_purge(f.vs, &r), true);
	CHECK_EQ(r.areas, 2);
	CHECK_EQ(r.pages, 4);
	CHECK_EQ(r.tlbi_pages, 6);	/* a .. c's guard, b included */
	CHECK_EQ(r.tlbi_all, 0);
	vmap_remove(f.vs, b, NULL);
	CHECK_EQ(get(&f, SZ_2M), S + SZ_2M);
	CHECK_EQ(vmap_remove(f.vs, S + SZ_2M, NULL), 0);
	CHECK_EQ(vmap_purge(f.vs, &r), true);
	CHECK_EQ(r.areas, 2);
	CHECK_EQ(r.pages, 2 + 513);
	CHECK_EQ(r.tlbi_pages, 0);
	CHECK_EQ(r.tlbi_all, 1);
	CHECK_EQ(vmap_purge(f.vs, &r), false);	/* nothing lazy: no flush */
	pgtable_stats(f.pt, &ps);
	CHECK_EQ(ps.tlb_flush_calls, 2);
	CHECK_EQ(ps.tlbi_pages, 6);
	CHECK_EQ(ps.tlbi_all, 1);
	fx_free(&f);
}

/* Out of space: one purge and retry, then -ENOMEM. */
static void test_exhaustion(void **state)
{
	struct fixture f = fx_new(NULL, 1, 0);
	uint64_t all = VMALLOC_END - VMALLOC_START - PAGE_SIZE, addr, last;

	(void)state;
	CHECK_EQ(vmap_get_area(f.vs, all + 1, 0, NULL, &addr), -ENOMEM);
	CHECK_EQ(vmap_get_area(f.vs, 0, 0, NULL, &addr), -EINVAL);
	CHECK_EQ(get(&f, all - 2 * SZ_4K), S);
	last = get(&f, SZ_4K);
	CHECK_EQ(last, VMALLOC_END - 2 * SZ_4K);
	CHECK_EQ(vstats(&f).free_areas, 0);
	CHECK_EQ(vmap_get_area(f.vs, SZ_4K, 0, NULL, &addr), -ENOMEM);
	CHECK_EQ(vstats(&f).alloc_failures, 2);
	CHECK_EQ(vstats(&f).purges, 0);	/* nothing was lazy */
	/* Lazy, below lazy_max_pages: only the failing search's purge frees it. */
	CHECK_EQ(vmap_remove(f.vs, last, NULL), 0);
	CHECK_EQ(vstats(&f).purges, 0);
	CHECK_EQ(get(&f, SZ_4K), last);
	CHECK_EQ(vstats(&f).purges, 1);
	CHECK_EQ(vstats(&f).alloc_failures, 2);
	/* The whole range lazy at once is past lazy_max_pages: the drain purges it. */
	CHECK_EQ(vmap_remove(f.vs, S, NULL), 0);
	vmap_settle(f.vs);
	CHECK_EQ(vstats(&f).purges, 2);
	CHECK_EQ(vstats(&f).drains, 1);
	fx_free(&f);
}

static void test_bad_opts(void **state)
{
	struct pgtable *pt = pgtable_new();
	struct vmap_opts o = { .policy = "percpu" };

	(void)state;
	errno = 0;
	CHECK_EQ(vmap_new(pt, &o) == NULL, true);
	CHECK_EQ(errno, ENOENT);
	o = (struct vmap_opts){ .lock = "no-such-lock" };
	CHECK_EQ(vmap_new(pt, &o) == NULL, true);
	CHECK_EQ(errno, ENOENT);
	o = (struct vmap_opts){ .nodes = 2 };
	CHECK_EQ(vmap_new(pt, &o) == NULL, true);
	CHECK_EQ(errno, EINVAL);
	o = (struct vmap_opts){ .policy = "sharded", .nodes = VMAP_MAX_NODES + 1 };
	CHECK_EQ(vmap_new(pt, &o) == NULL, true);
	CHECK_EQ(errno, EINVAL);
	pgtable_free(pt);
}

/* Sharded: a purged small area goes back to its node's pool and serves the next
 * allocation of its size; big ones go to the free tree; pools decay by a quarter. */
static void test_sharded_pools(void **state)
{
	struct fixture f = fx_new("sharded", 2, 2);
	uint64_t a, big, small[4];
	struct vmap_stats s;

	(void)state;
	CHECK_EQ(strcmp(vmap_policy(f.vs), "sharded"), 0);
	a = get(&f, SZ_4K);
	big = get(&f, SZ_2M);
	vmap_remove(f.vs, a, NULL);
	vmap_remove(f.vs, big, NULL);
	CHECK_EQ(vmap_purge(f.vs, NULL), true);
	s = vstats(&f);
	CHECK_EQ(s.pooled_areas, 1);
	CHECK_EQ(s.pooled_bytes, 2 * SZ_4K);
	CHECK_EQ(get(&f, SZ_4K), a);
	CHECK_EQ(vstats(&f).pool_hits, 1);
	CHECK_EQ(get(&f, SZ_2M), big);	/* from the free tree, lowest fit */
	for (int i = 0; i < 4; i++)
		small[i] = get(&f, 3 * SZ_4K);
	for (int i = 0; i < 4; i++)
		vmap_remove(f.vs, small[i], NULL);
	vmap_purge(f.vs, NULL);
	CHECK_EQ(vstats(&f).pooled_areas, 4);
	vmap_purge(f.vs, NULL);	/* nothing lazy, but the pools still decay */
	CHECK_EQ(vstats(&f).pooled_areas, 3);
	fx_free(&f);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* test_vmalloc's random_size, with the invariants checked as it goes: areas of 1..100
 * pages and up to 4 MiB, freed in random order, purged now and then. */
static void random_use(const char *policy)
{
	struct fixture f = fx_new(policy, 2, 0);
	uint64_t seed = 0x2545f4914f6cdd1dULL, live[256] = { 0 };

	for (int step = 0; step < 20000; step++) {
		unsigned slot = (unsigned)(xorshift(&seed) % 256);

		if (live[slot]) {
			CHECK_EQ(vmap_remove(f.vs, live[slot], NULL), 0);
			live[slot] = 0;
		} else {
			uint64_t pages = 1 + xorshift(&seed) % 100;

			if (xorshift(&seed) % 16 == 0)
				pages = 1 + xorshift(&seed) % 1024;
			live[slot] = get(&f, pages * SZ_4K);
		}
		if (step % 997 == 0)
			vmap_purge(f.vs, NULL);
		if (step % 1000 == 0)
			test_vmap_check(f.vs);
	}
	fx_free(&f);
}

static void test_random_use_global(void **state)
{
	(void)state;
	random_use("global");
}

static void test_random_use_sharded(void **state)
{
	(void)state;
	random_use("sharded");
}

static void test_random_use_sharded_cpu(void **state)
{
	(void)state;
	random_use("sharded-cpu");
}

/* The node of the busy tree holding the busy area at addr. */
static unsigned busy_node_holding(struct vmap_space *vs, uint64_t addr)
{
	for (unsigned n = 0; n < vs->nr_nodes; n++)
		if (va_tree_find(vs->nodes[n].busy.root, addr))
			return n;
	fail_msg("no busy tree holds %#" PRIx64, addr);
	return 0;
}

struct other_cpu {
	struct fixture *f;
	uint64_t addr;
	unsigned node;
};

static void *alloc_on_other_cpu(void *arg)
{
	struct other_cpu *o = arg;

	o->addr = get(o->f, 4 * SZ_4K);
	o->node = vmap_this_cpu() % o->f->vs->nr_nodes;
	return NULL;
}

/* "sharded" files a busy area under its address's 16-page zone, so one thread's areas
 * spread over the nodes; "sharded-cpu" under the allocating CPU's node, wherever the
 * address is: another thread's area lands in that thread's node, and any thread finds
 * and unmaps it. */
static void test_busy_node_by_policy(void **state)
{
	static const char *const policies[] = { "sharded", "sharded-cpu" };

	(void)state;
	for (int p = 0; p < 2; p++) {
		struct fixture f = fx_new(policies[p], 2, 2);
		unsigned here, used[2] = { 0 };
		struct other_cpu o = { .f = &f };
		struct vmap_info info;
		uint64_t a[24];
		pthread_t th;

		for (int i = 0; i < 24; i++)	/* 5 pages each with the guard: many zones */
			used[busy_node_holding(f.vs, a[i] = get(&f, 4 * SZ_4K))]++;
		here = vmap_this_cpu() % f.vs->nr_nodes;
		if (p == 0) {
			CHECK_EQ(used[0] > 0 && used[1] > 0, true);
		} else {
			CHECK_EQ(used[here], 24);
			CHECK_EQ(strcmp(vmap_policy(f.vs), "sharded-cpu"), 0);
		}
		CHECK_EQ(pthread_create(&th, NULL, alloc_on_other_cpu, &o), 0);
		CHECK_EQ(pthread_join(th, NULL), 0);
		if (p == 1)
			CHECK_EQ(busy_node_holding(f.vs, o.addr), o.node);
		CHECK_EQ(vmap_find(f.vs, o.addr, &info), 0);
		CHECK_EQ(info.addr, o.addr);
		test_vmap_check(f.vs);
		CHECK_EQ(vmap_remove(f.vs, o.addr, NULL), 0);
		for (int i = 0; i < 24; i++)
			CHECK_EQ(vmap_remove(f.vs, a[i], NULL), 0);
		fx_free(&f);
	}
}

/* Every byte accounted for: live, lazy, pooled or free. */
static void test_accounting(void **state)
{
	struct fixture f = fx_new("sharded", 4, 0);
	struct vmap_stats s;

	(void)state;
	get(&f, SZ_4K);
	vmap_remove(f.vs, get(&f, SZ_64K), NULL);
	vmap_remove(f.vs, get(&f, SZ_4K), NULL);
	vmap_purge(f.vs, NULL);
	vmap_remove(f.vs, get(&f, SZ_2M), NULL);
	s = vstats(&f);
	CHECK_EQ(s.busy_bytes + s.lazy_bytes + s.pooled_bytes + s.free_bytes,
		 VMALLOC_END - VMALLOC_START);
	CHECK_EQ(s.lazy_bytes, s.lazy_pages * SZ_4K);
	CHECK_EQ(s.busy_areas, 1);
	CHECK_EQ(s.allocs, 4);
	CHECK_EQ(s.frees, 3);
	fx_free(&f);
}

/* A purge returns its areas to the free tree in address order: every area of a shuffled
 * list comes out once, sorted, for lengths around the sort's powers of two. */
static void test_sort_by_addr(void **state)
{
	static struct vmap_area areas[300];
	uint64_t seed = 0x2545f4914f6cdd1dULL;

	(void)state;
	for (unsigned n = 0; n <= 300; n += n < 70 ? 1 : 23) {
		struct vmap_area *list = NULL;
		unsigned count = 0;
		uint64_t last = 0;

		for (unsigned i = 0; i < n; i++)
			areas[i].rb.start = (uint64_t)i << PAGE_SHIFT;
		for (unsigned i = n; i > 1; i--) {	/* Fisher-Yates */
			unsigned j;
			uint64_t t;

			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			j = (unsigned)(seed % i);
			t = areas[i - 1].rb.start;
			areas[i - 1].rb.start = areas[j].rb.start;
			areas[j].rb.start = t;
		}
		for (unsigned i = 0; i < n; i++) {
			areas[i].next = list;
			list = &areas[i];
		}
		for (list = vmap_sort_by_addr(list); list; list = list->next, count++) {
			if (count && list->rb.start <= last)
				fail_msg("n=%u: 0x%" PRIx64 " after 0x%" PRIx64, n, list->rb.start, last);
			CHECK_EQ(list->rb.start, (uint64_t)count << PAGE_SHIFT);
			last = list->rb.start;
		}
		CHECK_EQ(count, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioremap_align),
		cmocka_unit_test(test_guard_page),
		cmocka_unit_test(test_alignment_and_lowest_fit),
		cmocka_unit_test(test_lazy_free_then_reuse),
		cmocka_unit_test(test_double_remove),
		cmocka_unit_test(test_lazy_purge_trigger),
		cmocka_unit_test(test_purge_tlb_counts),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_bad_opts),
		cmocka_unit_test(test_sharded_pools),
		cmocka_unit_test(test_sort_by_addr),
		cmocka_unit_test(test_random_use_global),
		cmocka_unit_test(test_random_use_sharded),
		cmocka_unit_test(test_random_use_sharded_cpu),
		cmocka_unit_test(test_busy_node_by_policy),
		cmocka_unit_test(test_accounting),
	};

	return cmocka_run_group_tests_name("mmu.vmap", tests, NULL, NULL);
}
