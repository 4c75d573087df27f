/* SPDX-License-Identifier: MIT */
/* Family "tree_mem": memory per resource.
 *
 *   tree_mem/<backend>/n:100000
 *   tree_mem/<backend>/n:100000/released:50000
 *
 * The first fills an empty tree with flat_tree.h's N = 10^5 sibling regions named "bench";
 * the second requests the same N ranges as busy regions (__request_region, in descending
 * address order as flat_tree_fill inserts) and then releases half of them, chosen at
 * random with a fixed seed: what a tree keeps after regions come and go (a backend that
 * clears index slots in place, as maple does on release, keeps their keys until the slot's
 * node is next copied). Each reports what the node allocator's live bytes (jemalloc's
 * stats.allocated, through iomem_allocated_bytes) grew by once the backend's deferred frees
 * have landed, per live resource, next to the kernel's struct resource:
 *
 *   bytes_per_resource            (allocated_after - allocated_before) / live resources
 *   kernel_struct_resource_bytes  64: sizeof(struct resource) on a 64-bit kernel, which
 *                                 kzalloc serves from kmalloc-64 (names are not copied)
 *   over_kernel_bytes             the difference
 *   name_bytes                    the name's bytes, NUL included (the engine stores a copy
 *                                 of each name in the node's allocation)
 *   n, live                       resources added, and left at the end
 *
 * One iteration (the fill, and the releases, whose time is reported too) per run.
 * Sanitizer builds have no jemalloc, so there the benchmark is skipped with an error.
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
#include "iomem/names.h"

#define MEM_N			100000u
#define MEM_RELEASED		(MEM_N / 2)
#define MEM_NAME		"bench"
#define KERNEL_RESOURCE_BYTES	64	/* include/linux/ioport.h on LP64 */

_Static_assert(sizeof(struct resource) == KERNEL_RESOURCE_BYTES,
	       "resource.h's struct resource mirrors the kernel's");

struct mem_case {
	char *backend;
	unsigned released;	/* 0: the insert fill; else request all, release this many */
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

/* Requests the MEM_N flat ranges as busy regions, last first, then releases `released` of
 * them at random (a fixed-seed shuffle). 0, or -1 with a one-line reason in err. */
static int request_then_release(struct iomem_tree *t, unsigned released, char *err,
				size_t errlen)
{
	size_t *order = calloc(MEM_N, sizeof(*order));
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	int rc = 0;

	if (!order) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = MEM_N; i-- > 0 && !rc;)
		rc = iomem_request_region(t, IOMEM_ROOT_IOMEM, flat_region_start(i),
					  FLAT_REGION_SIZE, MEM_NAME, 0);
	if (rc)
		snprintf(err, errlen, "iomem_request_region: %s", iomem_errno_name(rc));
	for (size_t i = 0; i < MEM_N; i++)
		order[i] = i;
	for (size_t i = MEM_N - 1; i > 0 && !rc; i--) {	/* Fisher-Yates */
		size_t j = (size_t)(bench_xorshift64(&seed) % (i + 1)), k = order[i];

		order[i] = order[j];
		order[j] = k;
	}
	for (unsigned i = 0; i < released && !rc; i++) {
		rc = iomem_release_region(t, IOMEM_ROOT_IOMEM, flat_region_start(order[i]),
					  FLAT_REGION_SIZE);
		if (rc)
			snprintf(err, errlen, "iomem_release_region: %s", iomem_errno_name(rc));
	}
	free(order);
	return rc ? -1 : 0;
}

/* Bytes the fill of t (and the releases) left live, or 0 after skip_with_error. A backend
 * whose writes replace nodes (maple) frees the old ones after a grace period, and keeps
 * spare nodes for its next writes; neither is part of the tree, so the tree is quiesced
 * (iomem_tree_quiesce: what is left allocated is the tree itself). */
static size_t fill_growth(iomb_state *st, const struct mem_case *c, struct iomem_tree *t)
{
	char err[128];
	size_t before = iomem_allocated_bytes(), after;

	if (c->released ? request_then_release(t, c->released, err, sizeof(err))
			: flat_tree_fill(t, MEM_N, MEM_NAME, err, sizeof(err))) {
		iomb_skip_with_error(st, err);
		return 0;
	}
	iomem_tree_quiesce(t);
	settle(c->backend);
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
	const size_t live = MEM_N - c->released;
	struct iomem_tree *t;
	size_t grown = 0;

	settle(c->backend);
	t = iomem_tree_new(c->backend, NULL);
	if (!t) {
		bench_skip_errno(st, "iomem_tree_new", -errno);
		return;
	}
	while (iomb_keep_running(st))
		grown = fill_growth(st, c, t);
	if (!iomb_error_occurred(st) && iomem_count(t, IOMEM_ROOT_IOMEM) != live)
		iomb_skip_with_error(st, "the tree does not hold the live resources");
	iomem_tree_free(t);
	if (iomb_error_occurred(st))
		return;

	double per = (double)grown / live;

	iomb_set_counter(st, "n", MEM_N, IOMB_COUNTER_PLAIN);
	iomb_set_counter(st, "live", live, IOMB_COUNTER_PLAIN);
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
		for (unsigned released = 0; released <= MEM_RELEASED; released += MEM_RELEASED) {
			struct mem_case *c = bench_xcalloc(1, sizeof(*c));
			char name[96];
			int len;

			c->backend = bench_xstrdup(backends[b]);
			c->released = released;
			iomb_on_exit(mem_case_free, c);
			len = snprintf(name, sizeof(name), "tree_mem/%s/n:%u", backends[b], MEM_N);
			if (released)
				snprintf(name + len, sizeof(name) - (size_t)len, "/released:%u",
					 released);
			/* One fill per run: a second one into the same tree would conflict. */
			iomb_bench_iterations(iomb_bench_unit(iomb_register(name, bm_mem, c),
							      IOMB_MS), 1);
		}
	}
}
