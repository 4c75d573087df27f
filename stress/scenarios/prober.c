/* SPDX-License-Identifier: MIT */
/* Drivers binding and unbinding (prober.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prober.h"
#include "role_helpers.h"

#define BOUND_MAX 8		/* functions each prober keeps bound */

int probe_space_init(struct probe_space *ps)
{
	ps->bar_token = calloc(ps->l.nbars + 1, sizeof(*ps->bar_token));
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
	for (unsigned k = 0; k < ps->l.nbars; k++)
		if (atomic_load(&ps->bar_token[k])) {
			snprintf(why, len, "BAR %llx of %s still marked held after the run",
				 (unsigned long long)ps->l.bars[k].start,
				 ps->l.fns[ps->l.bars[k].fn].name);
			return false;
		}
	return true;
}

/* Releases the first n BARs of function f, tokens cleared first. false after a failure. */
static bool release_bars(struct worker *w, unsigned f, unsigned n)
{
	struct probe_space *ps = w->run->scenario;
	const struct layout_fn *fn = &ps->l.fns[f];

	for (unsigned k = fn->first_bar; k < fn->first_bar + n; k++) {
		const struct layout_bar *bar = &ps->l.bars[k];
		unsigned mine = (unsigned)w->id + 1;
		int rc;

		/* Before the release: once the tree lets the BAR go, another holder's token
		 * may arrive, and must find 0 here. */
		atomic_compare_exchange_strong(&ps->bar_token[k], &mine, 0);
		worker_note(w, "release 0x%llx 0x%llx", (unsigned long long)bar->start,
			    (unsigned long long)bar->size);
		rc = worker_release(w, bar->start, bar->size);
		if (rc) {
			run_fail(w->run, w, "release of %s's BAR %llx failed: %s", fn->name,
				 (unsigned long long)bar->start, strerror(-rc));
			return false;
		}
	}
	return true;
}

/* A driver's probe of function f: every BAR claimed, or none (-EBUSY). 0, -EBUSY, or
 * another error after a failure. */
static int bind(struct worker *w, unsigned f)
{
	struct probe_space *ps = w->run->scenario;
	const struct layout_fn *fn = &ps->l.fns[f];
	unsigned n = 0;
	int rc = 0;

	for (; n < fn->nbars; n++) {
		unsigned k = fn->first_bar + n, token;
		const struct layout_bar *bar = &ps->l.bars[k];

		worker_note(w, "request 0x%llx 0x%llx \"%s\"", (unsigned long long)bar->start,
			    (unsigned long long)bar->size, fn->driver);
		rc = worker_request(w, bar->start, bar->size, fn->driver, 0);
		if (rc)
			break;
		/* The token carries all the detector needs: nothing else is ordered by it. */
		token = atomic_exchange(&ps->bar_token[k], (unsigned)w->id + 1);
		if (token) {
			struct granted_claim a = { bar->start, bar->size, (int)token - 1, false };
			struct granted_claim b = { bar->start, bar->size, w->id, false };

			run_fail_witness(w->run, w, &a, &b, "double grant: BAR %llx of %s granted to "
					 "thread %d while thread %u held it",
					 (unsigned long long)bar->start, fn->name, w->id, token - 1);
			return -EEXIST;
		}
	}
	if (rc && rc != -EBUSY) {
		run_fail(w->run, w, "request of %s's BAR %llx failed: %s", fn->name,
			 (unsigned long long)ps->l.bars[fn->first_bar + n].start, strerror(-rc));
		return rc;
	}
	if (rc && !release_bars(w, f, n))	/* devres unwinds a failed probe */
		return -EIO;
	return rc;
}

static bool held_by_me(const unsigned *held, unsigned n, unsigned f)
{
	for (unsigned i = 0; i < n; i++)
		if (held[i] == f)
			return true;
	return false;
}

void prober_loop(struct worker *w)
{
	struct probe_space *ps = w->run->scenario;
	unsigned held[BOUND_MAX + 1], nheld = 0, nfns = ps->l.nfns;
	struct timer tm = { 0 };

	for (uint64_t i = 0; keep_going(w, i) && nfns > BOUND_MAX; i++) {
		/* A window's iteration binds or unbinds, not both, so that it fits. */
		bool unbind_only = w->lin_on && nheld == BOUND_MAX;
		unsigned f;
		int rc;

		if (!unbind_only) {
			do
				f = (unsigned)pick_index(w, nfns);
			while (held_by_me(held, nheld, f));
			op_begin(w, &tm, i);
			rc = bind(w, f);
			op_end(w, &tm, OP_PROBE);
			if (rc == -EBUSY)
				w->fails[OP_PROBE]++;
			else if (rc)
				return;
			else
				held[nheld++] = f;
		}
		if (nheld > BOUND_MAX || unbind_only) {
			unsigned k = (unsigned)stress_below(&w->rng, nheld);

			f = held[k];
			held[k] = held[--nheld];
			op_begin(w, &tm, i);
			if (!release_bars(w, f, ps->l.fns[f].nbars))
				return;
			op_end(w, &tm, OP_UNBIND);
		}
		if ((i & 63) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	while (nheld) {	/* every driver unbound at the end */
		unsigned f = held[--nheld];

		if (!release_bars(w, f, ps->l.fns[f].nbars))
			return;
	}
}
