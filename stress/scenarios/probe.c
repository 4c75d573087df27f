/* SPDX-License-Identifier: MIT */
/* Scenario "probe": a boot-time probe storm on a two-socket server (docs/scenarios/probe.md,
 * §5.3).
 *
 * Probers bind drivers to random functions of the PCI hierarchy, claiming every BAR
 * (prober.c); two probers that pick the same function race for its BARs, and the loser
 * unwinds. Searchers do what request_free_mem_region did before it held the lock across
 * both steps: search downward from the top of the physical address space for 256 MiB
 * that region_intersects calls DISJOINT, then request it, and lose the race when another
 * searcher requested it in between. Hot-add threads allocate_resource BARs of hot-plugged
 * devices in a hot-plug aperture. Each grant of each kind marks the granules it covers
 * with its holder's token: no region may ever be granted twice, whatever a backend does
 * between a search and its request. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "prober.h"
#include "role_helpers.h"
#include "scenario.h"

#define MiB (1ULL << 20)
/* request_free_mem_region: PA_SECTION_SIZE steps down from 2^MAX_PHYSMEM_BITS (x86-64's
 * 46 with 4-level paging), for a ZONE_DEVICE range of two sections. */
#define FREE_TOP	(1ULL << 46)
#define FREE_ALIGN	(128 * MiB)
#define FREE_SIZE	(256 * MiB)
#define FREE_GRANULES	256u
#define FREE_BASE	(FREE_TOP - FREE_GRANULES * FREE_ALIGN)
#define FREE_HELD	4	/* ranges each searcher holds */
/* The hot-plug aperture: 1 MiB granules, BARs of 1 to 32 MiB. */
#define HOT_BASE	0x300000000000ULL
#define HOT_GRANULES	4096u
#define HOT_HELD	8	/* BARs each hot-add thread holds */

enum { KNOB_FUNCTIONS };

static const struct stress_knob knobs[] = {
	[KNOB_FUNCTIONS] = { "functions", "PCI functions of the two-socket server", 512, 16,
			     LAYOUT_MAX_FUNCTIONS, NULL },
};

struct probe {
	struct probe_space ps;		/* first: the probers' view */
	atomic_uint free_token[FREE_GRANULES];
	atomic_uint hot_token[HOT_GRANULES];
};

static int probe_build(struct run *r, char *err, size_t errlen)
{
	struct layout_spec spec = {
		.arch = LAYOUT_X86,
		.boot_ram_high = 60ULL << 30,
		.functions = (unsigned)r->c->knob[KNOB_FUNCTIONS],
		.seed = r->c->seed,
	};
	struct probe *p = calloc(1, sizeof(*p));
	int rc;

	r->scenario = p;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = layout_build(r->t, &spec, &p->ps.l, err, errlen);
	if (!rc && probe_space_init(&p->ps)) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (!rc && p->ps.l.top > HOT_BASE) {
		snprintf(err, errlen, "the PCI windows reach the hot-plug aperture");
		rc = -ENOSPC;
	}
	return rc;
}

static void probe_destroy(struct run *r)
{
	struct probe *p = r->scenario;

	if (!p)
		return;
	probe_space_free(&p->ps);
	free(p);
	r->scenario = NULL;
}

/* Marks granules [g, g + n) with w's token; a granule already marked is a double grant. */
static bool mark(struct worker *w, atomic_uint *tokens, unsigned g, unsigned n,
		 resource_size_t start, const char *what)
{
	for (unsigned i = g; i < g + n; i++) {
		/* The token carries all the detector needs: nothing else is ordered by it. */
		unsigned token = atomic_exchange(&tokens[i], (unsigned)w->id + 1);

		if (token) {
			run_fail(w->run, w, "double grant: %s at %llx granted to thread %d while "
				 "thread %u held it", what, (unsigned long long)start, w->id,
				 token - 1);
			return false;
		}
	}
	return true;
}

/* Before the region is given back: after, another holder's token may arrive. */
static void unmark(struct worker *w, atomic_uint *tokens, unsigned g, unsigned n)
{
	for (unsigned i = g; i < g + n; i++) {
		unsigned mine = (unsigned)w->id + 1;

		atomic_compare_exchange_strong(&tokens[i], &mine, 0);
	}
}

/* The first candidate from the top that region_intersects calls DISJOINT, or 0. */
static resource_size_t search_free(struct worker *w)
{
	for (resource_size_t addr = FREE_TOP - FREE_SIZE; addr >= FREE_BASE; addr -= FREE_ALIGN)
		if (iomem_region_intersects(w->run->t, IOMEM_ROOT_IOMEM, addr, FREE_SIZE, 0,
					    IORES_DESC_NONE) == REGION_DISJOINT)
			return addr;
	return 0;
}

static bool give_back_free(struct worker *w, resource_size_t addr)
{
	struct probe *p = w->run->scenario;
	int rc;

	unmark(w, p->free_token, (unsigned)((addr - FREE_BASE) / FREE_ALIGN),
	       FREE_SIZE / FREE_ALIGN);
	worker_note(w, "release 0x%llx 0x%llx", (unsigned long long)addr,
		    (unsigned long long)FREE_SIZE);
	rc = worker_release(w, addr, FREE_SIZE);
	if (rc)
		run_fail(w->run, w, "release of free region %llx failed: %s",
			 (unsigned long long)addr, strerror(-rc));
	return rc == 0;
}

/* request_free_mem_region as it was: the search under the read lock, the request under
 * the write lock, and nothing holding the two together. The searches are reads and are
 * not recorded in a window; the request is. */
static void searcher_loop(struct worker *w)
{
	struct probe *p = w->run->scenario;
	resource_size_t held[FREE_HELD + 1];
	unsigned nheld = 0;
	struct timer tm = { 0 };
	bool ok = true;

	for (uint64_t i = 0; ok && keep_going(w, i); i++) {
		resource_size_t addr;
		int rc = -ENOSPC;

		op_begin(w, &tm, i);
		addr = search_free(w);
		if (addr) {
			worker_note(w, "request 0x%llx 0x%llx \"hmm_dmirror\"",
				    (unsigned long long)addr, (unsigned long long)FREE_SIZE);
			rc = worker_request(w, addr, FREE_SIZE, "hmm_dmirror", 0);
		}
		op_end(w, &tm, OP_REQUEST_FREE);
		if (rc == -EBUSY || rc == -ENOSPC) {	/* lost the race, or no room */
			w->fails[OP_REQUEST_FREE]++;
		} else if (rc) {
			run_fail(w->run, w, "request of free region %llx failed: %s",
				 (unsigned long long)addr, strerror(-rc));
			return;
		} else {
			ok = mark(w, p->free_token, (unsigned)((addr - FREE_BASE) / FREE_ALIGN),
				  FREE_SIZE / FREE_ALIGN, addr, "free region");
			held[nheld++] = addr;
		}
		if (ok && nheld > FREE_HELD) {
			unsigned k = (unsigned)stress_below(&w->rng, nheld);

			addr = held[k];
			held[k] = held[--nheld];
			ok = give_back_free(w, addr);
		}
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	while (ok && nheld)
		ok = give_back_free(w, held[--nheld]);
}

/* allocate_resource and release_resource, recorded in a window. */
static int allocate(struct worker *w, resource_size_t size, resource_size_t *start)
{
	resource_size_t max = HOT_BASE + HOT_GRANULES * MiB - 1;
	unsigned long flags = IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64;
	struct lin_event *e;
	int rc;

	worker_note(w, "allocate 0x%llx 0x%llx 0x%llx 0x%llx \"0000:e1:00.0\" mem,prefetch,mem_64",
		    (unsigned long long)size, HOT_BASE, (unsigned long long)max,
		    (unsigned long long)size);
	if (!w->lin_on)
		return iomem_allocate_resource(w->run->t, IOMEM_ROOT_IOMEM, size, HOT_BASE, max,
					       size, "0000:e1:00.0", flags, start);
	e = lin_ring_begin(w->ring);
	lin_op_allocate(&e->op, IOMEM_ROOT_IOMEM, size, HOT_BASE, max, size, "0000:e1:00.0",
			flags);
	rc = recorded(w, e);
	*start = e->res.start;
	return rc;
}

static bool give_back_bar(struct worker *w, resource_size_t start, resource_size_t size)
{
	struct probe *p = w->run->scenario;
	int rc;

	unmark(w, p->hot_token, (unsigned)((start - HOT_BASE) / MiB), (unsigned)(size / MiB));
	worker_note(w, "remove 0x%llx 0x%llx", (unsigned long long)start,
		    (unsigned long long)(start + size - 1));
	if (w->lin_on) {
		struct lin_event *e = lin_ring_begin(w->ring);

		lin_op_remove(&e->op, IOMEM_ROOT_IOMEM, start, start + size - 1);
		rc = recorded(w, e);
	} else {
		rc = iomem_remove_resource(w->run->t, IOMEM_ROOT_IOMEM, start, start + size - 1);
	}
	if (rc)
		run_fail(w->run, w, "release of hot-added BAR %llx failed: %s",
			 (unsigned long long)start, strerror(-rc));
	return rc == 0;
}

/* Hot-added devices' BARs of 1 to 32 MiB, naturally aligned, from the aperture. */
static void hotadd_loop(struct worker *w)
{
	struct probe *p = w->run->scenario;
	struct { resource_size_t start, size; } held[HOT_HELD + 1];
	unsigned nheld = 0;
	struct timer tm = { 0 };
	bool ok = true;

	for (uint64_t i = 0; ok && keep_going(w, i); i++) {
		resource_size_t size = MiB << stress_below(&w->rng, 6), start = 0;
		int rc;

		op_begin(w, &tm, i);
		rc = allocate(w, size, &start);
		op_end(w, &tm, OP_ALLOCATE);
		if (rc == -EBUSY) {
			w->fails[OP_ALLOCATE]++;
		} else if (rc) {
			run_fail(w->run, w, "allocate_resource of %llx bytes failed: %s",
				 (unsigned long long)size, strerror(-rc));
			return;
		} else {
			ok = mark(w, p->hot_token, (unsigned)((start - HOT_BASE) / MiB),
				  (unsigned)(size / MiB), start, "hot-added BAR");
			held[nheld].start = start;
			held[nheld++].size = size;
		}
		if (ok && nheld > HOT_HELD) {
			unsigned k = (unsigned)stress_below(&w->rng, nheld);

			start = held[k].start;
			size = held[k].size;
			held[k] = held[--nheld];
			ok = give_back_bar(w, start, size);
		}
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	while (ok && nheld) {
		nheld--;
		ok = give_back_bar(w, held[nheld].start, held[nheld].size);
	}
}

static bool none_marked(const atomic_uint *tokens, unsigned n, const char *what, char *why,
			size_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (atomic_load(&tokens[i])) {
			snprintf(why, len, "a %s granule (%u) still marked held after the run",
				 what, i);
			return false;
		}
	return true;
}

static bool probe_check_end(struct run *r, char *why, size_t len)
{
	struct probe *p = r->scenario;

	return probe_space_all_free(&p->ps, why, len) &&
	       none_marked(p->free_token, FREE_GRANULES, "free region", why, len) &&
	       none_marked(p->hot_token, HOT_GRANULES, "hot-plug aperture", why, len);
}

static const struct scenario_role roles[] = {
	{ ROLE_PROBER, 2, prober_loop, true },
	{ ROLE_SEARCHER, 2, searcher_loop, true },
	{ ROLE_HOTADD, 1, hotadd_loop, true },
};

static const enum stress_op headline[] = { OP_PROBE, OP_REQUEST_FREE, OP_ALLOCATE };

const struct stress_scenario scenario_probe = {
	.name = "probe",
	.description = "drivers of a two-socket server's PCI functions claim their BARs in "
		       "parallel, beside request_free_mem_region and allocate_resource",
	SCENARIO_TABLE(knobs, knobs),
	SCENARIO_TABLE(roles, roles),
	SCENARIO_TABLE(headline, headline),
	.lin_every = 0.5,
	.build = probe_build,
	.destroy = probe_destroy,
	.check_end = probe_check_end,
	.checks = "no BAR, free region or hot-added BAR ever granted twice, every grant "
		  "given back",
};
