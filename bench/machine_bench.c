/* SPDX-License-Identifier: MIT */
/* machine/...: what this machine charges for a cache line that two CPUs both write. Every
 * multithreaded figure of the other families pays it wherever threads share a line (a
 * lock word, a tree node, vmap_lazy_nr), so it bounds how far they can scale here.
 *
 *   machine/line_handoff/real_time/threads:2
 *       two threads pass one line back and forth: each waits for its turn, then writes.
 *       The time per iteration is one pass, the latency of a written line moving from
 *       one thread's CPU to the other's.
 *   machine/private_work/real_time/threads:<T>
 *       each op is a fixed dependent chain of arithmetic on the thread's own registers,
 *       about as long as one pgtable/churn op on one thread (op_ns at one thread); T
 *       threads share nothing, so ops/s at T threads over one thread is what the machine
 *       gives independent work.
 *   machine/shared_add/real_time/threads:<T>
 *       the same op and one relaxed atomic add to a counter every thread adds to, as
 *       every free adds to vmap_lazy_nr: the scaling an op of that length allows when it
 *       writes one shared line.
 *
 * T is 1, 2 and 4. Threads honour --placement and --counters (bench_measure.h).
 */
#include "bench_measure.h"
#include "families.h"
#include "gbench.h"

#include <stdatomic.h>
#include <stdint.h>

#include "measure/line_latency.h"

#define WORK_STEPS	96	/* about 250 ns on the machine of docs/results */

/* The shared lines, each alone in its cache line. */
static struct {
	_Atomic uint64_t v __attribute__((aligned(64)));
} turn, counter;

static uint64_t private_op(uint64_t x)
{
	for (unsigned i = 0; i < WORK_STEPS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		x *= 0x9e3779b97f4a7c15ULL;
	}
	return x;
}

static void bm_line_handoff(iomb_state *st, void *arg)
{
	bool me = iomb_thread_index(st) == 1;	/* the odd side */
	struct bench_thread_counters tc;

	(void)arg;
	bench_thread_enter(st, &tc);
	/* The pass of measure/line_latency.h. Google Benchmark runs both threads for as many
	 * iterations, so neither waits for a pass the other will not make. */
	while (iomb_keep_running(st))
		line_turn_pass(&turn.v, line_turn_wait(&turn.v, me));
	bench_thread_leave(st, &tc, iomb_iterations(st));
	iomb_set_items_processed(st, (int64_t)iomb_iterations(st));
}

static void bm_work(iomb_state *st, void *arg)
{
	bool shared = arg != NULL;
	uint64_t x = 0x9e3779b97f4a7c15ULL * (uint64_t)(iomb_thread_index(st) + 1);
	struct bench_thread_counters tc;

	bench_thread_enter(st, &tc);
	while (iomb_keep_running(st)) {
		x = private_op(x);
		/* A statistic's add: relaxed, ordered with nothing; the line is the point. */
		if (shared)
			atomic_fetch_add_explicit(&counter.v, 1, memory_order_relaxed);
	}
	iomb_do_not_optimize(&x);
	bench_thread_leave(st, &tc, iomb_iterations(st));
	iomb_set_items_processed(st, (int64_t)iomb_iterations(st));
}

void machine_bench_register(void)
{
	static int shared = 1;
	iomb_bench *b;

	b = iomb_register("machine/line_handoff", bm_line_handoff, NULL);
	iomb_bench_threads(iomb_bench_real_time(iomb_bench_unit(b, IOMB_NS)), 2);
	b = iomb_bench_real_time(iomb_bench_unit(iomb_register("machine/private_work", bm_work,
								NULL), IOMB_NS));
	for (int t = 1; t <= 4; t *= 2)
		iomb_bench_threads(b, t);
	b = iomb_bench_real_time(iomb_bench_unit(iomb_register("machine/shared_add", bm_work,
								&shared), IOMB_NS));
	for (int t = 1; t <= 4; t *= 2)
		iomb_bench_threads(b, t);
}
