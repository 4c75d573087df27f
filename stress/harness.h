/* SPDX-License-Identifier: MIT */
/* The inside of `iomem stress`, shared by its files: one run is one backend, its tree and
 * mapping space, and the worker threads. Workers touch only their own struct worker on the
 * hot path; the main thread reads published counters and runs the checks that need a quiet
 * moment. */
#ifndef STRESS_HARNESS_H
#define STRESS_HARNESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "iomem/iomem.h"
#include "iomem/ioremap.h"
#include "report/hdr_histogram.h"
#include "check/history.h"
#include "stress/stress.h"

#define CLAIM_SLOT	0x10000ULL	/* claims are 1..4 slots of 64 KiB */
#define CLAIM_SLOTS	1024
#define LIVE_CLAIMS	16		/* claims each claimer holds at once */
#define MUXED_SIZE	0x100ULL
#define MAP_PA_BASE	(1ULL << 44)	/* device space the mappers map, never RAM */
#define MAP_PA_SPAN	(1ULL << 40)
#define PUBLISHED_MAPS	256
#define RECENT_OPS	64		/* per-thread replay window */
#define SAMPLE_EVERY	64		/* closed loop: time one op in this many */

/* PHASE_LIN: a linearizability window (lin_window.c): the workers given a quota run that
 * many recorded iterations, the others stay parked. */
enum phase { PHASE_RUN, PHASE_PAUSE, PHASE_LIN, PHASE_STOP };

#define LIN_QUOTA	2		/* iterations each window participant records */
#define LIN_PARTICIPANTS 4		/* tree-role workers per window */

/* A mapping a mapper made, published for walkers. seq is odd while it changes. */
struct published_map {
	atomic_uint_fast64_t seq;
	_Atomic uint64_t va, size, pa;
	atomic_uint attrindx;
};

/* An op as an op-script line, stamped with when it began (CLOCK_MONOTONIC). */
struct recent_op {
	uint64_t ns;
	char text[112];
};

/* A claim as granted to a claimer thread. */
struct granted_claim {
	resource_size_t start, n;
	int owner;
	bool exclusive;
};

struct worker {
	struct run *run;
	enum stress_role role;
	int id;			/* among all workers */
	int role_id;		/* among its role */
	uint64_t rng;
	atomic_uint_fast64_t published_ops;	/* for progress and the time series */
	uint64_t ops[NR_OPS];			/* measured */
	uint64_t fails[NR_OPS];			/* -EBUSY and the like: results, not errors */
	struct hdr_histogram *hist[NR_OPS];
	uint64_t spurious_seen;
	struct recent_op recent[RECENT_OPS];	/* this thread's last ops (replay.c) */
	unsigned nrecent;
	struct lin_ring *ring;		/* recorded ops of linearizability windows */
	atomic_int lin_quota;		/* iterations still to record in this window */
	bool lin_on;			/* this iteration is recorded */
	bool parked;			/* counted in run.parked */
	atomic_bool exited;		/* takes no more window quotas: its loop is ending */
	pthread_t thread;
	bool started;
};

struct run {
	const struct stress_config *c;
	const char *backend;
	struct iomem_tree *t;
	struct iomem_mmu *m;
	char *start_dump;		/* the starting tree, as /proc/iomem text */
	resource_size_t claim_base, muxed_base;
	struct { resource_size_t start, end; } *ram;	/* System RAM ranges, for readers */
	unsigned nram;
	double *zipf_cdf;		/* over claim slots, when --dist zipf */
	atomic_uint tokens[CLAIM_SLOTS];	/* each claim slot's holder and claim, or 0 */
	atomic_int muxed_inside[64];
	struct published_map maps[PUBLISHED_MAPS];
	_Atomic int phase;
	atomic_bool measuring;
	atomic_int failures;
	char failure[256];
	int failing_worker;
	struct granted_claim witness[2];	/* a double grant's two claims, or n == 0 */
	struct worker *workers;
	unsigned nworkers;
	atomic_uint finished;		/* workers whose loop ended */
	atomic_uint parked;		/* workers waiting out a pause or a window */
	unsigned lin_next;		/* where the next window's participants start */
	uint64_t lin_windows, lin_ops, lin_unknown, lin_skipped;
	uint64_t timing_overhead_ns;	/* one clock pair + record, measured at start */
	double measured_seconds;
};

/* Workers. */
void *worker_main(void *arg);
void worker_note(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Records a correctness failure (the first one is kept with its worker). */
void run_fail(struct run *r, struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, for a double grant of claims a and b, which the replay script requests alone
 * (run.c). */
void run_fail_witness(struct run *r, struct worker *w, const struct granted_claim *a,
		      const struct granted_claim *b, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Random numbers: splitmix64. */
static inline uint64_t stress_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t stress_below(uint64_t *s, uint64_t n)
{
	return n ? stress_rand(s) % n : 0;
}

static inline uint64_t stress_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Busy-waits ns nanoseconds: work done inside a section, without leaving the CPU. */
static inline void stress_spin_ns(uint64_t ns)
{
	uint64_t end = stress_now_ns() + ns;

	while (stress_now_ns() < end)
		;
}

struct run_figures;

/* The failure as a replay script next to the starting tree (replay.c). */
void write_replay(struct run *r, struct run_figures *fig);

/* One run of one backend (run.c): its figures added to fig. 0, 1 on a correctness
 * failure, 2 on a setup error. */
int run_once(const struct stress_config *c, const char *backend, char *start_dump,
	     uint64_t seed, struct run_figures *fig);

/* The starting tree (start_tree.c), and what it is (the dump's name, "synthetic", ...).
 * 0, or -errno with a message. */
int start_tree_text(const struct stress_config *c, char **text, const char **source,
		    char *err, size_t errlen);
/* Loads the text into t and adds the harness's containers. */
int start_tree_build(struct run *r, char *err, size_t errlen);

/* Linearizability windows (lin_window.c). */
int lin_window_setup(struct run *r);
void lin_window_teardown(struct run *r);
/* Parks the workers, records a window of a few of them, checks it against the model;
 * a violation is a run failure with the window written as an op-script. */
void lin_window_run(struct run *r);

/* Checks (checks.c). */
bool check_tree_invariants(struct run *r, char *why, size_t len);
bool check_end_state(struct run *r, char *why, size_t len);

/* The perturbing lock around the tree lock (perturb.c): NULL when no perturbation. */
struct lock_ops;
const struct lock_ops *perturb_lock_ops(const struct stress_config *c);

#endif
