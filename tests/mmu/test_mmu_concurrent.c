/* SPDX-License-Identifier: MIT */
/* Concurrent paths of the mapping code, bounded by counts (run under TSan by the tsan
 * build; ASan would catch a table freed under a walker):
 *   - mapping churn (ioremap/iounmap of mixed sizes, purges, blocks replacing tables)
 *     with walkers that check every translation is a fault or exactly right;
 *   - two mappers populating the same new tables (the compare-and-swap publish);
 *   - a table replaced by a block again and again under walkers (the grace period);
 *   - the VA allocator alone under both policies, with a purging thread, and without
 *     one: the drain worker purging while threads allocate and free;
 *   - simulated CPU numbers: distinct among threads alive together, reused after exit.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "mmu_test.h"
#include "vmap_cpu.h"

#ifdef IOMEM_TSAN
#define SCALE 1
#else
#define SCALE 4
#endif

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void run_threads(int n, void *(*fn)(void *), void *args, size_t argsize)
{
	pthread_t tid[8];

	for (int i = 0; i < n; i++)
		if (pthread_create(&tid[i], NULL, fn, (char *)args + (size_t)i * argsize))
			fail_msg("pthread_create failed");
	for (int i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
}

/* --- Mapping churn with checking walkers. */

#define SLOTS 32
#define MAPPERS 2
#define WALKERS 2

/* A published mapping, under a sequence count: odd while its mapper changes it. */
struct slot {
	_Atomic uint64_t seq;
	_Atomic uint64_t va, pa, size, guard;	/* guard: the area's guard page */
	_Atomic unsigned mt, level;
};

struct churn {
	struct iomem_mmu *m;
	struct slot slot[SLOTS];
	pthread_barrier_t start;
	_Atomic int walkers_left;
	int iterations;		/* each mapper's minimum */
	int probes;		/* each walker's */
};

struct worker {
	struct churn *c;
	int id;
	uint64_t tried, checked, errors;
	char msg[160];
};

struct shape {
	uint64_t size, pa_off;
	int variant;	/* 0 ioremap, 1 ioremap_wc, 2 ioremap_np */
	unsigned level;
};

static const struct shape shapes[] = {
	{ SZ_4K, 0, 0, IOMEM_MAP_PTE },
	{ 3 * SZ_4K, 0x10, 1, IOMEM_MAP_PTE },
	{ SZ_64K, 0, 2, IOMEM_MAP_PTE },
	{ SZ_2M, 0, 0, IOMEM_MAP_PMD },
	{ SZ_2M, SZ_4K, 1, IOMEM_MAP_PTE },
	{ SZ_2M + SZ_4K, 0, 0, IOMEM_MAP_PMD },
};

static const unsigned variant_mt[] = { MT_DEVICE_nGnRE, MT_NORMAL_NC, MT_DEVICE_nGnRnE };

static int map_shape(struct iomem_mmu *m, const struct shape *sh, uint64_t pa, uint64_t *va)
{
	switch (sh->variant) {
	case 1: return iomem_ioremap_wc(m, pa, sh->size, va);
	case 2: return iomem_ioremap_np(m, pa, sh->size, va);
	default: return iomem_ioremap(m, pa, sh->size, va);
	}
}

static void worker_error(struct worker *w, const char *what, uint64_t va)
{
	if (!w->errors++)
		snprintf(w->msg, sizeof(w->msg), "%s at %#" PRIx64, what, va);
}

/* Unmaps the slot's mapping (if any) and publishes a new one. */
static void remap_slot(struct worker *w, struct slot *sl, unsigned idx, uint64_t *seed)
{
	const struct shape *sh = &shapes[xorshift(seed) % (sizeof(shapes) / sizeof(shapes[0]))];
	uint64_t s = atomic_load(&sl->seq), va, old = atomic_load(&sl->va);
	uint64_t pa = PCI_PA + idx * SZ_4M + sh->pa_off;
	struct iomem_translation tr;

	atomic_store(&sl->seq, s + 1);
	if (old && iomem_iounmap(w->c->m, old))
		worker_error(w, "iounmap of a live mapping failed", old);
	atomic_store(&sl->va, 0);
	if (map_shape(w->c->m, sh, pa, &va)) {
		worker_error(w, "ioremap failed", pa);
		atomic_store(&sl->seq, s + 2);
		return;
	}
	/* A mapper checks its own mapping first. */
	if (iomem_translate(w->c->m, va, &tr) || tr.pa != pa || tr.level != sh->level)
		worker_error(w, "own mapping wrong", va);
	atomic_store(&sl->pa, pa);
	atomic_store(&sl->size, sh->size);
	atomic_store(&sl->guard, (va & PAGE_MASK) + ((sh->size + (va & ~PAGE_MASK) +
						      SZ_4K - 1) & PAGE_MASK));
	atomic_store(&sl->mt, variant_mt[sh->variant]);
	atomic_store(&sl->level, sh->level);
	atomic_store(&sl->va, va);
	atomic_store(&sl->seq, s + 2);
}

/* Churns until the walkers are done, and at least its minimum. */
static void *mapper(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(w->id + 1);

	pthread_barrier_wait(&w->c->start);
	for (int i = 0; i < w->c->iterations || atomic_load(&w->c->walkers_left) > 0; i++) {
		unsigned idx = (unsigned)(xorshift(&seed) % (SLOTS / MAPPERS)) * MAPPERS +
			       (unsigned)w->id;

		remap_slot(w, &w->c->slot[idx], idx, &seed);
	}
	return NULL;
}

/* One probe: a fault or exactly right, and exactly right (and a faulting guard page)
 * whenever the slot did not change meanwhile. */
static void probe(struct worker *w, struct slot *sl, uint64_t *seed)
{
	struct iomem_translation tr, gtr;
	uint64_t s1 = atomic_load(&sl->seq), va, pa, size, guard, off;
	unsigned mt, level;
	int rc, grc;

	if (s1 & 1 || !(va = atomic_load(&sl->va)))
		return;
	w->tried++;
	pa = atomic_load(&sl->pa);
	size = atomic_load(&sl->size);
	guard = atomic_load(&sl->guard);
	mt = atomic_load(&sl->mt);
	level = atomic_load(&sl->level);
	off = xorshift(seed) % size;
	rc = iomem_translate(w->c->m, va + off, &tr);
	grc = iomem_translate(w->c->m, guard, &gtr);
	if (atomic_load(&sl->seq) != s1)
		return;	/* changed meanwhile: a fault or anything was allowed */
	w->checked++;
	if (level == IOMEM_MAP_PMD && off >= SZ_2M)	/* 2M + 4K: the tail is a page */
		level = IOMEM_MAP_PTE;
	if (rc || tr.pa != pa + off || tr.attrindx != mt || tr.level != level)
		worker_error(w, "walker saw a wrong translation", va + off);
	if (!grc)
		worker_error(w, "walker saw the guard page mapped", guard);
}

static void *walker(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 0x2545f4914f6cdd1dULL * (uint64_t)(w->id + 7);

	pthread_barrier_wait(&w->c->start);
	while (w->tried < (uint64_t)w->c->probes)
		probe(w, &w->c->slot[xorshift(&seed) % SLOTS], &seed);
	atomic_fetch_sub(&w->c->walkers_left, 1);
	return NULL;
}

static void *churn_thread(void *arg)
{
	struct worker *w = arg;

	return w->id < MAPPERS ? mapper(w) : (w->id -= MAPPERS, walker(w));
}

static void churn(const char *policy)
{
	struct iomem_tree *t = test_board_tree(NULL);
	const struct iomem_mmu_opts opts = { .va_policy = policy, .ncpus = 1 };
	struct churn *c = calloc(1, sizeof(*c));
	struct worker w[MAPPERS + WALKERS] = { 0 };
	struct pgtable_stats ps;
	struct vmap_stats vs;
	uint64_t checked = 0;

	c->m = test_mmu_new(t, &opts);
	c->iterations = 1500 * SCALE;
	c->probes = 20000 * SCALE;
	atomic_store(&c->walkers_left, WALKERS);
	pthread_barrier_init(&c->start, NULL, MAPPERS + WALKERS);
	for (int i = 0; i < MAPPERS + WALKERS; i++)
		w[i] = (struct worker){ .c = c, .id = i };
	for (unsigned i = 0; i < SLOTS; i++) {	/* every slot mapped before the start */
		uint64_t seed = 0x1234567ULL + i;

		remap_slot(&w[0], &c->slot[i], i, &seed);
	}
	run_threads(MAPPERS + WALKERS, churn_thread, w, sizeof(w[0]));
	for (int i = 0; i < MAPPERS + WALKERS; i++) {
		if (w[i].errors)
			fail_msg("%s: thread %d: %" PRIu64 " errors, first: %s", policy, i,
				 w[i].errors, w[i].msg);
		checked += i >= MAPPERS ? w[i].checked : 0;
	}
	/* Most probes meet a slot its mapper is not changing at that moment: of the
	 * 2 x probes made, at least half must have been checked exactly. */
	if (checked < (uint64_t)c->probes)
		fail_msg("%s: walkers made only %" PRIu64 " stable checks", policy, checked);
	for (int i = 0; i < SLOTS; i++)
		if (atomic_load(&c->slot[i].va))
			CHECK_EQ(iomem_iounmap(c->m, atomic_load(&c->slot[i].va)), 0);
	iomem_mmu_purge(c->m, NULL);
	test_vmap_check(iomem_mmu_vmap(c->m));
	vmap_stats(iomem_mmu_vmap(c->m), &vs);
	CHECK_EQ(vs.busy_areas, 0);
	CHECK_EQ(vs.lazy_pages, 0);
	CHECK_EQ(vs.frees, vs.allocs);
	if (vs.purges < 10)
		fail_msg("%s: only %" PRIu64 " purges under churn", policy, vs.purges);
	pgtable_stats(iomem_mmu_pgtable(c->m), &ps);
	CHECK_EQ(ps.bbm_violations, 0);
	if (ps.tables_replaced == 0)
		fail_msg("%s: no table was replaced by a block: the grace period went untested",
			 policy);
	if (getenv("MMU_TEST_VERBOSE"))
		printf("%s: %" PRIu64 " stable checks, %" PRIu64 " purges, %" PRIu64
		       " tables replaced, %" PRIu64 " grace periods\n", policy, checked, vs.purges,
		       ps.tables_replaced, ps.grace_periods);
	pthread_barrier_destroy(&c->start);
	iomem_mmu_free(c->m);
	iomem_tree_free(t);
	free(c);
}

static void test_churn_global(void **state)
{
	(void)state;
	churn("global");
}

static void test_churn_sharded(void **state)
{
	(void)state;
	churn("sharded");
}

static void test_churn_sharded_cpu(void **state)
{
	(void)state;
	churn("sharded-cpu");
}

/* --- Two mappers populating the same new tables. */

#define VA0 0xffff800080000000ULL
#define POP_PAGES 2048	/* 8 MiB: one L1, one L2, four L3 tables */

struct pop {
	struct pgtable *pt;
	int parity;
	int errors;
};

static void *populate(void *arg)
{
	struct pop *p = arg;

	for (uint64_t i = (uint64_t)p->parity; i < POP_PAGES; i += 2)
		p->errors += pgtable_map(p->pt, VA0 + i * SZ_4K, PCI_PA + i * SZ_4K, SZ_4K,
					 PROT_DEVICE_nGnRE, 63) != 0;
	return NULL;
}

static void test_concurrent_table_populate(void **state)
{
	(void)state;
	for (int round = 0; round < 20 * SCALE; round++) {
		struct pgtable *pt = pgtable_new();
		struct pop p[2] = { { pt, 0, 0 }, { pt, 1, 0 } };
		struct pgtable_stats s;

		run_threads(2, populate, p, sizeof(p[0]));
		CHECK_EQ(p[0].errors + p[1].errors, 0);
		for (uint64_t i = 0; i < POP_PAGES; i++) {
			struct pgtable_walk w;

			CHECK_EQ(pgtable_translate(pt, VA0 + i * SZ_4K, &w), 0);
			CHECK_EQ(w.pa, PCI_PA + i * SZ_4K);
		}
		pgtable_stats(pt, &s);
		CHECK_EQ(s.tables_allocated - s.tables_freed, 6);
		pgtable_free(pt);
	}
}

/* --- A table replaced by a block under walkers. */

struct replace {
	struct pgtable *pt;
	_Atomic int done;
	uint64_t seen_page, seen_block, faults, wrong;
};

static void *replace_walker(void *arg)
{
	struct replace *r = arg;

	while (!atomic_load(&r->done)) {
		struct pgtable_walk w;

		if (pgtable_translate(r->pt, VA0 + 0x123, &w))
			r->faults++;
		else if (w.pa != PCI_PA + 0x123)
			r->wrong++;
		else if (w.level == 3)
			r->seen_page++;
		else
			r->seen_block++;
	}
	return NULL;
}

static void test_table_replaced_under_walkers(void **state)
{
	struct replace r = { .pt = pgtable_new() };
	struct pgtable_stats s;
	pthread_t tid;
	int rounds = 200 * SCALE;

	(void)state;
	if (pthread_create(&tid, NULL, replace_walker, &r))
		fail_msg("pthread_create failed");
	for (int i = 0; i < rounds; i++) {
		CHECK_EQ(pgtable_map(r.pt, VA0, PCI_PA, SZ_4K, PROT_DEVICE_nGnRE, 63), 0);
		CHECK_EQ(pgtable_unmap(r.pt, VA0, SZ_4K), 1);
		CHECK_EQ(pgtable_map(r.pt, VA0, PCI_PA, SZ_2M, PROT_DEVICE_nGnRE, 63), 0);
		CHECK_EQ(pgtable_unmap(r.pt, VA0, SZ_2M), 1);
	}
	atomic_store(&r.done, 1);
	pthread_join(tid, NULL);
	CHECK_EQ(r.wrong, 0);
	pgtable_stats(r.pt, &s);
	CHECK_EQ(s.tables_replaced, (uint64_t)rounds);
	CHECK_EQ(s.grace_periods, (uint64_t)rounds);
	CHECK_EQ(s.tables_allocated, 2 + (uint64_t)rounds);	/* L1, L2, an L3 per round */
	CHECK_EQ(s.tables_freed, (uint64_t)rounds);
	pgtable_free(r.pt);
}

/* --- The VA allocator alone. */

struct va_worker {
	struct vmap_space *vs;
	int id;
	int errors;
	_Atomic int *left;
};

static void *va_alloc_free(void *arg)
{
	struct va_worker *w = arg;
	uint64_t seed = 0xdeadbeefcafef00dULL * (uint64_t)(w->id + 1), live[64] = { 0 };

	for (int i = 0; i < 3000 * SCALE; i++) {
		unsigned k = (unsigned)(xorshift(&seed) % 64);
		struct vmap_info info;

		if (live[k]) {
			w->errors += vmap_find(w->vs, live[k], &info) || info.addr != live[k];
			w->errors += vmap_remove(w->vs, live[k], NULL) != 0;
			live[k] = 0;
		} else {
			w->errors += vmap_get_area(w->vs, (1 + xorshift(&seed) % 300) * SZ_4K, 0,
						   NULL, &live[k]) != 0;
		}
	}
	for (unsigned k = 0; k < 64; k++)
		w->errors += live[k] && vmap_remove(w->vs, live[k], NULL) != 0;
	atomic_fetch_sub(w->left, 1);
	return NULL;
}

static void *va_purger(void *arg)
{
	struct va_worker *w = arg;

	while (atomic_load(w->left) > 0)
		vmap_purge(w->vs, NULL);
	return NULL;
}

static void *va_thread(void *arg)
{
	struct va_worker *w = arg;

	return w->id < 3 ? va_alloc_free(w) : va_purger(w);
}

static void va_concurrent(const char *policy)
{
	struct pgtable *pt = pgtable_new();
	struct vmap_opts o = { .policy = policy, .ncpus = 2, .nodes = 0 };
	struct vmap_space *vs = vmap_new(pt, &o);
	_Atomic int left = 3;
	struct va_worker w[4];
	struct vmap_stats s;

	for (int i = 0; i < 4; i++)
		w[i] = (struct va_worker){ .vs = vs, .id = i, .left = &left };
	run_threads(4, va_thread, w, sizeof(w[0]));
	for (int i = 0; i < 3; i++)
		CHECK_EQ(w[i].errors, 0);
	vmap_purge(vs, NULL);
	test_vmap_check(vs);
	vmap_stats(vs, &s);
	CHECK_EQ(s.busy_areas, 0);
	CHECK_EQ(s.allocs, s.frees);
	CHECK_EQ(s.free_bytes + s.pooled_bytes, VMALLOC_END - VMALLOC_START);
	vmap_free(vs);
	pgtable_free(pt);
}

/* No purging thread: the frees themselves cross lazy_max_pages (8192 pages with one CPU)
 * again and again, so the drain worker purges while the threads allocate and free, and
 * the frees that outrun it wait. Every lock counted what it saw. */
static void va_drain(const char *policy)
{
	struct pgtable *pt = pgtable_new();
	struct vmap_opts o = { .policy = policy, .ncpus = 1, .nodes = 2 * (policy[0] == 's') };
	struct vmap_space *vs = vmap_new(pt, &o);
	struct vmap_lock_stat ls[VMAP_MAX_LOCK_CLASSES];
	_Atomic int left = 3;
	struct va_worker w[3];
	struct vmap_stats s;
	unsigned n;

	for (int i = 0; i < 3; i++)
		w[i] = (struct va_worker){ .vs = vs, .id = i, .left = &left };
	run_threads(3, va_thread, w, sizeof(w[0]));
	for (int i = 0; i < 3; i++)
		CHECK_EQ(w[i].errors, 0);
	vmap_settle(vs);
	vmap_stats(vs, &s);
	if (s.drains == 0 || s.drains > s.purges)
		fail_msg("%s: %" PRIu64 " drains of %" PRIu64 " purges", policy, s.drains,
			 s.purges);
	CHECK_EQ(s.allocs, s.frees);
	n = vmap_lock_stats(vs, ls);
	CHECK_EQ(n, policy[0] == 's' ? 5u : 2u);
	CHECK_EQ(strcmp(ls[n - 1].name, "purge"), 0);
	CHECK_EQ(ls[n - 1].acquisitions >= s.purges, true);
	/* Every alloc and free took the free tree's lock (global) or a busy lock (sharded). */
	CHECK_EQ(ls[policy[0] == 's' ? 1 : 0].acquisitions >= s.allocs + s.frees, true);
	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(ls[i].contended <= ls[i].acquisitions, true);
	vmap_purge(vs, NULL);
	test_vmap_check(vs);
	vmap_free(vs);
	pgtable_free(pt);
}

static void test_va_drain_global(void **state)
{
	(void)state;
	va_drain("global");
}

static void test_va_drain_sharded(void **state)
{
	(void)state;
	va_drain("sharded");
}

static void test_va_concurrent_global(void **state)
{
	(void)state;
	va_concurrent("global");
}

static void test_va_concurrent_sharded(void **state)
{
	(void)state;
	va_concurrent("sharded");
}

static void test_va_concurrent_sharded_cpu(void **state)
{
	(void)state;
	va_concurrent("sharded-cpu");
}

/* --- Simulated CPUs. */

#define CPU_THREADS 4

struct cpu_round {
	pthread_barrier_t alive;	/* every thread holds its number at once */
	unsigned cpu[CPU_THREADS];
};

struct cpu_arg {
	struct cpu_round *r;
	int i;
};

static void *take_cpu(void *p)
{
	struct cpu_arg *a = p;

	a->r->cpu[a->i] = vmap_this_cpu();
	pthread_barrier_wait(&a->r->alive);
	return NULL;
}

static void cpu_round(struct cpu_round *r)
{
	struct cpu_arg args[CPU_THREADS];

	pthread_barrier_init(&r->alive, NULL, CPU_THREADS);
	for (int i = 0; i < CPU_THREADS; i++)
		args[i] = (struct cpu_arg){ .r = r, .i = i };
	run_threads(CPU_THREADS, take_cpu, args, sizeof(args[0]));
	pthread_barrier_destroy(&r->alive);
}

static bool cpu_in(const struct cpu_round *r, unsigned cpu)
{
	for (int i = 0; i < CPU_THREADS; i++)
		if (r->cpu[i] == cpu)
			return true;
	return false;
}

/* Threads alive at once never share a number, and the numbers of threads that exited are
 * the ones the next threads get; the main thread's stays its own. */
static void test_cpu_numbers(void **state)
{
	struct cpu_round first, second;
	unsigned mine = vmap_this_cpu();	/* held through both rounds */

	(void)state;
	cpu_round(&first);
	cpu_round(&second);
	for (int i = 0; i < CPU_THREADS; i++)
		for (int j = 0; j < i; j++) {
			assert_int_not_equal(first.cpu[i], first.cpu[j]);
			assert_int_not_equal(second.cpu[i], second.cpu[j]);
		}
	for (int i = 0; i < CPU_THREADS; i++) {
		assert_false(cpu_in(&first, mine) || cpu_in(&second, mine));
		assert_true(cpu_in(&first, second.cpu[i]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_churn_global),
		cmocka_unit_test(test_churn_sharded),
		cmocka_unit_test(test_churn_sharded_cpu),
		cmocka_unit_test(test_concurrent_table_populate),
		cmocka_unit_test(test_table_replaced_under_walkers),
		cmocka_unit_test(test_va_concurrent_global),
		cmocka_unit_test(test_va_concurrent_sharded),
		cmocka_unit_test(test_va_concurrent_sharded_cpu),
		cmocka_unit_test(test_va_drain_global),
		cmocka_unit_test(test_va_drain_sharded),
		cmocka_unit_test(test_cpu_numbers),
	};

	return cmocka_run_group_tests_name("mmu.concurrent", tests, NULL, NULL);
}
