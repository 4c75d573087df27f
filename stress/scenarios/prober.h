/* SPDX-License-Identifier: MIT */
/* The prober role, shared by the scenarios whose drivers bind and unbind: a driver's probe
 * claims every BAR of its function (devm_request_mem_region, a request_region below the
 * BAR's resource): the whole BAR, or one time in four only its upper half, as a driver
 * that shares its BAR does (an MFD cell, the registers beside an MSI-X table). A claim
 * refused unwinds the ones made, as devres does when probe fails; unbind releases them
 * all. Each half of each BAR granted carries its holder's token, so a range granted
 * twice, wholly or in part, is caught the moment it happens. */
#ifndef STRESS_SCENARIOS_PROBER_H
#define STRESS_SCENARIOS_PROBER_H

#include "harness.h"
#include "layout.h"

/* The start of the state (r->scenario) of a scenario with probers. */
struct probe_space {
	struct layout l;		/* its PCI functions and BARs */
	atomic_uint *bar_token;		/* per half BAR (2k lower, 2k + 1 upper): the
					 * holder's worker id + 1, or 0 */
};

/* Allocates the tokens for l's BARs: 0 or -ENOMEM. */
int probe_space_init(struct probe_space *ps);
void probe_space_free(struct probe_space *ps);
/* false and why when a BAR is still marked held. */
bool probe_space_all_free(const struct probe_space *ps, char *why, size_t len);

/* The role: binds random functions (OP_PROBE), holding up to a few, and unbinds a random
 * one when over (OP_UNBIND); every function unbound at the end. */
void prober_loop(struct worker *w);

#endif
