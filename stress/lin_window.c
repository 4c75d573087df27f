/* SPDX-License-Identifier: MIT */
/* Linearizability windows of `iomem stress`: beyond locktorture's checks, every so often
 * the supervisor parks every worker, snapshots the tree, lets a few tree workers run
 * LIN_QUOTA recorded iterations each concurrently, parks them again and checks that what
 * they saw is explained by some order of their ops that real time allows, replayed on the
 * sequential model (the rwlock backend's semantics; check/linearizability.h).
 * A window that is not linearizable fails the run and is written as an op-script. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check/linearizability.h"
#include "harness.h"
#include "report/atomic_file.h"
#include "scenarios/scenario.h"

#define PARK_STALL_NS		2000000000ULL	/* a worker busy in one long op: skip */
#define WINDOW_STALL_NS		20000000000ULL	/* no participant moves: a lost wake-up */
#define LIN_RING_CAPACITY	16

static bool is_tree_role(const struct worker *w)
{
	if (w->run->c->scenario)
		return scenario_role_records(w);
	return w->role == ROLE_READER || w->role == ROLE_CLAIMER || w->role == ROLE_MUXER;
}

int lin_window_setup(struct run *r)
{
	for (unsigned i = 0; i < r->nworkers; i++) {
		struct worker *w = &r->workers[i];

		if (!is_tree_role(w))
			continue;
		w->ring = aligned_alloc(64, sizeof(*w->ring));
		if (!w->ring || lin_ring_init(w->ring, (uint32_t)w->id, LIN_RING_CAPACITY) != 0) {
			free(w->ring);
			w->ring = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

void lin_window_teardown(struct run *r)
{
	for (unsigned i = 0; r->workers && i < r->nworkers; i++)
		if (r->workers[i].ring) {
			lin_ring_destroy(r->workers[i].ring);
			free(r->workers[i].ring);
			r->workers[i].ring = NULL;
		}
}

/* Window quota iterations still to run, over the live workers. */
static unsigned quota_left(struct run *r)
{
	unsigned left = 0;

	for (unsigned i = 0; i < r->nworkers; i++) {
		int q = atomic_load(&r->workers[i].lin_quota);

		if (q > 0 && !atomic_load(&r->workers[i].exited))
			left += (unsigned)q;
	}
	return left;
}

/* Waits until every live worker is parked and has spent its window quota: 0; -ETIMEDOUT
 * when nothing moved for stall_ns (no worker parked, finished or spent an iteration of
 * quota), or -ECANCELED when the run failed meanwhile. Bounded by a lack of progress, not
 * by time: a loaded machine makes the wait longer, never makes it fail. */
static int wait_quiet(struct run *r, uint64_t stall_ns)
{
	unsigned seen_parked = ~0u, seen_finished = ~0u, seen_left = ~0u;
	uint64_t deadline = 0;

	for (;;) {
		unsigned parked = atomic_load(&r->parked), finished = atomic_load(&r->finished);
		unsigned left = quota_left(r);

		if (parked + finished >= r->nworkers && left == 0)
			return 0;
		if (atomic_load(&r->failures))
			return -ECANCELED;
		if (parked != seen_parked || finished != seen_finished || left != seen_left) {
			seen_parked = parked;
			seen_finished = finished;
			seen_left = left;
			deadline = stress_now_ns() + stall_ns;
		} else if (stress_now_ns() > deadline) {
			return -ETIMEDOUT;
		}
		sched_yield();
	}
}

/* Up to LIN_PARTICIPANTS tree workers, taking turns from one window to the next. */
static unsigned choose(struct run *r, struct lin_ring **rings)
{
	unsigned n = 0;

	for (unsigned k = 0; k < r->nworkers && n < LIN_PARTICIPANTS; k++) {
		struct worker *w = &r->workers[(r->lin_next + k) % r->nworkers];

		if (w->ring && !atomic_load(&w->exited)) {
			rings[n++] = w->ring;
			atomic_store(&w->lin_quota, LIN_QUOTA);
		}
	}
	r->lin_next = (r->lin_next + 1) % r->nworkers;
	return n;
}

static void write_violation(struct run *r, const struct lin_state *init,
			    const struct lin_event *ev, size_t n, const struct lin_report *rep)
{
	const char *dir = r->c->failure_dir ? r->c->failure_dir : ".";
	char path[4096], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	snprintf(path, sizeof(path), "%s/stress-lin-%llu.iomem", dir,
		 (unsigned long long)r->c->seed);
	if (f) {
		lin_report_write(f, init, ev, n, rep);
		fclose(f);
	}
	if (!text || atomic_file_write_buf(path, text, len) != 0)
		snprintf(path, sizeof(path), "(could not be written)");
	free(text);
	run_fail(r, NULL, "a window of %zu concurrent ops is not linearizable; replay: "
		 "iomem script --backend rwlock %s", n, path);
}

void lin_window_run(struct run *r)
{
	struct lin_ring *rings[LIN_PARTICIPANTS];
	struct lin_event ev[LIN_WINDOW_MAX];
	struct lin_state *init = NULL;
	struct lin_report rep;
	unsigned nrings;
	size_t n = 0;
	int rc;

	if (atomic_load(&r->phase) != PHASE_RUN)
		return;
	atomic_store(&r->phase, PHASE_PAUSE);
	if (wait_quiet(r, PARK_STALL_NS) != 0 || lin_state_capture(r->t, &init) != 0) {
		r->lin_skipped++;
		goto resume;
	}
	nrings = choose(r, rings);
	lin_window_cut(rings, nrings);
	atomic_store(&r->phase, PHASE_LIN);
	rc = wait_quiet(r, WINDOW_STALL_NS);
	if (rc == -ETIMEDOUT)
		run_fail(r, NULL, "a linearizability window made no progress for %llu s: a thread "
			 "is stuck (a lost MUXED wake-up?)", WINDOW_STALL_NS / 1000000000ULL);
	if (rc)
		goto resume;
	atomic_store(&r->phase, PHASE_PAUSE);
	if (lin_window_collect(rings, nrings, ev, LIN_WINDOW_MAX, &n) != 0 ||
	    lin_check(init, ev, n, NULL, &rep) != 0) {
		r->lin_skipped++;
		goto resume;
	}
	r->lin_windows++;
	r->lin_ops += n;
	if (rep.verdict == LIN_UNKNOWN)
		r->lin_unknown++;
	else if (rep.verdict == LIN_VIOLATION)
		write_violation(r, init, ev, n, &rep);
resume:
	for (unsigned i = 0; i < r->nworkers; i++)
		atomic_store(&r->workers[i].lin_quota, 0);
	lin_state_free(init);
	if (atomic_load(&r->phase) != PHASE_STOP)
		atomic_store(&r->phase, PHASE_RUN);
}
