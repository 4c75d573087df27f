/* SPDX-License-Identifier: MIT */
/* What every role's loop is made of (roles.c): the phase protocol between iterations, op
 * timing, the recorded tree writes of linearizability windows, and the choice of ops and
 * addresses. The built-in roles and the scenarios' roles (scenarios/) share them. */
#ifndef STRESS_ROLE_HELPERS_H
#define STRESS_ROLE_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

/* One op's timing: op_begin decides whether this op is sampled, op_end counts it and
 * records the sample. */
struct timer {
	uint64_t t0, intended;
	bool on;
};

/* Whether to run iteration `done`: waits out pauses and the windows the worker is not
 * part of; false at the end of the run or once --ops iterations are done. A worker holds
 * nothing another one could sleep on whenever it calls this. */
bool keep_going(struct worker *w, uint64_t done);

void op_begin(struct worker *w, struct timer *tm, uint64_t done);
void op_end(struct worker *w, struct timer *tm, enum stress_op op);

/* A window's recorded op: applies e->op through lin_op_apply and stamps the response. */
int recorded(struct worker *w, struct lin_event *e);
/* iomem_request_region (blocking) and iomem_release_region, recorded while w->lin_on. */
int worker_request(struct worker *w, resource_size_t start, resource_size_t n,
		   const char *name, unsigned long flags);
int worker_release(struct worker *w, resource_size_t start, resource_size_t n);

/* iounmap of the mapping at *va, a worker's mapping number slot ("t3m5" in the replay),
 * timed as OP_IOUNMAP; a failure fails the run. *va is 0 afterwards. */
void worker_iounmap(struct worker *w, uint64_t *va, unsigned slot, struct timer *tm,
		    uint64_t i);

/* One of n ops by the configured --mix weights (the first when all weigh 0). */
unsigned pick_op(struct worker *w, const enum stress_op *ops, unsigned n);
/* An index in [0, n) by the configured --dist. */
uint64_t pick_index(struct worker *w, uint64_t n);

/* The built-in claimer: 1..4 slots of the claims window, up to 16 held, every slot
 * granted carrying the claimer's ownership token. */
void claimer_loop(struct worker *w);

#endif
