/* SPDX-License-Identifier: MIT */
/* The configuration of `iomem stress`: defaults, the names of ops and roles, and the
 * option values that need parsing. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stress/stress.h"

static const char *const op_names[NR_OPS] = {
	"intersects", "lookup", "walk", "claim", "unclaim", "muxed",
	"ioremap", "memremap", "iounmap", "translate",
	"add_memory", "remove_memory", "walk_ram_range", "proc_iomem", "cxl_build",
	"cxl_teardown", "probe", "unbind", "request_free", "allocate", "ioremap_x86",
};

static const char *const role_names[NR_ROLES] = {
	"reader", "claimer", "muxer", "mapper", "walker",
	"hotplugger", "procfs-reader", "cxl-builder", "prober", "searcher", "hot-adder",
};

const char *stress_op_name(enum stress_op op)
{
	return op_names[op];
}

const char *stress_role_name(enum stress_role role)
{
	return role_names[role];
}

enum stress_role stress_op_role(enum stress_op op)
{
	switch (op) {
	case OP_INTERSECTS: case OP_LOOKUP: case OP_WALK: return ROLE_READER;
	case OP_CLAIM: case OP_UNCLAIM: return ROLE_CLAIMER;
	case OP_MUXED: return ROLE_MUXER;
	case OP_TRANSLATE: return ROLE_WALKER;
	case OP_ADD_MEMORY: case OP_REMOVE_MEMORY: return ROLE_HOTPLUG;
	case OP_RAM_RANGE: return ROLE_READER;
	case OP_PROC_READ: return ROLE_PROCFS;
	case OP_CXL_BUILD: case OP_CXL_TEARDOWN: return ROLE_CXL;
	case OP_PROBE: case OP_UNBIND: return ROLE_PROBER;
	case OP_REQUEST_FREE: return ROLE_SEARCHER;
	case OP_ALLOCATE: return ROLE_HOTADD;
	default: return ROLE_MAPPER;
	}
}

void stress_config_defaults(struct stress_config *c)
{
	static const unsigned weights[NR_OPS] = {
		[OP_INTERSECTS] = 4, [OP_LOOKUP] = 4, [OP_WALK] = 1, [OP_CLAIM] = 1,
		[OP_UNCLAIM] = 1, [OP_MUXED] = 1, [OP_IOREMAP] = 3, [OP_MEMREMAP] = 1,
		[OP_IOUNMAP] = 1, [OP_TRANSLATE] = 1,
	};

	memset(c, 0, sizeof(*c));
	c->threads[ROLE_READER] = 2;
	c->threads[ROLE_CLAIMER] = 2;
	c->threads[ROLE_MUXER] = 4;
	c->threads[ROLE_MAPPER] = 2;
	c->threads[ROLE_WALKER] = 1;
	c->duration = 3;
	c->warmup = 0.5;
	c->repetitions = 1;
	memcpy(c->weight, weights, sizeof(weights));
	c->seed = 1;
	c->muxed_regions = 2;
	c->hold_ns = 2000;
	c->live_maps = 16;
	c->lin_every = 0.5;
	c->checks = true;
	c->preflight = true;
}

int stress_parse_mix(const char *s, unsigned weight[NR_OPS], char *err, size_t errlen)
{
	unsigned w[NR_OPS];
	char *copy = strdup(s), *save = NULL;

	if (!copy)
		return -ENOMEM;
	memcpy(w, weight, sizeof(w));
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long v;
		int op;

		if (!eq) {
			snprintf(err, errlen, "--mix: '%s' is not op=weight", tok);
			free(copy);
			return -EINVAL;
		}
		*eq = '\0';
		for (op = 0; op < NR_OPS && strcmp(op_names[op], tok) != 0; op++)
			;
		v = strtoul(eq + 1, &end, 10);
		if (op == NR_OPS || !eq[1] || *end || v > 1000000) {
			snprintf(err, errlen, "--mix: bad entry '%s=%s' (ops: intersects lookup walk "
				 "ioremap memremap; weights 0..1000000)", tok, eq + 1);
			free(copy);
			return -EINVAL;
		}
		w[op] = (unsigned)v;
	}
	free(copy);
	memcpy(weight, w, sizeof(w));
	return 0;
}

int stress_parse_cpus(const char *s, int *cpus, unsigned *n, char *err, size_t errlen)
{
	const char *p = s;

	*n = 0;
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				goto bad;
		}
		for (long c = lo; c <= hi; c++) {
			if (*n == STRESS_MAX_CPUS || c >= CPU_SETSIZE)
				goto bad;
			cpus[(*n)++] = (int)c;
		}
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	if (*n)
		return 0;
bad:
	snprintf(err, errlen, "--cpus: '%s' is not a CPU list like 0-1,3", s);
	return -EINVAL;
}
