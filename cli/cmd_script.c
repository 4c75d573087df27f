/* SPDX-License-Identifier: MIT */
/* iomem script: run an op-script. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opscript/opscript.h"

static const char usage[] = "usage: iomem script [--backend B] [--lock L] FILE|-\n";

int cmd_script(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "lock", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *backend = "rwlock", *lock = NULL, *file;
	struct iomem_tree *t;
	FILE *in;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': backend = optarg; break;
		case 'l': lock = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			return cli_usage_error(usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(usage, optind == argc ? "missing script FILE"
							      : "more than one script FILE");
	file = argv[optind];
	t = cli_tree_new(backend, lock);
	if (!t)
		return 2;
	in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (!in) {
		fprintf(stderr, "iomem: cannot open %s: %s\n", file, strerror(errno));
		iomem_tree_free(t);
		return 2;
	}
	status = opscript_run(t, in, in == stdin ? "<stdin>" : file, stdout, stderr);
	if (in != stdin)
		fclose(in);
	iomem_tree_free(t);
	return status;
}
