/* SPDX-License-Identifier: MIT */
/* Scenario "procfs": many whole /proc/iomem reads (r_show, §1.7) while drivers bind and
 * unbind, claiming and releasing their BARs (docs/scenarios/procfs.md). A reader holds
 * the read side for a whole tree's walk; the question is what that does to the drivers'
 * claims, which need the write side, and what the claims do to the readers. */
#include <errno.h>
#include <stdlib.h>

#include "layout.h"
#include "prober.h"
#include "procfs_reader.h"
#include "scenario.h"

enum { KNOB_FUNCTIONS, KNOB_BLOCKS };

static const struct stress_knob knobs[] = {
	[KNOB_FUNCTIONS] = { "functions", "PCI functions of the two-socket server", 512, 16,
			     LAYOUT_MAX_FUNCTIONS, NULL },
	[KNOB_BLOCKS] = { "blocks", "memory blocks of 128 MiB, each a System RAM resource",
			  1024, 0, LAYOUT_MAX_BLOCKS, NULL },
};

static int procfs_build(struct run *r, char *err, size_t errlen)
{
	struct layout_spec spec = {
		.arch = LAYOUT_X86,
		.boot_ram_high = 60ULL << 30,
		.blocks = (unsigned)r->c->knob[KNOB_BLOCKS],
		.functions = (unsigned)r->c->knob[KNOB_FUNCTIONS],
		.seed = r->c->seed,
	};
	struct probe_space *ps = calloc(1, sizeof(*ps));
	int rc;

	r->scenario = ps;
	if (!ps) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = layout_build(r->t, &spec, &ps->l, err, errlen);
	if (!rc && probe_space_init(ps)) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	return rc;
}

static void procfs_destroy(struct run *r)
{
	struct probe_space *ps = r->scenario;

	if (!ps)
		return;
	probe_space_free(ps);
	free(ps);
	r->scenario = NULL;
}

static bool procfs_check_end(struct run *r, char *why, size_t len)
{
	return probe_space_all_free(r->scenario, why, len);
}

static const struct scenario_role roles[] = {
	{ ROLE_PROCFS, 4, procfs_reader_loop, false },
	{ ROLE_PROBER, 2, prober_loop, true },
};

static const enum stress_op headline[] = { OP_PROC_READ, OP_PROBE, OP_UNBIND };

const struct stress_scenario scenario_procfs = {
	.name = "procfs",
	.description = "many whole-tree /proc/iomem readers while drivers claim and release "
		       "their BARs",
	SCENARIO_TABLE(knobs, knobs),
	SCENARIO_TABLE(roles, roles),
	SCENARIO_TABLE(headline, headline),
	.lin_every = 0.5,
	.build = procfs_build,
	.destroy = procfs_destroy,
	.check_end = procfs_check_end,
	.checks = "every /proc/iomem read is a tree, no BAR ever granted twice",
};
