/* SPDX-License-Identifier: MIT */
/* iomem preflight: whether this machine can be trusted with timings right now
 * (docs/measurement.md#preflight). --json is what scripts/sweep reads. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "measure/preflight.h"
#include "report/json_text.h"

static const char usage[] =
	"usage: iomem preflight [--json] [--strict] [--root DIR] [--sample-ms MS]\n"
	"  --json           the findings as JSON on standard output\n"
	"  --strict         exit 3 when anything was found\n"
	"  --root DIR       read /proc and /sys under DIR instead of /\n"
	"  --sample-ms MS   how long other processes are watched (default 300)\n"
	"exit status: 0 (also with findings, without --strict), 2 bad options, 3 findings\n"
	"with --strict\n";

enum { O_JSON = 256, O_STRICT, O_ROOT, O_SAMPLE_MS };

static const struct option longopts[] = {
	{ "json", no_argument, NULL, O_JSON },
	{ "strict", no_argument, NULL, O_STRICT },
	{ "root", required_argument, NULL, O_ROOT },
	{ "sample-ms", required_argument, NULL, O_SAMPLE_MS },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void print_json(const struct preflight_report *r)
{
	char summary[128];

	preflight_summary(r, summary, sizeof(summary));
	fputs("{\"summary\": ", stdout);
	json_put_string(stdout, summary);
	fputs(", \"findings\": [", stdout);
	for (unsigned i = 0; i < r->nfindings; i++) {
		fputs(i ? ", {\"check\": " : "{\"check\": ", stdout);
		json_put_string(stdout, preflight_check_name(r->findings[i].check));
		fputs(", \"detail\": ", stdout);
		json_put_string(stdout, r->findings[i].detail);
		fputs("}", stdout);
	}
	fputs("], \"notes\": ", stdout);
	json_put_string(stdout, r->notes);
	fputs("}\n", stdout);
}

int cmd_preflight(int argc, char **argv)
{
	struct preflight_options o = { 0 };
	struct preflight_report r;
	unsigned long long ms;
	bool json = false, strict = false;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case O_JSON: json = true; break;
		case O_STRICT: strict = true; break;
		case O_ROOT: o.root = optarg; break;
		case O_SAMPLE_MS:
			if (!cli_parse_u64(optarg, 60000, &ms) || !ms)
				return cli_usage_error(usage, "--sample-ms needs 1..60000");
			o.sample_ms = (unsigned)ms;
			break;
		default:
			return cli_usage_error(usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	preflight_run(&o, &r);
	if (json)
		print_json(&r);
	else
		preflight_print(&r, "iomem", stdout);
	return strict && r.nfindings ? 3 : 0;
}
