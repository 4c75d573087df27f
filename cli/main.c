/* iomem: the iomembench command line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "locks/lock.h"

static const char usage[] =
	"usage: iomem <command> [options]\n"
	"\n"
	"commands:\n"
	"  show [--root iomem|ioport] [--backend B] [--lock L] [--from FILE]\n"
	"        load a /proc/iomem or /proc/ioports dump (default: the host's) and print it back\n"
	"  script [--backend B] [--lock L] FILE|-\n"
	"        run an op-script, one tree operation per line\n"
	"  stress [options]\n"
	"        the torture harness: thread roles, live checks, latency, JSON (--help)\n"
	"  difftest [--seed N] [--ops N] [--backends A,B,...] [--repro FILE]\n"
	"        compare every backend with rwlock on seeded random op-scripts\n"
	"  list   the backends and lock strategies\n"
	"  help   this text\n";

int cli_usage_error(const char *cmd_usage, const char *fmt, ...)
{
	va_list ap;

	fputs("iomem: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", cmd_usage);
	return 2;
}

struct iomem_tree *cli_tree_new(const char *backend, const char *lock)
{
	struct iomem_tree_opts opts = { .lock = lock };
	struct iomem_tree *t = iomem_tree_new(backend, &opts);
	const char *const *names;

	if (t)
		return t;
	if (errno != ENOENT) {
		fprintf(stderr, "iomem: cannot make a tree: %s\n", strerror(errno));
		return NULL;
	}
	fprintf(stderr, "iomem: unknown backend '%s' or lock '%s'\nbackends:", backend,
		lock ? lock : LOCK_DEFAULT);
	for (names = iomem_backend_names(); *names; names++)
		fprintf(stderr, " %s", *names);
	fputs("\nlocks:", stderr);
	for (names = lock_names(); *names; names++)
		fprintf(stderr, " %s", *names);
	fputc('\n', stderr);
	return NULL;
}

bool cli_parse_root(const char *s, enum iomem_root *out)
{
	if (strcmp(s, "iomem") == 0)
		*out = IOMEM_ROOT_IOMEM;
	else if (strcmp(s, "ioport") == 0)
		*out = IOMEM_ROOT_IOPORT;
	else
		return false;
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(usage, "missing command");
	if (strcmp(argv[1], "show") == 0)
		return cmd_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "script") == 0)
		return cmd_script(argc - 1, argv + 1);
	if (strcmp(argv[1], "stress") == 0)
		return cmd_stress(argc - 1, argv + 1);
	if (strcmp(argv[1], "difftest") == 0)
		return cmd_difftest(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	return cli_usage_error(usage, "unknown command '%s'", argv[1]);
}
