/* A queued writer keeps its turn while it is off the CPU (issue 5).
 *
 * A spinning waiter in user space can be preempted or yield at any moment, and the next
 * owner in line is then not running when its turn comes. A fair lock must not open the
 * lock to whoever runs meanwhile: pflock once did, letting every running reader in again
 * and again until the next writer ran and announced itself, which left the readers' counts
 * to the scheduler (one reader 3x the others over 10^7 acquisitions on 2 CPUs).
 *
 * The ordering tests run their threads on one CPU, so that a thread that waits is
 * certainly not running while the test's own thread is, and check only what the lock's
 * order decides:
 * - every fair strategy: a reader queued before a writer goes first; once the holder
 *   unlocks with a writer queued, a read_trylock does not get in before that writer;
 * - pflock: phase-fairness with writers queued back to back: a reader waits for one
 *   write phase, not for every writer queued ahead of it;
 * - pflock: a failed write_trylock does not let two write phases in a row carry the same
 *   phase ID (a reader that slept through the first would deadlock with the second).
 * And every strategy: trylocks mixed with blocking calls by contending threads. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "locks/lock.h"

/* A backstop only, for a lock that never does what the test waits for. */
#define WATCHDOG_S 60
/* CPU time a thread must have spent inside a lock call before it counts as waiting in it
 * (queued, counted in): the call's first atomic takes nanoseconds. */
#define INSIDE_CALL_NS 1000000

struct actor {
	pthread_t tid;
	struct lock *l;
	atomic_uint *seq;	/* the order of entries, shared by the test's actors */
	bool writer;
	bool idle;		/* runs as SCHED_IDLE: only when nothing else wants the CPU */
	atomic_bool go;		/* once inside: leave */
	atomic_llong cpu_at_call;	/* own CPU time (ns) just before the lock call, -1 before */
	atomic_bool entered;
	atomic_uint entry;	/* from *seq when it got in */
	atomic_bool done;
};

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void nap(void)
{
	struct timespec ts = { 0, 100000 };

	nanosleep(&ts, NULL);
}

static void *actor_main(void *p)
{
	struct actor *a = p;

	if (a->idle) {
		struct sched_param none = { 0 };

		pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
	}
	atomic_store(&a->cpu_at_call, now_ns(CLOCK_THREAD_CPUTIME_ID));
	if (a->writer)
		lock_write(a->l);
	else
		lock_read(a->l);
	atomic_store(&a->entry, atomic_fetch_add(a->seq, 1));
	atomic_store(&a->entered, true);
	while (!atomic_load(&a->go))
		nap();
	atomic_store(&a->done, true);
	if (a->writer)
		unlock_write(a->l);
	else
		unlock_read(a->l);
	return NULL;
}

static void actor_start_idle(struct actor *a, struct lock *l, atomic_uint *seq, bool writer,
			     bool go, bool idle)
{
	memset(a, 0, sizeof(*a));
	a->l = l;
	a->seq = seq;
	a->writer = writer;
	a->idle = idle;
	atomic_init(&a->go, go);
	atomic_init(&a->cpu_at_call, -1);
	atomic_init(&a->entered, false);
	atomic_init(&a->entry, 0);
	atomic_init(&a->done, false);
	assert_int_equal(pthread_create(&a->tid, NULL, actor_main, a), 0);
}

static void actor_start(struct actor *a, struct lock *l, atomic_uint *seq, bool writer, bool go)
{
	actor_start_idle(a, l, seq, writer, go, false);
}

/* Until the actor has spent INSIDE_CALL_NS of CPU in its lock call, i.e. waits in it. */
static void wait_inside_call(struct actor *a, const char *what)
{
	long long deadline = now_ns(CLOCK_MONOTONIC) + (long long)WATCHDOG_S * 1000000000;
	clockid_t cpu;

	assert_int_equal(pthread_getcpuclockid(a->tid, &cpu), 0);
	for (;;) {
		long long at = atomic_load(&a->cpu_at_call);

		if (at >= 0 && now_ns(cpu) - at >= INSIDE_CALL_NS)
			break;
		if (atomic_load(&a->entered))
			fail_msg("%s got in at once", what);
		if (now_ns(CLOCK_MONOTONIC) > deadline)
			fail_msg("%s: not waiting in its lock call after %d s", what, WATCHDOG_S);
		nap();
	}
}

static void actor_join(struct actor *a)
{
	atomic_store(&a->go, true);
	pthread_join(a->tid, NULL);
	assert_true(atomic_load(&a->done));
}

/* Runs the calling thread, and the threads it creates, on the CPU it is on. */
static void pin_to_one_cpu(cpu_set_t *saved)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	assert_true(cpu >= 0);
	assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(*saved), saved), 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(one), &one), 0);
}

static void unpin(const cpu_set_t *saved)
{
	assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(*saved), saved), 0);
}

static void init_yielding(struct lock *l, const char *name)
{
	const struct lock_spin_policy spin = { .mode = LOCK_SPIN_YIELD,
					       .spins = LOCK_SPIN_DEFAULT_SPINS };

	assert_int_equal(lock_init_spin(l, name, &spin), 0);
}

/* We hold the write lock; a reader queues, then a writer. When we unlock, the writer is
 * not running (we are, on the only CPU): the reader must still go first, and nobody may
 * read before the writer has had its turn. */
static void test_queued_writer_keeps_its_turn(void **state)
{
	const char *name = *state;
	struct actor r, w;
	bool barged = false;
	atomic_uint seq;
	cpu_set_t saved;
	struct lock l;

	atomic_init(&seq, 0);
	pin_to_one_cpu(&saved);
	init_yielding(&l, name);
	lock_write(&l);
	actor_start(&r, &l, &seq, false, true);
	wait_inside_call(&r, "the reader");
	actor_start(&w, &l, &seq, true, true);
	wait_inside_call(&w, "the writer");
	unlock_write(&l);
	if (trylock_read(&l)) {
		/* Only legitimate once the writer has written (we were preempted meanwhile). */
		barged = !atomic_load(&w.done);
		unlock_read(&l);
	}
	/* The threads finish before any check fails: they use the lock on our stack. */
	actor_join(&r);
	actor_join(&w);
	unpin(&saved);
	lock_destroy(&l);
	if (barged)
		fail_msg("%s: a read_trylock got in ahead of a queued writer", name);
	if (atomic_load(&r.entry) > atomic_load(&w.entry))
		fail_msg("%s: a writer queued after a reader went first", name);
}

/* pflock's phases with writers queued back to back (each handing the write phase to the
 * next): a reader that arrives during a write phase goes in when that phase ends, before
 * the writers queued behind it, and holds the next write phase back until it leaves. */
static void test_pflock_one_write_phase_per_reader(void **state)
{
	enum { W = 3 };
	struct actor r1, r2, w[W];
	bool barged;
	atomic_uint seq;
	cpu_set_t saved;
	struct lock l;

	(void)state;
	atomic_init(&seq, 0);
	pin_to_one_cpu(&saved);
	init_yielding(&l, "pflock");
	lock_write(&l);
	actor_start(&r1, &l, &seq, false, true);
	wait_inside_call(&r1, "reader 1");
	for (int i = 0; i < W; i++) {
		actor_start(&w[i], &l, &seq, true, false);	/* each holds until go */
		wait_inside_call(&w[i], "a writer");
	}
	unlock_write(&l);
	barged = trylock_read(&l);
	if (barged)
		unlock_read(&l);
	/* During writer 0's phase (it holds until go): reader 2 must wait for it only. */
	if (!barged) {
		actor_start(&r2, &l, &seq, false, true);
		wait_inside_call(&r2, "reader 2");
	}
	actor_join(&r1);
	actor_join(&w[0]);
	if (!barged)
		actor_join(&r2);
	for (int i = 1; i < W; i++)
		actor_join(&w[i]);
	unpin(&saved);

	if (barged)
		fail_msg("pflock: read_trylock got in with writers queued and none of them run");
	assert_int_equal(atomic_load(&r1.entry), 0);
	assert_int_equal(atomic_load(&w[0].entry), 1);
	assert_int_equal(atomic_load(&r2.entry), 2);
	for (int i = 1; i < W; i++)
		assert_int_equal(atomic_load(&w[i].entry), 2 + i);
	/* No writer left: the read phase is open. */
	assert_true(trylock_read(&l));
	unlock_read(&l);
	assert_true(trylock_write(&l));
	unlock_write(&l);
	lock_destroy(&l);
}

/* pflock: a write_trylock that fails must not break the alternation of phase IDs. A
 * reader waits for the writer bits it saw to change. Here it waits for our write phase,
 * which ends while it is off the CPU (it runs as SCHED_IDLE); a write_trylock then fails,
 * as the reader is let in but has not left, and a writer comes. Were the writer's phase to
 * carry the ID of ours, the reader, never having seen the bits change, would wait for a
 * writer that waits for it to leave. (The write_trylock that announced a phase and took it
 * back did this, and one that gave back its ticket while phase IDs followed tickets.) */
static void test_pflock_failed_write_trylock_keeps_phases_apart(void **state)
{
	long long deadline = now_ns(CLOCK_MONOTONIC) + 10LL * 1000000000;
	struct actor r, w;
	bool taken;
	atomic_uint seq;
	cpu_set_t saved;
	struct lock l;

	(void)state;
	atomic_init(&seq, 0);
	pin_to_one_cpu(&saved);
	init_yielding(&l, "pflock");
	lock_write(&l);
	actor_start_idle(&r, &l, &seq, false, true, true);
	wait_inside_call(&r, "the reader");
	unlock_write(&l);
	/* Fails unless the reader ran meanwhile and left (then nothing is tested). */
	taken = trylock_write(&l);
	if (taken)
		unlock_write(&l);
	actor_start(&w, &l, &seq, true, true);
	while (!atomic_load(&w.done) || !atomic_load(&r.done)) {
		if (now_ns(CLOCK_MONOTONIC) > deadline)
			fail_msg("pflock: deadlock after a failed write_trylock (reader %s, writer %s)",
				 atomic_load(&r.entered) ? "in" : "waiting",
				 atomic_load(&w.entered) ? "in" : "waiting");
		nap();
	}
	actor_join(&r);
	actor_join(&w);
	unpin(&saved);
	if (!taken)
		assert_true(atomic_load(&r.entry) < atomic_load(&w.entry));
	lock_destroy(&l);
}

/* Every strategy: trylocks mixed with blocking calls by contending threads. Exclusion
 * holds (a plain counter that writers bump, checked against an atomic one), and nothing
 * deadlocks: the earlier pflock write_trylock hung here in 8 runs of 8. */
#ifdef IOMEM_TSAN
#define MIX_ROUNDS 5000
#else
#define MIX_ROUNDS 25000
#endif
#define MIX_THREADS 4

struct mix {
	struct lock l;
	atomic_int readers, writers;
	atomic_ulong overlaps, writes, finished;
	unsigned long plain_writes;	/* under the write lock */
};

static void *mix_main(void *p)
{
	struct mix *m = p;
	uint64_t x = (uint64_t)(uintptr_t)&x | 1;

	for (int i = 0; i < MIX_ROUNDS; i++) {
		bool write, taken = true;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		write = x & 1;
		if (x & 2)
			taken = write ? trylock_write(&m->l) : trylock_read(&m->l);
		else if (write)
			lock_write(&m->l);
		else
			lock_read(&m->l);
		if (!taken)
			continue;
		if (write) {
			if (atomic_fetch_add(&m->writers, 1) || atomic_load(&m->readers))
				atomic_fetch_add(&m->overlaps, 1);
			m->plain_writes++;
			atomic_fetch_add(&m->writes, 1);
			atomic_fetch_sub(&m->writers, 1);
			unlock_write(&m->l);
		} else {
			atomic_fetch_add(&m->readers, 1);
			if (atomic_load(&m->writers))
				atomic_fetch_add(&m->overlaps, 1);
			atomic_fetch_sub(&m->readers, 1);
			unlock_read(&m->l);
		}
	}
	atomic_fetch_add(&m->finished, 1);
	return NULL;
}

static void test_trylocks_mixed_with_locks(void **state)
{
	long long deadline = now_ns(CLOCK_MONOTONIC) + (long long)WATCHDOG_S * 1000000000;
	pthread_t t[MIX_THREADS];
	struct mix *m;

	(void)state;
	for (const char *const *name = lock_names(); *name; name++) {
		m = calloc(1, sizeof(*m));
		assert_non_null(m);
		init_yielding(&m->l, *name);
		for (int i = 0; i < MIX_THREADS; i++)
			assert_int_equal(pthread_create(&t[i], NULL, mix_main, m), 0);
		while (atomic_load(&m->finished) < MIX_THREADS) {
			if (now_ns(CLOCK_MONOTONIC) > deadline)
				fail_msg("%s: trylocks mixed with locks hung", *name);
			nap();
		}
		for (int i = 0; i < MIX_THREADS; i++)
			pthread_join(t[i], NULL);
		if (atomic_load(&m->overlaps))
			fail_msg("%s: %lu overlaps", *name, atomic_load(&m->overlaps));
		assert_int_equal(m->plain_writes, atomic_load(&m->writes));
		/* Left free. */
		assert_true(trylock_write(&m->l));
		unlock_write(&m->l);
		lock_destroy(&m->l);
		free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_queued_writer_keeps_its_turn, (void *)"ticket"),
		cmocka_unit_test_prestate(test_queued_writer_keeps_its_turn, (void *)"mcs"),
		cmocka_unit_test_prestate(test_queued_writer_keeps_its_turn, (void *)"qrwlock"),
		cmocka_unit_test_prestate(test_queued_writer_keeps_its_turn, (void *)"pflock"),
		cmocka_unit_test(test_pflock_one_write_phase_per_reader),
		cmocka_unit_test(test_pflock_failed_write_trylock_keeps_phases_apart),
		cmocka_unit_test(test_trylocks_mixed_with_locks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
