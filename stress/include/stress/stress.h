/* SPDX-License-Identifier: MIT */
/* `iomem stress`: thread roles hammering one tree (and its mapping space) at a time,
 * live correctness checks, latency histograms and a Google-Benchmark-shaped report. */
#ifndef STRESS_STRESS_H
#define STRESS_STRESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum stress_role {
	ROLE_READER,	/* region_intersects, lookups, walks */
	ROLE_CLAIMER,	/* request/release of device-sized regions */
	ROLE_MUXER,	/* contends for K shared MUXED regions */
	ROLE_MAPPER,	/* ioremap/memremap/iounmap churn */
	ROLE_WALKER,	/* translate, as the MMU on a TLB miss */
	/* Roles only scenarios have (stress/scenarios/). */
	ROLE_HOTPLUG,	/* memory blocks added and removed */
	ROLE_PROCFS,	/* whole /proc/iomem reads */
	ROLE_CXL,	/* CXL regions, dax devices and kmem built and torn down */
	ROLE_PROBER,	/* drivers binding: BAR claims, released on unbind */
	ROLE_SEARCHER,	/* request_free_mem_region: search, then request */
	ROLE_HOTADD,	/* allocate_resource of hot-added BARs */
	NR_ROLES,
};

enum stress_op {
	OP_INTERSECTS, OP_LOOKUP, OP_WALK,		/* readers */
	OP_CLAIM, OP_UNCLAIM,				/* claimers */
	OP_MUXED,					/* muxers: request..release */
	OP_IOREMAP, OP_MEMREMAP, OP_IOUNMAP,		/* mappers */
	OP_TRANSLATE,					/* walkers */
	/* Ops only scenarios have. */
	OP_ADD_MEMORY, OP_REMOVE_MEMORY,		/* hotplug */
	OP_RAM_RANGE,					/* walk_system_ram_range */
	OP_PROC_READ,					/* procfs */
	OP_CXL_BUILD, OP_CXL_TEARDOWN,			/* cxl: one layer up or down */
	OP_PROBE, OP_UNBIND,				/* probers */
	OP_REQUEST_FREE,				/* searchers */
	OP_ALLOCATE,					/* hotadd */
	OP_IOREMAP_X86,					/* mappers: x86's walk, then map */
	NR_OPS,
};

enum stress_dist { DIST_UNIFORM, DIST_ZIPF, DIST_HOTSPOT };

#define STRESS_MAX_BACKENDS 8
#define STRESS_MAX_CPUS 256

struct stress_scenario;
#define STRESS_MAX_KNOBS 4

struct stress_config {
	const struct stress_scenario *scenario;	/* --scenario (stress/scenario.h), or NULL */
	uint64_t knob[STRESS_MAX_KNOBS];	/* its knobs' values, in its table's order */
	const char *backends[STRESS_MAX_BACKENDS + 1];	/* NULL-terminated, run in turn */
	const char *lock;		/* tree lock strategy (NULL = default) */
	const char *muxed_wait;		/* "global" or "hashed" */
	const char *va_policy;		/* mapping space VA allocator (vmap_policy_names()) */
	unsigned threads[NR_ROLES];
	double duration;		/* seconds per backend run (when ops == 0) */
	uint64_t ops;			/* ops per thread per run (0: by duration) */
	double warmup;			/* seconds excluded from the figures */
	unsigned repetitions;		/* runs per backend, interleaved across backends */
	unsigned weight[NR_OPS];	/* the --mix */
	const char *tree_from;		/* dump to start from (NULL: host, else built in) */
	unsigned regions, depth;	/* synthetic tree instead (regions > 0) */
	enum stress_dist dist;
	uint64_t seed;
	int cpus[STRESS_MAX_CPUS];	/* --cpus: threads pinned round-robin */
	unsigned ncpus;
	double rate;			/* open-loop ops/s per reader (0: closed loop) */
	unsigned muxed_regions;		/* K shared muxed regions */
	unsigned hold_ns;		/* muxed hold time */
	bool hold_sleeps;		/* hold by sleeping (a driver doing slow I/O), not spinning */
	unsigned live_maps;		/* mappings each mapper keeps alive */
	/* perturbation (locktorture's) */
	unsigned delay_ns;		/* random delay up to this inside write sections */
	unsigned long_hold_ms;		/* occasional long hold inside a write section */
	double stutter;			/* seconds of run between pauses (0: off) */
	bool checks;			/* live correctness checks (default on) */
	double lin_every;		/* seconds between linearizability windows (0: none) */
	bool progress;			/* live progress line (default: when stderr is a tty) */
	const char *json_path, *hgrm_path, *failure_dir;
	/* measurement (measure/, docs/measurement.md) */
	const char *counters;		/* --counters LIST; NULL: no counting */
	const char *placement;		/* --placement compact|scatter|none, or NULL */
	const char *topology;		/* --topology DESC, or NULL ($IOMEM_TOPOLOGY) */
	bool preflight;			/* run the preflight first (default on) */
	bool strict;			/* refuse to run when the preflight finds anything */
	const struct perf_event_list *events;	/* set by stress_run when counting */
	const char *command_line;
	volatile sig_atomic_t *interrupted;	/* set by the caller's SIGINT handler */
};

struct perf_event_list;

void stress_config_defaults(struct stress_config *c);
/* The role whose threads run op. */
enum stress_role stress_op_role(enum stress_op op);
/* Names for --mix keys and reports. */
const char *stress_op_name(enum stress_op op);
const char *stress_role_name(enum stress_role role);
/* 0, or -EINVAL with a message in err. */
int stress_parse_mix(const char *s, unsigned weight[NR_OPS], char *err, size_t errlen);
int stress_parse_cpus(const char *s, int *cpus, unsigned *n, char *err, size_t errlen);

/* Runs everything the config asks; prints the summary to out. Returns the exit status:
 * 0 all checks held, 1 a correctness failure (seed and replay script printed), 2 a setup
 * error (message on stderr), 3 refused by --strict after the preflight, 130 interrupted
 * (summary and JSON still written). */
int stress_run(const struct stress_config *c, FILE *out);

#endif
