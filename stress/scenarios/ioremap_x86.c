/* SPDX-License-Identifier: MIT */
/* Scenario "ioremap-x86": what the resource tree costs the mapping path when every
 * ioremap first reads it, as x86's does (docs/scenarios/ioremap-x86.md, §5.4).
 *
 * Mappers map BARs of a server's PCI functions, alternating between two paths on the same
 * mapping space: x86's, where __ioremap_caller first runs __ioremap_check_mem, a
 * walk_mem_res over the whole range (busy IORESOURCE_MEM resources, §1.6) that refuses
 * System RAM; and the model's arm64 path, ioremap alone (§2.5). One map in sixteen aims at
 * RAM, which both paths must refuse. Claimers claim and release regions meanwhile, so
 * that the tree's lock is written while the mappers read it. Every mapping is translated
 * back and checked. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "role_helpers.h"
#include "scenario.h"

#define LIVE_MAPS 16	/* mappings each mapper keeps */

enum { KNOB_BLOCKS, KNOB_FUNCTIONS };

static const struct stress_knob knobs[] = {
	[KNOB_BLOCKS] = { "blocks", "memory blocks of 128 MiB below the 64-bit PCI windows",
			  8192, 0, LAYOUT_MAX_BLOCKS, NULL },
	[KNOB_FUNCTIONS] = { "functions", "PCI functions whose BARs are mapped", 256, 16,
			     LAYOUT_MAX_FUNCTIONS, NULL },
};

struct ioremap_x86 {
	struct layout l;
};

static int ioremap_build(struct run *r, char *err, size_t errlen)
{
	struct layout_spec spec = {
		.arch = LAYOUT_X86,
		.blocks = (unsigned)r->c->knob[KNOB_BLOCKS],
		.boot_ram_high = r->c->knob[KNOB_BLOCKS] ? 0 : 60ULL << 30,
		.functions = (unsigned)r->c->knob[KNOB_FUNCTIONS],
		.drivers_bound = true,
		.seed = r->c->seed,
	};
	struct ioremap_x86 *x = calloc(1, sizeof(*x));

	r->scenario = x;
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return layout_build(r->t, &spec, &x->l, err, errlen);
}

static void ioremap_destroy(struct run *r)
{
	struct ioremap_x86 *x = r->scenario;

	if (!x)
		return;
	layout_free(&x->l);
	free(x);
	r->scenario = NULL;
}

/* __ioremap_collect_map_flags, for what decides here: a busy System RAM resource in the
 * range makes the mapping a mapping of RAM, and refused. */
static int collect_map_flags(const struct resource *res, void *arg)
{
	if ((res->flags & IORESOURCE_SYSTEM_RAM) != IORESOURCE_SYSTEM_RAM)
		return 0;
	*(bool *)arg = true;
	return 1;
}

/* x86's __ioremap_caller: the tree's walk_mem_res over the range, then the mapping. */
static int ioremap_x86(struct run *r, uint64_t pa, uint64_t size, uint64_t *va)
{
	bool ram = false;

	iomem_walk_res_desc(r->t, IOMEM_ROOT_IOMEM, IORES_DESC_NONE,
			    IORESOURCE_MEM | IORESOURCE_BUSY, pa, pa + size - 1, collect_map_flags,
			    &ram);
	if (ram)
		return -EINVAL;
	return iomem_ioremap(r->m, pa, size, va);
}

struct map {
	uint64_t va, pa, size;
	unsigned slot;
};

/* A BAR of a random function, whole or a page-aligned part of it; or, one time in
 * sixteen, RAM: a memory block or the boot RAM. */
static bool pick_target(struct worker *w, uint64_t *pa, uint64_t *size)
{
	struct ioremap_x86 *x = w->run->scenario;
	const struct layout *l = &x->l;

	if (stress_below(&w->rng, 16) == 0) {
		uint64_t start = l->nblocks ? l->block_base + stress_below(&w->rng, l->nblocks) *
							      LAYOUT_BLOCK_SIZE
					    : l->ram_start;

		*pa = start + stress_below(&w->rng, 16) * 4096;
		*size = 4096 << stress_below(&w->rng, 4);
		return true;
	} else {
		const struct layout_bar *bar = &l->bars[stress_below(&w->rng, l->nbars)];
		uint64_t pages = bar->size / 4096, first = stress_below(&w->rng, 2) ? 0 :
							   stress_below(&w->rng, pages);

		*pa = bar->start + first * 4096;
		*size = (pages - first) * 4096;
		return false;
	}
}

/* The mapping must translate to its physical address, Device-nGnRE, anywhere inside. */
static bool verify(struct worker *w, const struct map *m)
{
	uint64_t off = stress_below(&w->rng, m->size);
	struct iomem_translation tr;
	int rc = iomem_translate(w->run->m, m->va + off, &tr);

	if (rc == 0 && tr.pa == m->pa + off && tr.attrindx == MT_DEVICE_nGnRE)
		return true;
	run_fail(w->run, w, "mapping va %llx of pa %llx translates at +%llx to %s %llx",
		 (unsigned long long)m->va, (unsigned long long)m->pa, (unsigned long long)off,
		 rc ? "a fault" : "pa", (unsigned long long)(rc ? 0 : tr.pa));
	return false;
}

static void mapper_loop(struct worker *w)
{
	struct run *r = w->run;
	struct map maps[LIVE_MAPS];
	struct timer tm = { 0 };

	memset(maps, 0, sizeof(maps));
	for (unsigned s = 0; s < LIVE_MAPS; s++)
		maps[s].slot = s;
	for (uint64_t i = 0; keep_going(w, i); i++) {
		struct map *m = &maps[i % LIVE_MAPS];
		bool x86 = (i + (uint64_t)w->role_id) % 2 == 0, ram;
		enum stress_op op = x86 ? OP_IOREMAP_X86 : OP_IOREMAP;
		int rc;

		if (m->va)
			worker_iounmap(w, &m->va, m->slot, &tm, i);
		ram = pick_target(w, &m->pa, &m->size);
		/* x86's walk only reads the tree: the replay maps. */
		worker_note(w, "ioremap 0x%llx 0x%llx dev as t%dm%u", (unsigned long long)m->pa,
			    (unsigned long long)m->size, w->id, m->slot);
		op_begin(w, &tm, i);
		rc = x86 ? ioremap_x86(r, m->pa, m->size, &m->va)
			 : iomem_ioremap(r->m, m->pa, m->size, &m->va);
		op_end(w, &tm, op);
		if (ram && rc != -EINVAL) {
			run_fail(r, w, "%s of System RAM at %llx gave %s, not a refusal",
				 x86 ? "x86's ioremap" : "ioremap", (unsigned long long)m->pa,
				 rc ? strerror(-rc) : "a mapping");
			if (!rc)
				worker_iounmap(w, &m->va, m->slot, &tm, i);
			break;
		}
		if (rc) {
			w->fails[op]++;
			m->va = 0;
			if (!ram && rc != -ENOMEM) {
				run_fail(r, w, "%s of a BAR at %llx failed: %s",
					 x86 ? "x86's ioremap" : "ioremap",
					 (unsigned long long)m->pa, strerror(-rc));
				break;
			}
			continue;
		}
		if (r->c->checks && !verify(w, m))
			break;
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	for (unsigned s = 0; s < LIVE_MAPS; s++)
		if (maps[s].va)
			worker_iounmap(w, &maps[s].va, maps[s].slot, &tm, 1);
}

static const struct scenario_role roles[] = {
	{ ROLE_MAPPER, 2, mapper_loop, false },
	{ ROLE_CLAIMER, 1, claimer_loop, true },
};

static const enum stress_op headline[] = { OP_IOREMAP_X86, OP_IOREMAP };

const struct stress_scenario scenario_ioremap_x86 = {
	.name = "ioremap-x86",
	.description = "mapping churn, every map first walking the tree as x86's ioremap does, "
		       "against the arm64 path beside it",
	SCENARIO_TABLE(knobs, knobs),
	SCENARIO_TABLE(roles, roles),
	SCENARIO_TABLE(headline, headline),
	.lin_every = 0.5,
	.build = ioremap_build,
	.destroy = ioremap_destroy,
	.check_end = NULL,
	.checks = "every map of a BAR translates back on both paths, every map of RAM is "
		  "refused on both",
};
