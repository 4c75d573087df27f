/* SPDX-License-Identifier: MIT */
/* iomem faultinject: every allocation of every op of an op-script made to fail in turn. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "check/faultinject.h"
#include "cli.h"
#include "opscript/opscript.h"

static const char usage[] =
	"usage: iomem faultinject [--backend B|all] FILE\n"
	"  Runs the op-script FILE once per allocation each op makes, with that allocation\n"
	"  failing, and checks that the op reports ENOMEM or recovers, leaves the tree as it\n"
	"  was and leaks nothing, and that every later op prints what it prints without the\n"
	"  failure. --backend: one backend or all (default all).\n"
	"  Exit status: 0 all held; 1 a check failed (the op's line, the allocation and the\n"
	"  backend are printed); 2 bad usage or a script that does not run as it is.\n";

/* One backend: 0 held, 1 broken, 2 the script does not run. */
static int inject(struct opscript *s, const char *file, const char *backend)
{
	struct faultinject_result res;
	int rc = faultinject_run(s, backend, &res);

	if (rc)
		return rc;
	if (res.broken) {
		printf("faultinject: FAIL %s:%lu: backend %s, "
		       "allocation %llu of %llu failing: %s\n",
		       file, res.lineno, backend, (unsigned long long)res.alloc_index,
		       (unsigned long long)res.allocs, res.what);
		return 1;
	}
	printf("faultinject: %s: %s: %llu runs with one allocation failing: %llu reported "
	       "ENOMEM, %llu recovered, %llu left the VA allocator otherwise\n",
	       backend, file, (unsigned long long)res.runs, (unsigned long long)res.failed,
	       (unsigned long long)res.recovered, (unsigned long long)res.diverged);
	return 0;
}

int cmd_faultinject(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *backend = "all", *file;
	struct opscript *s;
	FILE *in;
	int c, status = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': backend = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			return cli_usage_error(usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(usage, optind == argc ? "missing script FILE"
							      : "more than one script FILE");
	if (strcmp(backend, "all") != 0 && !iomem_backend_exists(backend))
		return cli_usage_error(usage, "unknown backend '%s' (iomem list)", backend);
	file = argv[optind];
	in = fopen(file, "r");
	if (!in) {
		fprintf(stderr, "iomem: cannot open %s: %s\n", file, strerror(errno));
		return 2;
	}
	c = opscript_parse(in, file, stderr, &s);
	fclose(in);
	if (c)
		return c;
	if (strcmp(backend, "all") != 0) {
		status = inject(s, file, backend);
	} else {
		for (const char *const *b = iomem_backend_names(); *b && status != 2; b++) {
			int rc = inject(s, file, *b);

			status = rc > status ? rc : status;
		}
	}
	opscript_free(s);
	return status;
}
