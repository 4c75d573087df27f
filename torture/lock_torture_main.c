/* lock-torture: the locktorture-style checker from the command line.
 *
 *   lock-torture [--lock NAME|all] [--writers N] [--readers N] [--acquisitions N]
 *                [--duration-ms N] [--short-delay-ns N] [--long-hold-us N]
 *                [--long-hold-every N] [--stutter-ms N] [--seed N]
 *                [--spin pure|yield[:N]|park[:N]] [--min-acquisitions N] [--stall-ms N]
 *
 * Exit status 0 when every lock passed, 1 on a failure (a stuck run among them: its report
 * says where each thread waits), 2 on bad usage. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locks/lock.h"
#include "torture/lock_torture.h"

static void usage(void)
{
	fputs("usage: lock-torture [--lock NAME|all] [--writers N] [--readers N]\n"
	      "       [--acquisitions N] [--duration-ms N] [--short-delay-ns N] [--long-hold-us N]\n"
	      "       [--long-hold-every N] [--stutter-ms N] [--seed N]\n"
	      "       [--spin pure|yield[:N]|park[:N]] [--min-acquisitions N] [--stall-ms N]\n",
	      stderr);
	exit(2);
}

static unsigned long long number(const char *opt, const char *s, unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v > max) {
		fprintf(stderr, "lock-torture: bad --%s '%s'\n", opt, s);
		usage();
	}
	return v;
}

static int torture_one(const struct lock_torture_config *cfg)
{
	struct lock_torture_result res;
	int err = lock_torture_run(cfg, &res);

	if (err) {
		fprintf(stderr, "lock-torture: %s: %s\n", cfg->lock, strerror(-err));
		return err == -ENOENT || err == -EINVAL ? 2 : 1;
	}
	lock_torture_print(stdout, cfg, &res);
	fflush(stdout);
	err = res.failed;
	lock_torture_result_free(&res);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "lock", required_argument, NULL, 'l' },
		{ "writers", required_argument, NULL, 'w' },
		{ "readers", required_argument, NULL, 'r' },
		{ "acquisitions", required_argument, NULL, 'n' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "short-delay-ns", required_argument, NULL, 's' },
		{ "long-hold-us", required_argument, NULL, 'L' },
		{ "long-hold-every", required_argument, NULL, 'E' },
		{ "stutter-ms", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 'x' },
		{ "spin", required_argument, NULL, 'p' },
		{ "min-acquisitions", required_argument, NULL, 'm' },
		{ "stall-ms", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct lock_torture_config cfg;
	struct lock_spin_policy spin;
	const char *lock = LOCK_DEFAULT;
	bool every_set = false;
	int c, status = 0;

	lock_torture_config_default(&cfg);
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'l': lock = optarg; break;
		case 'w': cfg.nwriters = (unsigned)number("writers", optarg, 4096); break;
		case 'r': cfg.nreaders = (unsigned)number("readers", optarg, 4096); break;
		case 'n': cfg.acquisitions = number("acquisitions", optarg, ULLONG_MAX); break;
		case 'd': cfg.duration_ms = (unsigned)number("duration-ms", optarg, UINT_MAX); break;
		case 's': cfg.short_delay_ns = (unsigned)number("short-delay-ns", optarg, UINT_MAX); break;
		case 'L': cfg.long_hold_us = (unsigned)number("long-hold-us", optarg, UINT_MAX); break;
		case 'E':
			cfg.long_hold_every = (unsigned)number("long-hold-every", optarg, UINT_MAX);
			every_set = true;
			break;
		case 'S': cfg.stutter_ms = (unsigned)number("stutter-ms", optarg, UINT_MAX); break;
		case 'x': cfg.seed = number("seed", optarg, ULLONG_MAX); break;
		case 'm': cfg.min_acquisitions = number("min-acquisitions", optarg, ULLONG_MAX); break;
		case 'T': cfg.stall_ms = (unsigned)number("stall-ms", optarg, UINT_MAX); break;
		case 'p':
			if (lock_spin_policy_parse(optarg, &spin)) {
				fprintf(stderr, "lock-torture: bad --spin '%s'\n", optarg);
				usage();
			}
			cfg.spin = &spin;
			break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (!every_set)
		cfg.long_hold_every = 2000 * (cfg.nwriters ? cfg.nwriters : 1);

	if (strcmp(lock, "all") != 0) {
		cfg.lock = lock;
		return torture_one(&cfg);
	}
	for (const char *const *name = lock_names(); *name; name++) {
		int rc;

		cfg.lock = *name;
		rc = torture_one(&cfg);
		if (rc > status)
			status = rc;
	}
	return status;
}
