/* SPDX-License-Identifier: MIT */
#define _LGPL_SOURCE
#include "rcu_reader.h"

#include <pthread.h>

#ifdef IOMEM_TSAN
char rcu_tsan_reclaim_sync;
#endif

_Thread_local bool rcu_reader_registered;

static pthread_key_t reader_key;
static pthread_once_t reader_key_once = PTHREAD_ONCE_INIT;

/* The key's destructor runs at thread exit, for threads that registered. */
static void reader_exit(void *arg)
{
	(void)arg;
	urcu_memb_unregister_thread();
	rcu_reader_registered = false;
}

static void reader_key_init(void)
{
	pthread_key_create(&reader_key, reader_exit);
}

void rcu_reader_register(void)
{
	pthread_once(&reader_key_once, reader_key_init);
	urcu_memb_register_thread();
	pthread_setspecific(reader_key, &rcu_reader_registered);
	rcu_reader_registered = true;
}
