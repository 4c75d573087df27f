/* SPDX-License-Identifier: MIT */
/* iomem placement: the thread -> CPU map a policy gives on a topology (this machine's, or
 * an hwloc synthetic one), as `iomem stress --placement` and iomem-bench pin threads. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "measure/placement.h"

static const char usage[] =
	"usage: iomem placement --policy compact|scatter|none --threads N [--topology DESC]\n"
	"       iomem placement --summary [--topology DESC]\n"
	"  --policy P        compact: SMT siblings first, then cores, then packages;\n"
	"                    scatter: across packages first, then cores, then SMT siblings\n"
	"  --threads N       threads to place (1..4096); more than CPUs wrap around\n"
	"  --topology DESC   an hwloc synthetic topology, e.g. \"package:2 core:8 pu:2\"\n"
	"                    (default: $" PLACEMENT_TOPOLOGY_ENV ", else this machine's)\n"
	"  --summary         print only the topology's summary\n";

enum { O_POLICY = 256, O_THREADS, O_TOPOLOGY, O_SUMMARY };

static const struct option longopts[] = {
	{ "policy", required_argument, NULL, O_POLICY },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "topology", required_argument, NULL, O_TOPOLOGY },
	{ "summary", no_argument, NULL, O_SUMMARY },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

int cmd_placement(int argc, char **argv)
{
	enum placement_policy policy = PLACEMENT_NONE;
	const char *desc = NULL;
	unsigned long long threads = 0;
	bool summary = false, have_policy = false;
	struct placement_topology *t;
	char err[256];
	int opt, *cpus;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case O_POLICY:
			if (placement_policy_parse(optarg, &policy))
				return cli_usage_error(usage,
						       "--policy must be compact, scatter or none");
			have_policy = true;
			break;
		case O_THREADS:
			if (!cli_parse_u64(optarg, 4096, &threads) || !threads)
				return cli_usage_error(usage, "--threads needs 1..4096");
			break;
		case O_TOPOLOGY: desc = optarg; break;
		case O_SUMMARY: summary = true; break;
		default:
			return cli_usage_error(usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (!summary && (!have_policy || !threads))
		return cli_usage_error(usage, "--policy and --threads are needed");
	if (summary && (have_policy || threads))
		return cli_usage_error(usage, "--summary takes no --policy or --threads");
	t = placement_topology_load(desc, err, sizeof(err));
	if (!t)
		return cli_usage_error(usage, "--topology: %s", err);
	if (summary) {
		puts(placement_topology_summary(t));
		placement_topology_free(t);
		return 0;
	}
	cpus = calloc(threads, sizeof(*cpus));
	if (!cpus || placement_map(t, policy, (unsigned)threads, cpus)) {
		fprintf(stderr, "iomem: out of memory\n");
		free(cpus);
		placement_topology_free(t);
		return 1;
	}
	printf("topology: %s (%s, %u hardware threads)\npolicy: %s\n",
	       placement_topology_summary(t),
	       placement_topology_is_synthetic(t) ? "synthetic" : "this machine",
	       placement_topology_pus(t), placement_policy_name(policy));
	for (unsigned i = 0; i < threads; i++) {
		if (cpus[i] < 0)
			printf("thread %u -> any cpu\n", i);
		else
			printf("thread %u -> cpu %d\n", i, cpus[i]);
	}
	free(cpus);
	placement_topology_free(t);
	return 0;
}
