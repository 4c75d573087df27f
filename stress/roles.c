/* SPDX-License-Identifier: MIT */
/* The worker threads, one loop per role. Each op is counted; one in SAMPLE_EVERY is timed
 * (every one in open-loop mode) into the thread's own histogram. Checks that need no
 * quiet moment run inline: a double grant or a wrong translation is caught as it happens. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"

void worker_note(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	struct recent_op *op = &w->recent[w->nrecent++ % RECENT_OPS];

	op->ns = stress_now_ns();
	va_start(ap, fmt);
	vsnprintf(op->text, sizeof(op->text), fmt, ap);
	va_end(ap);
}

static void run_fail_v(struct run *r, struct worker *w, const struct granted_claim *a,
		       const struct granted_claim *b, const char *fmt, va_list ap)
{
	if (atomic_fetch_add(&r->failures, 1) != 0)
		return;
	vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
	if (a && b) {
		r->witness[0] = *a;
		r->witness[1] = *b;
	}
	r->failing_worker = w ? w->id : -1;
	atomic_store(&r->phase, PHASE_STOP);
}

void run_fail(struct run *r, struct worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run_fail_v(r, w, NULL, NULL, fmt, ap);
	va_end(ap);
}

void run_fail_witness(struct run *r, struct worker *w, const struct granted_claim *a,
		      const struct granted_claim *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run_fail_v(r, w, a, b, fmt, ap);
	va_end(ap);
}

/* Whether to go on: pauses through a stutter, stops at the end or at --ops. */
static void park(struct worker *w, bool on)
{
	if (w->parked != on) {
		w->parked = on;
		if (on)
			atomic_fetch_add(&w->run->parked, 1);
		else
			atomic_fetch_sub(&w->run->parked, 1);
	}
}

/* Whether to run another iteration; waits out pauses and the windows it is not part of.
 * Only here, between iterations, does a worker park: it then holds no MUXED region, so
 * nobody can sleep on it. A participant of a window leaves the park before taking its
 * quota, so the supervisor that sees every quota spent and every worker parked knows
 * the window is over. */
static bool keep_going(struct worker *w, uint64_t done)
{
	struct run *r = w->run;
	bool spent = r->c->ops && done >= r->c->ops;

	if (spent) {
		/* Out of the windows from here on; what follows the loop (giving claims
		 * back) writes the tree, so it too waits for a running phase. */
		atomic_store(&w->exited, true);
		atomic_store(&w->lin_quota, 0);
	}
	for (;;) {
		int phase = atomic_load(&r->phase);
		bool window = phase == PHASE_LIN && atomic_load(&w->lin_quota) > 0;

		if (phase == PHASE_RUN || phase == PHASE_STOP || window) {
			park(w, false);
			if (window)
				atomic_fetch_sub(&w->lin_quota, 1);
			w->lin_on = window;
			return phase != PHASE_STOP && !spent;
		}
		park(w, true);
		w->lin_on = false;
		sched_yield();
	}
}

/* A recorded op of a window: run through lin_op_apply, which calls the same API. */
static int recorded(struct worker *w, struct lin_event *e)
{
	lin_op_apply(w->run->t, &e->op, &e->res, false);
	lin_ring_end(w->ring, e);
	return e->res.ret;
}

/* iomem_request_region (blocking) and iomem_release_region, recorded in a window. */
static int worker_request(struct worker *w, resource_size_t start, resource_size_t n,
			  const char *name, unsigned long flags)
{
	struct lin_event *e;

	if (!w->lin_on)
		return iomem_request_region(w->run->t, IOMEM_ROOT_IOMEM, start, n, name, flags);
	e = lin_ring_begin(w->ring);
	lin_op_request(&e->op, IOMEM_ROOT_IOMEM, start, n, name, flags, true);
	return recorded(w, e);
}

static int worker_release(struct worker *w, resource_size_t start, resource_size_t n)
{
	struct lin_event *e;

	if (!w->lin_on)
		return iomem_release_region(w->run->t, IOMEM_ROOT_IOMEM, start, n);
	e = lin_ring_begin(w->ring);
	lin_op_release(&e->op, IOMEM_ROOT_IOMEM, start, n);
	return recorded(w, e);
}

static unsigned pick_op(struct worker *w, const enum stress_op *ops, unsigned n)
{
	unsigned total = 0, k;

	for (unsigned i = 0; i < n; i++)
		total += w->run->c->weight[ops[i]];
	if (!total)
		return ops[0];
	k = (unsigned)stress_below(&w->rng, total);
	for (unsigned i = 0; i < n; i++) {
		if (k < w->run->c->weight[ops[i]])
			return ops[i];
		k -= w->run->c->weight[ops[i]];
	}
	return ops[n - 1];
}

/* An index in [0, n) by the configured distribution. */
static uint64_t pick_index(struct worker *w, uint64_t n)
{
	struct run *r = w->run;

	switch (r->c->dist) {
	case DIST_ZIPF: {
		double u = (double)(stress_rand(&w->rng) >> 11) / (double)(1ULL << 53);
		uint64_t lo = 0, hi = CLAIM_SLOTS - 1;

		while (lo < hi) {	/* first slot whose cumulative weight reaches u */
			uint64_t mid = (lo + hi) / 2;

			if (r->zipf_cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo % n;
	}
	case DIST_HOTSPOT:	/* 90% of picks in the first 10% */
		if (stress_below(&w->rng, 10) != 0)
			return stress_below(&w->rng, n / 10 ? n / 10 : 1);
		return stress_below(&w->rng, n);
	default:
		return stress_below(&w->rng, n);
	}
}

struct timer {
	uint64_t t0, intended;
	bool on;
};

static void op_begin(struct worker *w, struct timer *tm, uint64_t done)
{
	tm->on = w->run->c->rate > 0 || done % SAMPLE_EVERY == 0;
	if (tm->on)
		tm->t0 = stress_now_ns();
}

static void op_end(struct worker *w, struct timer *tm, enum stress_op op)
{
	if (!atomic_load_explicit(&w->run->measuring, memory_order_relaxed))
		return;
	w->ops[op]++;
	if (!tm->on)
		return;
	if (tm->intended)	/* open loop: latency counts from when the op was due */
		hdr_record(w->hist[op], stress_now_ns() - tm->intended);
	else
		hdr_record(w->hist[op], stress_now_ns() - tm->t0);
}

/* Open loop (--rate): wait until the next op is due. */
static void pace(struct worker *w, struct timer *tm, uint64_t start, uint64_t i)
{
	uint64_t due;

	tm->intended = 0;
	if (w->run->c->rate <= 0)
		return;
	due = start + (uint64_t)((double)i * 1e9 / w->run->c->rate);
	while (stress_now_ns() < due)
		sched_yield();
	tm->intended = due;
}

static int count_cb(const struct resource *res, void *arg)
{
	(void)res;
	++*(unsigned *)arg;
	return 0;
}

static void reader_loop(struct worker *w)
{
	static const enum stress_op ops[] = { OP_INTERSECTS, OP_LOOKUP, OP_WALK };
	struct run *r = w->run;
	uint64_t start = stress_now_ns();
	struct timer tm = { 0 };

	for (uint64_t i = 0; keep_going(w, i); i++) {
		unsigned ram = (unsigned)pick_index(w, r->nram);
		resource_size_t lo = r->ram[ram].start, span = r->ram[ram].end - lo;
		resource_size_t off = stress_below(&w->rng, span);
		enum stress_op op = pick_op(w, ops, 3);
		struct resource res;
		unsigned n = 0;
		int rc;

		pace(w, &tm, start, i);
		op_begin(w, &tm, i);
		switch (op) {
		case OP_INTERSECTS: {
			resource_size_t size = stress_below(&w->rng, span - off) + 1;

			if (w->lin_on) {
				struct lin_event *e = lin_ring_begin(w->ring);

				lin_op_intersects(&e->op, IOMEM_ROOT_IOMEM, lo + off, size,
						  IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
				rc = recorded(w, e);
			} else {
				rc = iomem_region_intersects(r->t, IOMEM_ROOT_IOMEM, lo + off, size,
							     IORESOURCE_SYSTEM_RAM,
							     IORES_DESC_NONE);
			}
			op_end(w, &tm, op);
			if (rc != REGION_INTERSECTS)
				run_fail(r, w, "region_intersects inside System RAM %llx-%llx gave %d",
					 (unsigned long long)lo, (unsigned long long)r->ram[ram].end, rc);
			break;
		}
		case OP_LOOKUP:
			if (w->lin_on) {
				struct lin_event *e = lin_ring_begin(w->ring);

				lin_op_lookup(&e->op, IOMEM_ROOT_IOMEM, lo + off);
				rc = recorded(w, e);
				res.start = e->res.start;
				res.end = e->res.end;
			} else {
				rc = iomem_lookup(r->t, IOMEM_ROOT_IOMEM, lo + off, &res, NULL, 0);
			}
			op_end(w, &tm, op);
			if (rc != 0 || res.start > lo + off || res.end < lo + off)
				run_fail(r, w, "lookup of %llx in System RAM found nothing containing it",
					 (unsigned long long)(lo + off));
			break;
		default:
			iomem_walk_res_desc(r->t, IOMEM_ROOT_IOMEM, IORES_DESC_NONE,
					    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, ~0ULL,
					    count_cb, &n);
			op_end(w, &tm, op);
			if (n != r->nram)
				run_fail(r, w, "walk of System RAM found %u ranges, not %u", n, r->nram);
		}
		if ((i & 255) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
}

struct claim {
	unsigned slot, nslots;
	bool exclusive;
};

/* A claim slot's token: its holder (the low 16 bits, worker id + 1, so never 0) and the
 * holder's whole claim, so that whoever finds the slot taken knows the claim it hit. */
static unsigned claim_token(int owner, const struct claim *cl)
{
	return (cl->slot << 4 | cl->nslots << 1 | cl->exclusive) << 16 | (unsigned)(owner + 1);
}

static int token_owner(unsigned token)
{
	return (int)(token & 0xffff) - 1;
}

static struct claim token_claim(unsigned token)
{
	unsigned v = token >> 16;

	return (struct claim){ v >> 4, (v >> 1) & 7, v & 1 };
}

static struct granted_claim granted(const struct run *r, const struct claim *cl, int owner)
{
	return (struct granted_claim){ r->claim_base + cl->slot * CLAIM_SLOT,
				       cl->nslots * CLAIM_SLOT, owner, cl->exclusive };
}

/* Slot s of w's new claim was held under token: a double grant. The failure keeps both
 * claims, so that the replay script shows it on its own, whatever else the other threads
 * had in the tree then. */
static void double_grant(struct worker *w, const struct claim *mine, unsigned s,
			 unsigned token)
{
	struct run *r = w->run;
	struct claim theirs = token_claim(token);
	struct granted_claim a = granted(r, &theirs, token_owner(token)), b = granted(r, mine, w->id);

	run_fail_witness(r, w, &a, &b, "double grant: slot %llx granted to thread %d while "
			 "thread %d held it", (unsigned long long)(r->claim_base + s * CLAIM_SLOT),
			 w->id, token_owner(token));
}

/* Gives back one held claim, clearing its tokens first. false after a failure. */
static bool unclaim(struct worker *w, struct timer *tm, uint64_t i, const struct claim *cl)
{
	struct run *r = w->run;
	resource_size_t start = r->claim_base + cl->slot * CLAIM_SLOT, n = cl->nslots * CLAIM_SLOT;
	int rc;

	for (unsigned s = cl->slot; s < cl->slot + cl->nslots; s++)
		atomic_compare_exchange_strong(&r->tokens[s], &(unsigned){ claim_token(w->id, cl) }, 0);
	worker_note(w, "release 0x%llx 0x%llx", (unsigned long long)start, (unsigned long long)n);
	op_begin(w, tm, i);
	rc = worker_release(w, start, n);
	op_end(w, tm, OP_UNCLAIM);
	if (rc)
		run_fail(r, w, "release_region(%llx, %llx) of a granted claim failed: %s",
			 (unsigned long long)start, (unsigned long long)n, strerror(-rc));
	return rc == 0;
}

/* Claims 1..4 slots of the claims window and keeps up to LIVE_CLAIMS of them, releasing a
 * random one when over, as drivers hold their regions. Every slot granted carries the
 * claimer's token, so a grant overlapping a held claim is caught the moment it happens. */
static void claimer_loop(struct worker *w)
{
	struct run *r = w->run;
	struct timer tm = { 0 };
	struct claim held[LIVE_CLAIMS + 1];
	unsigned nheld = 0;

	for (uint64_t i = 0; keep_going(w, i); i++) {
		unsigned nslots = 1 + (unsigned)stress_below(&w->rng, 4);
		unsigned slot = (unsigned)pick_index(w, CLAIM_SLOTS - nslots + 1);
		resource_size_t start = r->claim_base + slot * CLAIM_SLOT, n = nslots * CLAIM_SLOT;
		unsigned long flags = stress_below(&w->rng, 8) == 0 ? IORESOURCE_EXCLUSIVE : 0;
		int rc;

		worker_note(w, "request 0x%llx 0x%llx \"claim%d\"%s", (unsigned long long)start,
			    (unsigned long long)n, w->id, flags ? " exclusive" : "");
		op_begin(w, &tm, i);
		rc = worker_request(w, start, n, "claim", flags);
		op_end(w, &tm, OP_CLAIM);
		if (rc == -EBUSY) {
			w->fails[OP_CLAIM]++;
		} else if (rc) {
			run_fail(r, w, "request_region(%llx, %llx) failed: %s", (unsigned long long)start,
				 (unsigned long long)n, strerror(-rc));
			break;
		} else {
			struct claim mine = { slot, nslots, flags != 0 };

			/* The token carries everything the detector needs in one word,
			 * so no other data has to be ordered by it. */
			for (unsigned s = slot; s < slot + nslots; s++) {
				unsigned token = atomic_exchange(&r->tokens[s],
								 claim_token(w->id, &mine));

				if (token)
					double_grant(w, &mine, s, token);
			}
			held[nheld++] = mine;
		}
		if (nheld > LIVE_CLAIMS) {
			unsigned k = (unsigned)stress_below(&w->rng, nheld);
			struct claim victim = held[k];

			held[k] = held[--nheld];
			if (!unclaim(w, &tm, i, &victim))
				break;
		}
		if ((i & 255) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	while (nheld)	/* the end state wants every claim given back */
		if (!unclaim(w, &tm, 0, &held[--nheld]))
			break;
}

/* K shared muxed regions, contended by the muxers assigned to each (round robin). */
static void muxer_loop(struct worker *w)
{
	struct run *r = w->run;
	unsigned k = (unsigned)w->role_id % r->c->muxed_regions;
	resource_size_t start = r->muxed_base + k * MUXED_SIZE;
	struct timer tm = { 0 };

	for (uint64_t i = 0; keep_going(w, i); i++) {
		int rc;

		worker_note(w, "request 0x%llx 0x%llx \"muxed%d\" muxed", (unsigned long long)start,
			    (unsigned long long)MUXED_SIZE, w->id);
		op_begin(w, &tm, i);
		rc = worker_request(w, start, MUXED_SIZE, "muxed", IORESOURCE_MUXED);
		op_end(w, &tm, OP_MUXED);
		if (rc) {
			run_fail(r, w, "muxed request of %llx failed: %s", (unsigned long long)start,
				 strerror(-rc));
			return;
		}
		if (atomic_fetch_add(&r->muxed_inside[k], 1) != 0)
			run_fail(r, w, "two holders inside muxed region %llx", (unsigned long long)start);
		if (r->c->hold_ns && r->c->hold_sleeps) {
			nanosleep(&(struct timespec){ .tv_sec = r->c->hold_ns / 1000000000u,
						      .tv_nsec = r->c->hold_ns % 1000000000u }, NULL);
		} else if (r->c->hold_ns) {
			stress_spin_ns(r->c->hold_ns);
		}
		atomic_fetch_sub(&r->muxed_inside[k], 1);
		worker_note(w, "release 0x%llx 0x%llx", (unsigned long long)start,
			    (unsigned long long)MUXED_SIZE);
		rc = worker_release(w, start, MUXED_SIZE);
		if (rc)
			run_fail(r, w, "release of held muxed region %llx failed", (unsigned long long)start);
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
}

struct mapping {
	uint64_t va, size, pa;
	unsigned attrindx, slot;
	bool linear;
};

/* A size from 4 KiB to 1 GiB, mostly small; 1 GiB always aligned (one block entry). */
static void pick_mapping(struct worker *w, uint64_t *pa, uint64_t *size)
{
	static const uint64_t sizes[] = { 1ULL << 12, 1ULL << 12, 1ULL << 12, 1ULL << 14,
					  1ULL << 16, 1ULL << 16, 1ULL << 21, 1ULL << 21,
					  1ULL << 20, 3ULL << 12 };
	uint64_t k = stress_below(&w->rng, 200);
	bool aligned = stress_below(&w->rng, 2);

	*size = k == 0 ? 1ULL << 30 : sizes[k % 10];
	*pa = MAP_PA_BASE + (stress_below(&w->rng, MAP_PA_SPAN >> 30) << 30);
	if (*size < (1ULL << 30) && !aligned)
		*pa += (1 + stress_below(&w->rng, 511)) << 12;
	if (stress_below(&w->rng, 16) == 0)
		*pa += stress_below(&w->rng, 4096);	/* not even page-aligned */
}

static void publish_map(struct published_map *p, const struct mapping *m)
{
	atomic_fetch_add_explicit(&p->seq, 1, memory_order_acq_rel);
	atomic_store_explicit(&p->va, m ? m->va : 0, memory_order_relaxed);
	atomic_store_explicit(&p->size, m ? m->size : 0, memory_order_relaxed);
	atomic_store_explicit(&p->pa, m ? m->pa : 0, memory_order_relaxed);
	atomic_store_explicit(&p->attrindx, m ? m->attrindx : 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->seq, 1, memory_order_release);
}

static bool verify_mapping(struct worker *w, const struct mapping *m)
{
	uint64_t off = stress_below(&w->rng, m->size);
	struct iomem_translation tr;
	int rc = iomem_translate(w->run->m, m->va + off, &tr);

	if (rc == 0 && tr.pa == m->pa + off && (m->linear || tr.attrindx == m->attrindx))
		return true;
	run_fail(w->run, w, "own mapping va %llx (pa %llx, %llu bytes) translates at +%llx to %s "
		 "%llx", (unsigned long long)m->va, (unsigned long long)m->pa,
		 (unsigned long long)m->size, (unsigned long long)off, rc ? "fault" : "pa",
		 (unsigned long long)(rc ? 0 : tr.pa));
	return false;
}

/* Makes one mapping; *op says which kind it was. */
static int map_one(struct worker *w, struct mapping *m, enum stress_op *op)
{
	static const enum stress_op kinds[] = { OP_IOREMAP, OP_MEMREMAP };
	static const struct { unsigned attrindx; const char *word; } variants[] = {
		{ MT_DEVICE_nGnRE, "dev" }, { MT_DEVICE_nGnRnE, "np" }, { MT_NORMAL_NC, "wc" },
	};
	struct run *r = w->run;
	unsigned v = (unsigned)stress_below(&w->rng, 3);
	int rc;

	pick_mapping(w, &m->pa, &m->size);
	m->linear = false;
	*op = pick_op(w, kinds, 2);
	if (*op == OP_MEMREMAP && stress_below(&w->rng, 2)) {	/* WB on RAM: the linear map */
		unsigned i = (unsigned)stress_below(&w->rng, r->nram);
		uint64_t span = r->ram[i].end - r->ram[i].start;

		m->pa = r->ram[i].start + stress_below(&w->rng, span / 2 + 1);
		m->size = 1 + stress_below(&w->rng, span / 2 < (1ULL << 20) ? span / 2 : 1ULL << 20);
		m->linear = true;
		worker_note(w, "memremap 0x%llx 0x%llx wb as t%dm%u", (unsigned long long)m->pa,
			    (unsigned long long)m->size, w->id, m->slot);
		return iomem_memremap(r->m, m->pa, m->size, MEMREMAP_WB, &m->va);
	}
	if (*op == OP_MEMREMAP) {
		m->attrindx = MT_NORMAL_NC;
		worker_note(w, "memremap 0x%llx 0x%llx wc as t%dm%u", (unsigned long long)m->pa,
			    (unsigned long long)m->size, w->id, m->slot);
		return iomem_memremap(r->m, m->pa, m->size, MEMREMAP_WC, &m->va);
	}
	m->attrindx = variants[v].attrindx;
	worker_note(w, "ioremap 0x%llx 0x%llx %s as t%dm%u", (unsigned long long)m->pa,
		    (unsigned long long)m->size, variants[v].word, w->id, m->slot);
	if (v == 0)
		rc = iomem_ioremap(r->m, m->pa, m->size, &m->va);
	else if (v == 1)
		rc = iomem_ioremap_np(r->m, m->pa, m->size, &m->va);
	else
		rc = iomem_ioremap_wc(r->m, m->pa, m->size, &m->va);
	return rc;
}

static void unmap_one(struct worker *w, struct mapping *m, struct published_map *p,
		      struct timer *tm, uint64_t i)
{
	int rc;

	if (p)
		publish_map(p, NULL);
	worker_note(w, "iounmap t%dm%u", w->id, m->slot);
	op_begin(w, tm, i);
	rc = iomem_iounmap(w->run->m, m->va);
	op_end(w, tm, OP_IOUNMAP);
	if (rc)
		run_fail(w->run, w, "iounmap of live mapping %llx failed: %s",
			 (unsigned long long)m->va, strerror(-rc));
	m->va = 0;
}

static void mapper_loop(struct worker *w)
{
	struct run *r = w->run;
	unsigned live = r->c->live_maps ? r->c->live_maps : 1;
	struct mapping maps[live];
	struct timer tm = { 0 };

	memset(maps, 0, sizeof(maps));
	for (unsigned s = 0; s < live; s++)
		maps[s].slot = s;
	for (uint64_t i = 0; keep_going(w, i); i++) {
		unsigned slot = (unsigned)(i % live);
		struct mapping *m = &maps[slot];
		struct published_map *p = &r->maps[(w->role_id * live + slot) % PUBLISHED_MAPS];
		bool mine = (w->role_id * live + slot) < PUBLISHED_MAPS;
		enum stress_op op;
		int rc;

		if (m->va)
			unmap_one(w, m, mine ? p : NULL, &tm, i);
		op_begin(w, &tm, i);
		rc = map_one(w, m, &op);
		op_end(w, &tm, op);
		if (rc) {
			w->fails[op]++;
			m->va = 0;
			continue;
		}
		if (r->c->checks && !verify_mapping(w, m))
			return;
		if (mine && !m->linear)
			publish_map(p, m);
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	for (unsigned s = 0; s < live; s++)
		if (maps[s].va) {
			struct published_map *p = &r->maps[(w->role_id * live + s) % PUBLISHED_MAPS];

			unmap_one(w, &maps[s], (w->role_id * live + s) < PUBLISHED_MAPS ? p : NULL,
				  &tm, 1);
		}
}

/* Translates inside mappings others published: while a mapping stays published (its
 * sequence unchanged across the walk) the walk must land exactly on its PA; a mapping
 * that changed meanwhile may give a fault or a new mapping, which is not checked. */
static void walker_loop(struct worker *w)
{
	struct run *r = w->run;
	struct timer tm = { 0 };

	for (uint64_t i = 0; keep_going(w, i); i++) {
		struct published_map *p = &r->maps[stress_below(&w->rng, PUBLISHED_MAPS)];
		uint64_t s1 = atomic_load_explicit(&p->seq, memory_order_acquire), s2;
		uint64_t va = atomic_load_explicit(&p->va, memory_order_relaxed);
		uint64_t size = atomic_load_explicit(&p->size, memory_order_relaxed);
		uint64_t pa = atomic_load_explicit(&p->pa, memory_order_relaxed);
		unsigned attr = atomic_load_explicit(&p->attrindx, memory_order_relaxed);
		uint64_t off = stress_below(&w->rng, size ? size : 1);
		struct iomem_translation tr;
		int rc;

		if (!va || (s1 & 1))
			va = VMALLOC_START + (stress_below(&w->rng, 1ULL << 30) << 12);
		op_begin(w, &tm, i);
		rc = iomem_translate(r->m, va + off, &tr);
		op_end(w, &tm, OP_TRANSLATE);
		/* A read-don't-modify-write: its release half keeps the walk's loads before
		 * it, which an acquire load would not (and TSan cannot see fences). */
		s2 = atomic_fetch_add_explicit(&p->seq, 0, memory_order_acq_rel);
		if (r->c->checks && size && !(s1 & 1) && s1 == s2 &&
		    (rc != 0 || tr.pa != pa + off || tr.attrindx != attr))
			run_fail(r, w, "walker: live mapping va %llx+%llx gave %s %llx (want pa %llx)",
				 (unsigned long long)va, (unsigned long long)off,
				 rc ? "fault" : "pa", (unsigned long long)(rc ? 0 : tr.pa),
				 (unsigned long long)(pa + off));
		if ((i & 255) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
}

static void pin(struct worker *w)
{
	const struct stress_config *c = w->run->c;
	cpu_set_t set;

	if (!c->ncpus)
		return;
	CPU_ZERO(&set);
	CPU_SET(c->cpus[w->id % c->ncpus], &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

void *worker_main(void *arg)
{
	struct worker *w = arg;

	pin(w);
	switch (w->role) {
	case ROLE_READER: reader_loop(w); break;
	case ROLE_CLAIMER: claimer_loop(w); break;
	case ROLE_MUXER: muxer_loop(w); break;
	case ROLE_MAPPER: mapper_loop(w); break;
	default: walker_loop(w); break;
	}
	atomic_store(&w->exited, true);		/* no window waits for it from here */
	atomic_store(&w->lin_quota, 0);
	atomic_fetch_add(&w->run->finished, 1);
	return NULL;
}
