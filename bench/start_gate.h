/* SPDX-License-Identifier: MIT */
/* A start gate for time-boxed runs: threads wait at it until the starter has seen all of
 * them arrive and opens it, so they begin together. Unlike a pthread barrier, the starter
 * names the count only when opening, so it can still open for fewer threads when one
 * failed to start. */
#ifndef IOMEM_BENCH_START_GATE_H
#define IOMEM_BENCH_START_GATE_H

#include <pthread.h>
#include <stdbool.h>

struct start_gate {
	pthread_mutex_t m;
	pthread_cond_t c;
	int arrived;
	bool open;
};

#define START_GATE_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false }

/* Called by each thread: blocks until the gate opens. */
void start_gate_pass(struct start_gate *g);
/* Called by the starter: waits for n threads at the gate, then lets them all through. */
void start_gate_open(struct start_gate *g, int n);

#endif
