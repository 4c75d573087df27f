/* SPDX-License-Identifier: MIT */
/* Simulated CPU numbers for threads; see vmap_cpu.h. */
#include <limits.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>

#include "vmap_cpu.h"

/* Numbers below TRACKED are reused; past them (more live threads than that) a thread gets
 * a number no other holds, from a counter. */
#define TRACKED 256
#define WORD_BITS 64

static pthread_mutex_t cpu_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t in_use[TRACKED / WORD_BITS];	/* under cpu_lock */
static unsigned next_untracked = TRACKED;	/* under cpu_lock */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t cpu_key;
static bool key_made;				/* set once, under key_once */
static _Thread_local unsigned this_cpu_id = UINT_MAX;

/* The thread's exit: its number is free again. The key's value is the number plus one
 * (a destructor runs only for non-NULL values). */
static void cpu_release(void *value)
{
	unsigned cpu = (unsigned)((uintptr_t)value - 1);

	if (cpu >= TRACKED)
		return;
	pthread_mutex_lock(&cpu_lock);
	in_use[cpu / WORD_BITS] &= ~(1ULL << (cpu % WORD_BITS));
	pthread_mutex_unlock(&cpu_lock);
}

static void make_key(void)
{
	key_made = pthread_key_create(&cpu_key, cpu_release) == 0;
}

static unsigned cpu_claim(void)
{
	unsigned cpu = UINT_MAX;

	pthread_mutex_lock(&cpu_lock);
	for (unsigned w = 0; w < TRACKED / WORD_BITS && cpu == UINT_MAX; w++)
		if (~in_use[w]) {
			unsigned bit = (unsigned)__builtin_ctzll(~in_use[w]);

			in_use[w] |= 1ULL << bit;
			cpu = w * WORD_BITS + bit;
		}
	if (cpu == UINT_MAX)
		cpu = next_untracked++;
	pthread_mutex_unlock(&cpu_lock);
	return cpu;
}

unsigned vmap_this_cpu(void)
{
	if (this_cpu_id != UINT_MAX)
		return this_cpu_id;
	this_cpu_id = cpu_claim();
	pthread_once(&key_once, make_key);
	/* Without a key the number is never given back: correct, only less even. */
	if (key_made)
		pthread_setspecific(cpu_key, (void *)(uintptr_t)(this_cpu_id + 1));
	return this_cpu_id;
}
