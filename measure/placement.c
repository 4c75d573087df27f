/* SPDX-License-Identifier: MIT */
/* Placement maps from an hwloc topology. Every hardware thread (PU) is named by its path
 * from the root: the rank of each ancestor among its siblings. compact is the order of
 * those paths (depth first: SMT siblings, then cores, then packages); scatter is their
 * order read from the PU end, so that the outermost level (packages) changes fastest
 * between consecutive threads, then the next one in (cores, and any cache or die level
 * hwloc knows), and the SMT siblings last. */
#include "measure/placement.h"

#include <errno.h>
#include <hwloc.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct placement_topology {
	hwloc_topology_t topo;
	bool synthetic;
	char summary[96];
};

static const char *const policy_names[] = {
	[PLACEMENT_NONE] = "none",
	[PLACEMENT_COMPACT] = "compact",
	[PLACEMENT_SCATTER] = "scatter",
};

int placement_policy_parse(const char *s, enum placement_policy *p)
{
	for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
		if (s && !strcmp(s, policy_names[i])) {
			*p = (enum placement_policy)i;
			return 0;
		}
	return -EINVAL;
}

const char *placement_policy_name(enum placement_policy p)
{
	return policy_names[p];
}

static void summarize(struct placement_topology *t)
{
	int packages = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PACKAGE);
	int cores = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
	int pus = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU);

	/* Some machines (and some synthetic descriptions) have no package or core level. */
	if (packages <= 0)
		packages = 1;
	if (cores <= 0)
		cores = pus;
	if (cores % packages == 0 && pus % cores == 0)
		snprintf(t->summary, sizeof(t->summary), "package:%d core:%d pu:%d", packages,
			 cores / packages, pus / cores);
	else
		snprintf(t->summary, sizeof(t->summary), "packages:%d cores:%d pus:%d", packages,
			 cores, pus);
}

static struct placement_topology *load(const char *desc, char *err, size_t errlen)
{
	struct placement_topology *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (hwloc_topology_init(&t->topo)) {
		snprintf(err, errlen, "hwloc cannot start: %s", strerror(errno));
		free(t);
		return NULL;
	}
	t->synthetic = desc != NULL;
	if (desc && hwloc_topology_set_synthetic(t->topo, desc)) {
		snprintf(err, errlen, "'%s' is not an hwloc synthetic topology (e.g. "
			 "\"package:2 core:8 pu:2\")", desc);
		goto fail;
	}
	if (hwloc_topology_load(t->topo)) {
		snprintf(err, errlen, "hwloc cannot load the topology: %s", strerror(errno));
		goto fail;
	}
	if (hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU) <= 0) {
		snprintf(err, errlen, "the topology has no hardware threads");
		goto fail;
	}
	summarize(t);
	return t;
fail:
	hwloc_topology_destroy(t->topo);
	free(t);
	return NULL;
}

struct placement_topology *placement_topology_load(const char *desc, char *err,
						   size_t errlen)
{
	const char *env = getenv(PLACEMENT_TOPOLOGY_ENV);

	if (!desc && env && *env)
		desc = env;
	return load(desc, err, errlen);
}

struct placement_topology *placement_topology_load_machine(char *err, size_t errlen)
{
	return load(NULL, err, errlen);
}

void placement_topology_free(struct placement_topology *t)
{
	if (!t)
		return;
	hwloc_topology_destroy(t->topo);
	free(t);
}

const char *placement_topology_summary(const struct placement_topology *t)
{
	return t->summary;
}

bool placement_topology_is_synthetic(const struct placement_topology *t)
{
	return t->synthetic;
}

unsigned placement_topology_pus(const struct placement_topology *t)
{
	return (unsigned)hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU);
}

#define MAX_DEPTH 32	/* hwloc has fewer than 20 object types */

/* A PU with its path of sibling ranks, root first (the root's own rank left out). */
struct pu_path {
	int cpu;
	unsigned depth;
	unsigned rank[MAX_DEPTH];
};

static int compare_compact(const void *a, const void *b)
{
	const struct pu_path *x = a, *y = b;

	for (unsigned i = 0; i < x->depth && i < y->depth; i++)
		if (x->rank[i] != y->rank[i])
			return x->rank[i] < y->rank[i] ? -1 : 1;
	return (x->depth > y->depth) - (x->depth < y->depth);
}

/* The same ranks read from the PU up: the PU's rank in its core decides first, the
 * package's rank last, so consecutive entries differ in their package first. */
static int compare_scatter(const void *a, const void *b)
{
	const struct pu_path *x = a, *y = b;
	unsigned i = x->depth, j = y->depth;

	while (i > 0 && j > 0) {
		i--;
		j--;
		if (x->rank[i] != y->rank[j])
			return x->rank[i] < y->rank[j] ? -1 : 1;
	}
	return compare_compact(a, b);
}

int placement_map(const struct placement_topology *t, enum placement_policy p, unsigned n,
		  int *cpus)
{
	unsigned npus = placement_topology_pus(t);
	struct pu_path *paths;

	if (p == PLACEMENT_NONE) {
		for (unsigned i = 0; i < n; i++)
			cpus[i] = -1;
		return 0;
	}
	paths = calloc(npus, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (unsigned k = 0; k < npus; k++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, k);
		unsigned depth = 0;

		for (hwloc_obj_t o = pu; o && o->parent; o = o->parent)
			depth++;
		paths[k].cpu = (int)pu->os_index;
		paths[k].depth = depth < MAX_DEPTH ? depth : MAX_DEPTH;
		for (hwloc_obj_t o = pu; o && o->parent; o = o->parent)
			if (--depth < MAX_DEPTH)
				paths[k].rank[depth] = o->sibling_rank;
	}
	qsort(paths, npus, sizeof(*paths), p == PLACEMENT_SCATTER ? compare_scatter
								 : compare_compact);
	for (unsigned i = 0; i < n; i++)
		cpus[i] = paths[i % npus].cpu;
	free(paths);
	return 0;
}

int placement_map_check(const int *cpus, unsigned n, int *bad)
{
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -errno;
	for (unsigned i = 0; i < n; i++)
		if (cpus[i] >= 0 && (cpus[i] >= CPU_SETSIZE || !CPU_ISSET(cpus[i], &allowed))) {
			*bad = cpus[i];
			return -EINVAL;
		}
	return 0;
}

void placement_map_format(const int *cpus, unsigned n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (!n || cpus[0] < 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (unsigned i = 0; i < n && o < len; i++) {
		int w = snprintf(buf + o, len - o, "%s%d", i ? "," : "", cpus[i]);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

int placement_pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	if (cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}
