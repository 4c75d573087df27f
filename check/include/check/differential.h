/* SPDX-License-Identifier: MIT */
/* Differential testing of the tree backends: seeded random op-scripts run on every
 * backend in lockstep, every result and every dump compared against the first backend
 * (the kernel's design, "rwlock"). A mismatch is shrunk to a minimal op-script. */
#ifndef CHECK_DIFFERENTIAL_H
#define CHECK_DIFFERENTIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct diff_opts {
	uint64_t seed;
	uint64_t ops;			/* total ops to run */
	unsigned stream_len;		/* ops per stream; each stream starts from empty trees */
	unsigned grid;			/* 1 KiB address slots ranges start on (0: 64) */
	const char *const *backends;	/* NULL-terminated, the first is the reference */
	const char *repro_path;		/* where a minimal failing script goes (NULL: none) */
	double shrink_seconds;		/* time budget for shrinking */
	FILE *log;			/* progress and the mismatch report, or NULL */
};

struct diff_result {
	uint64_t ops_run;
	uint64_t streams;
	bool mismatch;
	uint64_t failing_stream_seed;	/* replays the failing stream */
	unsigned repro_lines;		/* ops in the shrunk script */
	char backend[32];		/* the backend that disagreed */
};

/* 0 when every backend agreed, 1 on a mismatch (repro written), -errno on setup errors. */
int diff_run(const struct diff_opts *opts, struct diff_result *res);

/* Writes stream `seed` of `len` ops on a grid of `grid` slots (0: 64) as op-script lines
 * to out (for inspection). */
void diff_generate(uint64_t seed, unsigned len, unsigned grid, FILE *out);

#endif
