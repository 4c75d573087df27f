/* SPDX-License-Identifier: MIT */
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
 * Readers use CK's read_lock (pure spinning) or read_trylock then lock_wait(). The
 * writer side restates ck_brlock_write_lock with lock_wait(), and annotates for TSan
 * between taking the flag and scanning the slots (the slot list is written under the
 * flag).
 *
 * Parked waiters for the writer flag (writers, and readers waiting for a writer to leave)
 * sleep on `flag`, bumped when a writer leaves; a parked writer waiting for the readers on
 * `drained`, bumped when a reader leaves its slot while a writer is present. That second
 * test keeps the read side off any shared line: the reader's store to its slot and the
 * writer's to the flag are each followed by a full fence before the other's load, so
 * either the reader sees the flag and signals, or the writer's scan sees the slot empty
 * (store buffering, forbidden with the fences on x86 and arm64 alike). A failed
 * read_trylock raised and dropped its slot while a writer was there, so it signals. */
#include <ck_brlock.h>
#include <stdio.h>

#include "locks/lock.h"
#include "wait.h"
#include "thread_index.h"
#include "tsan_annotate.h"

#define BRLOCK_READER_SLOTS 64

struct brlock_slot {
	_Alignas(64) ck_brlock_reader_t reader;
	bool registered;	/* touched only by the thread owning this slot's index */
};

struct brlock {
	ck_brlock_t br;
	struct ck_ec32 flag;		/* parked waiters for the writer flag */
	struct ck_ec32 drained;		/* a parked writer waiting for reader slots */
	struct lock_spin_policy spin;
	struct brlock_slot slots[BRLOCK_READER_SLOTS];
};

static int init(void *impl, const struct lock_spin_policy *spin)
{
	struct brlock *b = impl;

	ck_brlock_init(&b->br);
	ck_ec32_init(&b->flag, 0);
	ck_ec32_init(&b->drained, 0);
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
	struct lock_wait w;

	lock_wait_init(&w, &b->spin, &b->flag, "brlock: writer waits for the writer flag");
	while (ck_pr_fas_uint(&b->br.writer, true)) {
		do
			lock_wait(&w);
		while (ck_pr_load_uint(&b->br.writer));
	}
	/* the flag's fas before the slot loads (store buffering against the readers,
	 * header comment); a full fence on arm64 */
	ck_pr_fence_atomic_load();
	tsan_writer_acquired(b);
	lock_wait_init(&w, &b->spin, &b->drained,
		       "brlock: writer waits for a reader slot to empty");
	for (ck_brlock_reader_t *r = b->br.readers; r; r = r->next)
		while (ck_pr_load_uint(&r->n_readers))
			lock_wait(&w);
	ck_pr_fence_lock();	/* acquire: the readers' sections (fence_unlock before their slot) */
	tsan_readers_drained(b);
}

static void write_unlock(void *impl)
{
	struct brlock *b = impl;

	tsan_write_releasing(b);
	ck_brlock_write_unlock(&b->br);
	lock_event_signal(&b->flag, &b->spin);
}

/* A reader left its slot (or took back a failed try). */
static void reader_left(struct brlock *b)
{
	if (b->spin.mode != LOCK_SPIN_PARK)
		return;
	ck_pr_fence_memory();	/* the slot's store before the flag's load (header comment) */
	if (ck_pr_load_uint(&b->br.writer))
		lock_event_signal(&b->drained, &b->spin);
}

static bool write_trylock(void *impl)
{
	struct brlock *b = impl;

	if (ck_pr_fas_uint(&b->br.writer, true))
		return false;
	ck_pr_fence_atomic_load();	/* as in write_lock: the flag before the slot loads */
	tsan_writer_acquired(b);
	for (ck_brlock_reader_t *r = b->br.readers; r; r = r->next) {
		if (ck_pr_load_uint(&r->n_readers)) {
			write_unlock(b);
			return false;
		}
	}
	ck_pr_fence_lock();	/* acquire: as in write_lock */
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
	struct lock_wait w;

	if (!s) {
		write_lock(b);
		return;
	}
	if (!s->registered) {
		write_lock(b);
		link_slot(b, s);
		write_unlock(b);
	}
	if (b->spin.mode == LOCK_SPIN_PURE) {
		ck_brlock_read_lock(&b->br, &s->reader);
	} else {
		lock_wait_init(&w, &b->spin, &b->flag,
			       "brlock: reader waits for the writer to leave");
		while (!ck_brlock_read_trylock(&b->br, &s->reader, 1)) {
			reader_left(b);
			lock_wait(&w);
		}
	}
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
	reader_left(b);
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
	if (!ck_brlock_read_trylock(&b->br, &s->reader, 1)) {
		reader_left(b);
		return false;
	}
	tsan_read_acquired(b);
	return true;
}

static int describe(const void *impl, char *buf, unsigned long len)
{
	const struct brlock *b = impl;
	unsigned slots = 0, reading = 0;

	/* The slot list only grows, under the writer flag; a racy walk may miss the newest. */
	for (const ck_brlock_reader_t *r = ck_pr_load_ptr(&b->br.readers); r; r = r->next) {
		slots++;
		reading += ck_pr_load_uint(&r->n_readers) != 0;
	}
	return snprintf(buf, len, "writer flag %u, %u reader slots, %u of them reading",
			ck_pr_load_uint(&b->br.writer), slots, reading);
}

const struct lock_ops lock_brlock = {
	.name = "brlock",
	.description = "big-reader lock (Concurrency Kit): a reader slot per thread, writers "
		       "scan them all; not fair",
	.props = LOCK_PROP_SPINNING | LOCK_PROP_SHARED_READS,
	.init = init,
	.destroy = destroy,
	.read_lock = read_lock,
	.read_unlock = read_unlock,
	.write_lock = write_lock,
	.write_unlock = write_unlock,
	.read_trylock = read_trylock,
	.write_trylock = write_trylock,
	.describe = describe,
	.impl_size = sizeof(struct brlock),
};
