/* SPDX-License-Identifier: MIT */
/* Grace periods for lock-free page-table walkers; see walkers.h. */
#include "walkers.h"

#include <sched.h>

static _Atomic unsigned next_slot;
static _Thread_local unsigned my_slot = ~0u;

static unsigned slot_index(void)
{
	if (my_slot == ~0u)
		my_slot = atomic_fetch_add_explicit(&next_slot, 1, memory_order_relaxed) %
			  WALKER_SLOTS;
	return my_slot;
}

void walkers_init(struct walkers *w)
{
	atomic_init(&w->epoch, 0);
	pthread_mutex_init(&w->sync_lock, NULL);
	for (unsigned i = 0; i < WALKER_SLOTS; i++) {
		atomic_init(&w->slot[i].count[0], 0);
		atomic_init(&w->slot[i].count[1], 0);
	}
}

void walkers_destroy(struct walkers *w)
{
	pthread_mutex_destroy(&w->sync_lock);
}

/* The count-in is seq_cst and so are the walker's descriptor loads: with the seq_cst
 * unlink store and counter loads of the synchronizer, either the synchronizer sees this
 * walker or this walker sees the unlink. */
unsigned walker_enter(struct walkers *w)
{
	unsigned s = slot_index();
	unsigned parity = (unsigned)atomic_load_explicit(&w->epoch, memory_order_relaxed) & 1;

	atomic_fetch_add_explicit(&w->slot[s].count[parity], 1, memory_order_seq_cst);
	return s << 1 | parity;
}

void walker_exit(struct walkers *w, unsigned token)
{
	atomic_fetch_sub_explicit(&w->slot[token >> 1].count[token & 1], 1,
				  memory_order_release);
}

static void wait_drained(struct walkers *w, unsigned parity)
{
	for (unsigned i = 0; i < WALKER_SLOTS; i++)
		while (atomic_load_explicit(&w->slot[i].count[parity], memory_order_seq_cst))
			sched_yield();
}

void walkers_synchronize(struct walkers *w)
{
	pthread_mutex_lock(&w->sync_lock);
	for (int flip = 0; flip < 2; flip++) {
		unsigned long old = atomic_fetch_add_explicit(&w->epoch, 1, memory_order_seq_cst);

		wait_drained(w, (unsigned)old & 1);
	}
	pthread_mutex_unlock(&w->sync_lock);
}
