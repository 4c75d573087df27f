/* One reader-writer lock interface over interchangeable strategies, chosen by name.
 * The tree locks (rcu: its writer lock) and the VA allocator's locks take their lock
 * through this. (The page-table walkers' grace periods use a plain mutex of their own.)
 *
 * A lock is released by the thread that took it: mcs and brlock keep per-thread state
 * (queue nodes, reader slots), as pthread mutexes formally require too. */
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
};

struct lock_spin_policy {
	enum lock_spin_mode mode;
	unsigned spins;		/* LOCK_SPIN_YIELD: pause rounds before each sched_yield() */
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
/* "pure", "yield" or "yield:N" (N pause rounds before each yield). 0 or -EINVAL. */
int lock_spin_policy_parse(const char *s, struct lock_spin_policy *spin);

static inline void lock_read(struct lock *l) { l->ops->read_lock(l->impl); }
static inline void unlock_read(struct lock *l) { l->ops->read_unlock(l->impl); }
static inline void lock_write(struct lock *l) { l->ops->write_lock(l->impl); }
static inline void unlock_write(struct lock *l) { l->ops->write_unlock(l->impl); }
static inline bool trylock_read(struct lock *l) { return l->ops->read_trylock(l->impl); }
static inline bool trylock_write(struct lock *l) { return l->ops->write_trylock(l->impl); }
static inline const char *lock_name(const struct lock *l) { return l->ops->name; }
static inline unsigned lock_props(const struct lock *l) { return l->ops->props; }

#endif
