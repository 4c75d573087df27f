/* SPDX-License-Identifier: MIT */
/* Event counts around a run, through perf_event_open(2): the software events that tell a
 * sleeping wait from a spinning one (context switches, CPU migrations, task clock, page
 * faults), always, and hardware events named through libpfm4 (cycles, instructions, cache
 * misses, ...) on request. An event the machine cannot count (no PMU in a VM, or
 * perf_event_paranoid too high) is unavailable, with the reason: it is never reported as a
 * zero. docs/measurement.md#counters says what each figure means.
 *
 *	struct perf_event_list l;
 *	perf_event_list_parse(&l, "cycles,instructions", err, sizeof(err));
 *	perf_event_list_probe(&l);			// once, on the main thread
 *	perf_counters_open(&pc, &l, PERF_SCOPE_THREAD_AND_CHILDREN);
 *	perf_counters_read(&pc, &before); run(); perf_counters_read(&pc, &after);
 *	perf_reading_sub(&d, &after, &before);
 *	perf_reading_per_op(&l, &d, ops, emit, arg);	// "ctx_switches_per_op", ...
 */
#ifndef MEASURE_PERF_COUNTERS_H
#define MEASURE_PERF_COUNTERS_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>

#define PERF_MAX_EVENTS 12

/* The software events every list starts with, in this order. */
enum perf_software_event {
	PERF_EV_CTX_SWITCHES,
	PERF_EV_CPU_MIGRATIONS,
	PERF_EV_TASK_CLOCK,
	PERF_EV_PAGE_FAULTS,
	PERF_NR_SOFTWARE,
};

struct perf_event_spec {
	char name[64];			/* as named in the list, or the software name */
	char key[64];			/* the report's prefix: "<key>_per_op" */
	struct perf_event_attr attr;
	bool available;			/* after perf_event_list_probe() */
	char why[160];			/* why not, when unavailable */
};

struct perf_event_list {
	unsigned n;
	struct perf_event_spec ev[PERF_MAX_EVENTS];
};

/* The software events, then each event of list (comma-separated libpfm4 names such as
 * "cycles", "instructions", "cache-misses", "PERF_COUNT_HW_CACHE_LL:READ:MISS", or the
 * alias "llc-misses"); "software" (or NULL) adds none. 0, or -EINVAL with a message in
 * err (an unknown name, too many events). Events are not opened yet. */
int perf_event_list_parse(struct perf_event_list *l, const char *list, char *err,
			  size_t errlen);
/* Opens each event once on the calling thread and records whether it can be counted and,
 * if not, why. Returns the number of unavailable events. */
unsigned perf_event_list_probe(struct perf_event_list *l);
/* The events as "name,name,..." (which = true: available ones; false: "name (why); ..."
 * for unavailable ones); "" when there are none. */
void perf_event_list_describe(const struct perf_event_list *l, bool available, char *buf,
			      size_t len);

enum perf_scope {
	PERF_SCOPE_THREAD,		/* the calling thread only */
	PERF_SCOPE_THREAD_AND_CHILDREN,	/* and every thread it (or they) create afterwards */
};

/* A set of open counters on one thread. fd[i] < 0: event i is not counted. */
struct perf_counters {
	unsigned n;
	int fd[PERF_MAX_EVENTS];
};

/* Opens the list's available events on the calling thread, counting from now. Returns the
 * number of events that could not be opened (they read as not counted). */
unsigned perf_counters_open(struct perf_counters *pc, const struct perf_event_list *l,
			    enum perf_scope scope);
void perf_counters_close(struct perf_counters *pc);

/* Counts at one moment. counted[i] false: event i has no count (not opened, or a hardware
 * counter that never got on the PMU); its value means nothing. A multiplexed hardware
 * counter is scaled by its enabled/running times, as perf stat does. */
struct perf_reading {
	unsigned n;
	bool counted[PERF_MAX_EVENTS];
	double value[PERF_MAX_EVENTS];
};

/* Reads every counter of pc (any thread may read the counters another opened). */
void perf_counters_read(const struct perf_counters *pc, struct perf_reading *r);
/* An empty sum of n events: every event counted, at zero. */
void perf_reading_zero(struct perf_reading *r, unsigned n);
/* out = after - before; counted where both are. */
void perf_reading_sub(struct perf_reading *out, const struct perf_reading *after,
		      const struct perf_reading *before);
/* sum += r; an event stays counted only while every part added was counted. */
void perf_reading_add(struct perf_reading *sum, const struct perf_reading *r);

/* Calls emit(arg, "<key>_per_op", value / ops) for every counted event of r, in list
 * order; nothing at all when ops is 0. An event that was not counted is left out; when
 * any of them was available (perf_event_list_probe found it countable, so the context
 * lists it as counted), emit(arg, "uncounted_events", how many) follows, so a run that
 * lost a counter on the way says so. */
void perf_reading_per_op(const struct perf_event_list *l, const struct perf_reading *r,
			 double ops, void (*emit)(void *arg, const char *name, double value),
			 void *arg);

#endif
