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

#define LINE_LATENCY_MS	20	/* long enough for thousands of passes at 300 ns */

struct line_latency {
	double ns;		/* one pass, one CPU to the other */
	int cpu[2];		/* the two CPUs */
	unsigned long passes;
};

/* Measures for about ms milliseconds between the first two CPUs this thread may use; the
 * thread's own affinity is restored. 0, or -1 when it cannot be measured (fewer than two
 * CPUs allowed, or pinning or a thread refused), *out untouched. */
int line_latency_measure(unsigned ms, struct line_latency *out);

#endif
