/* SPDX-License-Identifier: MIT */
/* Family "tree_mem": memory per resource.
 *
 *   tree_mem/<backend>/n:100000
 *
 * Fills an empty tree with flat_tree.h's N = 10^5 sibling regions named "bench" and
 * reports what the node allocator's live bytes (jemalloc's stats.allocated, through
 * iomem_allocated_bytes) grew by once the backend's deferred frees have landed, per
 * resource, next to the kernel's struct resource:
 *
 *   bytes_per_resource            (allocated_after - allocated_before) / N
 *   kernel_struct_resource_bytes  64: sizeof(struct resource) on a 64-bit kernel, which
 *                                 kzalloc serves from kmalloc-64 (names are not copied)
 *   over_kernel_bytes             the difference
 *   name_bytes                    the name's bytes, NUL included (the engine stores a copy
 *                                 of each name in the node's allocation)
 *
 * One iteration (the fill, whose time is reported too) per run. Sanitizer builds have no
 * jemalloc, so there the benchmark is skipped with an error.
 */
#include "families.h"
#include "gbench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef IOMEM_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#include "bench_util.h"
#include "flat_tree.h"
#include "iomem/iomem.h"

#define MEM_N			100000u
#define MEM_NAME		"bench"
#define KERNEL_RESOURCE_BYTES	64	/* include/linux/ioport.h on LP64 */

_Static_assert(sizeof(struct resource) == KERNEL_RESOURCE_BYTES,
	       "resource.h's struct resource mirrors the kernel's");

struct mem_case {
	char *backend;
};

/* Lets frees of earlier benchmarks land before the measurement, so they do not hide
 * allocations: tearing a tree down waits for deferred frees (the rcu backend's
 * rcu_barrier), and jemalloc counts objects parked in this thread's cache as allocated
 * (new nodes reusing them would not grow stats.allocated), so the cache is flushed. */
static void settle(const char *backend)
{
	iomem_tree_free(iomem_tree_new(backend, NULL));
#ifdef IOMEM_JEMALLOC
	mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
#endif
}

/* Bytes the fill of t with MEM_N regions left live, or 0 after skip_with_error. A backend
 * whose writes replace nodes (maple) frees the old ones after a grace period, and keeps
 * spare nodes for its next writes; neither is part of the tree, so the tree is quiesced
 * (iomem_tree_quiesce: what is left allocated is the tree itself). */
static size_t fill_growth(iomb_state *st, const char *backend, struct iomem_tree *t)
{
	char err[128];
	size_t before = iomem_allocated_bytes(), after;

	if (flat_tree_fill(t, MEM_N, MEM_NAME, err, sizeof(err))) {
		iomb_skip_with_error(st, err);
		return 0;
	}
	iomem_tree_quiesce(t);
	settle(backend);
	after = iomem_allocated_bytes();
	if (!before || after <= before) {
		iomb_skip_with_error(st, "no allocator stats (a build without jemalloc?)");
		return 0;
	}
	return after - before;
}

static void bm_mem(iomb_state *st, void *arg)
{
	const struct mem_case *c = arg;
	struct iomem_tree *t;
	size_t grown = 0;

	settle(c->backend);
	t = iomem_tree_new(c->backend, NULL);
	if (!t) {
		bench_skip_errno(st, "iomem_tree_new", -errno);
		return;
	}
	while (iomb_keep_running(st))
		grown = fill_growth(st, c->backend, t);
	iomem_tree_free(t);
	if (iomb_error_occurred(st))
		return;

	double per = (double)grown / MEM_N;

	iomb_set_counter(st, "n", MEM_N, IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "bytes_per_resource", per, IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "kernel_struct_resource_bytes", KERNEL_RESOURCE_BYTES,
			 IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "over_kernel_bytes", per - KERNEL_RESOURCE_BYTES,
			 IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "name_bytes", (double)sizeof(MEM_NAME), IOMB_COUNTER_PLAIN);
}

static void mem_case_free(void *arg)
{
	struct mem_case *c = arg;

	free(c->backend);
	free(c);
}

void tree_mem_bench_register(void)
{
	const char *const *backends = iomem_backend_names();

	for (size_t b = 0; backends[b]; b++) {
		struct mem_case *c = bench_xcalloc(1, sizeof(*c));
		char name[96];

		c->backend = bench_xstrdup(backends[b]);
		iomb_on_exit(mem_case_free, c);
		snprintf(name, sizeof(name), "tree_mem/%s/n:%u", backends[b], MEM_N);
		/* One fill per run: a second one into the same tree would conflict. */
		iomb_bench_iterations(iomb_bench_unit(iomb_register(name, bm_mem, c), IOMB_MS), 1);
	}
}
