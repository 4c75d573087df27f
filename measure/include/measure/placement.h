/* SPDX-License-Identifier: MIT */
/* Thread placement through hwloc: which CPU each of N threads is pinned to.
 *
 *   compact  fills hardware threads in order: SMT siblings first, then the next core,
 *            then the next package (what shares the most cache goes together);
 *   scatter  spreads consecutive threads across packages first, then across the cores of
 *            a package, and only then onto SMT siblings;
 *   none     no pinning (the scheduler decides).
 *
 * More threads than hardware threads wrap around. The topology is the machine's, or an
 * hwloc synthetic description ("package:2 core:8 pu:2") given as DESC or in the
 * environment variable IOMEM_TOPOLOGY, so that shapes this machine does not have can be
 * planned and tested. docs/measurement.md#placement. */
#ifndef MEASURE_PLACEMENT_H
#define MEASURE_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

#define PLACEMENT_TOPOLOGY_ENV "IOMEM_TOPOLOGY"

enum placement_policy { PLACEMENT_NONE, PLACEMENT_COMPACT, PLACEMENT_SCATTER };

/* "none", "compact", "scatter": 0, or -EINVAL. */
int placement_policy_parse(const char *s, enum placement_policy *p);
const char *placement_policy_name(enum placement_policy p);

struct placement_topology;

/* desc: an hwloc synthetic description; NULL: $IOMEM_TOPOLOGY when set and not empty,
 * else this machine's topology. NULL with a message in err when it cannot be loaded. */
struct placement_topology *placement_topology_load(const char *desc, char *err,
						   size_t errlen);
/* This machine's topology, whatever the environment says (for its fingerprint). */
struct placement_topology *placement_topology_load_machine(char *err, size_t errlen);
void placement_topology_free(struct placement_topology *t);

/* "package:P core:C pu:U" (per package, per core: itself a synthetic description) when
 * the shape is regular, else "packages:P cores:C pus:U" (totals). */
const char *placement_topology_summary(const struct placement_topology *t);
/* Whether t came from a synthetic description rather than the machine. */
bool placement_topology_is_synthetic(const struct placement_topology *t);
unsigned placement_topology_pus(const struct placement_topology *t);

/* cpus[i]: the CPU (operating system index) of thread i, for n threads; -1 for all with
 * PLACEMENT_NONE. 0, or -ENOMEM. */
int placement_map(const struct placement_topology *t, enum placement_policy p, unsigned n,
		  int *cpus);
/* 0 when this process may run on every CPU of the map, else -EINVAL with the first one
 * it may not run on in *bad. */
int placement_map_check(const int *cpus, unsigned n, int *bad);
/* "0,16,2,18" (or "none"). */
void placement_map_format(const int *cpus, unsigned n, char *buf, size_t len);

/* Pins the calling thread to cpu (-1: leaves it as it is). 0 or -errno. */
int placement_pin_self(int cpu);

#endif
