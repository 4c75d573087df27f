/* SPDX-License-Identifier: MIT */
/* Recording the concurrent history of tree operations for the linearizability checker.
 *
 * Each worker thread owns a bounded ring of events: {the op (renders as an op-script
 * line), what it returned (renders as the op-script's result line), invoke and response
 * times (CLOCK_MONOTONIC ns)}. Recording takes two clock reads, two fences and a few
 * stores (or, with the _at variants, the caller's own stamps), with no locks, atomics
 * or sharing, outside the tree's critical path:
 *
 *	struct lin_event *e = lin_ring_begin(ring);		// stamps the invocation
 *	lin_op_request(&e->op, IOMEM_ROOT_IOMEM, start, n, "drv", flags, true);
 *	lin_op_apply(tree, &e->op, &e->res, false);		// or call the API, fill e->res
 *	lin_ring_end(ring, e);					// stamps the response
 *
 * A ring is read (lin_window_collect, lin_ring_recent) only while its writer is quiescent:
 * parked at a barrier with the reader, or joined. The checking protocol is epochs:
 * all workers park; one thread takes lin_state_capture(tree) and lin_window_cut(rings);
 * workers run a few recorded ops each (the window: 10-14 ops in all); all park again;
 * lin_window_collect + lin_check (now or later, with the captured state). Workers must
 * let go of what they hold before parking: one asleep on a MUXED region another holds
 * would never park. Rings are 64-byte aligned: embed them in per-thread structs or
 * allocate them with aligned_alloc.
 *
 * Ops covered: request (blocking or nowait), release, insert, remove, adjust, allocate,
 * intersects, lookup. Walks are not one atomic step (the callback runs unlocked, the
 * kernel's walk retakes the lock per match) and mapping ops only read the tree: record
 * neither; mapping ops may run unrecorded during a window, tree writes must not.
 *
 * A blocking request (iomem_request_region, which sleeps on a busy MUXED region) is
 * recorded once, with its final outcome: it linearizes where it succeeded (or failed),
 * anywhere within [invoke, response], i.e. after the release that woke it. Replayed
 * sequentially (nowait), a position where it would sleep gives EWOULDBLOCK, which no
 * blocking request returns, so the checker never places it there. A nowait request's
 * EWOULDBLOCK is an ordinary result. (The kernel's woken waiter retries from the
 * container where it met the conflict, not from the root; where that could give another
 * outcome than a fresh request, the checker would report it.)
 */
#ifndef CHECK_HISTORY_H
#define CHECK_HISTORY_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "iomem/iomem.h"

/* Names (an op's, a lookup's result) are kept to LIN_NAME_MAX - 1 bytes; the replay
 * truncates the same way, so results still compare equal. */
#define LIN_NAME_MAX 32

enum lin_opcode {
	LIN_REQUEST,	/* a[0] START, a[1] N, name, flags; blocking */
	LIN_RELEASE,	/* START N */
	LIN_INSERT,	/* START END, name, flags, desc */
	LIN_REMOVE,	/* START END */
	LIN_ADJUST,	/* START END NEWSTART NEWSIZE */
	LIN_ALLOCATE,	/* SIZE MIN MAX ALIGN, name, flags */
	LIN_INTERSECTS,	/* START SIZE, flags, desc */
	LIN_LOOKUP,	/* ADDR */
};

struct lin_op {
	uint8_t code;		/* enum lin_opcode */
	uint8_t root;		/* enum iomem_root */
	bool blocking;		/* LIN_REQUEST: iomem_request_region (may sleep) */
	resource_size_t a[4];
	unsigned long flags, desc;
	char name[LIN_NAME_MAX];
};

struct lin_result {
	int ret;		/* 0 or -errno; LIN_INTERSECTS: REGION_* */
	resource_size_t start, end;	/* LIN_ALLOCATE, LIN_LOOKUP on success */
	unsigned long flags, desc;	/* LIN_LOOKUP on success */
	char name[LIN_NAME_MAX];	/* LIN_LOOKUP on success */
};

struct lin_event {
	struct lin_op op;
	struct lin_result res;
	uint64_t invoke_ns, response_ns;
	uint32_t thread;	/* the ring's thread id */
	uint64_t seq;		/* the op's number in its thread */
};

struct lin_ring {
	alignas(64) struct lin_event *ev;
	uint64_t mask;		/* capacity - 1 */
	uint64_t head;		/* events recorded so far */
	uint64_t mark;		/* head at the last window cut */
	uint32_t thread;
};	/* aligned: rings of different threads never share a cache line */

/* capacity is rounded up to a power of two (at least 16). 0 or -ENOMEM. */
int lin_ring_init(struct lin_ring *r, uint32_t thread, size_t capacity);
void lin_ring_destroy(struct lin_ring *r);

static inline uint64_t lin_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* GCC cannot check fences under ThreadSanitizer (-Wtsan), and TSan orders nothing by
 * them: a compiler barrier is all such a build needs. */
#ifdef IOMEM_TSAN
#define LIN_FENCE() atomic_signal_fence(memory_order_seq_cst)
#else
#define LIN_FENCE() atomic_thread_fence(memory_order_seq_cst)
#endif

/* Timestamps for an op's interval. The fences keep the op's memory accesses inside
 * [invoke, response] as other CPUs see them: without the second, a write still in this
 * CPU's store buffer could be invisible to an op another thread invokes after our
 * response stamp. A harness that times ops anyway can take these two and pass them to
 * the _at variants, so recording adds no clock reads. */
static inline uint64_t lin_stamp_invoke(void)
{
	uint64_t t = lin_now_ns();

	LIN_FENCE();
	return t;
}

static inline uint64_t lin_stamp_response(void)
{
	LIN_FENCE();
	return lin_now_ns();
}

/* The next slot, its invocation stamped: fill e->op, run the op, fill e->res, then
 * lin_ring_end. */
static inline struct lin_event *lin_ring_begin_at(struct lin_ring *r, uint64_t invoke_ns)
{
	struct lin_event *e = &r->ev[r->head & r->mask];

	e->invoke_ns = invoke_ns;
	return e;
}

static inline void lin_ring_end_at(struct lin_ring *r, struct lin_event *e,
				   uint64_t response_ns)
{
	e->response_ns = response_ns;
	e->thread = r->thread;
	e->seq = r->head++;
}

static inline struct lin_event *lin_ring_begin(struct lin_ring *r)
{
	return lin_ring_begin_at(r, lin_stamp_invoke());
}

static inline void lin_ring_end(struct lin_ring *r, struct lin_event *e)
{
	lin_ring_end_at(r, e, lin_stamp_response());
}

/* Marks every ring's present end as the start of the next window. */
void lin_window_cut(struct lin_ring *const *rings, size_t nrings);
/* The events recorded since the last cut, all rings merged in invocation order, into
 * out[max]; then cuts. 0 and *n, or -EOVERFLOW when a ring wrapped since the cut (events
 * were lost) or more than max were recorded (the window is then cut anyway). */
int lin_window_collect(struct lin_ring *const *rings, size_t nrings, struct lin_event *out,
		       size_t max, size_t *n);
/* The last (up to) n events of one ring, oldest first: their count. */
size_t lin_ring_recent(const struct lin_ring *r, struct lin_event *out, size_t n);

/* --- Ops (lin_op.c). The fill helpers copy name (truncated to LIN_NAME_MAX - 1). */
void lin_op_request(struct lin_op *op, enum iomem_root root, resource_size_t start,
		    resource_size_t n, const char *name, unsigned long flags, bool blocking);
void lin_op_release(struct lin_op *op, enum iomem_root root, resource_size_t start,
		    resource_size_t n);
void lin_op_insert(struct lin_op *op, enum iomem_root root, resource_size_t start,
		   resource_size_t end, const char *name, unsigned long flags, unsigned long desc);
void lin_op_remove(struct lin_op *op, enum iomem_root root, resource_size_t start,
		   resource_size_t end);
void lin_op_adjust(struct lin_op *op, enum iomem_root root, resource_size_t start,
		   resource_size_t end, resource_size_t new_start, resource_size_t new_size);
void lin_op_allocate(struct lin_op *op, enum iomem_root root, resource_size_t size,
		     resource_size_t min, resource_size_t max, resource_size_t align,
		     const char *name, unsigned long flags);
void lin_op_intersects(struct lin_op *op, enum iomem_root root, resource_size_t start,
		       resource_size_t size, unsigned long flags, unsigned long desc);
void lin_op_lookup(struct lin_op *op, enum iomem_root root, resource_size_t addr);

/* Runs op on t and fills *res; returns res->ret. With sequential set, a request never
 * sleeps (nowait), whatever op->blocking says: the replay on the model. */
int lin_op_apply(struct iomem_tree *t, const struct lin_op *op, struct lin_result *res,
		 bool sequential);
/* Whether the op can change the tree (not intersects, lookup). */
bool lin_op_writes(const struct lin_op *op);
/* Same outcome: the fields the op's result line shows. */
bool lin_result_equal(const struct lin_op *op, const struct lin_result *a,
		      const struct lin_result *b);

/* The op as an op-script line (no newline), as `iomem script` reads it. */
void lin_op_format(const struct lin_op *op, char *buf, size_t len);
/* The result as the op-script's output line for the op (no newline). */
void lin_result_format(const struct lin_op *op, const struct lin_result *res, char *buf,
		       size_t len);
/* Writes events as an op-script: each op's line with a comment of who ran it, when and
 * what it saw. Times are ns from t0. `root` lines are added where the root changes,
 * starting from iomem and back to it at the end. */
void lin_events_write(FILE *out, const struct lin_event *ev, size_t n, uint64_t t0);

#endif
