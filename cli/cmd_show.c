/* SPDX-License-Identifier: MIT */
/* iomem show: a dump in, r_show's format out. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "iomem/dump.h"

static const char usage[] =
	"usage: iomem show [--root iomem|ioport] [--backend B] [--lock L] [--from FILE]\n"
	"  --from FILE   a /proc/iomem or /proc/ioports dump, '-' for stdin\n"
	"                (default: /proc/iomem, or /proc/ioports with --root ioport)\n";

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "backend", required_argument, NULL, 'b' },
		{ "lock", required_argument, NULL, 'l' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum iomem_root root = IOMEM_ROOT_IOMEM;
	const char *backend = "rwlock", *lock = NULL, *from = NULL;
	struct iomem_tree *t;
	char msg[512];
	FILE *in;
	int c, err, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!cli_parse_root(optarg, &root))
				return cli_usage_error(usage, "--root must be iomem or ioport");
			break;
		case 'b': backend = optarg; break;
		case 'l': lock = optarg; break;
		case 'f': from = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			return cli_usage_error(usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (!from)
		from = root == IOMEM_ROOT_IOMEM ? "/proc/iomem" : "/proc/ioports";
	t = cli_tree_new(backend, lock);
	if (!t)
		return 2;
	in = strcmp(from, "-") == 0 ? stdin : fopen(from, "r");
	if (!in) {
		fprintf(stderr, "iomem: cannot open %s: %s\n", from, strerror(errno));
		iomem_tree_free(t);
		return 2;
	}
	err = iomem_load_dump(t, root, in, strcmp(from, "-") == 0 ? "<stdin>" : from, msg,
			      sizeof(msg));
	if (in != stdin)
		fclose(in);
	if (err) {
		fprintf(stderr, "%s\n", msg);
		status = 2;
	} else if (iomem_show(t, root, stdout) || fflush(stdout)) {
		fprintf(stderr, "iomem: write error: %s\n", strerror(errno));
		status = 1;
	}
	iomem_tree_free(t);
	return status;
}
