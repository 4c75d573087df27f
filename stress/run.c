/* SPDX-License-Identifier: MIT */
/* One stress run per backend and repetition: build the tree and mapping space, start the
 * workers together, drive warm-up, stutter, progress and the periodic checks from the
 * main thread, stop them, check the end state, and hand the figures to the report. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "iomem/dump.h"
#include "report.h"
#include "report/atomic_file.h"

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double *zipf_cdf(unsigned n)
{
	double *cdf = malloc(n * sizeof(*cdf)), sum = 0;

	if (!cdf)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		cdf[i] = sum += 1.0 / (i + 1);
	for (unsigned i = 0; i < n; i++)
		cdf[i] /= sum;
	return cdf;
}

static int make_workers(struct run *r, uint64_t seed)
{
	unsigned n = 0, id = 0;

	for (int role = 0; role < NR_ROLES; role++)
		n += r->c->threads[role];
	r->workers = calloc(n, sizeof(*r->workers));
	if (!r->workers)
		return -ENOMEM;
	r->nworkers = n;
	for (int role = 0; role < NR_ROLES; role++)
		for (unsigned i = 0; i < r->c->threads[role]; i++, id++) {
			struct worker *w = &r->workers[id];

			w->run = r;
			w->role = role;
			w->id = (int)id;
			w->role_id = (int)i;
			w->rng = seed ^ (0x9e3779b97f4a7c15ULL * (id + 1));
			for (int op = 0; op < NR_OPS; op++)
				if (!(w->hist[op] = hdr_new()))
					return -ENOMEM;
		}
	return 0;
}

static void free_workers(struct run *r)
{
	lin_window_teardown(r);
	for (unsigned i = 0; r->workers && i < r->nworkers; i++)
		for (int op = 0; op < NR_OPS; op++)
			hdr_free(r->workers[i].hist[op]);
	free(r->workers);
	r->workers = NULL;
}

static uint64_t total_published(struct run *r)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < r->nworkers; i++)
		sum += atomic_load_explicit(&r->workers[i].published_ops, memory_order_relaxed);
	return sum;
}

static void progress(struct run *r, double elapsed, double total, double rate)
{
	fprintf(stderr, "\r%-7s [%5.1f/%5.1f s] %10.3g ops/s  failures %d   ", r->backend, elapsed,
		total, rate, atomic_load(&r->failures));
}

/* Drives the run from the main thread until the workers are to stop. */
static void supervise(struct run *r, struct run_figures *fig)
{
	const struct stress_config *c = r->c;
	double total = c->warmup + c->duration, t0 = stress_now_ns() / 1e9, last_tick = t0;
	double measure_start = t0, next_check = t0 + 0.25, stutter_at = t0 + c->stutter;
	double next_window = t0 + c->lin_every;
	uint64_t last_ops = 0;
	char why[256];

	for (;;) {
		double now;

		sleep_ms(20);
		now = stress_now_ns() / 1e9;
		if (c->interrupted && *c->interrupted) {
			fig->interrupted = true;
			break;
		}
		if (atomic_load(&r->phase) == PHASE_STOP)
			break;
		if (!atomic_load(&r->measuring) && now - t0 >= c->warmup) {
			atomic_store(&r->measuring, true);
			measure_start = now;
		}
		if (c->stutter > 0 && now >= stutter_at) {	/* run, then all pause together */
			bool paused = atomic_load(&r->phase) == PHASE_PAUSE;

			atomic_store(&r->phase, paused ? PHASE_RUN : PHASE_PAUSE);
			stutter_at = now + (paused ? c->stutter : c->stutter / 4);
		}
		if (c->checks && now >= next_check) {
			if (!check_tree_invariants(r, why, sizeof(why)))
				run_fail(r, NULL, "tree invariant broken: %s", why);
			next_check = now + 0.25;
		}
		if (c->checks && c->lin_every > 0 && now >= next_window) {
			lin_window_run(r);
			next_window = stress_now_ns() / 1e9 + c->lin_every;
		}
		if (now - last_tick >= 1.0) {
			uint64_t ops = total_published(r);

			report_add_tick(fig, (double)(ops - last_ops) / (now - last_tick));
			if (c->progress)
				progress(r, now - t0, total, (double)(ops - last_ops) / (now - last_tick));
			last_ops = ops;
			last_tick = now;
		}
		if (c->ops ? atomic_load(&r->finished) == r->nworkers : now - t0 >= total)
			break;
	}
	if (c->progress)
		fputs("\r\033[K", stderr);
	if (atomic_load(&r->phase) != PHASE_STOP)
		atomic_store(&r->phase, PHASE_STOP);
	fig->seconds += stress_now_ns() / 1e9 - measure_start;
}

static void join_workers(struct run *r)
{
	for (unsigned i = 0; i < r->nworkers; i++)
		if (r->workers[i].started)
			pthread_join(r->workers[i].thread, NULL);
}

static void collect(struct run *r, struct run_figures *fig)
{
	struct iomem_muxed_stats m;
	struct pgtable_stats pt;
	struct vmap_stats vs;

	for (unsigned i = 0; i < r->nworkers; i++)
		report_add_worker(fig, &r->workers[i]);
	iomem_tree_muxed_stats(r->t, &m);
	fig->muxed.sleeps += m.sleeps;
	fig->muxed.wakeups += m.wakeups;
	fig->muxed.spurious_wakeups += m.spurious_wakeups;
	fig->muxed.wake_calls += m.wake_calls;
	fig->muxed.wait_ns_total += m.wait_ns_total;
	if (m.wait_ns_max > fig->muxed.wait_ns_max)
		fig->muxed.wait_ns_max = m.wait_ns_max;
	pgtable_stats(iomem_mmu_pgtable(r->m), &pt);
	vmap_stats(iomem_mmu_vmap(r->m), &vs);
	fig->tlbi_pages += pt.tlbi_pages;
	fig->tlbi_all += pt.tlbi_all;
	fig->tlb_flushes += pt.tlb_flush_calls;
	fig->purges += vs.purges;
	fig->unmaps += vs.frees;
	fig->resources = iomem_count(r->t, IOMEM_ROOT_IOMEM);
	fig->lin_windows += r->lin_windows;
	fig->lin_ops += r->lin_ops;
	fig->lin_unknown += r->lin_unknown;
	fig->lin_skipped += r->lin_skipped;
	fig->runs++;
}

static int setup(struct run *r, char *err, size_t errlen)
{
	struct iomem_tree_opts topts = { .lock = r->c->lock, .muxed_wait = r->c->muxed_wait,
					 .lock_ops = perturb_lock_ops(r->c) };
	struct iomem_mmu_opts mopts = { .va_policy = r->c->va_policy, .va_lock = r->c->lock };
	int rc;

	r->t = iomem_tree_new(r->backend, &topts);
	if (!r->t) {
		snprintf(err, errlen, "cannot make a '%s' tree with lock '%s' and muxed wait '%s'",
			 r->backend, r->c->lock ? r->c->lock : "default",
			 r->c->muxed_wait ? r->c->muxed_wait : "global");
		return -errno;
	}
	rc = start_tree_build(r, err, errlen);
	if (rc)
		return rc;
	r->m = iomem_mmu_new(r->t, &mopts);
	if (!r->m) {
		snprintf(err, errlen, "cannot make the mapping space (VA policy '%s')",
			 r->c->va_policy ? r->c->va_policy : "global");
		return -errno;
	}
	if (r->c->dist == DIST_ZIPF && !(r->zipf_cdf = zipf_cdf(CLAIM_SLOTS)))
		return -ENOMEM;
	return 0;
}

static void teardown(struct run *r)
{
	iomem_mmu_free(r->m);
	iomem_tree_free(r->t);
	free(r->ram);
	free(r->zipf_cdf);
	r->m = NULL;
	r->t = NULL;
}

int run_once(const struct stress_config *c, const char *backend, char *start_dump,
	     uint64_t seed, struct run_figures *fig)
{
	struct run *r = calloc(1, sizeof(*r));
	long long before;
	char err[512], why[256];
	int rc;

	if (!r)
		return 2;
	r->c = c;
	r->backend = backend;
	r->start_dump = start_dump;
	r->failing_worker = -1;
	fig->seed = seed;
	rc = make_workers(r, seed);
	if (!rc && c->checks && c->lin_every > 0)
		rc = lin_window_setup(r);
	before = iomem_node_bytes();
	if (!rc)
		rc = setup(r, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "iomem stress: %s\n", rc == -ENOMEM ? "out of memory" : err);
		teardown(r);
		free_workers(r);
		free(r);
		return 2;
	}
	atomic_store(&r->measuring, c->warmup <= 0 || c->ops);
	for (unsigned i = 0; i < r->nworkers; i++)
		if (pthread_create(&r->workers[i].thread, NULL, worker_main, &r->workers[i]) == 0)
			r->workers[i].started = true;
		else
			run_fail(r, NULL, "cannot start thread %u", i);
	supervise(r, fig);
	join_workers(r);
	if (!atomic_load(&r->failures) && c->checks && !check_end_state(r, why, sizeof(why)))
		run_fail(r, NULL, "end state: %s", why);
	collect(r, fig);
	if (atomic_load(&r->failures)) {
		fig->failed = true;
		snprintf(fig->failure, sizeof(fig->failure), "%s", r->failure);
		write_replay(r, fig);
	}
	teardown(r);
	/* Teardown frees what the tree still links; a node dropped from it during the run
	 * without being freed is still counted here. */
	fig->leaked_bytes += iomem_node_bytes() - before;
	if (c->checks && !fig->failed && fig->leaked_bytes) {
		fig->failed = true;
		snprintf(fig->failure, sizeof(fig->failure),
			 "end state: %lld bytes of tree nodes leaked", fig->leaked_bytes);
	}
	free_workers(r);
	free(r);
	return fig->failed ? 1 : 0;
}
