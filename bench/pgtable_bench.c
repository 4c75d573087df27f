/* SPDX-License-Identifier: MIT */
/* Family "pgtable": mapping costs on the simulated arm64 page table and vmalloc allocator.
 *
 *   pgtable/ioremap_iounmap/<shape>      ioremap + iounmap, end to end (RAM check in the
 *                                        tree, VA allocation, page tables, lazy free, the
 *                                        purges they trigger amortised); shapes 4k, 64k,
 *                                        2m_aligned (one PMD block), 2m_unaligned (PA 4 KiB
 *                                        off: 512 PTEs), 1g (one PUD block)
 *   pgtable/ioremap_iounmap/2m_aligned_vs_4k
 *                                        both, interleaved in batches in one run (each in its
 *                                        own space); counters ns_4k, ns_2m (thread CPU time
 *                                        per op) and ratio = ns_2m / ns_4k
 *   pgtable/map_unmap/<shape>            the page-table work alone (pgtable_map +
 *                                        pgtable_unmap at one VA whose tables exist)
 *   pgtable/va_alloc_free/<policy>/pages:<P>/live:<N>
 *                                        VA allocator alone: alloc + free of one area while
 *                                        N others stay live (test_vmalloc's long_busy_list
 *                                        shape), every area of P pages: 1, or 1-16 at random
 *                                        (ioremap alignment then leaves holes: a fragmented
 *                                        free tree); lazy free and purges amortised
 *   pgtable/va_replace/<policy>/pages:1-16/live:<N>
 *                                        the same N live areas, each op freeing a random one
 *                                        and allocating its replacement (a steady state that
 *                                        keeps every tree large and cold)
 *   pgtable/translate/<level>            lock-free walk of a pte, pmd or pud mapping
 *   pgtable/churn/<policy>/threads:<T>   every policy of vmap_policy_names() (the VA-only
 *                                        families above: global and sharded);
 *                                        T threads each keep 16 live mappings of a driver-like
 *                                        mix (4K 60%, 16K 20%, 64K 15%, 2M 5%) and replace a
 *                                        random one per op; unmaps_per_purge counts, drains
 *                                        (purges the drain worker ran), pool_hits (% of
 *                                        allocations a node pool served) and, per allocator
 *                                        lock class, <class>_contended (% of acquisitions
 *                                        that found it taken) and <class>_wait_ns (waited
 *                                        per op)
 *
 * The tree is a small arm64 board (two RAM banks, a PCI window) on the rwlock backend; the
 * mapping space uses the machine's CPU count (lazy_max_pages = fls(ncpus) * 8192).
 * Random inputs come from a fixed-seed xorshift.
 */
#include "bench_measure.h"
#include "bench_util.h"
#include "families.h"
#include "gbench.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iomem/ioremap.h"
#include "iomem/iomem.h"

#define SZ_4K		0x1000ULL
#define SZ_16K		0x4000ULL
#define SZ_64K		0x10000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
#define DEV_PA		0x10000000ULL		/* PCI window */
#define HOLE_1G_PA	0x4000000000ULL		/* 1 GiB aligned, not RAM */
#define BATCH		16u
#define RATIO_BATCH	256u	/* long enough to drown the clock's own cost */

/* --- Fixtures. */

struct space {
	struct iomem_tree *tree;
	struct iomem_mmu *mmu;
};

static int space_new(struct space *s, const char *policy)
{
	struct iomem_mmu_opts opts = { .va_policy = policy };

	s->tree = iomem_tree_new("rwlock", NULL);
	if (!s->tree)
		return -errno;
	if (iomem_insert_resource(s->tree, IOMEM_ROOT_IOMEM, DEV_PA, 0x3fffffff, "PCI window",
				  IORESOURCE_MEM, IORES_DESC_NONE) ||
	    iomem_insert_resource(s->tree, IOMEM_ROOT_IOMEM, 0x40000000, 0xbfffffff, "System RAM",
				  IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, IORES_DESC_NONE) ||
	    iomem_insert_resource(s->tree, IOMEM_ROOT_IOMEM, 0x100000000, 0x17fffffff,
				  "System RAM", IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				  IORES_DESC_NONE)) {
		iomem_tree_free(s->tree);
		return -EBUSY;
	}
	s->mmu = iomem_mmu_new(s->tree, &opts);
	if (!s->mmu) {
		iomem_tree_free(s->tree);
		return -errno;
	}
	return 0;
}

static void space_free(struct space *s)
{
	iomem_mmu_free(s->mmu);
	iomem_tree_free(s->tree);
}

static struct vmap_stats va_stats(struct iomem_mmu *m)
{
	struct vmap_stats vs;

	vmap_stats(iomem_mmu_vmap(m), &vs);
	return vs;
}

/* Unmaps per purge (and purges per op) over a run. */
static void set_purge_counters(iomb_state *st, uint64_t unmaps, uint64_t purges)
{
	iomb_set_counter(st, "purges", (double)purges, IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "unmaps_per_purge", purges ? (double)unmaps / (double)purges : 0,
			 IOMB_COUNTER_PLAIN);
}

/* --- ioremap + iounmap, one shape. */

struct shape {
	const char *name;
	uint64_t pa, size;
};

static const struct shape shapes[] = {
	{ "4k", DEV_PA, SZ_4K },
	{ "64k", DEV_PA, SZ_64K },
	{ "2m_aligned", DEV_PA, SZ_2M },
	{ "2m_unaligned", DEV_PA + SZ_4K, SZ_2M },
	{ "1g", HOLE_1G_PA, SZ_1G },
};

enum { SHAPE_4K, SHAPE_64K, SHAPE_2M_ALIGNED, SHAPE_2M_UNALIGNED, SHAPE_1G, NR_SHAPES };

static int map_unmap_once(iomb_state *st, struct iomem_mmu *m, const struct shape *sh)
{
	uint64_t va;
	int rc = iomem_ioremap(m, sh->pa, sh->size, &va);

	if (!rc)
		rc = iomem_iounmap(m, va);
	if (rc)
		bench_skip_errno(st, "ioremap/iounmap", rc);
	return rc;
}

static void bm_ioremap_iounmap(iomb_state *st, void *arg)
{
	const struct shape *sh = arg;
	struct space s;
	uint64_t purges0;
	int rc = space_new(&s, NULL);

	if (rc) {
		bench_skip_errno(st, "mapping space", rc);
		return;
	}
	purges0 = va_stats(s.mmu).purges;
	while (iomb_keep_running(st))
		if (map_unmap_once(st, s.mmu, sh))
			break;
	if (!iomb_error_occurred(st)) {
		set_purge_counters(st, iomb_iterations(st), va_stats(s.mmu).purges - purges0);
		iomb_set_items_processed(st, (int64_t)iomb_iterations(st));
	}
	space_free(&s);
}

/* The calling thread's CPU time: time spent descheduled on a shared machine is not
 * charged to whichever shape happened to be running. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU nanoseconds for n ioremap+iounmap of one shape. */
static uint64_t timed_batch(iomb_state *st, struct iomem_mmu *m, const struct shape *sh,
			    unsigned n)
{
	uint64_t t0 = thread_cpu_ns();

	for (unsigned i = 0; i < n; i++)
		if (map_unmap_once(st, m, sh))
			return 0;
	return thread_cpu_ns() - t0;
}

/* 2 MiB aligned against 4 KiB in one run, alternating batches so drift hits both. Each
 * shape has its own space, so neither pays for the other's leftovers (a 2 MiB block
 * landing where 4 KiB mappings left a PTE table must free it first). */
static void bm_ratio_2m_4k(iomb_state *st, void *arg)
{
	uint64_t ns_4k = 0, ns_2m = 0, n = 0;
	struct space s4k, s2m;
	int rc = space_new(&s4k, NULL);

	(void)arg;
	if (!rc && (rc = space_new(&s2m, NULL)))
		space_free(&s4k);
	if (rc) {
		bench_skip_errno(st, "mapping space", rc);
		return;
	}
	while (iomb_keep_running_batch(st, 2 * RATIO_BATCH)) {
		ns_4k += timed_batch(st, s4k.mmu, &shapes[SHAPE_4K], RATIO_BATCH);
		ns_2m += timed_batch(st, s2m.mmu, &shapes[SHAPE_2M_ALIGNED], RATIO_BATCH);
		if (iomb_error_occurred(st))
			break;
		n += RATIO_BATCH;
	}
	if (!iomb_error_occurred(st) && n) {
		iomb_set_counter(st, "ns_4k", (double)ns_4k / (double)n, IOMB_COUNTER_PLAIN);
		iomb_set_counter(st, "ns_2m", (double)ns_2m / (double)n, IOMB_COUNTER_PLAIN);
		iomb_set_counter(st, "ratio", (double)ns_2m / (double)ns_4k, IOMB_COUNTER_PLAIN);
	}
	space_free(&s2m);
	space_free(&s4k);
}

/* --- The page-table work alone. */

#define PT_VA 0xffff800080000000ULL

static void bm_map_unmap(iomb_state *st, void *arg)
{
	const struct shape *sh = arg;
	struct pgtable *pt = pgtable_new();
	int rc = pt ? pgtable_map(pt, PT_VA, sh->pa, sh->size, PROT_DEVICE_nGnRE, 63) : -ENOMEM;

	if (rc) {
		bench_skip_errno(st, "pgtable_map", rc);
		pgtable_free(pt);
		return;
	}
	pgtable_unmap(pt, PT_VA, sh->size);	/* tables made once, outside the timing */
	while (iomb_keep_running_batch(st, BATCH)) {
		for (unsigned i = 0; i < BATCH; i++) {
			rc = pgtable_map(pt, PT_VA, sh->pa, sh->size, PROT_DEVICE_nGnRE, 63);
			pgtable_unmap(pt, PT_VA, sh->size);
			if (rc)
				break;
		}
		if (rc) {
			bench_skip_errno(st, "pgtable_map", rc);
			break;
		}
	}
	pgtable_free(pt);
}

/* --- The VA allocator alone. */

struct va_case {
	const char *policy;
	size_t live;
	uint64_t max_pages;	/* sizes 1..max_pages pages */
	bool replace;		/* va_replace: free a random live area per op */
};

static const size_t va_live_counts[] = { 100, 10000, 100000 };
static const char *const policies[] = { "global", "sharded" };

static uint64_t random_size(uint64_t *seed, uint64_t max_pages)
{
	return (1 + bench_xorshift64(seed) % max_pages) * SZ_4K;
}

static int fill_live(struct vmap_space *vs, uint64_t *live, size_t n, uint64_t max_pages,
		     uint64_t *seed)
{
	for (size_t i = 0; i < n; i++) {
		int rc = vmap_get_area(vs, random_size(seed, max_pages), 0, "bench", &live[i]);

		if (rc)
			return rc;
	}
	/* Free every other one and purge: the free tree starts fragmented. */
	for (size_t i = 0; i < n; i += 2)
		vmap_remove(vs, live[i], NULL);
	vmap_purge(vs, NULL);
	for (size_t i = 0; i < n; i += 2) {
		int rc = vmap_get_area(vs, random_size(seed, max_pages), 0, "bench", &live[i]);

		if (rc)
			return rc;
	}
	return 0;
}

static void bm_va_alloc_free(iomb_state *st, void *arg)
{
	const struct va_case *c = arg;
	struct vmap_opts opts = { .policy = c->policy };
	struct pgtable *pt = pgtable_new();
	struct vmap_space *vs = pt ? vmap_new(pt, &opts) : NULL;
	uint64_t *live = calloc(c->live, sizeof(*live)), seed = 0x9e3779b97f4a7c15ULL;
	int rc = !vs || !live ? -ENOMEM : fill_live(vs, live, c->live, c->max_pages, &seed);
	struct vmap_stats before, after;

	if (rc) {
		bench_skip_errno(st, "setup", rc);
		goto out;
	}
	vmap_stats(vs, &before);
	while (!rc && iomb_keep_running(st)) {
		size_t i = (size_t)(bench_xorshift64(&seed) % c->live);
		uint64_t addr;

		if (c->replace)
			vmap_remove(vs, live[i], NULL);
		rc = vmap_get_area(vs, random_size(&seed, c->max_pages), 0, "bench",
				   c->replace ? &live[i] : &addr);
		if (!rc && !c->replace)
			vmap_remove(vs, addr, NULL);
		if (rc)
			bench_skip_errno(st, "vmap_get_area", rc);
	}
	if (!rc) {
		vmap_stats(vs, &after);
		set_purge_counters(st, iomb_iterations(st), after.purges - before.purges);
		iomb_set_counter(st, "free_areas", (double)after.free_areas, IOMB_COUNTER_PLAIN);
		iomb_set_counter(st, "live", (double)c->live, IOMB_COUNTER_PLAIN);
	}
out:
	free(live);
	vmap_free(vs);
	pgtable_free(pt);
}

/* --- Translate. */

struct walk_case {
	const char *level;
	uint64_t pa, size;
};

static const struct walk_case walk_cases[] = {
	{ "pte", DEV_PA + SZ_4K, SZ_2M },	/* 512 pages */
	{ "pmd", DEV_PA, SZ_2M },
	{ "pud", HOLE_1G_PA, SZ_1G },
};

static void bm_translate(iomb_state *st, void *arg)
{
	const struct walk_case *c = arg;
	struct pgtable *pt = pgtable_new();
	uint64_t seed = 0x2545f4914f6cdd1dULL + (uint64_t)iomb_thread_index(st), offs[256];
	int rc = pt ? pgtable_map(pt, PT_VA, c->pa, c->size, PROT_DEVICE_nGnRE, 63) : -ENOMEM;
	struct pgtable_walk w;

	if (rc) {
		bench_skip_errno(st, "pgtable_map", rc);
		pgtable_free(pt);
		return;
	}
	for (unsigned i = 0; i < 256; i++)
		offs[i] = bench_xorshift64(&seed) % c->size;
	for (unsigned k = 0; !rc && iomb_keep_running_batch(st, BATCH);)
		for (unsigned i = 0; i < BATCH; i++) {
			uint64_t off = offs[k++ & 255];

			rc |= pgtable_translate(pt, PT_VA + off, &w) || w.pa != c->pa + off;
		}
	if (rc)
		iomb_skip_with_error(st, "wrong translation");
	pgtable_free(pt);
}

/* --- Churn from several threads on one space. */

#define CHURN_LIVE 16

struct churn {
	const char *policy;
	pthread_mutex_t lock;
	struct space s;
	int err;			/* setup failed */
	int users;			/* threads inside the current run */
	_Atomic uint64_t unmaps;
	uint64_t purges0;
};

static uint64_t churn_size(uint64_t *seed)
{
	unsigned r = (unsigned)(bench_xorshift64(seed) % 100);

	return r < 60 ? SZ_4K : r < 80 ? SZ_16K : r < 95 ? SZ_64K : SZ_2M;
}

/* The first thread of a run makes the space, the last one frees it. */
static struct churn *churn_enter(iomb_state *st, struct churn *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->users++ == 0) {
		c->err = space_new(&c->s, c->policy);
		atomic_store(&c->unmaps, 0);
		c->purges0 = c->err ? 0 : va_stats(c->s.mmu).purges;
	}
	pthread_mutex_unlock(&c->lock);
	if (!c->err)
		return c;
	bench_skip_errno(st, "mapping space", c->err);
	return NULL;
}

/* What the allocator's locks saw over the run, per lock class (vmap_lock_stats): the share
 * of acquisitions that found the lock taken (<class>_contended, %) and the time waited
 * per op (<class>_wait_ns), as lock_stat and the kernel's profile show them. */
static void set_lock_counters(iomb_state *st, struct vmap_space *vs, uint64_t ops)
{
	struct vmap_lock_stat ls[VMAP_MAX_LOCK_CLASSES];
	unsigned n = vmap_lock_stats(vs, ls);
	char name[48];

	for (unsigned i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s_contended", ls[i].name);
		iomb_set_counter(st, name, ls[i].acquisitions ? 100.0 * (double)ls[i].contended /
							       (double)ls[i].acquisitions : 0,
				 IOMB_COUNTER_PLAIN);
		snprintf(name, sizeof(name), "%s_wait_ns", ls[i].name);
		iomb_set_counter(st, name, ops ? (double)ls[i].wait_ns / (double)ops : 0,
				 IOMB_COUNTER_PLAIN);
	}
}

static void churn_leave(iomb_state *st, struct churn *c)
{
	pthread_mutex_lock(&c->lock);
	if (--c->users == 0 && !c->err) {
		if (!iomb_error_occurred(st)) {
			struct vmap_space *vs = iomem_mmu_vmap(c->s.mmu);
			struct vmap_stats vst = va_stats(c->s.mmu);

			set_purge_counters(st, atomic_load(&c->unmaps), vst.purges - c->purges0);
			iomb_set_counter(st, "drains", (double)vst.drains, IOMB_COUNTER_PLAIN);
			iomb_set_counter(st, "throttled", (double)vst.drain_throttled,
					 IOMB_COUNTER_PLAIN);
			iomb_set_counter(st, "pool_hits", vst.allocs ? 100.0 *
					 (double)vst.pool_hits / (double)vst.allocs : 0,
					 IOMB_COUNTER_PLAIN);
			set_lock_counters(st, vs, atomic_load(&c->unmaps));
		}
		space_free(&c->s);
	}
	pthread_mutex_unlock(&c->lock);
}

static int churn_replace(struct iomem_mmu *m, uint64_t *slot, uint64_t pa, uint64_t *seed)
{
	int rc = *slot ? iomem_iounmap(m, *slot) : 0;

	*slot = 0;
	return rc ? rc : iomem_ioremap(m, pa, churn_size(seed), slot);
}

static void bm_churn(iomb_state *st, void *arg)
{
	struct churn *c = churn_enter(st, arg);
	uint64_t live[CHURN_LIVE] = { 0 }, unmaps = 0;
	uint64_t seed = 0xdeadbeefcafef00dULL * (uint64_t)(iomb_thread_index(st) + 1);
	struct bench_thread_counters counters;
	int rc = 0;

	if (!c)
		return;
	bench_thread_enter(st, &counters);
	while (!rc && iomb_keep_running(st)) {
		unsigned i = (unsigned)(bench_xorshift64(&seed) % CHURN_LIVE);

		unmaps += live[i] != 0;
		rc = churn_replace(c->s.mmu, &live[i], DEV_PA + (uint64_t)i * SZ_2M, &seed);
	}
	if (rc)
		bench_skip_errno(st, "ioremap/iounmap", rc);
	for (unsigned i = 0; i < CHURN_LIVE; i++)
		if (live[i])
			iomem_iounmap(c->s.mmu, live[i]);
	atomic_fetch_add(&c->unmaps, unmaps);
	bench_thread_leave(st, &counters, iomb_iterations(st));
	iomb_set_items_processed(st, (int64_t)iomb_iterations(st));
	churn_leave(st, c);
}

/* --- Registration. */

static void register_fixed(void)
{
	char name[96];

	for (int i = 0; i < NR_SHAPES; i++) {
		snprintf(name, sizeof(name), "pgtable/ioremap_iounmap/%s", shapes[i].name);
		iomb_bench_unit(iomb_register(name, bm_ioremap_iounmap, (void *)&shapes[i]),
				IOMB_NS);
	}
	iomb_bench_unit(iomb_register("pgtable/ioremap_iounmap/2m_aligned_vs_4k", bm_ratio_2m_4k,
				      NULL), IOMB_NS);
	for (int i = 0; i < NR_SHAPES; i++) {
		if (i == SHAPE_64K || i == SHAPE_1G)
			continue;
		snprintf(name, sizeof(name), "pgtable/map_unmap/%s", shapes[i].name);
		iomb_bench_unit(iomb_register(name, bm_map_unmap, (void *)&shapes[i]), IOMB_NS);
	}
	for (size_t i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
		snprintf(name, sizeof(name), "pgtable/translate/%s", walk_cases[i].level);
		iomb_bench_unit(iomb_register(name, bm_translate, (void *)&walk_cases[i]),
				IOMB_NS);
	}
}

static void register_va(void)
{
	static const struct { const char *op; uint64_t max_pages; bool replace; } kinds[] = {
		{ "va_alloc_free", 1, false },
		{ "va_alloc_free", 16, false },
		{ "va_replace", 16, true },
	};
	const size_t nk = sizeof(kinds) / sizeof(kinds[0]);
	const size_t np = sizeof(policies) / sizeof(policies[0]);
	const size_t nl = sizeof(va_live_counts) / sizeof(va_live_counts[0]);
	struct va_case *cases = bench_xcalloc(nk * np * nl, sizeof(*cases)), *c = cases;
	char name[96];

	iomb_on_exit(free, cases);
	for (size_t k = 0; k < nk; k++)
		for (size_t p = 0; p < np; p++)
			for (size_t l = 0; l < nl; l++, c++) {
				*c = (struct va_case){ .policy = policies[p],
						       .live = va_live_counts[l],
						       .max_pages = kinds[k].max_pages,
						       .replace = kinds[k].replace };
				snprintf(name, sizeof(name), "pgtable/%s/%s/pages:%s/live:%zu",
					 kinds[k].op, c->policy,
					 c->max_pages == 1 ? "1" : "1-16", c->live);
				iomb_bench_unit(iomb_register(name, bm_va_alloc_free, c), IOMB_NS);
			}
}

static void churn_free(void *arg)
{
	struct churn *c = arg;

	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void register_churn(void)
{
	char name[96];

	for (const char *const *p = vmap_policy_names(); *p; p++) {
		struct churn *c = bench_xcalloc(1, sizeof(*c));
		iomb_bench *b;

		c->policy = *p;
		pthread_mutex_init(&c->lock, NULL);
		iomb_on_exit(churn_free, c);
		snprintf(name, sizeof(name), "pgtable/churn/%s", c->policy);
		b = iomb_bench_real_time(iomb_bench_unit(iomb_register(name, bm_churn, c), IOMB_NS));
		iomb_bench_threads(b, 1);
		iomb_bench_threads(b, 2);
		iomb_bench_threads(b, 4);
	}
}

void pgtable_bench_register(void)
{
	register_fixed();
	register_va();
	register_churn();
}
