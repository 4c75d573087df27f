/* SPDX-License-Identifier: MIT */
/* Drivers binding and unbinding (prober.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prober.h"
#include "role_helpers.h"

#define BOUND_MAX 8		/* functions each prober keeps bound */
#define MAX_BARS 32		/* BARs of a function, at most */

/* A bound function: which of its BARs were claimed by their upper half only. */
struct binding {
	unsigned fn;
	uint32_t upper;
};

int probe_space_init(struct probe_space *ps)
{
	ps->bar_token = calloc(2 * (size_t)ps->l.nbars + 1, sizeof(*ps->bar_token));
	return ps->bar_token ? 0 : -ENOMEM;
}

void probe_space_free(struct probe_space *ps)
{
	layout_free(&ps->l);
	free(ps->bar_token);
	ps->bar_token = NULL;
}

bool probe_space_all_free(const struct probe_space *ps, char *why, size_t len)
{
	for (unsigned k = 0; k < 2 * ps->l.nbars; k++)
		if (atomic_load(&ps->bar_token[k])) {
			snprintf(why, len, "BAR %llx of %s still marked held after the run",
				 (unsigned long long)ps->l.bars[k / 2].start,
				 ps->l.fns[ps->l.bars[k / 2].fn].name);
			return false;
		}
	return true;
}

/* The range claimed of BAR k: whole, or its upper half; its first token's index. */
static unsigned claim_of(const struct probe_space *ps, unsigned k, bool upper,
			 resource_size_t *start, resource_size_t *size)
{
	const struct layout_bar *bar = &ps->l.bars[k];

	*size = upper ? bar->size / 2 : bar->size;
	*start = bar->start + bar->size - *size;
	return 2 * k + upper;
}

/* Releases the first n BARs of binding b, tokens cleared first. false after a failure. */
static bool release_bars(struct worker *w, const struct binding *b, unsigned n)
{
	struct probe_space *ps = w->run->scenario;
	const struct layout_fn *fn = &ps->l.fns[b->fn];

	for (unsigned i = 0; i < n; i++) {
		resource_size_t start, size;
		unsigned t = claim_of(ps, fn->first_bar + i, b->upper >> i & 1, &start, &size);
		int rc;

		/* Before the release: once the tree lets the range go, another holder's
		 * token may arrive, and must find 0 here. */
		for (; t < 2 * (fn->first_bar + i) + 2; t++) {
			unsigned mine = (unsigned)w->id + 1;

			atomic_compare_exchange_strong(&ps->bar_token[t], &mine, 0);
		}
		worker_note(w, "release 0x%llx 0x%llx", (unsigned long long)start,
			    (unsigned long long)size);
		rc = worker_release(w, start, size);
		if (rc) {
			run_fail(w->run, w, "release of %s's BAR %llx failed: %s", fn->name,
				 (unsigned long long)start, strerror(-rc));
			return false;
		}
	}
	return true;
}

/* Marks the halves of BAR k that [start, start + size) covers; false on a double grant. */
static bool mark(struct worker *w, unsigned k, unsigned t, resource_size_t start,
		 resource_size_t size)
{
	struct probe_space *ps = w->run->scenario;

	for (; t < 2 * k + 2; t++) {
		/* The token carries all the detector needs: nothing else is ordered by it. */
		unsigned token = atomic_exchange(&ps->bar_token[t], (unsigned)w->id + 1);
		const struct layout_bar *bar = &ps->l.bars[k];

		if (token) {
			/* What the other holder has of this half: its upper half, or all. */
			struct granted_claim a = { bar->start + bar->size / 2, bar->size / 2,
						   (int)token - 1, false };
			struct granted_claim b = { start, size, w->id, false };

			if (t % 2 == 0 || ps->bar_token[t - 1] == token) {
				a.start = bar->start;
				a.n = bar->size;
			}
			run_fail_witness(w->run, w, &a, &b, "double grant: BAR %llx of %s granted "
					 "to thread %d while thread %u held it",
					 (unsigned long long)bar->start, ps->l.fns[bar->fn].name,
					 w->id, token - 1);
			return false;
		}
	}
	return true;
}

/* A driver's probe of function f: every BAR claimed, or none (-EBUSY). 0, -EBUSY, or
 * another error after a failure. */
static int bind(struct worker *w, struct binding *b)
{
	struct probe_space *ps = w->run->scenario;
	const struct layout_fn *fn = &ps->l.fns[b->fn];
	unsigned n = 0;
	int rc = 0;

	b->upper = 0;
	for (; n < fn->nbars && n < MAX_BARS; n++) {
		unsigned k = fn->first_bar + n, t;
		bool upper = stress_below(&w->rng, 4) == 0;
		resource_size_t start, size;

		t = claim_of(ps, k, upper, &start, &size);
		worker_note(w, "request 0x%llx 0x%llx \"%s\"", (unsigned long long)start,
			    (unsigned long long)size, fn->driver);
		rc = worker_request(w, start, size, fn->driver, 0);
		if (rc)
			break;
		b->upper |= (uint32_t)upper << n;
		if (!mark(w, k, t, start, size))
			return -EEXIST;
	}
	if (rc && rc != -EBUSY) {
		run_fail(w->run, w, "request of %s's BAR %llx failed: %s", fn->name,
			 (unsigned long long)ps->l.bars[fn->first_bar + n].start, strerror(-rc));
		return rc;
	}
	if (rc && !release_bars(w, b, n))	/* devres unwinds a failed probe */
		return -EIO;
	return rc;
}

static bool held_by_me(const struct binding *held, unsigned n, unsigned f)
{
	for (unsigned i = 0; i < n; i++)
		if (held[i].fn == f)
			return true;
	return false;
}

void prober_loop(struct worker *w)
{
	struct probe_space *ps = w->run->scenario;
	struct binding held[BOUND_MAX + 1];
	unsigned nheld = 0, nfns = ps->l.nfns;
	struct timer tm = { 0 };

	for (uint64_t i = 0; keep_going(w, i) && nfns > BOUND_MAX; i++) {
		/* A window's iteration binds or unbinds, not both, so that it fits. */
		bool unbind_only = w->lin_on && nheld == BOUND_MAX;
		int rc;

		if (!unbind_only) {
			struct binding *b = &held[nheld];

			do
				b->fn = (unsigned)pick_index(w, nfns);
			while (held_by_me(held, nheld, b->fn));
			op_begin(w, &tm, i);
			rc = bind(w, b);
			op_end(w, &tm, OP_PROBE);
			if (rc == -EBUSY)
				w->fails[OP_PROBE]++;
			else if (rc)
				return;
			else
				nheld++;
		}
		if (nheld > BOUND_MAX || unbind_only) {
			unsigned k = (unsigned)stress_below(&w->rng, nheld);
			struct binding b = held[k];

			held[k] = held[--nheld];
			op_begin(w, &tm, i);
			if (!release_bars(w, &b, ps->l.fns[b.fn].nbars))
				return;
			op_end(w, &tm, OP_UNBIND);
		}
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	while (nheld) {	/* every driver unbound at the end */
		nheld--;
		if (!release_bars(w, &held[nheld], ps->l.fns[held[nheld].fn].nbars))
			return;
	}
}
