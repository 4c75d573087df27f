/* SPDX-License-Identifier: MIT */
/* Dense thread indices, recycled at thread exit through a pthread key destructor. */
#include <pthread.h>
#include <stdint.h>

#include "thread_index.h"

#define UNASSIGNED	(-1)
#define NO_INDEX	(-2)	/* exiting, or none was free */

static pthread_mutex_t indices_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t taken[LOCK_THREAD_INDEX_MAX / 64];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static _Thread_local int my_index = UNASSIGNED;

static void give_back(void *value)
{
	int i = (int)(intptr_t)value - 1;

	pthread_mutex_lock(&indices_lock);
	taken[i / 64] &= ~(UINT64_C(1) << (i % 64));
	pthread_mutex_unlock(&indices_lock);
	/* A later destructor of this thread may still take a lock: it gets no index. */
	my_index = NO_INDEX;
}

static void make_key(void)
{
	pthread_key_create(&key, give_back);
}

static int take_lowest(void)
{
	int i = -1;

	pthread_mutex_lock(&indices_lock);
	for (int w = 0; w < LOCK_THREAD_INDEX_MAX / 64; w++) {
		if (~taken[w]) {
			int b = __builtin_ctzll(~taken[w]);

			taken[w] |= UINT64_C(1) << b;
			i = w * 64 + b;
			break;
		}
	}
	pthread_mutex_unlock(&indices_lock);
	return i;
}

int lock_thread_index(void)
{
	if (my_index != UNASSIGNED)
		return my_index < 0 ? -1 : my_index;
	pthread_once(&key_once, make_key);
	my_index = take_lowest();
	if (my_index < 0) {
		my_index = NO_INDEX;	/* do not search again on every lock */
		return -1;
	}
	if (pthread_setspecific(key, (void *)(intptr_t)(my_index + 1))) {
		give_back((void *)(intptr_t)(my_index + 1));
		return -1;
	}
	return my_index;
}
