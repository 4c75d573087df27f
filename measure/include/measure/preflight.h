/* SPDX-License-Identifier: MIT */
/* Preflight: what makes timings on this machine untrustworthy right now. The rules are
 * listed, with their thresholds, in docs/measurement.md#preflight; this is their only
 * implementation (scripts/sweep runs `iomem preflight --json`).
 *
 *   governor   a CPU's frequency governor is not "performance"
 *   frequency  CPUs run at frequencies more than 10% apart
 *   load       the 1-minute load average is above 0.75 per online CPU
 *   busy       another process used more than 10% of a CPU while preflight watched
 *   vm         the machine is a virtual machine (the CPU's hypervisor flag, or DMI)
 */
#ifndef MEASURE_PREFLIGHT_H
#define MEASURE_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum preflight_check {
	PREFLIGHT_GOVERNOR,
	PREFLIGHT_FREQUENCY,
	PREFLIGHT_LOAD,
	PREFLIGHT_BUSY,
	PREFLIGHT_VM,
	PREFLIGHT_NR_CHECKS,
};

#define PREFLIGHT_LOAD_PER_CPU	0.75	/* load average per online CPU */
#define PREFLIGHT_FREQ_SPREAD	1.10	/* fastest over slowest CPU */
#define PREFLIGHT_BUSY_SHARE	0.10	/* of one CPU, over the sampling window */
#define PREFLIGHT_SAMPLE_MS	300	/* the window other processes are watched for */
#define PREFLIGHT_MAX_BUSY	64	/* busy processes recorded by pid */

struct preflight_options {
	const char *root;	/* NULL or "/": this machine; else /proc and /sys under it */
	unsigned sample_ms;	/* 0: PREFLIGHT_SAMPLE_MS */
};

struct preflight_report {
	unsigned nfindings;
	struct {
		enum preflight_check check;
		char detail[320];
	} findings[PREFLIGHT_NR_CHECKS];	/* at most one per check, in check order */
	char notes[256];	/* what could not be checked, e.g. no cpufreq in a VM */
	/* The busy processes, busiest first (the detail names the first few). */
	unsigned nbusy;
	int busy_pid[PREFLIGHT_MAX_BUSY];
};

const char *preflight_check_name(enum preflight_check c);
/* Runs every check (taking about sample_ms). */
void preflight_run(const struct preflight_options *o, struct preflight_report *r);
/* "clean", or the names of the checks that found something, comma-separated. */
void preflight_summary(const struct preflight_report *r, char *buf, size_t len);
/* "check: detail; check: detail" ("" when clean). */
void preflight_details(const struct preflight_report *r, char *buf, size_t len);
/* One line per finding, "PROG: preflight: CHECK: DETAIL" ("PROG: preflight: clean" when
 * none), then the notes. */
void preflight_print(const struct preflight_report *r, const char *prog, FILE *out);

#endif
