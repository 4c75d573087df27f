/* SPDX-License-Identifier: MIT */
/* What recording and checking cost (a measurement to read, not a test).
 *   recording: lin_ring_begin + filling a lookup + lin_ring_end, per op
 *   checking: the worst case for each window size: every op concurrent with every other,
 *   all but one commuting (requests of disjoint ranges, granted), the last impossible,
 *   so the search visits every subset; from T threads (a thread's ops are sequential,
 *   which prunes) and from one thread per op (no pruning), on a small tree and on a real
 *   laptop /proc/iomem (so each state rebuilds ~60 resources).
 * usage: lin-check-cost [DUMP] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iomem/dump.h"
#include "check/linearizability.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void recording_cost(void)
{
	enum { OPS = 10000000 };
	struct lin_ring r;
	double t0;

	lin_ring_init(&r, 0, 4096);
	t0 = now();
	for (int i = 0; i < OPS; i++) {
		struct lin_event *e = lin_ring_begin(&r);

		lin_op_lookup(&e->op, IOMEM_ROOT_IOMEM, (resource_size_t)i);
		e->res.ret = 0;
		lin_ring_end(&r, e);
	}
	printf("recording: %.1f ns per op (two clock reads, two fences, the event's stores)\n",
	       (now() - t0) / OPS * 1e9);
	t0 = now();
	for (int i = 0; i < OPS; i++) {
		struct lin_event *e = lin_ring_begin_at(&r, (uint64_t)i);

		lin_op_request(&e->op, IOMEM_ROOT_IOMEM, (resource_size_t)i, 0x1000, "driver name",
			       IORESOURCE_MUXED, true);
		e->res.ret = 0;
		lin_ring_end_at(&r, e, (uint64_t)i + 1);
	}
	printf("recording with the caller's stamps (_at): %.1f ns per op (a request's stores,"
	       " its name copied)\n",
	       (now() - t0) / OPS * 1e9);
	t0 = now();
	for (int i = 0; i < OPS; i++) {
		uint64_t a = lin_stamp_invoke(), b = lin_stamp_response();

		if (b < a)
			abort();
	}
	printf("lin_stamp_invoke + lin_stamp_response: %.1f ns (clock reads and fences)\n",
	       (now() - t0) / OPS * 1e9);
	lin_ring_destroy(&r);
}

/* n ops over `threads` busy threads (round robin): a thread's ops follow each other,
 * and the threads are staggered so that each op overlaps the other threads' ops of the
 * same rank and of the next or previous. The last op is a lookup with an impossible
 * result. */
static size_t worst_window(struct lin_event *ev, unsigned n, unsigned threads)
{
	uint64_t seq[LIN_WINDOW_MAX] = { 0 }, step = 1000;

	for (unsigned i = 0; i < n; i++) {
		unsigned t = i % threads;
		struct lin_event *e = &ev[i];
		uint64_t invoke = seq[t] * step + t * step / threads + 1;

		*e = (struct lin_event){ .thread = t, .seq = seq[t], .invoke_ns = invoke,
					 .response_ns = invoke + step - 2 };
		seq[t]++;
		if (i + 1 < n) {
			lin_op_request(&e->op, IOMEM_ROOT_IOMEM, 0x500000000ULL + 0x10000ULL * i,
				       0x100, "d", 0, false);
		} else {
			lin_op_lookup(&e->op, IOMEM_ROOT_IOMEM, 0x500000000ULL);
			e->res.start = 1;	/* no resource ever starts there */
		}
	}
	return n;
}

static void check_cost(const char *what, const struct lin_state *init, unsigned n,
		       unsigned threads)
{
	struct lin_event ev[LIN_WINDOW_MAX];
	struct lin_report rep;
	double t0;

	worst_window(ev, n, threads);
	t0 = now();
	lin_check(init, ev, n, NULL, &rep);
	printf("  %-14s %2u ops, %2u threads: %8.1f ms, %7llu nodes, %8llu replays, %6llu states,"
	       " %s\n", what, n, threads, (now() - t0) * 1e3, (unsigned long long)rep.nodes,
	       (unsigned long long)rep.replays, (unsigned long long)rep.states,
	       rep.verdict == LIN_VIOLATION ? "violation (as it must)" : "WRONG VERDICT");
}

/* The state of the dump at path, or of the built-in one (path NULL). */
static struct lin_state *dump_state(const char *path)
{
	struct iomem_tree *t = iomem_tree_new("rwlock", NULL);
	struct lin_state *s = NULL;
	char msg[256];
	FILE *f = path ? fopen(path, "r")
		       : fmemopen((void *)iomem_fallback_dump, strlen(iomem_fallback_dump), "r");

	if (!f || iomem_load_dump(t, IOMEM_ROOT_IOMEM, f, path, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "lin-check-cost: cannot load %s\n", path);
		exit(1);
	}
	fclose(f);
	lin_state_capture(t, &s);
	iomem_tree_free(t);
	return s;
}

int main(int argc, char **argv)
{
	struct lin_state *small, *real;

	recording_cost();
	lin_state_from_script("insert 0x0 0xfff \"Reserved\"\n", &small, stderr);
	real = dump_state(argc > 1 ? argv[1] : NULL);
	printf("checking, worst case (%zu and %zu resources in the initial state):\n",
	       lin_state_count(small), lin_state_count(real));
	for (unsigned n = 8; n <= 16; n += 2)
		for (unsigned threads = 2; threads <= 4; threads++)
			check_cost("small tree", small, n, threads);
	for (unsigned n = 8; n <= 16; n += 2)
		for (unsigned threads = 2; threads <= 4; threads++)
			check_cost("laptop tree", real, n, threads);
	for (unsigned n = 8; n <= 14; n += 2)
		check_cost("small tree", small, n, n);
	for (unsigned n = 8; n <= 14; n += 2)
		check_cost("laptop tree", real, n, n);
	lin_state_free(small);
	lin_state_free(real);
	return 0;
}
