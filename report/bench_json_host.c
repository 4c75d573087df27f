/* SPDX-License-Identifier: MIT */
/* The context of a results file: this host, this build, this invocation. */
#include <errno.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench_json_impl.h"
#include "report/build_info.h"

/* The first line of a file, without its newline; false when unreadable or empty. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok = f && fgets(buf, (int)len, f);

	if (f)
		fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok && buf[0];
}

/* "key<blanks>: value" */
static const char *cpuinfo_value(const char *line, const char *key)
{
	size_t klen = strlen(key);

	if (strncmp(line, key, klen) != 0)
		return NULL;
	line += klen + strspn(line + klen, " \t");
	return *line == ':' ? line + 1 + strspn(line + 1, " \t") : NULL;
}

/* The value of the first such line of /proc/cpuinfo. */
static bool cpuinfo(const char *key, char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	const char *v = NULL;

	while (f && !v && fgets(line, sizeof(line), f))
		v = cpuinfo_value(line, key);
	if (v)
		snprintf(buf, len, "%.*s", (int)strcspn(v, "\n"), v);
	if (f)
		fclose(f);
	return v && buf[0];
}

/* Google Benchmark's format: 2024-01-31T12:00:00+01:00. */
static int set_date(struct bench_json *bj)
{
	char buf[40];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	if (!localtime_r(&now, &tm) ||
	    (n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm)) < 5)
		return bench_json_set_str(bj, "date", "unknown");
	memmove(buf + n - 1, buf + n - 2, 3);	/* +0100 -> +01:00 */
	buf[n - 2] = ':';
	return bench_json_set_str(bj, "date", buf);
}

static int64_t mhz_per_cpu(void)
{
	char buf[64];

	if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", buf, sizeof(buf)))
		return strtoll(buf, NULL, 10) / 1000;
	if (cpuinfo("cpu MHz", buf, sizeof(buf)))
		return (int64_t)strtod(buf, NULL);
	return 0;
}

/* As Google Benchmark: enabled when any CPU's governor is not "performance". */
static bool cpu_scaling_enabled(long ncpus)
{
	char path[96], buf[64];

	for (long cpu = 0; cpu < ncpus; cpu++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%ld/cpufreq/scaling_governor", cpu);
		if (read_line(path, buf, sizeof(buf)) && strcmp(buf, "performance") != 0)
			return true;
	}
	return false;
}

/* "0-3,8" -> 5 */
static long count_cpu_list(const char *s)
{
	long n = 0;

	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += b >= a ? b - a + 1 : 0;
		s = *end == ',' ? end + 1 : end;
		if (*s && *s != ',' && (*s < '0' || *s > '9'))
			break;
	}
	return n;
}

static bool cache_attr(int index, const char *attr, char *buf, size_t len)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/%s", index, attr);
	return read_line(path, buf, len);
}

/* cpu0's caches from sysfs, as Google Benchmark's "caches" array. */
static int set_caches(struct bench_json *bj)
{
	char *json = NULL, type[32], level[16], size[32], shared[256];
	size_t len = 0;
	FILE *out = open_memstream(&json, &len);
	int err, n = 0;

	if (!out)
		return -ENOMEM;
	fputc('[', out);
	for (int i = 0; cache_attr(i, "type", type, sizeof(type)); i++) {
		char *unit;
		long long bytes;

		if (!cache_attr(i, "level", level, sizeof(level)) ||
		    !cache_attr(i, "size", size, sizeof(size)))
			continue;
		bytes = strtoll(size, &unit, 10);
		bytes <<= *unit == 'K' ? 10 : *unit == 'M' ? 20 : *unit == 'G' ? 30 : 0;
		fprintf(out, "%s\n      {\n        \"type\": \"%s\",\n        \"level\": %ld,\n"
			     "        \"size\": %lld,\n        \"num_sharing\": %ld\n      }",
			n++ ? "," : "", strcmp(type, "Data") == 0 ? "Data" :
			strcmp(type, "Instruction") == 0 ? "Instruction" : "Unified",
			strtol(level, NULL, 10), bytes,
			cache_attr(i, "shared_cpu_list", shared, sizeof(shared))
				? count_cpu_list(shared) : 1L);
	}
	fputs(n ? "\n    ]" : "]", out);
	if (fclose(out) != 0) {
		free(json);
		return -ENOMEM;
	}
	err = bench_json_set_raw(bj, "caches", json);
	free(json);
	return err;
}

static int set_load_avg(struct bench_json *bj)
{
	double la[3] = { 0, 0, 0 };
	char buf[96];

	if (getloadavg(la, 3) != 3)
		la[0] = la[1] = la[2] = 0;
	snprintf(buf, sizeof(buf), "[%.6g,%.6g,%.6g]", la[0], la[1], la[2]);
	return bench_json_set_raw(bj, "load_avg", buf);
}

static int set_kernel(struct bench_json *bj)
{
	struct utsname u;
	char buf[sizeof(u.sysname) + sizeof(u.release) + sizeof(u.version) + sizeof(u.machine)];

	if (uname(&u) != 0)
		return bench_json_set_str(bj, "kernel", "unknown");
	snprintf(buf, sizeof(buf), "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
	return bench_json_set_str(bj, "kernel", buf);
}

/* The membarrier commands this kernel offers (liburcu-memb uses the private expedited
 * one when it is there), e.g. "global,global_expedited,private_expedited". */
static int set_membarrier(struct bench_json *bj)
{
	static const struct { int cmd; const char *name; } cmds[] = {
		{ MEMBARRIER_CMD_GLOBAL, "global" },
		{ MEMBARRIER_CMD_GLOBAL_EXPEDITED, "global_expedited" },
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED, "private_expedited" },
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, "private_expedited_sync_core" },
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, "private_expedited_rseq" },
	};
	long mask = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0);
	char buf[160] = "";

	if (mask < 0)
		snprintf(buf, sizeof(buf), "unavailable (%s)", strerror(errno));
	for (size_t i = 0; mask >= 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (mask & cmds[i].cmd)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? "," : "", cmds[i].name);
	return bench_json_set_str(bj, "membarrier", buf[0] ? buf : "none");
}

static const char *or_unknown(const char *s)
{
	return s && s[0] ? s : "unknown";
}

#ifdef NDEBUG
#define LIBRARY_BUILD_TYPE "release"
#else
#define LIBRARY_BUILD_TYPE "debug"
#endif

/* What this build is made of (report/build_info.h). */
static int set_build(struct bench_json *bj)
{
	const struct build_info *b = build_info();
	const char *const kv[][2] = {
		{ "compiler", b->compiler },
		{ "compiler_flags", b->compiler_flags },
		{ "build_type", b->build_type },
		{ "allocator", b->allocator },
		{ "liburcu_version", b->liburcu_version },
	};
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(kv) / sizeof(kv[0]); i++)
		err = bench_json_set_str(bj, kv[i][0], kv[i][1]);
	if (!err)
		err = set_membarrier(bj);
	return err ? err : bench_json_set_str(bj, "git_revision", b->git_revision);
}

/* Google Benchmark's own keys, in its order. */
static int set_benchmark_keys(struct bench_json *bj, const char *argv0)
{
	char host[256] = "unknown";
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int err = set_date(bj);

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (!err)
		err = bench_json_set_str(bj, "host_name", host);
	if (!err)
		err = bench_json_set_str(bj, "executable", or_unknown(argv0));
	if (!err)
		err = bench_json_set_int(bj, "num_cpus", ncpus > 0 ? ncpus : 0);
	if (!err)
		err = bench_json_set_int(bj, "mhz_per_cpu", mhz_per_cpu());
	if (!err)
		err = bench_json_set_bool(bj, "cpu_scaling_enabled", cpu_scaling_enabled(ncpus));
	if (!err)
		err = set_caches(bj);
	if (!err)
		err = set_load_avg(bj);
	return err ? err : bench_json_set_str(bj, "library_build_type", LIBRARY_BUILD_TYPE);
}

int bench_json_set_host(struct bench_json *bj, const char *argv0)
{
	char model[256];
	int err = set_benchmark_keys(bj, argv0);

	if (!err)
		err = bench_json_set_str(bj, "cpu_model",
					 cpuinfo("model name", model, sizeof(model)) ? model : "unknown");
	if (!err)
		err = set_kernel(bj);
	return err ? err : set_build(bj);
}

/* A word as a POSIX shell reads it back: bare when it is safe, else in single quotes. */
static void put_shell_word(FILE *out, const char *w)
{
	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "_@%+=:,./-") == strlen(w)) {
		fputs(w, out);
		return;
	}
	fputc('\'', out);
	for (; *w; w++)
		fputs(*w == '\'' ? "'\\''" : (char[]){ *w, '\0' }, out);
	fputc('\'', out);
}

int bench_json_set_cmdline(struct bench_json *bj, int argc, char *const argv[])
{
	char *line = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&line, &len);
	int err;

	if (!out)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		if (i)
			fputc(' ', out);
		put_shell_word(out, argv[i]);
	}
	err = fclose(out) != 0 ? -ENOMEM : bench_json_set_str(bj, "command_line", line);
	free(line);
	return err;
}
