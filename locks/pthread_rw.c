/* SPDX-License-Identifier: MIT */
/* "pthread-rw": glibc's rwlock with its default (reader-preferring) kind. */
#include <errno.h>
#include <pthread.h>

#include "locks/lock.h"

static int init(void *impl, const struct lock_spin_policy *spin)
{
	(void)spin;
	return -pthread_rwlock_init(impl, NULL);
}

static void destroy(void *impl)
{
	pthread_rwlock_destroy(impl);
}

static void read_lock(void *impl)
{
	pthread_rwlock_rdlock(impl);
}

static void write_lock(void *impl)
{
	pthread_rwlock_wrlock(impl);
}

static void unlock(void *impl)
{
	pthread_rwlock_unlock(impl);
}

static bool read_trylock(void *impl)
{
	return pthread_rwlock_tryrdlock(impl) == 0;
}

static bool write_trylock(void *impl)
{
	return pthread_rwlock_trywrlock(impl) == 0;
}

const struct lock_ops lock_pthread_rw = {
	.name = "pthread-rw",
	.description = "glibc pthread_rwlock_t, default kind (readers preferred; writers can starve)",
	.props = LOCK_PROP_SLEEPING | LOCK_PROP_SHARED_READS,
	.init = init,
	.destroy = destroy,
	.read_lock = read_lock,
	.read_unlock = unlock,
	.write_lock = write_lock,
	.write_unlock = unlock,
	.read_trylock = read_trylock,
	.write_trylock = write_trylock,
	.impl_size = sizeof(pthread_rwlock_t),
};
