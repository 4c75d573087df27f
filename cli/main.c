/* SPDX-License-Identifier: MIT */
/* iomem: the iomembench command line. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"usage: iomem <command> [options]\n"
	"\n"
	"commands:\n"
	"  show [--root iomem|ioport] [--backend B] [--lock L] [--from FILE]\n"
	"        load a /proc/iomem or /proc/ioports dump (default: the host's) and print it back\n"
	"  script [--backend B] [--lock L] FILE|-\n"
	"        run an op-script, one tree operation per line\n"
	"  stress [options]\n"
	"        the stress harness: thread roles, live checks, latency, JSON (--help)\n"
	"  difftest [--seed N] [--ops N] [--backends A,B,...] [--repro FILE]\n"
	"        compare every backend with rwlock on seeded random op-scripts\n"
	"  torture [--lock NAME|all] [--writers N] [--readers N] [--acquisitions N] ...\n"
	"        lock torture of the lock strategies, as the kernel's locktorture (--help)\n"
	"  faultinject [--backend B|all] FILE\n"
	"        rerun an op-script with each allocation of each op failing in turn\n"
	"  placement --policy compact|scatter|none --threads N [--topology DESC]\n"
	"        the thread -> CPU map of a placement policy on a topology (--help)\n"
	"  preflight [--json] [--strict]\n"
	"        what makes timings on this machine untrustworthy right now (--help)\n"
	"  list   the backends and lock strategies\n"
	"  help   this text\n";

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "show", cmd_show },
	{ "script", cmd_script },
	{ "stress", cmd_stress },
	{ "difftest", cmd_difftest },
	{ "torture", cmd_torture },
	{ "faultinject", cmd_faultinject },
	{ "list", cmd_list },
	{ "placement", cmd_placement },
	{ "preflight", cmd_preflight },
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(usage, "missing command");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	return cli_usage_error(usage, "unknown command '%s'", argv[1]);
}
