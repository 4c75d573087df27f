/* SPDX-License-Identifier: MIT */
/* "pthread-mutex": a glibc mutex; readers take it exclusively too. */
#include <errno.h>
#include <pthread.h>

#include "locks/lock.h"

static int init(void *impl, const struct lock_spin_policy *spin)
{
	(void)spin;
	return -pthread_mutex_init(impl, NULL);
}

static void destroy(void *impl)
{
	pthread_mutex_destroy(impl);
}

static void lock(void *impl)
{
	pthread_mutex_lock(impl);
}

static void unlock(void *impl)
{
	pthread_mutex_unlock(impl);
}

static bool trylock(void *impl)
{
	return pthread_mutex_trylock(impl) == 0;
}

const struct lock_ops lock_pthread_mutex = {
	.name = "pthread-mutex",
	.description = "glibc pthread_mutex_t, default kind; readers exclusive too (not FIFO)",
	.props = LOCK_PROP_SLEEPING,
	.init = init,
	.destroy = destroy,
	.read_lock = lock,
	.read_unlock = unlock,
	.write_lock = lock,
	.write_unlock = unlock,
	.read_trylock = trylock,
	.write_trylock = trylock,
	.impl_size = sizeof(pthread_mutex_t),
};
