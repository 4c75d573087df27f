/* SPDX-License-Identifier: MIT */
/* The snapshot's representation, shared by lin_state.c and the checker. */
#ifndef STRESS_LIN_STATE_IMPL_H
#define STRESS_LIN_STATE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "check/linearizability.h"

struct lin_state {
	unsigned char *data;	/* packed records, pre-order, iomem root then ioport */
	size_t len, cap;
	size_t count;
};

/* Replaces s's content with t's (s's buffer is reused). 0 or -ENOMEM. */
int lin_state_capture_into(struct iomem_tree *t, struct lin_state *s);
/* Appends the state's resources to an empty tree. 0 or -ENOMEM. */
int lin_state_load(const struct lin_state *s, struct iomem_tree *t);
uint64_t lin_state_hash(const struct lin_state *s);

#endif
