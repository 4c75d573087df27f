/* SPDX-License-Identifier: MIT */
/* iomem stress: the torture harness. Every option is checked before anything runs. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "iomem/vmap.h"
#include "locks/lock.h"
#include "measure/perf_counters.h"
#include "measure/placement.h"
#include "stress/stress.h"
#include "stress_scenario_opts.h"

static const char usage_options[] =
	"usage: iomem stress [--scenario NAME|list] [options]\n"
	"  --scenario NAME|list    replay a named kernel situation (docs/scenarios.md) with\n"
	"                          its own tree, roles and checks; list: name them\n"
	"  --backend NAME|all      a backend, a comma list, or all (default all)\n"
	"  --lock NAME             tree (and VA allocator) lock strategy (iomem list)\n"
	"  --muxed-wait global|hashed   MUXED wait queue (default global, the kernel's)\n"
	"  --va-policy global|sharded|sharded-cpu   VA allocator locking (default global)\n"
	"  --threads N             N threads dealt round-robin over the roles\n"
	"  --readers N --claimers N --muxers N --mappers N --walkers N   per-role counts\n"
	"  --hotpluggers N --procfs-readers N --cxl-builders N --probers N --searchers N\n"
	"  --hot-adders N          per-role counts of the scenarios' roles\n"
	"  --duration S | --ops N  seconds per run (default 3), or ops per thread\n"
	"  --warmup S              seconds excluded from the figures (default 0.5)\n"
	"  --repetitions R         runs per backend, interleaved across backends (default 1)\n"
	"  --mix op=W,...          op weights: intersects lookup walk ioremap memremap\n"
	"  --tree-from FILE        starting tree from a /proc/iomem dump (default: the\n"
	"                          host's when readable, else a built-in x86 laptop tree)\n"
	"  --regions N --depth D   a synthetic starting tree instead\n"
	"  --dist uniform|zipf|hotspot   address distribution (default uniform)\n"
	"  --seed N  --cpus LIST  --rate OPS_PER_S (open loop, per reader)\n"
	"  --muxed-regions K --hold-ns NS --live-maps N\n"
	"  --hold-sleep            muxers hold by sleeping, not spinning\n"
	"  --delay-ns NS --long-hold-ms MS --stutter S   perturbation (locktorture's)\n"
	"  --lin-every S           seconds between linearizability windows (default 0.5;\n"
	"                          0: none)\n"
	"  --no-checks  --progress | --no-progress\n"
	"  --json FILE  --hgrm FILE  --failure-dir DIR\n"
	"  --counters LIST         count per op: context switches, CPU migrations, task clock,\n"
	"                          page faults, and the libpfm4 events of LIST (cycles,\n"
	"                          instructions, cache-misses, llc-misses; 'software': none)\n"
	"  --placement compact|scatter|none   pin the threads by the topology (iomem placement)\n"
	"  --topology DESC         an hwloc synthetic topology (default $IOMEM_TOPOLOGY, else\n"
	"                          this machine's)\n"
	"  --strict                refuse to run when the preflight finds anything (exit 3)\n"
	"  --no-preflight          skip the preflight (as scripts/sweep, which ran its own)\n"
	"scenario options (default):\n";

static const char usage_exit[] =
	"exit status: 0 all checks held, 1 a correctness failure (seed and replay script\n"
	"printed), 2 bad options, 3 refused by --strict, 130 interrupted (summary and JSON\n"
	"still written)\n";

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	signal(SIGINT, SIG_DFL);	/* a second ^C ends it at once */
}

static bool number(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s && !*end && errno == 0 && isfinite(*out) && *out >= lo && *out <= hi;
}

static bool whole(const char *s, double lo, double hi, unsigned long long *out)
{
	double d;

	if (!number(s, lo, hi, &d) || d != floor(d))
		return false;
	*out = (unsigned long long)d;
	return true;
}

static int set_backends(struct stress_config *c, char *list)
{
	unsigned n = 0;

	if (strcmp(list, "all") == 0) {
		for (const char *const *b = iomem_backend_names(); *b && n < STRESS_MAX_BACKENDS; b++)
			c->backends[n++] = *b;
		c->backends[n] = NULL;
		return 0;
	}
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (!iomem_backend_exists(tok) || n == STRESS_MAX_BACKENDS)
			return -EINVAL;
		c->backends[n++] = tok;
	}
	c->backends[n] = NULL;
	return n ? 0 : -EINVAL;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		strcat(s, argv[i]);
		if (i + 1 < argc)
			strcat(s, " ");
	}
	return s;
}

enum {
	O_BACKEND = 256, O_LOCK, O_MUXED_WAIT, O_VA_POLICY, O_THREADS, O_READERS, O_CLAIMERS,
	O_MUXERS, O_MAPPERS, O_WALKERS, O_DURATION, O_OPS, O_WARMUP, O_REPETITIONS, O_MIX,
	O_TREE_FROM, O_REGIONS, O_DEPTH, O_DIST, O_SEED, O_CPUS, O_RATE, O_MUXED_REGIONS,
	O_HOLD_NS, O_HOLD_SLEEP, O_LIVE_MAPS, O_DELAY_NS, O_LONG_HOLD_MS, O_STUTTER, O_LIN_EVERY,
	O_NO_CHECKS, O_PROGRESS,
	O_NO_PROGRESS, O_JSON, O_HGRM, O_FAILURE_DIR, O_COUNTERS, O_PLACEMENT, O_TOPOLOGY, O_STRICT,
	O_NO_PREFLIGHT,
	O_SCENARIO, O_HOTPLUGGERS, O_PROCFS_READERS, O_CXL_BUILDERS, O_PROBERS, O_SEARCHERS,
	O_HOT_ADDERS,		/* the scenarios' roles, in enum stress_role's order */
	O_KNOB = 512,		/* the scenarios' knobs: O_KNOB + their index */
};

static const struct option longopts[] = {
	{ "backend", required_argument, NULL, O_BACKEND },
	{ "lock", required_argument, NULL, O_LOCK },
	{ "muxed-wait", required_argument, NULL, O_MUXED_WAIT },
	{ "va-policy", required_argument, NULL, O_VA_POLICY },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "readers", required_argument, NULL, O_READERS },
	{ "claimers", required_argument, NULL, O_CLAIMERS },
	{ "muxers", required_argument, NULL, O_MUXERS },
	{ "mappers", required_argument, NULL, O_MAPPERS },
	{ "walkers", required_argument, NULL, O_WALKERS },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "ops", required_argument, NULL, O_OPS },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "repetitions", required_argument, NULL, O_REPETITIONS },
	{ "mix", required_argument, NULL, O_MIX },
	{ "tree-from", required_argument, NULL, O_TREE_FROM },
	{ "regions", required_argument, NULL, O_REGIONS },
	{ "depth", required_argument, NULL, O_DEPTH },
	{ "dist", required_argument, NULL, O_DIST },
	{ "seed", required_argument, NULL, O_SEED },
	{ "cpus", required_argument, NULL, O_CPUS },
	{ "rate", required_argument, NULL, O_RATE },
	{ "muxed-regions", required_argument, NULL, O_MUXED_REGIONS },
	{ "hold-ns", required_argument, NULL, O_HOLD_NS },
	{ "hold-sleep", no_argument, NULL, O_HOLD_SLEEP },
	{ "live-maps", required_argument, NULL, O_LIVE_MAPS },
	{ "delay-ns", required_argument, NULL, O_DELAY_NS },
	{ "long-hold-ms", required_argument, NULL, O_LONG_HOLD_MS },
	{ "stutter", required_argument, NULL, O_STUTTER },
	{ "lin-every", required_argument, NULL, O_LIN_EVERY },
	{ "no-checks", no_argument, NULL, O_NO_CHECKS },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
	{ "json", required_argument, NULL, O_JSON },
	{ "hgrm", required_argument, NULL, O_HGRM },
	{ "failure-dir", required_argument, NULL, O_FAILURE_DIR },
	{ "counters", required_argument, NULL, O_COUNTERS },
	{ "placement", required_argument, NULL, O_PLACEMENT },
	{ "topology", required_argument, NULL, O_TOPOLOGY },
	{ "strict", no_argument, NULL, O_STRICT },
	{ "no-preflight", no_argument, NULL, O_NO_PREFLIGHT },
	{ "scenario", required_argument, NULL, O_SCENARIO },
	{ "hotpluggers", required_argument, NULL, O_HOTPLUGGERS },
	{ "procfs-readers", required_argument, NULL, O_PROCFS_READERS },
	{ "cxl-builders", required_argument, NULL, O_CXL_BUILDERS },
	{ "probers", required_argument, NULL, O_PROBERS },
	{ "searchers", required_argument, NULL, O_SEARCHERS },
	{ "hot-adders", required_argument, NULL, O_HOT_ADDERS },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* One option into c; 0 or a message in err. */
static int apply(struct stress_config *c, int opt, char *arg, char *err, size_t errlen)
{
	enum stress_role role;
	unsigned long long u;
	double d;

#define NEED(cond, ...)                                     \
	do {                                                \
		if (!(cond)) {                              \
			snprintf(err, errlen, __VA_ARGS__); \
			return -1;                          \
		}                                           \
	} while (0)
	switch (opt) {
	case O_BACKEND:
		NEED(set_backends(c, arg) == 0, "--backend: '%s' is not 'all' or a list of backends "
		     "(iomem list)", arg);
		break;
	case O_LOCK:
		NEED(lock_find(arg), "--lock: unknown lock strategy '%s' (iomem list)", arg);
		c->lock = arg;
		break;
	case O_MUXED_WAIT:
		NEED(!strcmp(arg, "global") || !strcmp(arg, "hashed"),
		     "--muxed-wait must be global or hashed");
		c->muxed_wait = arg;
		break;
	case O_VA_POLICY:
		NEED(vmap_policy_find(arg), "--va-policy must be global, sharded or sharded-cpu");
		c->va_policy = arg;
		break;
	case O_THREADS: {
		enum stress_role roles[NR_ROLES];
		unsigned n = stress_workload_roles(c, roles);

		NEED(whole(arg, 1, 4096, &u), "--threads needs 1..4096");
		memset(c->threads, 0, sizeof(c->threads));
		for (unsigned i = 0; i < u; i++)
			c->threads[roles[i % n]]++;
		break;
	}
	case O_READERS: case O_CLAIMERS: case O_MUXERS: case O_MAPPERS: case O_WALKERS:
	case O_HOTPLUGGERS: case O_PROCFS_READERS: case O_CXL_BUILDERS: case O_PROBERS:
	case O_SEARCHERS: case O_HOT_ADDERS:
		role = opt >= O_HOTPLUGGERS ? ROLE_HOTPLUG + (opt - O_HOTPLUGGERS)
					    : ROLE_READER + (opt - O_READERS);
		NEED(stress_workload_has_role(c, role), "--%s: %s has no %ss",
		     longopts[opt - 256].name, c->scenario ? "this scenario" : "a run without "
		     "--scenario", stress_role_name(role));
		NEED(whole(arg, 0, 4096, &u), "--%s needs 0..4096", longopts[opt - 256].name);
		c->threads[role] = (unsigned)u;
		break;
	case O_DURATION:
		NEED(number(arg, 0.01, 86400, &d), "--duration needs seconds in 0.01..86400");
		c->duration = d;
		break;
	case O_OPS:
		NEED(whole(arg, 1, 1e15, &u), "--ops needs a positive count");
		c->ops = u;
		break;
	case O_WARMUP:
		NEED(number(arg, 0, 3600, &d), "--warmup needs seconds in 0..3600");
		c->warmup = d;
		break;
	case O_REPETITIONS:
		NEED(whole(arg, 1, 1000, &u), "--repetitions needs 1..1000");
		c->repetitions = (unsigned)u;
		break;
	case O_MIX:
		return stress_parse_mix(arg, c->weight, err, errlen) ? -1 : 0;
	case O_TREE_FROM:
		NEED(access(arg, R_OK) == 0, "--tree-from: cannot read %s: %s", arg, strerror(errno));
		c->tree_from = arg;
		break;
	case O_REGIONS:
		NEED(whole(arg, 1, 10000000, &u), "--regions needs 1..10000000");
		c->regions = (unsigned)u;
		break;
	case O_DEPTH:
		NEED(whole(arg, 1, 64, &u), "--depth needs 1..64");
		c->depth = (unsigned)u;
		break;
	case O_DIST:
		if (!strcmp(arg, "uniform"))
			c->dist = DIST_UNIFORM;
		else if (!strcmp(arg, "zipf"))
			c->dist = DIST_ZIPF;
		else if (!strcmp(arg, "hotspot"))
			c->dist = DIST_HOTSPOT;
		else
			NEED(0, "--dist must be uniform, zipf or hotspot");
		break;
	case O_SEED:
		NEED(whole(arg, 0, 1e18, &u), "--seed needs a number");
		c->seed = u;
		break;
	case O_CPUS:
		return stress_parse_cpus(arg, c->cpus, &c->ncpus, err, errlen) ? -1 : 0;
	case O_RATE:
		NEED(number(arg, 1, 1e9, &d), "--rate needs ops per second in 1..1e9");
		c->rate = d;
		break;
	case O_MUXED_REGIONS:
		NEED(whole(arg, 1, 64, &u), "--muxed-regions needs 1..64");
		c->muxed_regions = (unsigned)u;
		break;
	case O_HOLD_SLEEP: c->hold_sleeps = true; break;
	case O_HOLD_NS:
		NEED(whole(arg, 0, 1e9, &u), "--hold-ns needs 0..1e9");
		c->hold_ns = (unsigned)u;
		break;
	case O_LIVE_MAPS:
		NEED(whole(arg, 1, 4096, &u), "--live-maps needs 1..4096");
		c->live_maps = (unsigned)u;
		break;
	case O_DELAY_NS:
		NEED(whole(arg, 0, 1e8, &u), "--delay-ns needs 0..1e8");
		c->delay_ns = (unsigned)u;
		break;
	case O_LONG_HOLD_MS:
		NEED(whole(arg, 0, 10000, &u), "--long-hold-ms needs 0..10000");
		c->long_hold_ms = (unsigned)u;
		break;
	case O_STUTTER:
		NEED(number(arg, 0, 3600, &d), "--stutter needs seconds in 0..3600");
		c->stutter = d;
		break;
	case O_LIN_EVERY:
		NEED(number(arg, 0, 3600, &d), "--lin-every needs seconds in 0..3600");
		c->lin_every = d;
		break;
	case O_NO_CHECKS: c->checks = false; break;
	case O_PROGRESS: c->progress = true; break;
	case O_NO_PROGRESS: c->progress = false; break;
	case O_JSON: c->json_path = arg; break;
	case O_HGRM: c->hgrm_path = arg; break;
	case O_FAILURE_DIR:
		NEED(access(arg, W_OK) == 0, "--failure-dir: cannot write to %s", arg);
		c->failure_dir = arg;
		break;
	case O_COUNTERS: {
		struct perf_event_list l;

		if (perf_event_list_parse(&l, arg, err, errlen))
			return -1;
		c->counters = arg;
		break;
	}
	case O_PLACEMENT: {
		enum placement_policy p;

		NEED(placement_policy_parse(arg, &p) == 0,
		     "--placement must be compact, scatter or none");
		c->placement = arg;
		break;
	}
	case O_TOPOLOGY: c->topology = arg; break;
	case O_STRICT: c->strict = true; break;
	case O_NO_PREFLIGHT: c->preflight = false; break;
	case O_SCENARIO:	/* taken before the other options (stress_scenario_find_arg) */
		break;
	default:
		return stress_scenario_set_knob(c, opt - O_KNOB, arg, err, errlen) ? -1 : 0;
	}
#undef NEED
	return 0;
}

/* The usage with every scenario's options in it: malloc'd, NULL without memory. */
static char *make_usage(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputs(usage_options, f);
	stress_scenario_print_details(f);
	fputs(usage_exit, f);
	fclose(f);
	return text;
}

static int parse(struct stress_config *c, int argc, char **argv, const char *usage,
		 const struct option *opts)
{
	char err[256], all[] = "all";
	unsigned total = 0;
	int opt, status;

	stress_config_defaults(c);
	c->progress = isatty(STDERR_FILENO);
	set_backends(c, all);
	status = stress_scenario_find_arg(argc, argv, c);
	if (status)
		return status > 0 ? -1 : 2;	/* the list printed, or a bad name */
	optind = 0;	/* a full reset of getopt's state: a process may parse more than once */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return -1;
		}
		if (opt == '?' || opt == ':')
			return cli_usage_error(usage, "bad option '%s'", argv[optind - 1]);
		if (apply(c, opt, optarg, err, sizeof(err)))
			return cli_usage_error(usage, "%s", err);
	}
	for (int r = 0; r < NR_ROLES; r++)
		total += c->threads[r];
	if (optind != argc || total == 0)
		return cli_usage_error(usage, optind != argc ? "unexpected argument" : "no threads");
	if (c->threads[ROLE_READER] &&
	    !(c->weight[OP_INTERSECTS] + c->weight[OP_LOOKUP] + c->weight[OP_WALK]))
		return cli_usage_error(usage, "--mix leaves the readers nothing to do");
	if (c->threads[ROLE_MAPPER] && !(c->weight[OP_IOREMAP] + c->weight[OP_MEMREMAP]))
		return cli_usage_error(usage, "--mix leaves the mappers nothing to do");
	if (c->placement && c->ncpus)
		return cli_usage_error(usage, "--placement and --cpus both say where threads run");
	if (c->strict && !c->preflight)
		return cli_usage_error(usage, "--strict needs the preflight (no --no-preflight)");
	if (c->threads[ROLE_MUXER] && c->muxed_regions > c->threads[ROLE_MUXER])
		c->muxed_regions = c->threads[ROLE_MUXER];
	return 0;
}

int stress_parse_options(struct stress_config *c, int argc, char **argv)
{
	char *usage = make_usage();
	struct option *opts = stress_scenario_options(longopts, O_KNOB);
	int status = 2;

	if (usage && opts)
		status = parse(c, argc, argv, usage, opts);
	else
		fputs("iomem: out of memory\n", stderr);
	free(opts);
	free(usage);
	return status;
}

int cmd_stress(int argc, char **argv)
{
	struct stress_config c;
	char *cmdline;
	int status = stress_parse_options(&c, argc, argv);

	if (status)
		return status < 0 ? 0 : status;
	cmdline = join_args(argc + 1, argv - 1);
	c.command_line = cmdline;
	c.interrupted = &interrupted;
	signal(SIGINT, on_sigint);
	status = stress_run(&c, stdout);
	free(cmdline);
	return status;
}
