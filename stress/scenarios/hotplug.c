/* SPDX-License-Identifier: MIT */
/* Scenario "hotplug": memory hotplug at scale (docs/scenarios/hotplug.md, §5.1).
 *
 * A machine of --blocks memory blocks of 128 MiB, each its own System RAM resource as
 * add_memory leaves it without MHP_MERGE_RESOURCE. Hotplug threads remove and re-add
 * their own blocks (register_memory_resource is a request_region of System RAM on the
 * root; removing a whole block releases exactly that resource). Readers ask what the
 * kernel's hot paths ask: region_intersects of System RAM (memremap, page_is_ram-like
 * checks) and walk_system_ram_range over random ranges of one to three blocks, half of
 * them next to the block a hotplug thread changed last. /proc/iomem readers print the
 * whole tree.
 *
 * Every block has a sequence word: odd while its hotplug thread changes it, and it tells
 * whether the block is online (seq / 2 even) or offline. A reader reads the words of the
 * blocks its range covers before and after its query; when none changed, the answer must
 * be exactly what those states give. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/names.h"
#include "layout.h"
#include "procfs_reader.h"
#include "ram_range.h"
#include "role_helpers.h"
#include "scenario.h"

#define MAX_OFFLINE	8	/* blocks each hotplug thread keeps offline at most */
#define MAX_SPAN	3	/* blocks a reader's range touches at most */
#define RECENT_SLOTS	64	/* hotplug threads whose last block readers aim at */

enum { KNOB_BLOCKS, KNOB_ARCH };

static const char *const arches[] = { "x86", "arm64", NULL };

static const struct stress_knob knobs[] = {
	[KNOB_BLOCKS] = { "blocks", "memory blocks of 128 MiB, each a System RAM resource",
			  1u << 15, 1, LAYOUT_MAX_BLOCKS, NULL },
	[KNOB_ARCH] = { "arch", "the layout around them: x86 or arm64", 0, 0, 1, arches },
};

struct hotplug {
	struct layout l;
	atomic_uint *seq;			/* per block */
	atomic_uint recent[RECENT_SLOTS];	/* per hotplug thread: its last block */
};

static bool online(unsigned seq)
{
	return (seq >> 1 & 1) == 0;
}

static int hotplug_build(struct run *r, char *err, size_t errlen)
{
	const struct stress_config *c = r->c;
	struct layout_spec spec = {
		.arch = c->knob[KNOB_ARCH] ? LAYOUT_ARM64 : LAYOUT_X86,
		.blocks = (unsigned)c->knob[KNOB_BLOCKS],
		.functions = 16,
		.drivers_bound = true,
		.seed = c->seed,
	};
	struct hotplug *h = calloc(1, sizeof(*h));
	int rc;

	r->scenario = h;
	if (!h)
		goto oom;
	rc = layout_build(r->t, &spec, &h->l, err, errlen);
	if (rc)
		return rc;
	h->seq = calloc(h->l.nblocks, sizeof(*h->seq));
	if (!h->seq)
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

static void hotplug_destroy(struct run *r)
{
	struct hotplug *h = r->scenario;

	if (!h)
		return;
	layout_free(&h->l);
	free(h->seq);
	free(h);
	r->scenario = NULL;
}

static resource_size_t block_start(const struct hotplug *h, unsigned b)
{
	return h->l.block_base + (resource_size_t)b * LAYOUT_BLOCK_SIZE;
}

/* add_memory or remove_memory of block b by its owner. false after a failure. */
static bool change_block(struct worker *w, unsigned b, bool add, struct timer *tm, uint64_t i)
{
	struct hotplug *h = w->run->scenario;
	resource_size_t start = block_start(h, b);
	int rc;

	/* Odd from here to the change's end. An RMW, acq_rel: against a reader's closing
	 * RMW on the word (see reader_check), one of the two comes first, and whichever
	 * does sees the other's side of the tree. */
	atomic_fetch_add_explicit(&h->seq[b], 1, memory_order_acq_rel);
	worker_note(w, add ? "request 0x%llx 0x%llx \"System RAM\" system_ram"
			   : "release 0x%llx 0x%llx", (unsigned long long)start,
		    (unsigned long long)LAYOUT_BLOCK_SIZE);
	op_begin(w, tm, i);
	if (add)
		rc = worker_request(w, start, LAYOUT_BLOCK_SIZE, "System RAM",
				    IORESOURCE_SYSTEM_RAM);
	else
		rc = worker_release(w, start, LAYOUT_BLOCK_SIZE);
	op_end(w, tm, add ? OP_ADD_MEMORY : OP_REMOVE_MEMORY);
	/* Even again; release: a reader that sees this value sees the change. */
	atomic_fetch_add_explicit(&h->seq[b], 1, memory_order_release);
	/* Relaxed: only a hint to readers of where to look. */
	atomic_store_explicit(&h->recent[w->role_id % RECENT_SLOTS], b, memory_order_relaxed);
	if (rc)
		run_fail(w->run, w, "%s of memory block %u (%llx) failed: %s",
			 add ? "add_memory" : "remove_memory", b, (unsigned long long)start,
			 strerror(-rc));
	return rc == 0;
}

/* Blocks role_id, role_id + n, ... are this thread's alone: it takes up to MAX_OFFLINE of
 * them offline and brings them back, and at the end every one is online again. */
static void hotplug_loop(struct worker *w)
{
	struct hotplug *h = w->run->scenario;
	unsigned n = w->run->c->threads[ROLE_HOTPLUG], me = (unsigned)w->role_id;
	unsigned own = h->l.nblocks > me ? (h->l.nblocks - me + n - 1) / n : 0;
	unsigned offline[MAX_OFFLINE], noff = 0, cap = own < MAX_OFFLINE ? own : MAX_OFFLINE;
	struct timer tm = { 0 };
	bool ok = true;

	for (uint64_t i = 0; keep_going(w, i) && ok; i++) {
		bool add = noff == cap || (noff && stress_below(&w->rng, 2));
		unsigned b;

		if (!own)
			continue;
		if (add) {
			unsigned k = (unsigned)stress_below(&w->rng, noff);

			b = offline[k];
			offline[k] = offline[--noff];
		} else {
			do
				b = me + n * (unsigned)stress_below(&w->rng, own);
			while (!online(atomic_load_explicit(&h->seq[b], memory_order_relaxed)));
			offline[noff++] = b;
		}
		ok = change_block(w, b, add, &tm, i);
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	while (ok && noff)
		ok = change_block(w, offline[--noff], true, &tm, 1);
}

/* A range of whole pages over one to MAX_SPAN blocks from block *first. */
static void pick_range(struct worker *w, unsigned *first, unsigned *last,
		       resource_size_t *start, resource_size_t *size)
{
	struct hotplug *h = w->run->scenario;
	unsigned nb = h->l.nblocks, nhot = w->run->c->threads[ROLE_HOTPLUG];
	unsigned b, span = 1 + (unsigned)stress_below(&w->rng, MAX_SPAN);
	resource_size_t pages = LAYOUT_BLOCK_SIZE / RAM_PAGE, lo, hi;

	if (nhot && stress_below(&w->rng, 2)) {	/* where a hotplug thread just was */
		unsigned slot = (unsigned)stress_below(&w->rng, nhot < RECENT_SLOTS ? nhot
										  : RECENT_SLOTS);

		b = atomic_load_explicit(&h->recent[slot], memory_order_relaxed);
		b = b >= span / 2 ? b - span / 2 : 0;
	} else {
		b = (unsigned)pick_index(w, nb);
	}
	if (b + span > nb)
		span = nb - b;
	lo = stress_below(&w->rng, pages);
	hi = (span - 1) * pages + stress_below(&w->rng, pages);
	if (hi < lo)
		hi = lo;
	*first = b;
	*last = b + span - 1;
	*start = block_start(h, b) + lo * RAM_PAGE;
	*size = (hi - lo + 1) * RAM_PAGE;
}

/* What the states of blocks first..last say: the answer of each query over the range. */
static void expected(struct hotplug *h, const unsigned *seq, unsigned first, unsigned last,
		     resource_size_t start, resource_size_t size, int *region, struct ram_pages *p)
{
	resource_size_t end = start + size - 1;

	*region = REGION_DISJOINT;
	p->pages = p->hits = 0;
	for (unsigned b = first; b <= last; b++) {
		resource_size_t bs = block_start(h, b), be = bs + LAYOUT_BLOCK_SIZE - 1;

		if (!online(seq[b - first]))
			continue;
		*region = REGION_INTERSECTS;	/* offline blocks' holes count for nothing */
		p->hits++;
		p->pages += ((be < end ? be : end) - (bs > start ? bs : start) + 1) / RAM_PAGE;
	}
}

static void reader_loop(struct worker *w)
{
	static const enum stress_op ops[] = { OP_INTERSECTS, OP_RAM_RANGE };
	struct run *r = w->run;
	struct hotplug *h = r->scenario;
	struct timer tm = { 0 };

	for (uint64_t i = 0; keep_going(w, i); i++) {
		unsigned first, last, before[MAX_SPAN], after[MAX_SPAN];
		enum stress_op op = pick_op(w, ops, 2);
		resource_size_t start, size;
		struct ram_pages got = { 0 }, want;
		int rc = 0, region;
		bool stable = true;

		pick_range(w, &first, &last, &start, &size);
		for (unsigned b = first; b <= last; b++)
			before[b - first] = atomic_load_explicit(&h->seq[b], memory_order_acquire);
		op_begin(w, &tm, i);
		if (op == OP_INTERSECTS && w->lin_on) {
			struct lin_event *e = lin_ring_begin(w->ring);

			lin_op_intersects(&e->op, IOMEM_ROOT_IOMEM, start, size,
					  IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
			rc = recorded(w, e);
		} else if (op == OP_INTERSECTS) {
			rc = iomem_region_intersects(r->t, IOMEM_ROOT_IOMEM, start, size,
						     IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
		} else {
			ram_range_walk(r->t, start, start + size - 1, &got);
		}
		op_end(w, &tm, op);
		/* An RMW that changes nothing: its release half keeps the query's loads
		 * before it, and against the hotplug thread's opening RMW one of the two
		 * comes first (an acquire load would order neither). */
		for (unsigned b = first; b <= last; b++) {
			after[b - first] = atomic_fetch_add_explicit(&h->seq[b], 0,
								     memory_order_acq_rel);
			stable &= !(before[b - first] & 1) && before[b - first] == after[b - first];
		}
		if ((i & 255) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
		if (!stable || !r->c->checks)
			continue;
		expected(h, before, first, last, start, size, &region, &want);
		if (op == OP_INTERSECTS && rc != region)
			run_fail(r, w,
				 "region_intersects(%llx, %llx, System RAM) over blocks %u-%u "
				 "gave %s, not %s",
				 (unsigned long long)start, (unsigned long long)size, first, last,
				 iomem_region_name(rc), iomem_region_name(region));
		else if (op == OP_RAM_RANGE && (got.pages != want.pages || got.hits != want.hits))
			run_fail(r, w,
				 "walk_system_ram_range(%llx, %llx) over blocks %u-%u found %llu "
				 "pages in %llu ranges, not %llu in %llu",
				 (unsigned long long)start, (unsigned long long)size, first, last,
				 got.pages, got.hits, want.pages, want.hits);
	}
}

/* Every block back online, as the tree printed as it started says for the tree. */
static bool hotplug_check_end(struct run *r, char *why, size_t len)
{
	struct hotplug *h = r->scenario;

	for (unsigned b = 0; b < h->l.nblocks; b++) {
		unsigned seq = atomic_load(&h->seq[b]);

		if ((seq & 1) || !online(seq)) {
			snprintf(why, len, "memory block %u is %s after the run", b,
				 seq & 1 ? "still changing" : "offline");
			return false;
		}
	}
	return true;
}

static const struct scenario_role roles[] = {
	{ ROLE_HOTPLUG, 1, hotplug_loop, true },
	{ ROLE_READER, 2, reader_loop, true },
	{ ROLE_PROCFS, 1, procfs_reader_loop, false },
};

static const struct scenario_weight mix[] = {
	{ OP_INTERSECTS, 3 }, { OP_RAM_RANGE, 1 },
};

static const enum stress_op headline[] = { OP_INTERSECTS, OP_RAM_RANGE };

const struct stress_scenario scenario_hotplug = {
	.name = "hotplug",
	.description = "memory blocks, each its own System RAM resource, added and removed "
		       "while readers ask region_intersects and walk_system_ram_range",
	SCENARIO_TABLE(knobs, knobs),
	SCENARIO_TABLE(roles, roles),
	SCENARIO_TABLE(mix, mix),
	SCENARIO_TABLE(headline, headline),
	.lin_every = 0.5,
	.build = hotplug_build,
	.destroy = hotplug_destroy,
	.check_end = hotplug_check_end,
	.checks = "every add and remove succeeds, every reader's answer over blocks that "
		  "did not change matches their states, every /proc/iomem read is a tree",
};
