/* SPDX-License-Identifier: MIT */
/* Perturbation inside write sections, as locktorture's write_delay does: the tree lock is
 * wrapped so that a writer, once inside, sometimes waits a short random while and very
 * rarely holds the lock for a long one. Readers of lock-based backends are delayed too. */
#include <errno.h>
#include <time.h>

#include "harness.h"
#include "locks/lock.h"

struct perturbed {
	struct lock inner;
};

/* One run at a time: the wrapper's settings. */
static const char *inner_name;
static unsigned delay_ns, long_hold_ms, long_hold_one_in;
static uint64_t base_seed;
static atomic_uint_fast64_t next_thread;
static _Thread_local uint64_t rng;
static _Thread_local bool seeded;

static void perturb(void)
{
	if (!seeded) {
		rng = base_seed ^ (atomic_fetch_add(&next_thread, 1) + 1) * 0x9e3779b97f4a7c15ULL;
		seeded = true;
	}
	if (long_hold_ms && stress_below(&rng, long_hold_one_in) == 0) {
		struct timespec ts = { long_hold_ms / 1000, (long_hold_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	} else if (delay_ns) {
		stress_spin_ns(stress_below(&rng, delay_ns + 1));
	}
}

static int p_init(void *impl, const struct lock_spin_policy *spin)
{
	return lock_init_spin(&((struct perturbed *)impl)->inner, inner_name, spin);
}

static void p_destroy(void *impl)
{
	lock_destroy(&((struct perturbed *)impl)->inner);
}

static void p_read_lock(void *impl)
{
	lock_read(&((struct perturbed *)impl)->inner);
	if (delay_ns)
		stress_spin_ns(stress_below(&rng, delay_ns / 4 + 1));
}

static void p_read_unlock(void *impl)
{
	unlock_read(&((struct perturbed *)impl)->inner);
}

static void p_write_lock(void *impl)
{
	lock_write(&((struct perturbed *)impl)->inner);
	perturb();
}

static void p_write_unlock(void *impl)
{
	unlock_write(&((struct perturbed *)impl)->inner);
}

static bool p_read_trylock(void *impl)
{
	return trylock_read(&((struct perturbed *)impl)->inner);
}

static bool p_write_trylock(void *impl)
{
	bool taken = trylock_write(&((struct perturbed *)impl)->inner);

	if (taken)
		perturb();
	return taken;
}

static struct lock_ops ops = {
	.description = "a strategy with locktorture-style delays inside write sections",
	.init = p_init,
	.destroy = p_destroy,
	.read_lock = p_read_lock,
	.read_unlock = p_read_unlock,
	.write_lock = p_write_lock,
	.write_unlock = p_write_unlock,
	.read_trylock = p_read_trylock,
	.write_trylock = p_write_trylock,
	.impl_size = sizeof(struct perturbed),
};

const struct lock_ops *perturb_lock_ops(const struct stress_config *c)
{
	const struct lock_ops *inner = lock_find(c->lock);
	unsigned writers = c->threads[ROLE_CLAIMER] + c->threads[ROLE_MUXER];

	if (!inner || (!c->delay_ns && !c->long_hold_ms))
		return NULL;
	inner_name = inner->name;
	base_seed = c->seed;
	delay_ns = c->delay_ns;
	long_hold_ms = c->long_hold_ms;
	/* locktorture: one long hold in nwriters * 2000 * long_hold acquisitions. */
	long_hold_one_in = (writers ? writers : 1) * 2000 * (c->long_hold_ms ? c->long_hold_ms : 1);
	ops.name = inner->name;
	ops.props = inner->props;
	return &ops;
}
