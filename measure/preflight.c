/* SPDX-License-Identifier: MIT */
/* The preflight checks, each reading /proc and /sys (under a root, so that the tests can
 * give them a machine of their own). Thresholds are in preflight.h and explained in
 * docs/measurement.md#preflight. Reading a few /proc and /sys files is all this does; a
 * library (libproc2) would bring a process table API for one loop over /proc. */
#include "measure/preflight.h"

#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const check_names[PREFLIGHT_NR_CHECKS] = {
	[PREFLIGHT_GOVERNOR] = "governor",
	[PREFLIGHT_FREQUENCY] = "frequency",
	[PREFLIGHT_LOAD] = "load",
	[PREFLIGHT_BUSY] = "busy",
	[PREFLIGHT_VM] = "vm",
};

const char *preflight_check_name(enum preflight_check c)
{
	return check_names[c];
}

struct ctx {
	const char *root;
	struct preflight_report *r;
};

static void path_of(const struct ctx *c, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", c->root, path);
}

/* The first line of root/path, without its newline; false when unreadable. */
static bool read_line(const struct ctx *c, const char *path, char *buf, size_t len)
{
	char full[512];
	FILE *f;
	bool ok;

	path_of(c, path, full, sizeof(full));
	f = fopen(full, "r");
	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static void find(struct ctx *c, enum preflight_check check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void find(struct ctx *c, enum preflight_check check, const char *fmt, ...)
{
	struct preflight_report *r = c->r;
	va_list ap;

	r->findings[r->nfindings].check = check;
	va_start(ap, fmt);
	vsnprintf(r->findings[r->nfindings].detail, sizeof(r->findings[0].detail), fmt, ap);
	va_end(ap);
	r->nfindings++;
}

static void note(struct ctx *c, const char *text)
{
	size_t o = strlen(c->r->notes);

	snprintf(c->r->notes + o, sizeof(c->r->notes) - o, "%s%s", o ? "; " : "", text);
}

static unsigned online_cpus(const struct ctx *c)
{
	char line[256], *p;
	unsigned n = 0;

	if (!read_line(c, "/sys/devices/system/cpu/online", line, sizeof(line)))
		return 0;
	for (p = strtok(line, ","); p; p = strtok(NULL, ",")) {
		unsigned a, b;

		if (sscanf(p, "%u-%u", &a, &b) == 2 && b >= a)
			n += b - a + 1;
		else if (sscanf(p, "%u", &a) == 1)
			n++;
	}
	return n;
}

static void check_governor(struct ctx *c)
{
	char pattern[512], line[64], others[128] = "";
	unsigned total = 0, off = 0;
	glob_t g;

	path_of(c, "/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor", pattern,
		sizeof(pattern));
	if (glob(pattern, 0, NULL, &g) != 0) {
		note(c, "no cpufreq: governor and frequencies not reported");
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			total++;
			if (strcmp(line, "performance")) {
				size_t o = strlen(others);

				off++;
				if (!strstr(others, line) && o + strlen(line) + 3 < sizeof(others))
					snprintf(others + o, sizeof(others) - o, "%s%s",
						 o ? ", " : "", line);
			}
		}
		fclose(f);
	}
	globfree(&g);
	if (off)
		find(c, PREFLIGHT_GOVERNOR, "%u of %u CPUs use the %s governor, not performance",
		     off, total, others);
}

/* Current frequencies in MHz: cpufreq's, else /proc/cpuinfo's "cpu MHz". */
static unsigned frequencies(const struct ctx *c, double *mhz, unsigned max)
{
	char pattern[512], path[512], line[256];
	unsigned n = 0;
	glob_t g;
	FILE *f;

	path_of(c, "/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_cur_freq", pattern,
		sizeof(pattern));
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && n < max; i++) {
			double khz;

			f = fopen(g.gl_pathv[i], "r");
			if (f && fscanf(f, "%lf", &khz) == 1 && khz > 0)
				mhz[n++] = khz / 1000;
			if (f)
				fclose(f);
		}
		globfree(&g);
		if (n)
			return n;
	}
	path_of(c, "/proc/cpuinfo", path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		double v;

		if (!strncmp(line, "cpu MHz", 7) && sscanf(strchr(line, ':') ? strchr(line, ':') + 1
							    : "", "%lf", &v) == 1 && v > 0)
			mhz[n++] = v;
	}
	fclose(f);
	return n;
}

static void check_frequency(struct ctx *c)
{
	double mhz[1024], lo, hi;
	unsigned n = frequencies(c, mhz, 1024);

	if (n < 2)
		return;
	lo = hi = mhz[0];
	for (unsigned i = 1; i < n; i++) {
		lo = mhz[i] < lo ? mhz[i] : lo;
		hi = mhz[i] > hi ? mhz[i] : hi;
	}
	if (hi > lo * PREFLIGHT_FREQ_SPREAD)
		find(c, PREFLIGHT_FREQUENCY,
		     "CPUs run at %.0f to %.0f MHz (more than %.0f%% apart)", lo, hi,
		     (PREFLIGHT_FREQ_SPREAD - 1) * 100);
}

static void check_load(struct ctx *c)
{
	char line[256];
	unsigned cpus = online_cpus(c);
	double load;

	if (!read_line(c, "/proc/loadavg", line, sizeof(line)) || sscanf(line, "%lf", &load) != 1)
		return;
	if (!cpus)
		cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (load > PREFLIGHT_LOAD_PER_CPU * cpus)
		find(c, PREFLIGHT_LOAD, "1-minute load average %.2f on %u CPUs (above %.2f)", load,
		     cpus, PREFLIGHT_LOAD_PER_CPU * cpus);
}

struct proc_sample {
	int pid, ppid;
	uint64_t ticks;	/* user + system */
	char comm[32];
};

/* pid's comm, parent and CPU ticks from root/proc/PID/stat. The comm is in parentheses
 * and may hold anything, parentheses included: the fields go on after the last ')'. */
static bool read_stat(const struct ctx *c, int pid, struct proc_sample *s)
{
	char path[64], line[1024], *open, *close;
	unsigned long long ut, st;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!read_line(c, path, line, sizeof(line)))
		return false;
	open = strchr(line, '(');
	close = strrchr(line, ')');
	if (!open || !close || close < open ||
	    sscanf(close + 1, " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ppid, &ut,
		   &st) != 3)
		return false;
	s->pid = pid;
	s->ppid = ppid;
	s->ticks = ut + st;
	snprintf(s->comm, sizeof(s->comm), "%.*s", (int)(close - open - 1), open + 1);
	for (char *p = s->comm; *p; p++)	/* printable in any report */
		if (!isprint((unsigned char)*p) || *p == '"' || *p == '\\')
			*p = '?';
	return true;
}

static unsigned sample_procs(const struct ctx *c, struct proc_sample **out)
{
	char path[512];
	struct dirent *d;
	unsigned n = 0, cap = 0;
	DIR *dir;

	*out = NULL;
	path_of(c, "/proc", path, sizeof(path));
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		struct proc_sample s;
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0 || !read_stat(c, (int)pid, &s))
			continue;
		if (n == cap) {
			struct proc_sample *p;

			cap = cap ? 2 * cap : 256;
			p = realloc(*out, cap * sizeof(*p));
			if (!p)
				break;
			*out = p;
		}
		(*out)[n++] = s;
	}
	closedir(dir);
	return n;
}

/* Whether pid is this process or one of its ancestors (whose own runs are what is being
 * prepared, and which wait for it). */
static bool ours(int pid)
{
	struct ctx self = { .root = "" };
	struct proc_sample s;
	int p = getpid();

	for (int hops = 0; p > 1 && hops < 64; hops++) {
		if (p == pid)
			return true;
		if (!read_stat(&self, p, &s))
			break;
		p = s.ppid;
	}
	return false;
}

struct busy_proc {
	const struct proc_sample *s;
	double share;	/* of one CPU, over the window */
};

static int busiest_first(const void *a, const void *b)
{
	const struct busy_proc *x = a, *y = b;

	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	return (x->s->pid > y->s->pid) - (x->s->pid < y->s->pid);
}

static void check_busy(struct ctx *c, unsigned sample_ms)
{
	struct proc_sample *a, *b;
	unsigned na = sample_procs(c, &a), nb, busy = 0;
	struct timespec ts = { sample_ms / 1000, (long)(sample_ms % 1000) * 1000000 };
	double hz = (double)sysconf(_SC_CLK_TCK), window = sample_ms / 1000.0;
	struct busy_proc *procs;
	char list[320] = "";

	nanosleep(&ts, NULL);
	nb = sample_procs(c, &b);
	procs = calloc(nb ? nb : 1, sizeof(*procs));
	for (unsigned j = 0; procs && j < nb; j++) {
		for (unsigned i = 0; i < na; i++) {
			double share;

			if (a[i].pid != b[j].pid || b[j].ticks < a[i].ticks)
				continue;
			share = (double)(b[j].ticks - a[i].ticks) / hz / window;
			if (share > PREFLIGHT_BUSY_SHARE && !ours(b[j].pid))
				procs[busy++] = (struct busy_proc){ &b[j], share };
			break;
		}
	}
	/* Busiest first: the few the detail names are the ones that matter most. */
	qsort(procs, busy, sizeof(*procs), busiest_first);
	for (unsigned k = 0; k < busy; k++) {
		size_t o = strlen(list);

		if (k < PREFLIGHT_MAX_BUSY)
			c->r->busy_pid[c->r->nbusy++] = procs[k].s->pid;
		if (k < 4)
			snprintf(list + o, sizeof(list) - o, "%s%s (pid %d, %.0f%% of a CPU)",
				 o ? ", " : "", procs[k].s->comm, procs[k].s->pid,
				 procs[k].share * 100);
	}
	if (busy)
		find(c, PREFLIGHT_BUSY, "%u other process%s busy: %s%s", busy, busy > 1 ? "es" : "",
		     list, busy > 4 ? ", ..." : "");
	free(procs);
	free(a);
	free(b);
}

static bool contains_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(line, word); p; p = strstr(p + 1, word))
		if ((p == line || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n])))
			return true;
	return false;
}

static void check_vm(struct ctx *c)
{
	static const char *const vendors[] = { "QEMU", "KVM", "VMware", "VirtualBox", "innotek",
					       "Xen", "Virtual Machine", "Amazon EC2", "Google",
					       "Parallels", "Bochs", "BHYVE", "OpenStack" };
	char path[512], line[4096], dmi[256] = "", product[128];
	bool flag = false;
	FILE *f;

	path_of(c, "/proc/cpuinfo", path, sizeof(path));
	f = fopen(path, "r");
	while (f && !flag && fgets(line, sizeof(line), f))
		flag = (!strncmp(line, "flags", 5) || !strncmp(line, "Features", 8)) &&
		       contains_word(line, "hypervisor");
	if (f)
		fclose(f);
	if (read_line(c, "/sys/class/dmi/id/sys_vendor", dmi, sizeof(dmi)) &&
	    read_line(c, "/sys/class/dmi/id/product_name", product, sizeof(product)))
		snprintf(dmi + strlen(dmi), sizeof(dmi) - strlen(dmi), " %s", product);
	for (size_t i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
		if (strstr(dmi, vendors[i])) {
			find(c, PREFLIGHT_VM, "a virtual machine (DMI: %s)%s", dmi,
			     flag ? "; the CPU reports a hypervisor" : "");
			return;
		}
	if (flag)
		find(c, PREFLIGHT_VM, "a virtual machine (the CPU reports a hypervisor): the "
		     "host's other guests take CPU time from it");
}

void preflight_run(const struct preflight_options *o, struct preflight_report *r)
{
	struct ctx c = { .root = "", .r = r };

	memset(r, 0, sizeof(*r));
	if (o && o->root && strcmp(o->root, "/"))
		c.root = o->root;
	/* In check order, so that findings come out in the order the rules are listed. */
	check_governor(&c);
	check_frequency(&c);
	check_load(&c);
	check_busy(&c, o && o->sample_ms ? o->sample_ms : PREFLIGHT_SAMPLE_MS);
	check_vm(&c);
}

void preflight_summary(const struct preflight_report *r, char *buf, size_t len)
{
	size_t o = 0;

	snprintf(buf, len, "clean");
	for (unsigned i = 0; i < r->nfindings && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "",
				      check_names[r->findings[i].check]);
}

void preflight_details(const struct preflight_report *r, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < r->nfindings && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s: %s", i ? "; " : "",
				      check_names[r->findings[i].check], r->findings[i].detail);
}

void preflight_print(const struct preflight_report *r, const char *prog, FILE *out)
{
	if (!r->nfindings)
		fprintf(out, "%s: preflight: clean\n", prog);
	for (unsigned i = 0; i < r->nfindings; i++)
		fprintf(out, "%s: preflight: %s: %s\n", prog, check_names[r->findings[i].check],
			r->findings[i].detail);
	if (*r->notes)
		fprintf(out, "%s: preflight: note: %s\n", prog, r->notes);
}
