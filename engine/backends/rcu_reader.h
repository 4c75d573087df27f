/* SPDX-License-Identifier: MIT */
/* Readers under liburcu's memb flavour, for the backends whose readers take no lock (rcu,
 * maple): every thread that touches such a tree is an RCU reader, registered on first use
 * and unregistered when it exits; read-side sections are liburcu's inlined ones.
 *
 * ThreadSanitizer cannot see liburcu's grace periods, so TSan builds annotate them: every
 * reader's unlock, and every writer's last access before it hands a node to call_rcu,
 * happens before every reclaim callback (rcu_tsan_reader_done, rcu_tsan_reclaim_begin).
 *
 * Include this only with _LGPL_SOURCE defined, so that the read-side primitives inline. */
#ifndef ENGINE_BACKENDS_RCU_READER_H
#define ENGINE_BACKENDS_RCU_READER_H

#ifndef _LGPL_SOURCE
#error "rcu_reader.h wants _LGPL_SOURCE, for liburcu's inlined read side"
#endif

#include <stdbool.h>

#include <urcu/urcu-memb.h>

#ifdef IOMEM_TSAN
#include <sanitizer/tsan_interface.h>
extern char rcu_tsan_reclaim_sync;
#define rcu_tsan_reader_done() __tsan_release(&rcu_tsan_reclaim_sync)
#define rcu_tsan_reclaim_begin() __tsan_acquire(&rcu_tsan_reclaim_sync)
#else
#define rcu_tsan_reader_done() ((void)0)
#define rcu_tsan_reclaim_begin() ((void)0)
#endif

extern _Thread_local bool rcu_reader_registered;

/* Registers the calling thread, once; its exit unregisters it. */
void rcu_reader_register(void);

/* Before any read-side section, call_rcu or rcu_barrier on this thread. */
static inline void rcu_reader_ensure_registered(void)
{
	if (__builtin_expect(!rcu_reader_registered, 0))
		rcu_reader_register();
}

static inline void rcu_read_begin(void)
{
	rcu_reader_ensure_registered();
	urcu_memb_read_lock();
}

static inline void rcu_read_end(void)
{
	rcu_tsan_reader_done();
	urcu_memb_read_unlock();
}

#endif
