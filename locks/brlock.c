/* "brlock": Concurrency Kit's big-reader lock. Each thread reads through its own reader
 * slot (one cache line of this lock), so readers never write a shared line; a writer sets
 * the writer flag, then waits until every registered slot is empty: reads are cheap and
 * scale, writes cost O(registered slots). Not fair: writers race for the flag, and a
 * stream of writers can hold readers off.
 *
 * Slot i belongs to the thread with index i (thread_index.h); a thread registers its slot
 * with this lock on its first read. Threads past BRLOCK_READER_SLOTS get no slot and read
 * by taking the write side (correct, only exclusive).
 *
 * Readers use CK's read_lock (pure spinning) or read_trylock then sched_yield(). The
 * writer side restates ck_brlock_write_lock with spin_wait(), and annotates for TSan
 * between taking the flag and scanning the slots (the slot list is written under the
 * flag). */
#include <ck_brlock.h>
#include <sched.h>

#include "locks/lock.h"
#include "spin_wait.h"
#include "thread_index.h"
#include "tsan_annotate.h"

#define BRLOCK_READER_SLOTS 64

struct brlock_slot {
	_Alignas(64) ck_brlock_reader_t reader;
	bool registered;	/* touched only by the thread owning this slot's index */
};

struct brlock {
	ck_brlock_t br;
	struct lock_spin_policy spin;
	struct brlock_slot slots[BRLOCK_READER_SLOTS];
};

static int init(void *impl, const struct lock_spin_policy *spin)
{
	struct brlock *b = impl;

	ck_brlock_init(&b->br);
	b->spin = *spin;
	for (int i = 0; i < BRLOCK_READER_SLOTS; i++)
		b->slots[i].registered = false;
	return 0;
}

static void destroy(void *impl)
{
	(void)impl;
}

static void write_lock(void *impl)
{
	struct brlock *b = impl;
	unsigned spun = 0;

	while (ck_pr_fas_uint(&b->br.writer, true)) {
		do
			spin_wait(&b->spin, &spun);
		while (ck_pr_load_uint(&b->br.writer));
	}
	ck_pr_fence_atomic_load();
	tsan_writer_acquired(b);
	for (ck_brlock_reader_t *r = b->br.readers; r; r = r->next)
		while (ck_pr_load_uint(&r->n_readers))
			spin_wait(&b->spin, &spun);
	ck_pr_fence_lock();
	tsan_readers_drained(b);
}

static void write_unlock(void *impl)
{
	struct brlock *b = impl;

	tsan_write_releasing(b);
	ck_brlock_write_unlock(&b->br);
}

static bool write_trylock(void *impl)
{
	struct brlock *b = impl;

	if (ck_pr_fas_uint(&b->br.writer, true))
		return false;
	ck_pr_fence_atomic_load();
	tsan_writer_acquired(b);
	for (ck_brlock_reader_t *r = b->br.readers; r; r = r->next) {
		if (ck_pr_load_uint(&r->n_readers)) {
			write_unlock(b);
			return false;
		}
	}
	ck_pr_fence_lock();
	tsan_readers_drained(b);
	return true;
}

/* ck_brlock_read_register's linking; the caller holds the write side. */
static void link_slot(struct brlock *b, struct brlock_slot *s)
{
	s->reader.n_readers = 0;
	s->reader.previous = NULL;
	s->reader.next = b->br.readers;
	if (s->reader.next)
		s->reader.next->previous = &s->reader;
	ck_pr_store_ptr(&b->br.readers, &s->reader);
	s->registered = true;
}

/* This thread's slot, or NULL when it has none. */
static struct brlock_slot *my_slot(struct brlock *b)
{
	int i = lock_thread_index();

	return i >= 0 && i < BRLOCK_READER_SLOTS ? &b->slots[i] : NULL;
}

static void read_lock(void *impl)
{
	struct brlock *b = impl;
	struct brlock_slot *s = my_slot(b);

	if (!s) {
		write_lock(b);
		return;
	}
	if (!s->registered) {
		write_lock(b);
		link_slot(b, s);
		write_unlock(b);
	}
	if (b->spin.mode == LOCK_SPIN_PURE)
		ck_brlock_read_lock(&b->br, &s->reader);
	else
		while (!ck_brlock_read_trylock(&b->br, &s->reader, b->spin.spins ? b->spin.spins : 1))
			sched_yield();
	tsan_read_acquired(b);
}

static void read_unlock(void *impl)
{
	struct brlock *b = impl;
	struct brlock_slot *s = my_slot(b);

	if (!s) {
		write_unlock(b);
		return;
	}
	tsan_read_releasing(b);
	ck_brlock_read_unlock(&s->reader);
}

static bool read_trylock(void *impl)
{
	struct brlock *b = impl;
	struct brlock_slot *s = my_slot(b);

	if (!s)
		return write_trylock(b);
	if (!s->registered) {
		if (!write_trylock(b))
			return false;
		link_slot(b, s);
		write_unlock(b);
	}
	if (!ck_brlock_read_trylock(&b->br, &s->reader, 1))
		return false;
	tsan_read_acquired(b);
	return true;
}

const struct lock_ops lock_brlock = {
	.name = "brlock",
	.description = "big-reader lock (Concurrency Kit): a reader slot per thread, writers scan them all; not fair",
	.props = LOCK_PROP_SPINNING | LOCK_PROP_SHARED_READS,
	.init = init,
	.destroy = destroy,
	.read_lock = read_lock,
	.read_unlock = read_unlock,
	.write_lock = write_lock,
	.write_unlock = write_unlock,
	.read_trylock = read_trylock,
	.write_trylock = write_trylock,
	.impl_size = sizeof(struct brlock),
};
