/* SPDX-License-Identifier: MIT */
/* iomem torture: the lock strategies under locktorture's checks. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "locks/lock.h"
#include "report/bench_json.h"
#include "torture/lock_torture.h"

static const char usage[] =
	"usage: iomem torture [--lock NAME|all] [--writers N] [--readers N]\n"
	"                     [--acquisitions N] [--duration-ms MS [--min-acquisitions N]]\n"
	"                     [--short-delay-ns NS] [--long-hold-us US] [--long-hold-every N]\n"
	"                     [--stutter-ms MS] [--spin pure|yield[:N]|park[:N]]\n"
	"                     [--stall-ms MS] [--seed N] [--json FILE]\n"
	"  Lock torture, after the kernel's locktorture: writer and reader threads take the\n"
	"  lock over and over; inside, each checks that no one is where it must not be, and\n"
	"  writers update shared words that readers check for torn and lost writes. Per\n"
	"  strategy: acquisitions per thread (Max/Min, flagged ?\?? when max/2 > min), Jain's index,\n"
	"  failures. A watchdog reports a run that acquires nothing for --stall-ms (default\n"
	"  10000) with where every thread waits.\n"
	"  Defaults: --lock pthread-rw, writers = readers = online CPUs, 10^6 acquisitions,\n"
	"  200 ns short delays, 1 ms long holds once in 2000 x writers acquisitions, seed 1,\n"
	"  the spin policy of IOMEM_LOCK_SPIN (else yield:128).\n"
	"  Exit status: 0 every strategy held; 1 a violation, a lost write, a stuck run, or a\n"
	"  fair strategy that let a thread starve; 2 bad options.\n";

static bool unsigned_arg(const char *s, unsigned max, unsigned *out)
{
	unsigned long long v;

	if (!cli_parse_u64(s, max, &v))
		return false;
	*out = (unsigned)v;
	return true;
}

/* One option. 0, or 2 after a usage error. */
static int apply(struct torture_opts *o, int opt, const char *arg, const char *name)
{
	struct lock_torture_config *c = &o->cfg;
	unsigned long long v;
	bool ok = true;

	switch (opt) {
	case 'l': o->lock = arg; break;
	case 'j': o->json = arg; break;
	case 'w': ok = unsigned_arg(arg, 4096, &c->nwriters); break;
	case 'r': ok = unsigned_arg(arg, 4096, &c->nreaders); break;
	case 'n': ok = cli_parse_u64(arg, ULLONG_MAX, &c->acquisitions); break;
	case 'm': ok = cli_parse_u64(arg, ULLONG_MAX, &c->min_acquisitions); break;
	case 'd': ok = unsigned_arg(arg, UINT_MAX, &c->duration_ms); break;
	case 's': ok = unsigned_arg(arg, UINT_MAX, &c->short_delay_ns); break;
	case 'L': ok = unsigned_arg(arg, UINT_MAX, &c->long_hold_us); break;
	case 'E':
		ok = unsigned_arg(arg, UINT_MAX, &c->long_hold_every);
		o->every_set = true;
		break;
	case 'S': ok = unsigned_arg(arg, UINT_MAX, &c->stutter_ms); break;
	case 'T': ok = unsigned_arg(arg, UINT_MAX, &c->stall_ms); break;
	case 'x':
		ok = cli_parse_u64(arg, ULLONG_MAX, &v);
		c->seed = v;
		break;
	case 'p':
		ok = lock_spin_policy_parse(arg, &o->spin) == 0;
		c->spin = &o->spin;
		break;
	default:
		return cli_usage_error(usage, "unknown option");
	}
	return ok ? 0 : cli_usage_error(usage, "bad --%s '%s'", name, arg);
}

int torture_parse_options(struct torture_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lock", required_argument, NULL, 'l' },
		{ "writers", required_argument, NULL, 'w' },
		{ "readers", required_argument, NULL, 'r' },
		{ "acquisitions", required_argument, NULL, 'n' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "min-acquisitions", required_argument, NULL, 'm' },
		{ "short-delay-ns", required_argument, NULL, 's' },
		{ "long-hold-us", required_argument, NULL, 'L' },
		{ "long-hold-every", required_argument, NULL, 'E' },
		{ "stutter-ms", required_argument, NULL, 'S' },
		{ "spin", required_argument, NULL, 'p' },
		{ "stall-ms", required_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 'x' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, idx, rc;

	*o = (struct torture_opts){ 0 };
	lock_torture_config_default(&o->cfg);
	o->lock = LOCK_DEFAULT;
	optind = 0;	/* a full reset of getopt's state: a process may parse more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		}
		if (c == '?' || c == ':')
			return cli_usage_error(usage, "bad option '%s'", argv[optind - 1]);
		rc = apply(o, c, optarg, longopts[idx].name);
		if (rc)
			return rc;
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (strcmp(o->lock, "all") != 0 && !lock_find(o->lock))
		return cli_usage_error(usage, "unknown lock '%s' (iomem list)", o->lock);
	if (!o->cfg.nwriters && !o->cfg.nreaders)
		return cli_usage_error(usage, "no threads: --writers and --readers are both 0");
	if (!o->cfg.acquisitions && !o->cfg.duration_ms)
		return cli_usage_error(usage, "--acquisitions 0 needs --duration-ms");
	if (!o->every_set)
		o->cfg.long_hold_every = 2000 * (o->cfg.nwriters ? o->cfg.nwriters : 1);
	return 0;
}

/* One strategy: 0 held, 1 not (or an error running it). */
static int torture_one(struct lock_torture_config *cfg, const char *lock, struct bench_json *bj)
{
	struct lock_torture_result res;
	int err, status;

	cfg->lock = lock;
	err = lock_torture_run(cfg, &res);
	if (err) {
		fprintf(stderr, "iomem torture: %s: %s\n", lock, strerror(-err));
		return 1;
	}
	lock_torture_print(stdout, cfg, &res);
	status = res.failed;
	if (lock_torture_fair_starved(&res, lock_find(lock)->props)) {
		printf("%s-torture: a fair strategy let a thread starve (max/2 > min)\n", lock);
		status = 1;
	}
	fflush(stdout);
	if (bj && lock_torture_json_add(bj, &res)) {
		fprintf(stderr, "iomem torture: out of memory\n");
		status = 1;
	}
	lock_torture_result_free(&res);
	return status;
}

static struct bench_json *json_new(const struct torture_opts *o, int argc, char **argv)
{
	struct bench_json *bj = bench_json_new();
	struct lock_spin_policy policy = o->cfg.spin ? *o->cfg.spin : lock_spin_default();
	char spin[32];
	int err;

	if (!bj)
		return NULL;
	lock_spin_policy_format(&policy, spin, sizeof(spin));
	err = bench_json_set_host(bj, "iomem");
	err |= bench_json_set_cmdline(bj, argc, argv);
	err |= bench_json_set_str(bj, "tool", "iomem torture");
	err |= bench_json_set_str(bj, "lock", o->lock);
	err |= bench_json_set_str(bj, "spin", spin);
	err |= bench_json_set_int(bj, "seed", (int64_t)o->cfg.seed);
	err |= bench_json_set_int(bj, "writers", o->cfg.nwriters);
	err |= bench_json_set_int(bj, "readers", o->cfg.nreaders);
	err |= bench_json_set_int(bj, "acquisitions", (int64_t)o->cfg.acquisitions);
	err |= bench_json_set_int(bj, "duration_ms", o->cfg.duration_ms);
	if (err) {
		bench_json_free(bj);
		return NULL;
	}
	return bj;
}

int cmd_torture(int argc, char **argv)
{
	struct torture_opts o;
	struct bench_json *bj = NULL;
	int status = 0, rc = torture_parse_options(&o, argc, argv);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (o.json && !(bj = json_new(&o, argc, argv))) {
		fprintf(stderr, "iomem torture: out of memory\n");
		return 1;
	}
	if (strcmp(o.lock, "all") != 0) {
		status = torture_one(&o.cfg, o.lock, bj);
	} else {
		for (const char *const *name = lock_names(); *name; name++)
			status |= torture_one(&o.cfg, *name, bj);
	}
	if (bj) {
		rc = bench_json_write(bj, o.json);
		if (rc) {
			fprintf(stderr, "iomem torture: cannot write %s: %s\n", o.json,
				strerror(-rc));
			status = status ? status : 2;
		}
		bench_json_free(bj);
	}
	return status;
}
