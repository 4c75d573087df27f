/* SPDX-License-Identifier: MIT */
/* The cache-line latency between two CPUs; see line_latency.h. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "measure/line_latency.h"

#define CHECK_EVERY	256	/* passes between two reads of the clock */

struct pass_line {
	/* Even: the measuring thread's turn; odd: the partner's; LINE_TURN_STOP ends the
	 * partner. */
	_Atomic uint64_t turn __attribute__((aligned(64)));
	int cpu;
	bool pinned;		/* written by the partner before its first pass */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int pin(pthread_t t, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(t, sizeof(set), &set);
}

static void *partner(void *arg)
{
	struct pass_line *l = arg;
	uint64_t t;

	l->pinned = pin(pthread_self(), l->cpu) == 0;
	/* Release: publishes pinned with the first pass back (read after the join, too). */
	atomic_store_explicit(&l->turn, 2, memory_order_release);
	while ((t = line_turn_wait(&l->turn, true)) != LINE_TURN_STOP)
		line_turn_pass(&l->turn, t);
	return NULL;
}

/* The first two CPUs of set, or false. */
static bool two_cpus(const cpu_set_t *set, int cpu[2])
{
	int n = 0;

	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, set))
			cpu[n++] = c;
	return n == 2;
}

int line_latency_measure(unsigned ms, struct line_latency *out)
{
	struct pass_line l = { .pinned = false };
	pthread_t self = pthread_self(), th;
	uint64_t t, start, elapsed, passes = 0;
	cpu_set_t saved;
	int cpu[2], rc = -1;

	if (pthread_getaffinity_np(self, sizeof(saved), &saved) || !two_cpus(&saved, cpu))
		return -1;
	if (pin(self, cpu[0]))
		return -1;
	atomic_init(&l.turn, 1);	/* the partner's first store (2) says it is ready */
	l.cpu = cpu[1];
	if (pthread_create(&th, NULL, partner, &l)) {
		pthread_setaffinity_np(self, sizeof(saved), &saved);
		return -1;
	}
	line_turn_wait(&l.turn, false);
	start = now_ns();
	do {
		for (unsigned i = 0; i < CHECK_EVERY; i++) {
			t = line_turn_wait(&l.turn, false);
			line_turn_pass(&l.turn, t);
		}
		passes += 2 * CHECK_EVERY;	/* each round is there and back */
		elapsed = now_ns() - start;
	} while (elapsed < (uint64_t)ms * 1000000u);
	line_turn_wait(&l.turn, false);	/* the partner's last pass back */
	elapsed = now_ns() - start;
	atomic_store_explicit(&l.turn, LINE_TURN_STOP, memory_order_release);
	pthread_join(th, NULL);
	pthread_setaffinity_np(self, sizeof(saved), &saved);
	if (l.pinned) {
		out->ns = (double)elapsed / (double)passes;
		out->cpu[0] = cpu[0];
		out->cpu[1] = cpu[1];
		out->passes = (unsigned long)passes;
		rc = 0;
	}
	return rc;
}

void line_latency_format(const struct line_latency *l, char *ns, size_t nslen, char *cpus,
			 size_t cpuslen)
{
	snprintf(ns, nslen, "%.1f", l->ns);
	snprintf(cpus, cpuslen, "%d,%d", l->cpu[0], l->cpu[1]);
}
