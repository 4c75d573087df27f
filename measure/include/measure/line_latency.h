/* SPDX-License-Identifier: MIT */
/* The latency of a cache line that one CPU writes and another reads next: what every
 * threaded figure pays wherever threads share a line (a lock word, a tree node, a shared
 * counter). On a virtual machine it depends on where the hypervisor runs the virtual CPUs
 * and can change between two runs minutes apart, so a result that scales across CPUs
 * records it (docs/measurement.md#line-latency).
 *
 * Two threads, pinned to two CPUs, pass one line back and forth: each waits for its turn,
 * then writes. The result is the time of one pass.
 */
#ifndef MEASURE_LINE_LATENCY_H
#define MEASURE_LINE_LATENCY_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_LATENCY_MS	20	/* long enough for thousands of passes at 300 ns */
#define LINE_TURN_STOP	UINT64_MAX	/* ends a waiter on the odd side */
#define LINE_TURN_SPINS	1024	/* reads before a waiter yields (its CPU may be shared) */

/* The pass itself, shared with the machine/ benchmarks: a turn counter whose parity says
 * whose it is. Waits until the turn is odd's (or LINE_TURN_STOP), yielding now and then,
 * and returns it. Acquire: pairs with line_turn_pass's release, so the line arrives with
 * the write that passed it (on arm64, LDAR against STLR). */
static inline uint64_t line_turn_wait(_Atomic uint64_t *turn, bool odd)
{
	unsigned spins = 0;
	uint64_t t;

	while (t = atomic_load_explicit(turn, memory_order_acquire),
	       t != LINE_TURN_STOP && (bool)(t & 1) != odd)
		if (++spins % LINE_TURN_SPINS == 0)
			sched_yield();
	return t;
}

/* Hands the turn seen (t) to the other side. Release: publishes the pass. */
static inline void line_turn_pass(_Atomic uint64_t *turn, uint64_t t)
{
	atomic_store_explicit(turn, t + 1, memory_order_release);
}

struct line_latency {
	double ns;		/* one pass, one CPU to the other */
	int cpu[2];		/* the two CPUs */
	unsigned long passes;
};

/* Measures for about ms milliseconds between the first two CPUs this thread may use; the
 * thread's own affinity is restored. 0, or -1 when it cannot be measured (fewer than two
 * CPUs allowed, or pinning or a thread refused), *out untouched. */
int line_latency_measure(unsigned ms, struct line_latency *out);

/* The result as a result's context records it: line_latency_ns ("%.1f") and
 * line_latency_cpus ("A,B"), the text scripts/compare reads. */
void line_latency_format(const struct line_latency *l, char *ns, size_t nslen, char *cpus,
			 size_t cpuslen);

#endif
