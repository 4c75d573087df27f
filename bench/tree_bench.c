/* SPDX-License-Identifier: MIT */
/* Family "tree": single operations on flat trees.
 *
 *   tree/<op>/<backend>/n:<N>   op in lookup, intersects, request_release, insert_remove, walk
 *                               N in 10^2 .. 10^6, every backend of iomem_backend_names()
 *
 * The tree is flat_tree.h's: N sibling regions under the iomem root with a free gap after
 * each. One tree per (backend, N) is built on first use, shared by the ops, and freed at
 * exit.
 *
 *   lookup           iomem_lookup of a pseudo-random address in [BASE, BASE + N*STRIDE)
 *                    (half land in a region, half in a gap)
 *   intersects       iomem_region_intersects of a random region, IORESOURCE_MEM, DESC_NONE
 *                    (expects REGION_INTERSECTS)
 *   request_release  iomem_request_region + iomem_release_region of a random whole gap
 *   insert_remove    iomem_insert_resource + iomem_remove_resource of a random whole gap
 *   walk             iomem_walk_res_desc(IORESOURCE_MEM, DESC_NONE) over a window of
 *                    min(64, N) consecutive regions at a random place (the label says how
 *                    many)
 *
 * One iteration is one op (request_release and insert_remove: the pair; walk: the whole
 * walk). Items are ops, except for walk, where they are the regions reported to the
 * callback. Counters (the same in every run, as the CSV reporter wants): `n`, and
 * `ns_per_item`, the wall time per item (for walk: the cost per callback). Random inputs
 * come from a fixed-seed xorshift, precomputed outside the timed loop. When registered
 * with threads, each thread takes its own gaps.
 *
 * Run time: nothing is capped or skipped. The linear backends (rwlock, rcu) take 1.5-6 ms
 * per op at N = 10^6 and 100-200 ms per walk there (the kernel's find_next_iomem_res,
 * which the walk calls once per region, starts a pre-order search from the root each
 * time), so Google Benchmark runs those points for few iterations (10 walks, a few hundred
 * ops) within its min_time. The whole family takes about 95 s at the default min_time
 * (0.5 s) and about 10 s with --benchmark_min_time=0.05, tree builds included.
 */
#include "families.h"
#include "gbench.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "flat_tree.h"
#include "iomem/iomem.h"
#include "iomem/names.h"

#define NR_SAMPLES	4096u		/* power of two */
#define BATCH		16u		/* ops per keep_running for the cheap ops */
#define WALK_SPAN	64u		/* regions per walk (fewer when N is smaller) */

static const size_t tree_sizes[] = { 100, 1000, 10000, 100000, 1000000 };

enum tree_op { OP_LOOKUP, OP_INTERSECTS, OP_REQUEST_RELEASE, OP_INSERT_REMOVE, OP_WALK, NR_OPS };

static const char *const op_names[NR_OPS] = {
	[OP_LOOKUP] = "lookup",
	[OP_INTERSECTS] = "intersects",
	[OP_REQUEST_RELEASE] = "request_release",
	[OP_INSERT_REMOVE] = "insert_remove",
	[OP_WALK] = "walk",
};

struct tree_fixture {
	char *backend;
	size_t n;
	bool built;
	char errmsg[160];		/* set when the build failed */
	struct iomem_tree *t;
	resource_size_t addrs[NR_SAMPLES];	/* lookup addresses */
	uint32_t idx[NR_SAMPLES];		/* region / gap indices in [0, n) */
};

struct tree_case {
	struct tree_fixture *fx;
	enum tree_op op;
};

static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

static void fixture_build(struct tree_fixture *fx)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ fx->n;
	char err[128];

	fx->t = flat_tree_build(fx->backend, fx->n, "bench", err, sizeof(err));
	if (!fx->t) {
		snprintf(fx->errmsg, sizeof(fx->errmsg), "%s n:%zu: %s", fx->backend, fx->n, err);
		return;
	}
	for (unsigned i = 0; i < NR_SAMPLES; i++) {
		fx->addrs[i] = FLAT_BASE + bench_xorshift64(&seed) % ((resource_size_t)fx->n *
								      FLAT_STRIDE);
		fx->idx[i] = (uint32_t)(bench_xorshift64(&seed) % fx->n);
	}
}

/* The built fixture, or NULL after skip_with_error. */
static struct tree_fixture *fixture_get(iomb_state *st, struct tree_fixture *fx)
{
	pthread_mutex_lock(&build_lock);
	if (!fx->built) {
		fixture_build(fx);
		fx->built = true;
	}
	pthread_mutex_unlock(&build_lock);
	if (!fx->t) {
		iomb_skip_with_error(st, fx->errmsg);
		return NULL;
	}
	return fx;
}

static void fixture_free(void *arg)
{
	struct tree_fixture *fx = arg;

	iomem_tree_free(fx->t);
	free(fx->backend);
	free(fx);
}

static void bm_lookup(iomb_state *st, struct tree_fixture *fx)
{
	struct iomem_tree *t = fx->t;
	unsigned k = (unsigned)iomb_thread_index(st) * 997u;
	struct resource res;

	while (iomb_keep_running_batch(st, BATCH)) {
		for (unsigned i = 0; i < BATCH; i++, k++) {
			int rc = iomem_lookup(t, IOMEM_ROOT_IOMEM, fx->addrs[k & (NR_SAMPLES - 1)],
					      &res, NULL, 0);
			if (rc && rc != -ENOENT) {
				bench_skip_errno(st, "iomem_lookup", rc);
				return;
			}
			iomb_do_not_optimize(&res);
		}
	}
}

static void bm_intersects(iomb_state *st, struct tree_fixture *fx)
{
	struct iomem_tree *t = fx->t;
	unsigned k = (unsigned)iomb_thread_index(st) * 997u;

	while (iomb_keep_running_batch(st, BATCH)) {
		for (unsigned i = 0; i < BATCH; i++, k++) {
			resource_size_t s = flat_region_start(fx->idx[k & (NR_SAMPLES - 1)]);
			int rc = iomem_region_intersects(t, IOMEM_ROOT_IOMEM, s, FLAT_REGION_SIZE,
							 IORESOURCE_MEM, IORES_DESC_NONE);
			if (rc != REGION_INTERSECTS) {
				char msg[96];

				snprintf(msg, sizeof(msg), "iomem_region_intersects: %s",
					 rc < 0 ? iomem_errno_name(rc) : iomem_region_name(rc));
				iomb_skip_with_error(st, msg);
				return;
			}
		}
	}
}

/* The k-th random gap, made disjoint between threads: gap % threads == thread index. */
static size_t thread_gap(iomb_state *st, const struct tree_fixture *fx, unsigned k)
{
	size_t threads = (size_t)iomb_threads(st), tid = (size_t)iomb_thread_index(st);
	size_t g = fx->idx[k & (NR_SAMPLES - 1)];

	g = g - g % threads + tid;
	return g >= fx->n ? g - threads : g;
}

static void bm_request_release(iomb_state *st, struct tree_fixture *fx)
{
	struct iomem_tree *t = fx->t;
	unsigned k = (unsigned)iomb_thread_index(st) * 997u;

	while (iomb_keep_running(st)) {
		resource_size_t s = flat_gap_start(thread_gap(st, fx, k++));
		int rc = iomem_request_region(t, IOMEM_ROOT_IOMEM, s, FLAT_GAP_SIZE, "bench-req", 0);

		if (rc) {
			bench_skip_errno(st, "iomem_request_region", rc);
			return;
		}
		rc = iomem_release_region(t, IOMEM_ROOT_IOMEM, s, FLAT_GAP_SIZE);
		if (rc) {
			bench_skip_errno(st, "iomem_release_region", rc);
			return;
		}
	}
}

static void bm_insert_remove(iomb_state *st, struct tree_fixture *fx)
{
	struct iomem_tree *t = fx->t;
	unsigned k = (unsigned)iomb_thread_index(st) * 997u;

	while (iomb_keep_running(st)) {
		resource_size_t s = flat_gap_start(thread_gap(st, fx, k++));
		resource_size_t e = s + FLAT_GAP_SIZE - 1;
		int rc = iomem_insert_resource(t, IOMEM_ROOT_IOMEM, s, e, "bench-ins",
					       IORESOURCE_MEM, IORES_DESC_NONE);

		if (rc) {
			bench_skip_errno(st, "iomem_insert_resource", rc);
			return;
		}
		rc = iomem_remove_resource(t, IOMEM_ROOT_IOMEM, s, e);
		if (rc) {
			bench_skip_errno(st, "iomem_remove_resource", rc);
			return;
		}
	}
}

static int walk_count(const struct resource *res, void *arg)
{
	(void)res;
	++*(size_t *)arg;
	return 0;
}

/* Items: regions reported to the callback. */
static uint64_t bm_walk(iomb_state *st, struct tree_fixture *fx)
{
	struct iomem_tree *t = fx->t;
	size_t span = fx->n < WALK_SPAN ? fx->n : WALK_SPAN, nr_windows = fx->n - span + 1;
	unsigned k = (unsigned)iomb_thread_index(st) * 997u;

	while (iomb_keep_running(st)) {
		size_t w = fx->idx[k++ & (NR_SAMPLES - 1)] % nr_windows, seen = 0;
		int rc = iomem_walk_res_desc(t, IOMEM_ROOT_IOMEM, IORES_DESC_NONE, IORESOURCE_MEM,
					     flat_region_start(w),
					     flat_region_start(w + span) - 1, walk_count, &seen);

		if (rc) {
			bench_skip_errno(st, "iomem_walk_res_desc", rc);
			return 0;
		}
		if (seen != span) {
			iomb_skip_with_error(st, "iomem_walk_res_desc: wrong number of regions");
			return 0;
		}
	}
	return iomb_iterations(st) * span;
}

/* Runs the op's loop; the items it processed (see the header comment). */
static uint64_t run_op(iomb_state *st, struct tree_fixture *fx, enum tree_op op)
{
	switch (op) {
	case OP_LOOKUP: bm_lookup(st, fx); break;
	case OP_INTERSECTS: bm_intersects(st, fx); break;
	case OP_REQUEST_RELEASE: bm_request_release(st, fx); break;
	case OP_INSERT_REMOVE: bm_insert_remove(st, fx); break;
	case OP_WALK: return bm_walk(st, fx);
	case NR_OPS: break;
	}
	return iomb_iterations(st);
}

static void bm_tree(iomb_state *st, void *arg)
{
	struct tree_case *c = arg;
	struct tree_fixture *fx = fixture_get(st, c->fx);
	uint64_t t0, items;

	if (!fx)
		return;
	t0 = bench_now_ns();
	items = run_op(st, fx, c->op);
	if (iomb_error_occurred(st))
		return;
	iomb_set_counter(st, "n", (double)fx->n, IOMB_COUNTER_AVG_THREADS);
	iomb_set_counter(st, "ns_per_item",
			 items ? (double)(bench_now_ns() - t0) / (double)items : 0,
			 IOMB_COUNTER_AVG_THREADS);
	iomb_set_items_processed(st, (int64_t)items);
	if (c->op == OP_WALK) {
		char label[48];

		snprintf(label, sizeof(label), "%zu regions per walk",
			 fx->n < WALK_SPAN ? fx->n : WALK_SPAN);
		iomb_set_label(st, label);
	}
}

void tree_bench_register(void)
{
	const char *const *backends = iomem_backend_names();
	const size_t nr_sizes = sizeof(tree_sizes) / sizeof(tree_sizes[0]);
	size_t nr_backends = bench_nr_backends();

	if (!nr_backends)
		return;

	/* One fixture per (backend, N), shared by the ops. */
	struct tree_fixture **fxs = bench_xcalloc(nr_backends * nr_sizes, sizeof(*fxs));
	struct tree_case *cases = bench_xcalloc(NR_OPS * nr_backends * nr_sizes, sizeof(*cases));

	iomb_on_exit(free, fxs);
	iomb_on_exit(free, cases);
	for (size_t b = 0; b < nr_backends; b++) {
		for (size_t z = 0; z < nr_sizes; z++) {
			struct tree_fixture *fx = bench_xcalloc(1, sizeof(*fx));

			fx->backend = bench_xstrdup(backends[b]);
			fx->n = tree_sizes[z];
			fxs[b * nr_sizes + z] = fx;
			iomb_on_exit(fixture_free, fx);
		}
	}

	struct tree_case *c = cases;

	for (int op = 0; op < NR_OPS; op++) {
		for (size_t b = 0; b < nr_backends; b++) {
			for (size_t z = 0; z < nr_sizes; z++, c++) {
				char name[128];

				c->fx = fxs[b * nr_sizes + z];
				c->op = (enum tree_op)op;
				snprintf(name, sizeof(name), "tree/%s/%s/n:%zu", op_names[op],
					 backends[b], c->fx->n);
				iomb_bench_unit(iomb_register(name, bm_tree, c), IOMB_NS);
			}
		}
	}
}
