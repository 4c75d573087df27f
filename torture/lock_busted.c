/* SPDX-License-Identifier: MIT */
/* The kernel's lock_busted torture type: a "lock" that excludes no one. */
#include "torture/lock_torture.h"

static int init(void *impl, const struct lock_spin_policy *spin)
{
	(void)impl;
	(void)spin;
	return 0;
}

static void nothing(void *impl)
{
	(void)impl;
}

static bool taken(void *impl)
{
	(void)impl;
	return true;
}

const struct lock_ops lock_torture_busted = {
	.name = "busted",
	.description = "excludes no one: the checker must fail it",
	.props = LOCK_PROP_SHARED_READS,
	.init = init,
	.destroy = nothing,
	.read_lock = nothing,
	.read_unlock = nothing,
	.write_lock = nothing,
	.write_unlock = nothing,
	.read_trylock = taken,
	.write_trylock = taken,
	.impl_size = 1,
};
