/* SPDX-License-Identifier: MIT */
/* Scenario "cxl": CXL memory built and torn down layer by layer under its windows while
 * readers ask region_intersects across the layers (docs/scenarios/cxl.md, §5.2, §1.5).
 *
 * Each "CXL Window N" (desc CXL, under the root, from the start) has four region slots.
 * A slot climbs and falls one layer at a time, as the drivers do it:
 *   1 region: the cxl region driver's insert_resource of "regionN" under the window;
 *   2 dax:    dax/kmem's claim of the range, flags System RAM and not busy, so that the
 *             memory it adds can nest below it;
 *   3 kmem:   add_memory_driver_managed's request_region of "System RAM (kmem)", which
 *             descends through window, region and dax;
 * and back down by release_mem_region_adjustable, release of the claim, remove_resource.
 * Readers ask region_intersects(System RAM) and walk_system_ram_range over ranges whose
 * ends fall on the layers' edges (or a page beside them), straddling layers and windows,
 * and compare each answer over windows that did not change meanwhile with what §1.5 and
 * §1.6 give for those windows' states, computed here from the states alone. Before
 * v6.12, region_intersects looked at the root's children only and called RAM below a
 * window DISJOINT; CVE-2024-49878. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cxl_model.h"
#include "iomem/names.h"
#include "layout.h"
#include "ram_range.h"
#include "role_helpers.h"
#include "scenario.h"

enum { KNOB_WINDOWS };

static const struct stress_knob knobs[] = {
	[KNOB_WINDOWS] = { "windows", "CXL windows of 64 GiB, four region slots each", 8, 1, 64,
			   NULL },
};

struct cxl {
	struct layout l;
	atomic_uint *state;	/* per window */
};

static int cxl_build(struct run *r, char *err, size_t errlen)
{
	struct layout_spec spec = {
		.arch = LAYOUT_X86,
		.boot_ram_high = 28ULL << 30,
		.cxl_windows = (unsigned)r->c->knob[KNOB_WINDOWS],
		.functions = 64,
		.drivers_bound = true,
		.seed = r->c->seed,
	};
	struct cxl *x = calloc(1, sizeof(*x));
	int rc;

	r->scenario = x;
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = layout_build(r->t, &spec, &x->l, err, errlen);
	if (!rc && !(x->state = calloc(x->l.ncxl, sizeof(*x->state)))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	return rc;
}

static void cxl_destroy(struct run *r)
{
	struct cxl *x = r->scenario;

	if (!x)
		return;
	layout_free(&x->l);
	free(x->state);
	free(x);
	r->scenario = NULL;
}

/* --- Builders. */

static int insert_recorded(struct worker *w, resource_size_t start, resource_size_t end,
			   const char *name, unsigned long flags)
{
	struct lin_event *e;

	worker_note(w, "insert 0x%llx 0x%llx \"%s\" 0x%lx", (unsigned long long)start,
		    (unsigned long long)end, name, flags);
	if (!w->lin_on)
		return iomem_insert_resource(w->run->t, IOMEM_ROOT_IOMEM, start, end, name, flags,
					     IORES_DESC_NONE);
	e = lin_ring_begin(w->ring);
	lin_op_insert(&e->op, IOMEM_ROOT_IOMEM, start, end, name, flags, IORES_DESC_NONE);
	return recorded(w, e);
}

static int remove_recorded(struct worker *w, resource_size_t start, resource_size_t end)
{
	struct lin_event *e;

	worker_note(w, "remove 0x%llx 0x%llx", (unsigned long long)start,
		    (unsigned long long)end);
	if (!w->lin_on)
		return iomem_remove_resource(w->run->t, IOMEM_ROOT_IOMEM, start, end);
	e = lin_ring_begin(w->ring);
	lin_op_remove(&e->op, IOMEM_ROOT_IOMEM, start, end);
	return recorded(w, e);
}

static const char *cxl_level_name(enum cxl_level lv)
{
	static const char *const names[] = { "nothing", "region", "dax", "kmem" };

	return names[lv];
}

/* Slot k of window wi one layer up or down. false after a failure. */
static bool step(struct worker *w, unsigned wi, unsigned k, bool up, struct timer *tm,
		 uint64_t i)
{
	struct cxl *x = w->run->scenario;
	unsigned old = atomic_load_explicit(&x->state[wi], memory_order_relaxed);
	enum cxl_level lv = cxl_slot_level(old, k), to = up ? lv + 1 : lv - 1;
	resource_size_t rs = cxl_region_start(x->l.cxl_base, wi, k), re = rs + CXL_REGION_SIZE - 1;
	resource_size_t de = re - CXL_DAX_TAIL;
	char name[32];
	int rc;

	/* Changing from here; an RMW, acq_rel: against a reader's closing RMW on the word,
	 * one of the two comes first, and whichever does sees the other's side. */
	atomic_fetch_or_explicit(&x->state[wi], CXL_STATE_CHANGING, memory_order_acq_rel);
	op_begin(w, tm, i);
	switch (up ? to : lv) {
	case CXL_REGION:
		snprintf(name, sizeof(name), "region%u", wi * CXL_SLOTS + k);
		rc = up ? insert_recorded(w, rs, re, name, IORESOURCE_MEM)
			: remove_recorded(w, rs, re);
		break;
	case CXL_DAX:
		snprintf(name, sizeof(name), "dax%u.0", wi * CXL_SLOTS + k);
		rc = up ? insert_recorded(w, rs, de, name, IORESOURCE_SYSTEM_RAM)
			: remove_recorded(w, rs, de);
		break;
	default:
		worker_note(w, up ? "request 0x%llx 0x%llx \"System RAM (kmem)\" 0x%lx"
				  : "release 0x%llx 0x%llx", (unsigned long long)rs,
			    (unsigned long long)(de - rs + 1),
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_SYSRAM_DRIVER_MANAGED);
		rc = up ? worker_request(w, rs, de - rs + 1, "System RAM (kmem)",
					 IORESOURCE_SYSTEM_RAM | IORESOURCE_SYSRAM_DRIVER_MANAGED)
			: worker_release(w, rs, de - rs + 1);
	}
	op_end(w, tm, up ? OP_CXL_BUILD : OP_CXL_TEARDOWN);
	/* Unchanging again, with the new levels and a new count; release: a reader that
	 * reads this value sees the change. */
	atomic_store_explicit(&x->state[wi], cxl_state_set(old, k, to), memory_order_release);
	if (rc)
		run_fail(w->run, w, "CXL window %u slot %u: %s to %s failed: %s", wi, k,
			 up ? "up" : "down", cxl_level_name(to), strerror(-rc));
	return rc == 0;
}

/* Windows role_id, role_id + n, ... are this thread's alone; at the end they are empty. */
static void builder_loop(struct worker *w)
{
	struct cxl *x = w->run->scenario;
	unsigned n = w->run->c->threads[ROLE_CXL], me = (unsigned)w->role_id;
	unsigned own = x->l.ncxl > me ? (x->l.ncxl - me + n - 1) / n : 0;
	struct timer tm = { 0 };
	bool ok = true;

	for (uint64_t i = 0; ok && keep_going(w, i); i++) {
		unsigned wi, k, state;
		enum cxl_level lv;

		if (!own)
			continue;
		wi = me + n * (unsigned)stress_below(&w->rng, own);
		k = (unsigned)stress_below(&w->rng, CXL_SLOTS);
		state = atomic_load_explicit(&x->state[wi], memory_order_relaxed);
		lv = cxl_slot_level(state, k);
		ok = step(w, wi, k, lv == CXL_NONE || (lv != CXL_KMEM && stress_below(&w->rng, 2)),
			  &tm, i);
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	for (unsigned j = 0; ok && j < own; j++)
		for (unsigned k = 0; ok && k < CXL_SLOTS; k++)
			while (ok &&
			       cxl_slot_level(atomic_load(&x->state[me + n * j]), k) != CXL_NONE)
				ok = step(w, me + n * j, k, false, &tm, 1);
}

/* --- Readers. */

/* An edge of a layer of window wi, or a page beside it. */
static resource_size_t edge(struct worker *w, unsigned wi)
{
	struct cxl *x = w->run->scenario;
	unsigned k = (unsigned)stress_below(&w->rng, CXL_SLOTS + 1);
	resource_size_t at = cxl_region_start(x->l.cxl_base, wi, k);
	uint64_t pick = stress_below(&w->rng, 8);

	if (k < CXL_SLOTS && pick >= 4)	/* where the slot's dax ends */
		at += CXL_REGION_SIZE - CXL_DAX_TAIL;
	if (pick % 4 == 1)
		at -= RAM_PAGE;
	else if (pick % 4 == 2)
		at += RAM_PAGE;
	else if (pick % 4 == 3)		/* somewhere inside the layer */
		at += stress_below(&w->rng, CXL_REGION_SIZE / RAM_PAGE) * RAM_PAGE;
	return at;
}

static void reader_loop(struct worker *w)
{
	static const enum stress_op ops[] = { OP_INTERSECTS, OP_RAM_RANGE };
	struct run *r = w->run;
	struct cxl *x = r->scenario;
	resource_size_t lo = x->l.cxl_base, hi = lo + x->l.ncxl * LAYOUT_CXL_WINDOW_SIZE - 1;
	struct timer tm = { 0 };

	for (uint64_t i = 0; keep_going(w, i); i++) {
		unsigned wi = (unsigned)stress_below(&w->rng, x->l.ncxl), before[4], after[4];
		unsigned wj = wi + 1 < x->l.ncxl && stress_below(&w->rng, 4) == 0 ? wi + 1 : wi;
		resource_size_t a = edge(w, wi), b = edge(w, wj), start, end;
		enum stress_op op = pick_op(w, ops, 2);
		struct ram_pages pages = { 0 };
		unsigned first, last;
		bool stable = true;
		int rc = 0;

		/* At least a page, inside the windows: what follows them is not theirs. */
		start = a < b ? a : b;
		end = (a < b ? b : a) - 1;
		start = start < lo ? lo : start > hi + 1 - RAM_PAGE ? hi + 1 - RAM_PAGE : start;
		end = end < start + RAM_PAGE - 1 ? start + RAM_PAGE - 1 : end > hi ? hi : end;
		first = (unsigned)((start - lo) / LAYOUT_CXL_WINDOW_SIZE);
		last = (unsigned)((end - lo) / LAYOUT_CXL_WINDOW_SIZE);
		for (unsigned v = first; v <= last; v++)
			before[v - first] =
				atomic_load_explicit(&x->state[v], memory_order_acquire);
		op_begin(w, &tm, i);
		if (op == OP_INTERSECTS && w->lin_on) {
			struct lin_event *e = lin_ring_begin(w->ring);

			lin_op_intersects(&e->op, IOMEM_ROOT_IOMEM, start, end - start + 1,
					  IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
			rc = recorded(w, e);
		} else if (op == OP_INTERSECTS) {
			rc = iomem_region_intersects(r->t, IOMEM_ROOT_IOMEM, start, end - start + 1,
						     IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
		} else {
			ram_range_walk(r->t, start, end, &pages);
		}
		op_end(w, &tm, op);
		/* An RMW that changes nothing: its release half keeps the query's loads
		 * before it; an acquire load would not order against the builder's RMW. */
		for (unsigned v = first; v <= last; v++) {
			after[v - first] = atomic_fetch_add_explicit(&x->state[v], 0,
								     memory_order_acq_rel);
			stable &= !(before[v - first] & CXL_STATE_CHANGING) &&
				  before[v - first] == after[v - first];
		}
		if ((i & 255) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
		if (!stable || !r->c->checks)
			continue;
		if (op == OP_INTERSECTS) {
			int want = cxl_expected_intersects(x->l.cxl_base, first, last, before,
							   start, end);

			if (rc != want)
				run_fail(r, w,
					 "region_intersects(%llx-%llx, System RAM) across CXL "
					 "windows %u-%u gave %s, not %s",
					 (unsigned long long)start, (unsigned long long)end, first,
					 last, iomem_region_name(rc), iomem_region_name(want));
		} else {
			unsigned long long want =
				cxl_expected_pages(x->l.cxl_base, first, last, before, start, end);

			if (pages.pages != want)
				run_fail(r, w,
					 "walk_system_ram_range(%llx-%llx) across CXL windows "
					 "%u-%u found %llu pages, not %llu",
					 (unsigned long long)start, (unsigned long long)end, first,
					 last, pages.pages, want);
		}
	}
}

static bool cxl_check_end(struct run *r, char *why, size_t len)
{
	struct cxl *x = r->scenario;

	for (unsigned wi = 0; wi < x->l.ncxl; wi++) {
		unsigned state = atomic_load(&x->state[wi]);

		if (state & (CXL_STATE_GEN - 1)) {
			snprintf(why, len, "CXL window %u is not empty after the run", wi);
			return false;
		}
	}
	return true;
}

static const struct scenario_role roles[] = {
	{ ROLE_CXL, 2, builder_loop, true },
	{ ROLE_READER, 2, reader_loop, true },
};

static const struct scenario_weight mix[] = {
	{ OP_INTERSECTS, 3 }, { OP_RAM_RANGE, 1 },
};

static const enum stress_op headline[] = { OP_INTERSECTS, OP_CXL_BUILD, OP_CXL_TEARDOWN };

const struct stress_scenario scenario_cxl = {
	.name = "cxl",
	.description = "CXL regions, dax devices and kmem System RAM built and torn down "
		       "under their windows while region_intersects straddles the layers",
	SCENARIO_TABLE(knobs, knobs),
	SCENARIO_TABLE(roles, roles),
	SCENARIO_TABLE(mix, mix),
	SCENARIO_TABLE(headline, headline),
	.lin_every = 0.5,
	.build = cxl_build,
	.destroy = cxl_destroy,
	.check_end = cxl_check_end,
	.checks = "every layer's build and teardown succeeds, every answer over windows "
		  "that did not change is the one §1.5 and §1.6 give for their states",
};
