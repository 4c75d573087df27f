/* SPDX-License-Identifier: MIT */
/* One reader-writer lock interface over interchangeable strategies, chosen by name.
 * The tree locks (rcu: its writer lock) and the VA allocator's locks take their lock
 * through this. (The page-table walkers' grace periods use a plain mutex of their own.)
 *
 * A lock is released by the thread that took it: mcs and brlock keep per-thread state
 * (queue nodes, reader slots), as pthread mutexes formally require too. A lock may be
 * destroyed once no thread is in a call on it: an unlock may still touch the lock (to wake
 * a parked waiter) after another thread has taken it. */
#ifndef LOCKS_LOCK_H
#define LOCKS_LOCK_H

#include <stdbool.h>

enum {
	LOCK_PROP_FAIR		= 1u << 0,	/* FIFO-ish: no reader or writer starves */
	LOCK_PROP_SPINNING	= 1u << 1,	/* waiters spin (bounded, then yield) */
	LOCK_PROP_SLEEPING	= 1u << 2,	/* waiters block in the kernel */
	LOCK_PROP_SHARED_READS	= 1u << 3,	/* readers run together */
};

/* How the waiters of a spinning strategy wait. Sleeping strategies ignore it. */
enum lock_spin_mode {
	LOCK_SPIN_YIELD,	/* spin `spins` rounds, then sched_yield(), and again */
	LOCK_SPIN_PURE,		/* spin until the lock is free, however long that takes */
	LOCK_SPIN_PARK,		/* spin `spins` rounds, then sleep in the kernel (a futex)
				 * until the lock's state changes, as user-space locks do
				 * when threads outnumber CPUs */
	LOCK_SPIN_HOOK,		/* call hook(hook_arg, site) at every round instead of
				 * spinning: lets a test decide when each waiter runs */
};

struct lock_spin_policy {
	enum lock_spin_mode mode;
	unsigned spins;		/* YIELD: pause rounds before each sched_yield(); PARK:
				 * before sleeping */
	/* LOCK_SPIN_HOOK: called by a waiting thread at each round of a wait loop. site is a
	 * static string naming the loop ("pflock: reader waits for the write phase to end").
	 * It returns when the waiter may look at the lock again. */
	void (*hook)(void *hook_arg, const char *site);
	void *hook_arg;
};

#define LOCK_SPIN_DEFAULT_SPINS 128u

struct lock_ops {
	const char *name;
	const char *description;	/* one line, for listings */
	unsigned props;
	/* 0 or -errno. spin is never NULL; the lock keeps its own copy. */
	int (*init)(void *impl, const struct lock_spin_policy *spin);
	void (*destroy)(void *impl);
	void (*read_lock)(void *impl);
	void (*read_unlock)(void *impl);
	void (*write_lock)(void *impl);
	void (*write_unlock)(void *impl);
	bool (*read_trylock)(void *impl);	/* true when taken; never waits */
	bool (*write_trylock)(void *impl);
	/* Optional: the lock's state words, for a report on a run that stopped making
	 * progress ("rin=0x302 rout=0x300 win=5 wout=4"). Reads with relaxed loads; snprintf's
	 * return value. */
	int (*describe)(const void *impl, char *buf, unsigned long len);
	unsigned long impl_size;
};

struct lock {
	const struct lock_ops *ops;
	void *impl;
};

#define LOCK_DEFAULT "pthread-rw"

/* NULL-terminated list of strategy names. */
const char *const *lock_names(void);
/* The strategy called name (NULL = LOCK_DEFAULT), or NULL when there is none. */
const struct lock_ops *lock_find(const char *name);
/* name NULL = LOCK_DEFAULT; spin policy lock_spin_default(). 0, -ENOENT for an unknown
 * name, -ENOMEM. */
int lock_init(struct lock *l, const char *name);
/* As lock_init, with a spin policy (NULL = lock_spin_default()). */
int lock_init_spin(struct lock *l, const char *name, const struct lock_spin_policy *spin);
/* A strategy from outside the registry (tests, checkers). -EINVAL when ops lacks a
 * function. */
int lock_init_ops(struct lock *l, const struct lock_ops *ops, const struct lock_spin_policy *spin);
void lock_destroy(struct lock *l);

/* The policy lock_init gives new locks. Until lock_set_spin_default() it comes from the
 * environment variable IOMEM_LOCK_SPIN (see lock_spin_policy_parse), else
 * yield:LOCK_SPIN_DEFAULT_SPINS. Locks already made keep theirs. */
struct lock_spin_policy lock_spin_default(void);
void lock_set_spin_default(const struct lock_spin_policy *spin);
/* "pure", "yield", "yield:N" (N pause rounds before each yield), "park" or "park:N" (N
 * pause rounds before sleeping). 0 or -EINVAL. */
int lock_spin_policy_parse(const char *s, struct lock_spin_policy *spin);
/* The policy as lock_spin_policy_parse reads it ("yield:128"; "hook" for LOCK_SPIN_HOOK). */
int lock_spin_policy_format(const struct lock_spin_policy *spin, char *buf, unsigned long len);

/* Where a thread waits. Each wait loop of a spinning strategy stores its site (a static
 * string) into the waiting thread's slot at every round; the slot is left as it is when
 * the wait ends. A harness that wants to report where its threads wait takes the slot's
 * address from each thread (lock_wait_site_slot(), called by that thread), clears it
 * before each lock call and reads it from its watchdog: a site there means the thread is
 * waiting, or was, inside the lock call it is in. NULL in a sleeping strategy's call. */
typedef const char *_Atomic lock_wait_site;
lock_wait_site *lock_wait_site_slot(void);

/* The lock's state as its describe() tells it, or a note that it has none to show. */
int lock_describe(const struct lock *l, char *buf, unsigned long len);

static inline void lock_read(struct lock *l) { l->ops->read_lock(l->impl); }
static inline void unlock_read(struct lock *l) { l->ops->read_unlock(l->impl); }
static inline void lock_write(struct lock *l) { l->ops->write_lock(l->impl); }
static inline void unlock_write(struct lock *l) { l->ops->write_unlock(l->impl); }
static inline bool trylock_read(struct lock *l) { return l->ops->read_trylock(l->impl); }
static inline bool trylock_write(struct lock *l) { return l->ops->write_trylock(l->impl); }
static inline const char *lock_name(const struct lock *l) { return l->ops->name; }
static inline unsigned lock_props(const struct lock *l) { return l->ops->props; }

#endif
