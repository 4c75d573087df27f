/* SPDX-License-Identifier: MIT */
/* Real concurrent histories are linearizable, on every backend, from 2, 3 and 4 threads:
 * the recording protocol the harness uses (epochs between barriers: snapshot, a window
 * of ~12 recorded ops, check), a mix of plain and blocking muxed requests, allocations,
 * container inserts and removals, lookups and intersects. A corrupted real window must
 * be caught. Bounded by counts (epochs x ops), so it runs under ThreadSanitizer. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opscript/opscript.h"
#include "check/linearizability.h"

#define IOMEM IOMEM_ROOT_IOMEM
#define PLAIN(s) (0x10000000ULL + (s) * 0x10000ULL)	/* 2 slots, requests of 0x1000 */
#define MUXED(m) (0x10100000ULL + (m) * 0x1000ULL)	/* 2 slots, muxed requests of 0x100 */
#define ALLOC_MIN 0x40000000ULL
#define ALLOC_MAX 0x4000ffffULL

enum { EPOCHS = 150, WINDOW = 12, MAX_THREADS = 4 };

static const char base_tree[] =
	"insert 0x0 0xfff \"Reserved\"\n"
	"insert 0x1000 0x9ffff \"System RAM\" system_ram,busy\n"
	"insert 0x10000000 0x1fffffff \"PCI Bus 0000:00\"\n";

enum hold { NONE, PLAIN_REGION, MUXED_REGION, ALLOCATED, CONTAINER };

struct worker {
	struct shared *sh;
	struct lin_ring ring;
	unsigned id;
	uint64_t rng;
	enum hold hold;
	resource_size_t held;	/* start of what it holds */
	unsigned failures;	/* could not let go of what it held (cmocka asserts on main) */
};

struct shared {
	struct iomem_tree *t;
	pthread_barrier_t start, end;
	atomic_uint invoked;		/* threads that invoked their epoch's first op */
	atomic_uint answered;		/* ... and that got its answer */
	unsigned nthreads, ops;		/* ops per thread per epoch */
	struct worker w[MAX_THREADS];
};

static uint64_t next(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

/* Spins until every thread reached the same count. */
static void rendezvous(struct worker *w, atomic_uint *count)
{
	unsigned n = w->sh->nthreads, all = (atomic_fetch_add(count, 1) / n + 1) * n;

	while (atomic_load(count) < all)
		sched_yield();
}

/* One recorded op; returns its result. The first op of each thread's epoch waits, after
 * its invocation stamp, for every thread's: those ops certainly overlap in the history
 * (a wider interval only allows more orders), and then race on the tree for real. */
static int run(struct worker *w, struct lin_op *op)
{
	struct lin_event *e = lin_ring_begin(&w->ring);

	if (w->ring.head == w->ring.mark)
		rendezvous(w, &w->sh->invoked);
	e->op = *op;
	lin_op_apply(w->sh->t, &e->op, &e->res, false);
	lin_ring_end(&w->ring, e);
	return e->res.ret;
}

static void let_go(struct worker *w)
{
	struct lin_op op;

	if (w->hold == CONTAINER)
		lin_op_remove(&op, IOMEM, w->held, w->held + 0xffff);
	else
		lin_op_release(&op, IOMEM, w->held,
			       w->hold == MUXED_REGION ? 0x100 : 0x1000);
	w->failures += run(w, &op) != 0;
	w->hold = NONE;
}

static void read_op(struct worker *w)
{
	struct lin_op op;
	resource_size_t at = next(w) % 2 ? PLAIN(next(w) % 2) : MUXED(next(w) % 2);

	if (next(w) % 2)
		lin_op_lookup(&op, IOMEM, at + 8);
	else
		lin_op_intersects(&op, IOMEM, at, 0x2000, IORESOURCE_MEM | IORESOURCE_BUSY, 0);
	run(w, &op);
}

static void take(struct worker *w, enum hold kind, resource_size_t at, struct lin_op *op)
{
	struct lin_event *e;

	if (run(w, op) != 0)
		return;
	e = &w->ring.ev[(w->ring.head - 1) & w->ring.mask];
	w->hold = kind;
	w->held = kind == ALLOCATED ? e->res.start : at;
}

/* Holds at most one thing at a time, so a blocking muxed request never waits on a
 * thread that waits too. Every thread's first op of an epoch requests the same region,
 * muxed (blocking) in odd epochs: contention every time. */
static void one_op(struct worker *w, int epoch, bool first)
{
	char name[8];
	struct lin_op op;
	unsigned r = (unsigned)(next(w) % 10);
	resource_size_t at = PLAIN(next(w) % 2);

	snprintf(name, sizeof(name), "t%u", w->id);
	if (first) {
		r = epoch % 2 ? 3 : 0;
		at = PLAIN(0);
	}
	if (w->hold != NONE) {
		if (r < 5)
			let_go(w);
		else
			read_op(w);
		return;
	}
	if (r < 3) {
		lin_op_request(&op, IOMEM, at, 0x1000, name, 0, false);
		take(w, PLAIN_REGION, at, &op);
	} else if (r < 5) {
		at = MUXED(first ? 0 : next(w) % 2);
		lin_op_request(&op, IOMEM, at, 0x100, name, IORESOURCE_MUXED, true);
		take(w, MUXED_REGION, at, &op);
	} else if (r == 5) {
		lin_op_allocate(&op, IOMEM, 0x1000, ALLOC_MIN, ALLOC_MAX, 0x1000, name,
				IORESOURCE_BUSY);
		take(w, ALLOCATED, 0, &op);
	} else if (r == 6) {
		lin_op_insert(&op, IOMEM, at, at + 0xffff, "container", 0, 0);
		take(w, CONTAINER, at, &op);
	} else {
		read_op(w);
	}
}

/* The first op's winner keeps the region until every other thread was refused (plain)
 * or is asleep on it (muxed; a thread that came and went before counts too). */
static void contend(struct worker *w, int epoch)
{
	struct iomem_muxed_stats st;
	unsigned n = w->sh->nthreads, base = (unsigned)epoch * n;

	if (epoch % 2 == 0) {
		rendezvous(w, &w->sh->answered);
		return;
	}
	atomic_fetch_add(&w->sh->answered, 1);
	if (w->hold != MUXED_REGION)
		return;
	for (long spins = 0; spins < 10000000; spins++) {
		iomem_tree_muxed_stats(w->sh->t, &st);
		if (atomic_load(&w->sh->answered) - base + st.sleeping >= n)
			break;
		sched_yield();
	}
}

static void pause_a_little(struct worker *w)
{
	for (volatile unsigned i = (unsigned)(next(w) % 2000); i; i--)
		;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int epoch = 0; epoch < EPOCHS; epoch++) {
		pthread_barrier_wait(&w->sh->start);
		for (unsigned i = 0; i < w->sh->ops; i++) {
			one_op(w, epoch, i == 0);
			if (i == 0)
				contend(w, epoch);
			pause_a_little(w);
		}
		if (w->hold != NONE)
			let_go(w);
		pthread_barrier_wait(&w->sh->end);
	}
	return NULL;
}

struct tally {
	unsigned windows, ops, concurrent;	/* concurrent: windows where threads overlapped */
	unsigned refused;			/* ops that returned an error */
	unsigned long long muxed_sleeps;
	struct lin_event last[LIN_WINDOW_MAX];	/* a window with a granted request */
	size_t last_n;
	struct lin_state *last_state;
};

static bool overlapping(const struct lin_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (ev[i].thread != ev[j].thread && ev[i].invoke_ns < ev[j].response_ns &&
			    ev[j].invoke_ns < ev[i].response_ns)
				return true;
	return false;
}

static bool has_granted_request(const struct lin_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ev[i].op.code == LIN_REQUEST && ev[i].res.ret == 0)
			return true;
	return false;
}

static void check_window(struct shared *sh, struct lin_state *snap, struct tally *tally,
			 const char *backend)
{
	struct lin_ring *rings[MAX_THREADS];
	struct lin_event ev[LIN_WINDOW_MAX];
	struct lin_report rep;
	size_t n;

	for (unsigned i = 0; i < sh->nthreads; i++)
		rings[i] = &sh->w[i].ring;
	assert_int_equal(lin_window_collect(rings, sh->nthreads, ev, LIN_WINDOW_MAX, &n), 0);
	assert_int_equal(lin_check(snap, ev, n, NULL, &rep), 0);
	if (rep.verdict != LIN_OK) {
		lin_report_write(stderr, snap, ev, n, &rep);
		fail_msg("backend %s, %u threads: a real window is not linearizable (above)",
			 backend, sh->nthreads);
	}
	tally->windows++;
	tally->ops += (unsigned)n;
	tally->concurrent += overlapping(ev, n);
	for (size_t i = 0; i < n; i++)
		tally->refused += ev[i].op.code != LIN_INTERSECTS && ev[i].res.ret != 0;
	if (has_granted_request(ev, n)) {
		memcpy(tally->last, ev, n * sizeof(ev[0]));
		tally->last_n = n;
		lin_state_free(tally->last_state);
		tally->last_state = snap;
	} else {
		lin_state_free(snap);
	}
}

static struct iomem_tree *base(const char *backend)
{
	struct iomem_tree *t = iomem_tree_new(backend, NULL);
	FILE *in = fmemopen((void *)base_tree, strlen(base_tree), "r");
	FILE *sink = fopen("/dev/null", "w");

	assert_non_null(t);
	assert_int_equal(opscript_run(t, in, "base", sink, stderr), 0);
	fclose(in);
	fclose(sink);
	return t;
}

static void run_threads(const char *backend, unsigned nthreads, struct tally *tally)
{
	struct shared *sh = calloc(1, sizeof(*sh));
	pthread_t tid[MAX_THREADS];

	sh->t = base(backend);
	sh->nthreads = nthreads;
	sh->ops = WINDOW / nthreads;
	pthread_barrier_init(&sh->start, NULL, nthreads + 1);
	pthread_barrier_init(&sh->end, NULL, nthreads + 1);
	for (unsigned i = 0; i < nthreads; i++) {
		sh->w[i] = (struct worker){ .sh = sh, .id = i,
					    .rng = 0x9e3779b97f4a7c15ULL * (i + 1) ^ nthreads };
		assert_int_equal(lin_ring_init(&sh->w[i].ring, i, 64), 0);
		assert_int_equal(pthread_create(&tid[i], NULL, worker_main, &sh->w[i]), 0);
	}
	for (int epoch = 0; epoch < EPOCHS; epoch++) {
		struct lin_state *snap;
		struct lin_ring *rings[MAX_THREADS];

		for (unsigned i = 0; i < nthreads; i++)
			rings[i] = &sh->w[i].ring;
		assert_int_equal(lin_state_capture(sh->t, &snap), 0);
		lin_window_cut(rings, nthreads);
		pthread_barrier_wait(&sh->start);
		pthread_barrier_wait(&sh->end);
		check_window(sh, snap, tally, backend);
	}
	for (unsigned i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		assert_int_equal(sh->w[i].failures, 0);
		lin_ring_destroy(&sh->w[i].ring);
	}
	pthread_barrier_destroy(&sh->start);
	pthread_barrier_destroy(&sh->end);
	struct iomem_muxed_stats st;

	iomem_tree_muxed_stats(sh->t, &st);
	tally->muxed_sleeps += st.sleeps;
	iomem_tree_free(sh->t);
	free(sh);
}

/* The checker is not vacuous on real windows: a granted request turned into ENOENT
 * (which request never returns) must be caught. */
static void corrupted_window_is_caught(struct tally *tally)
{
	struct lin_report rep;
	size_t i = 0;

	assert_non_null(tally->last_state);
	while (!(tally->last[i].op.code == LIN_REQUEST && tally->last[i].res.ret == 0))
		i++;
	tally->last[i].res.ret = -ENOENT;
	assert_int_equal(lin_check(tally->last_state, tally->last, tally->last_n, NULL, &rep), 0);
	assert_int_equal(rep.verdict, LIN_VIOLATION);
	lin_state_free(tally->last_state);
}

static void test_real_histories_linearize(void **state)
{
	const char *const *names = iomem_backend_names();

	(void)state;
	for (size_t b = 0; names[b]; b++) {
		struct tally tally = { .windows = 0 };

		for (unsigned nthreads = 2; nthreads <= MAX_THREADS; nthreads++)
			run_threads(names[b], nthreads, &tally);
		printf("backend %s: %u windows (%u ops, %u refused, %llu muxed sleeps), %u with "
		       "threads overlapping: all linearizable\n", names[b], tally.windows, tally.ops,
		       tally.refused, tally.muxed_sleeps, tally.concurrent);
		assert_int_equal(tally.windows, 3 * EPOCHS);
		assert_true(tally.ops >= tally.windows * (WINDOW - 1));
		assert_int_equal(tally.concurrent, tally.windows);
		/* in each plain epoch all but one thread were refused the first region */
		assert_true(tally.refused >= EPOCHS / 2 * (1 + 2 + 3));
		assert_true(tally.muxed_sleeps > 0);
		corrupted_window_is_caught(&tally);
	}
}

/* A muxed request that certainly slept: it linearizes after the release that woke it. */
struct sleeper {
	struct iomem_tree *t;
	struct lin_ring ring;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	struct lin_op op;
	struct lin_event *e = lin_ring_begin(&s->ring);

	lin_op_request(&op, IOMEM, MUXED(0), 0x100, "sleeper", IORESOURCE_MUXED, true);
	e->op = op;
	lin_op_apply(s->t, &e->op, &e->res, false);
	lin_ring_end(&s->ring, e);
	return NULL;
}

static void test_slept_muxed_request(void **state)
{
	const char *const *names = iomem_backend_names();

	(void)state;
	for (size_t b = 0; names[b]; b++) {
		struct sleeper s = { .t = base(names[b]) };
		struct lin_ring holder, *rings[] = { &holder, &s.ring };
		struct iomem_muxed_stats st;
		struct lin_event ev[4], *e;
		struct lin_state *snap;
		struct lin_report rep;
		pthread_t tid;
		size_t n;
		long spins = 0;

		lin_ring_init(&holder, 0, 16);
		lin_ring_init(&s.ring, 1, 16);
		assert_int_equal(lin_state_capture(s.t, &snap), 0);
		lin_window_cut(rings, 2);
		e = lin_ring_begin(&holder);
		lin_op_request(&e->op, IOMEM, MUXED(0), 0x100, "holder", IORESOURCE_MUXED, true);
		assert_int_equal(lin_op_apply(s.t, &e->op, &e->res, false), 0);
		lin_ring_end(&holder, e);
		assert_int_equal(pthread_create(&tid, NULL, sleeper_main, &s), 0);
		do {
			iomem_tree_muxed_stats(s.t, &st);
			sched_yield();
		} while (st.sleeping == 0 && ++spins < 10000000);
		assert_int_equal(st.sleeping, 1);
		e = lin_ring_begin(&holder);
		lin_op_release(&e->op, IOMEM, MUXED(0), 0x100);
		assert_int_equal(lin_op_apply(s.t, &e->op, &e->res, false), 0);
		lin_ring_end(&holder, e);
		pthread_join(tid, NULL);
		assert_int_equal(lin_window_collect(rings, 2, ev, 4, &n), 0);
		assert_int_equal(n, 3);
		assert_int_equal(ev[1].op.code, LIN_REQUEST);	/* the sleeper, by invocation */
		assert_int_equal(ev[1].res.ret, 0);
		assert_int_equal(lin_check(snap, ev, n, NULL, &rep), 0);
		assert_int_equal(rep.verdict, LIN_OK);
		assert_int_equal(rep.order[2], 1);	/* granted last, after the release */
		lin_state_free(snap);
		lin_ring_destroy(&holder);
		lin_ring_destroy(&s.ring);
		iomem_tree_free(s.t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slept_muxed_request),
		cmocka_unit_test(test_real_histories_linearize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
