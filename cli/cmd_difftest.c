/* SPDX-License-Identifier: MIT */
/* iomem difftest: every backend against the kernel's design on seeded random op-scripts. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "options.h"
#include "check/differential.h"

static const char usage[] =
	"usage: iomem difftest [--seed N] [--ops N] [--stream-len N] [--grid N]\n"
	"                      [--backends A,B,...] [--repro FILE] [--shrink-seconds S]\n"
	"                      [--print-stream]\n"
	"  Runs seeded random op streams on every backend in lockstep and compares every\n"
	"  result and dump with the first backend (default: rwlock, then all others).\n"
	"  On a mismatch: exit 1, the stream seed, and a shrunk op-script in FILE\n"
	"  (default difftest-repro.iomem). --print-stream prints stream N's op-script.\n"
	"  --grid N: ranges mostly start in N 1 KiB slots (default 64); wider grids grow\n"
	"  families of hundreds of siblings.\n";

int difftest_parse_options(struct difftest_options *d, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "stream-len", required_argument, NULL, 'l' },
		{ "grid", required_argument, NULL, 'g' },
		{ "backends", required_argument, NULL, 'b' },
		{ "repro", required_argument, NULL, 'r' },
		{ "shrink-seconds", required_argument, NULL, 'S' },
		{ "print-stream", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long seed = 1, ops = 100000, len = 2000, grid = 64, v;
	char *list = NULL;
	int c, n = 0;

	*d = (struct difftest_options){
		.opts = { .repro_path = "difftest-repro.iomem", .shrink_seconds = 30,
			  .log = stderr },
	};
	optind = 0;	/* a full reset of getopt's state: a process may parse more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!cli_parse_u64(optarg, ULLONG_MAX, &seed))
				return cli_usage_error(usage, "--seed needs a number");
			break;
		case 'n':
			if (!cli_parse_u64(optarg, ULLONG_MAX, &ops) || ops == 0)
				return cli_usage_error(usage, "--ops needs a positive number");
			break;
		case 'l':
			if (!cli_parse_u64(optarg, 1000000, &len) || len == 0)
				return cli_usage_error(usage, "--stream-len needs 1..1000000");
			break;
		case 'g':
			if (!cli_parse_u64(optarg, 1ULL << 22, &grid) || grid == 0)
				return cli_usage_error(usage, "--grid needs 1..4194304");
			break;
		case 'b': list = optarg; break;
		case 'r': d->opts.repro_path = optarg; break;
		case 'S':
			if (!cli_parse_u64(optarg, ULLONG_MAX, &v))
				return cli_usage_error(usage, "--shrink-seconds needs a number");
			d->opts.shrink_seconds = (double)v;
			break;
		case 'p': d->print_stream = true; break;
		case 'h': fputs(usage, stdout); return -1;
		default:
			return cli_usage_error(usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	d->opts.seed = seed;
	d->opts.ops = ops;
	d->opts.stream_len = (unsigned)len;
	d->opts.grid = (unsigned)grid;
	d->opts.backends = d->backends;
	if (d->print_stream)
		return 0;
	if (list) {
		for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
			if (n == DIFFTEST_MAX_BACKENDS)
				return cli_usage_error(usage, "too many backends");
			if (!iomem_backend_exists(tok))
				return cli_usage_error(usage, "unknown backend '%s'", tok);
			d->backends[n++] = tok;
		}
	} else {
		for (const char *const *b = iomem_backend_names(); *b && n < DIFFTEST_MAX_BACKENDS;
		     b++)
			d->backends[n++] = *b;
	}
	if (n < 2)
		return cli_usage_error(usage, "need at least two backends to compare");
	d->nbackends = n;
	return 0;
}

int cmd_difftest(int argc, char **argv)
{
	struct difftest_options d;
	struct diff_result res;
	struct timespec ts;
	double t0;
	int ret = difftest_parse_options(&d, argc, argv);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (d.print_stream) {
		diff_generate(d.opts.seed, d.opts.stream_len, d.opts.grid, stdout);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec * 1e-9;
	ret = diff_run(&d.opts, &res);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ret < 0) {
		fprintf(stderr, "iomem difftest: %s\n", strerror(-ret));
		return 2;
	}
	printf("difftest: seed %llu: %llu ops in %llu streams on",
	       (unsigned long long)d.opts.seed, (unsigned long long)res.ops_run,
	       (unsigned long long)res.streams);
	for (int i = 0; i < d.nbackends; i++)
		printf(" %s", d.backends[i]);
	printf(" (%.1f s): %s\n", ts.tv_sec + ts.tv_nsec * 1e-9 - t0,
	       res.mismatch ? "MISMATCH" : "all agree");
	if (res.mismatch)
		printf("difftest: replay with: iomem script --backend %s %s\n", res.backend,
		       d.opts.repro_path);
	return res.mismatch ? 1 : 0;
}
