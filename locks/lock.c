/* SPDX-License-Identifier: MIT */
/* The registry of lock strategies. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locks/lock.h"

extern const struct lock_ops lock_pthread_rw;
extern const struct lock_ops lock_pthread_mutex;
extern const struct lock_ops lock_ticket;
extern const struct lock_ops lock_mcs;
extern const struct lock_ops lock_qrwlock;
extern const struct lock_ops lock_pflock;
extern const struct lock_ops lock_brlock;

static const struct lock_ops *const strategies[] = {
	&lock_pthread_rw,
	&lock_pthread_mutex,
	&lock_ticket,
	&lock_mcs,
	&lock_qrwlock,
	&lock_pflock,
	&lock_brlock,
};

#define NR_STRATEGIES (sizeof(strategies) / sizeof(strategies[0]))

static const char *const names[] = {
	"pthread-rw",
	"pthread-mutex",
	"ticket",
	"mcs",
	"qrwlock",
	"pflock",
	"brlock",
	NULL,
};

_Static_assert(sizeof(names) / sizeof(names[0]) == NR_STRATEGIES + 1,
	       "names[] lists every strategy");

const char *const *lock_names(void)
{
	return names;
}

const struct lock_ops *lock_find(const char *name)
{
	if (!name)
		name = LOCK_DEFAULT;
	for (size_t i = 0; i < NR_STRATEGIES; i++)
		if (strcmp(strategies[i]->name, name) == 0)
			return strategies[i];
	return NULL;
}

int lock_init_ops(struct lock *l, const struct lock_ops *ops, const struct lock_spin_policy *spin)
{
	struct lock_spin_policy dflt;
	int err;

	if (!ops->init || !ops->destroy || !ops->read_lock || !ops->read_unlock ||
	    !ops->write_lock || !ops->write_unlock || !ops->read_trylock || !ops->write_trylock)
		return -EINVAL;
	if (!spin) {
		dflt = lock_spin_default();
		spin = &dflt;
	}
	if (spin->mode == LOCK_SPIN_HOOK && !spin->hook)
		return -EINVAL;
	/* Each lock on its own cache line: the tree lock is the hottest word in a run. */
	l->impl = aligned_alloc(64, (ops->impl_size + 63) & ~63UL);
	if (!l->impl)
		return -ENOMEM;
	memset(l->impl, 0, ops->impl_size);
	err = ops->init(l->impl, spin);
	if (err) {
		free(l->impl);
		return err;
	}
	l->ops = ops;
	return 0;
}

int lock_init_spin(struct lock *l, const char *name, const struct lock_spin_policy *spin)
{
	const struct lock_ops *ops = lock_find(name);

	return ops ? lock_init_ops(l, ops, spin) : -ENOENT;
}

int lock_init(struct lock *l, const char *name)
{
	return lock_init_spin(l, name, NULL);
}

void lock_destroy(struct lock *l)
{
	l->ops->destroy(l->impl);
	free(l->impl);
}

int lock_describe(const struct lock *l, char *buf, unsigned long len)
{
	if (l->ops->describe)
		return l->ops->describe(l->impl, buf, len);
	return snprintf(buf, len, "(%s: state not shown)", l->ops->name);
}
