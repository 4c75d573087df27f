/* SPDX-License-Identifier: MIT */
/* Linearizability of a window of recorded tree ops (history.h) against the sequential
 * model: the `rwlock` backend, ops replayed one at a time (requests never sleep).
 *
 * The search is Wing & Gong's, with Lowe's memoization (WGL): depth-first over the ops
 * that may come next in real time (no undone op responded before they were invoked),
 * each replayed on the model from the current state; an op whose replayed result differs
 * from the recorded one cannot come next. Visited (state, set of done ops) pairs are
 * not searched again; the state is the tree's exact content (every resource's range,
 * name, flags, desc and nesting, both roots), interned by hash. The window is linearizable
 * when some order reaches the end.
 *
 * Bounds: at most LIN_WINDOW_MAX ops, and a node budget (LIN_UNKNOWN when spent). Since a
 * thread's ops are ordered by real time, the done-sets are per-thread prefixes: at most
 * prod(ops_t + 1) of them, e.g. 4 threads x 3 ops = 256; windows of 10-14 ops from 2-4
 * threads stay in the low thousands of nodes.
 */
#ifndef CHECK_LINEARIZABILITY_H
#define CHECK_LINEARIZABILITY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iomem/iomem.h"
#include "check/history.h"

#define LIN_WINDOW_MAX 32

/* An exact snapshot of a tree (both roots). */
struct lin_state;

/* Of a tree that nobody writes meanwhile (at a quiescent point): 0 and *out, -ENOMEM. */
int lin_state_capture(struct iomem_tree *t, struct lin_state **out);
/* What an op-script builds on a fresh rwlock tree: 0, -EINVAL (the script failed; its
 * errors went to err when not NULL), -ENOMEM. */
int lin_state_from_script(const char *script, struct lin_state **out, FILE *err);
/* A new tree of the backend holding exactly this state; NULL with errno set. */
struct iomem_tree *lin_state_build(const struct lin_state *s, const char *backend);
bool lin_state_equal(const struct lin_state *a, const struct lin_state *b);
size_t lin_state_count(const struct lin_state *s);	/* resources, both roots */
/* Op-script lines that rebuild the state on an empty tree: `insert`s with explicit flags
 * and desc, children before parents (so each parent adopts its children, identical
 * ranges included), ioport after a `root ioport`, ending back at `root iomem`. A
 * resource without a name (NULL) is inserted with "". */
void lin_state_write_script(const struct lin_state *s, FILE *out);
void lin_state_free(struct lin_state *s);

enum lin_verdict { LIN_OK, LIN_VIOLATION, LIN_UNKNOWN };

struct lin_check_opts {
	uint64_t max_nodes;	/* search budget; 0: 50000 (seconds, on a real tree) */
};

struct lin_report {
	enum lin_verdict verdict;
	/* LIN_OK: a linearization (indices into the window). Otherwise the longest prefix
	 * any branch linearized. */
	unsigned order[LIN_WINDOW_MAX];
	unsigned order_len;
	uint64_t nodes;		/* search nodes expanded */
	uint64_t replays;	/* ops replayed on the model */
	uint64_t states;	/* distinct tree states met */
};

/* 0 and *rep, -EINVAL (more than LIN_WINDOW_MAX ops), -ENOMEM. The events need not be
 * sorted. opts may be NULL. */
int lin_check(const struct lin_state *init, const struct lin_event *ev, size_t n,
	      const struct lin_check_opts *opts, struct lin_report *rep);

/* The window as a replayable op-script: a header with the verdict, the initial state's
 * `insert`s, then the ops, each with a comment of its thread, times and what it returned
 * there: for LIN_OK in the order of the linearization found (the replay prints exactly
 * what the threads saw); otherwise the longest linearizable prefix found, then the other
 * ops by invocation time (the replay agrees with "saw" up to the prefix's end). */
void lin_report_write(FILE *out, const struct lin_state *init, const struct lin_event *ev,
		      size_t n, const struct lin_report *rep);

#endif
