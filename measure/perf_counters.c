/* SPDX-License-Identifier: MIT */
/* perf_event_open(2) counters, every event named through libpfm4 (software ones too, so
 * that a name means the same thing whatever the list holds). Events are opened one by one,
 * not as a group: a group is all or nothing on the PMU, and a software event must not lose
 * its count because a hardware one could not be scheduled. */
#include "measure/perf_counters.h"

#include <ctype.h>
#include <errno.h>
#include <perfmon/pfmlib_perf_event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *pfm_name;	/* libpfm4's name */
	const char *name;	/* ours, as perf(1) says it */
	const char *key;
} software[PERF_NR_SOFTWARE] = {
	[PERF_EV_CTX_SWITCHES] = { "perf::PERF_COUNT_SW_CONTEXT_SWITCHES", "context-switches",
				   "ctx_switches" },
	[PERF_EV_CPU_MIGRATIONS] = { "perf::PERF_COUNT_SW_CPU_MIGRATIONS", "cpu-migrations",
				     "cpu_migrations" },
	[PERF_EV_TASK_CLOCK] = { "perf::PERF_COUNT_SW_TASK_CLOCK", "task-clock", "cpu_ns" },
	[PERF_EV_PAGE_FAULTS] = { "perf::PERF_COUNT_SW_PAGE_FAULTS", "page-faults",
				  "page_faults" },
};

/* Names perf(1) users know that libpfm4 spells differently. */
static const struct {
	const char *alias, *pfm_name;
} aliases[] = {
	{ "llc-misses", "perf::PERF_COUNT_HW_CACHE_LL:READ:MISS" },
	{ "llc-loads", "perf::PERF_COUNT_HW_CACHE_LL:READ:ACCESS" },
};

static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_status;

static void pfm_init(void)
{
	pfm_status = pfm_initialize();
}

/* "PERF_COUNT_HW_CACHE_LL:READ:MISS" -> "perf_count_hw_cache_ll_read_miss". */
static void make_key(const char *name, char *key, size_t len)
{
	size_t o = 0;
	bool sep = false;

	for (const char *p = name; *p && o + 1 < len; p++) {
		if (isalnum((unsigned char)*p)) {
			if (sep && o)
				key[o++] = '_';
			if (o + 1 < len)
				key[o++] = (char)tolower((unsigned char)*p);
			sep = false;
		} else {
			sep = true;
		}
	}
	key[o] = '\0';
}

/* Fills attr from a libpfm4 name: user and kernel both counted (a context switch happens
 * in the kernel; excluding it would read zero). */
static int encode(const char *pfm_name, struct perf_event_attr *attr)
{
	pfm_perf_encode_arg_t arg;

	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	if (pfm_get_os_event_encoding(pfm_name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg) !=
	    PFM_SUCCESS)
		return -EINVAL;
	attr->size = sizeof(*attr);
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr->disabled = 0;
	return 0;
}

static bool duplicate(const struct perf_event_list *l, const struct perf_event_attr *a)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->ev[i].attr.type == a->type && l->ev[i].attr.config == a->config &&
		    l->ev[i].attr.config1 == a->config1)
			return true;
	return false;
}

int perf_event_list_parse(struct perf_event_list *l, const char *list, char *err,
			  size_t errlen)
{
	char buf[512], *save = NULL;

	memset(l, 0, sizeof(*l));
	pthread_once(&pfm_once, pfm_init);
	if (pfm_status != PFM_SUCCESS) {
		snprintf(err, errlen, "libpfm4 cannot start: %s", pfm_strerror(pfm_status));
		return -EINVAL;
	}
	for (int i = 0; i < PERF_NR_SOFTWARE; i++) {
		struct perf_event_spec *e = &l->ev[l->n++];

		snprintf(e->name, sizeof(e->name), "%s", software[i].name);
		snprintf(e->key, sizeof(e->key), "%s", software[i].key);
		if (encode(software[i].pfm_name, &e->attr)) {
			snprintf(err, errlen, "libpfm4 does not know %s", software[i].pfm_name);
			return -EINVAL;
		}
	}
	if (!list || !strcmp(list, "software"))
		return 0;
	if (strlen(list) >= sizeof(buf) || !*list || *list == ',' ||
	    list[strlen(list) - 1] == ',' || strstr(list, ",,")) {
		snprintf(err, errlen, "--counters: '%s' is not a list of events", list);
		return -EINVAL;
	}
	strcpy(buf, list);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct perf_event_spec e = { 0 };
		const char *pfm_name = tok;

		if (!strcmp(tok, "software"))
			continue;
		for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++)
			if (!strcasecmp(tok, aliases[a].alias))
				pfm_name = aliases[a].pfm_name;
		if (strlen(tok) >= sizeof(e.name) || encode(pfm_name, &e.attr)) {
			snprintf(err, errlen, "--counters: libpfm4 knows no event '%s' (try "
				 "cycles, instructions, cache-misses, llc-misses)", tok);
			return -EINVAL;
		}
		if (duplicate(l, &e.attr))
			continue;
		if (l->n == PERF_MAX_EVENTS) {
			snprintf(err, errlen, "--counters: at most %d events beside the "
				 "software ones", PERF_MAX_EVENTS - PERF_NR_SOFTWARE);
			return -EINVAL;
		}
		snprintf(e.name, sizeof(e.name), "%s", tok);
		make_key(tok, e.key, sizeof(e.key));
		l->ev[l->n++] = e;
	}
	return 0;
}

static int sys_perf_event_open(struct perf_event_attr *attr, int inherit)
{
	struct perf_event_attr a = *attr;

	a.inherit = (unsigned)inherit;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static int read_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = 99;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 99;
		fclose(f);
	}
	return v;
}

static void explain(struct perf_event_spec *e, int err)
{
	switch (err) {
	case EACCES: case EPERM:
		snprintf(e->why, sizeof(e->why), "not permitted: perf_event_paranoid is %d, "
			 "counting kernel-side events needs 1 or less (or CAP_PERFMON)",
			 read_paranoid());
		break;
	case ENOENT: case EOPNOTSUPP: case ENODEV:
		snprintf(e->why, sizeof(e->why), "this machine has no such counter (no PMU, "
			 "as in most VMs)");
		break;
	case ENOSYS:
		snprintf(e->why, sizeof(e->why), "the kernel has no perf_event_open");
		break;
	default:
		snprintf(e->why, sizeof(e->why), "perf_event_open: %s", strerror(err));
	}
}

unsigned perf_event_list_probe(struct perf_event_list *l)
{
	unsigned missing = 0;

	for (unsigned i = 0; i < l->n; i++) {
		struct perf_event_spec *e = &l->ev[i];
		int fd = sys_perf_event_open(&e->attr, 0);

		e->available = fd >= 0;
		if (fd >= 0) {
			close(fd);
			e->why[0] = '\0';
		} else {
			explain(e, errno);
			missing++;
		}
	}
	return missing;
}

void perf_event_list_describe(const struct perf_event_list *l, bool available, char *buf,
			      size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < l->n && o < len; i++) {
		const struct perf_event_spec *e = &l->ev[i];
		int w;

		if (e->available != available)
			continue;
		if (available)
			w = snprintf(buf + o, len - o, "%s%s", o ? "," : "", e->name);
		else
			w = snprintf(buf + o, len - o, "%s%s (%s)", o ? "; " : "", e->name, e->why);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

unsigned perf_counters_open(struct perf_counters *pc, const struct perf_event_list *l,
			    enum perf_scope scope)
{
	unsigned failed = 0;

	pc->n = l->n;
	for (unsigned i = 0; i < l->n; i++) {
		pc->fd[i] = -1;
		if (l->ev[i].available)
			pc->fd[i] = sys_perf_event_open((struct perf_event_attr *)&l->ev[i].attr,
							scope == PERF_SCOPE_THREAD_AND_CHILDREN);
		failed += pc->fd[i] < 0;
	}
	return failed;
}

void perf_counters_close(struct perf_counters *pc)
{
	for (unsigned i = 0; i < pc->n; i++)
		if (pc->fd[i] >= 0)
			close(pc->fd[i]);
	pc->n = 0;
}

void perf_counters_read(const struct perf_counters *pc, struct perf_reading *r)
{
	r->n = pc->n;
	for (unsigned i = 0; i < pc->n; i++) {
		uint64_t v[3];	/* value, time enabled, time running */

		r->counted[i] = false;
		r->value[i] = 0;
		if (pc->fd[i] < 0 || read(pc->fd[i], v, sizeof(v)) != (ssize_t)sizeof(v))
			continue;
		/* Enabled but never on the PMU: no count at all, which is not a count of zero.
		 * (Neither time yet: the thread has not run since the counter was opened.) */
		if (v[2] == 0 && v[1] != 0)
			continue;
		r->counted[i] = true;
		r->value[i] = v[2] && v[2] < v[1] ? (double)v[0] * (double)v[1] / (double)v[2]
					  : (double)v[0];
	}
}

void perf_reading_zero(struct perf_reading *r, unsigned n)
{
	r->n = n;
	for (unsigned i = 0; i < n; i++) {
		r->counted[i] = true;
		r->value[i] = 0;
	}
}

void perf_reading_sub(struct perf_reading *out, const struct perf_reading *after,
		      const struct perf_reading *before)
{
	out->n = after->n;
	for (unsigned i = 0; i < after->n; i++) {
		out->counted[i] = after->counted[i] && i < before->n && before->counted[i];
		out->value[i] = out->counted[i] ? after->value[i] - before->value[i] : 0;
	}
}

void perf_reading_add(struct perf_reading *sum, const struct perf_reading *r)
{
	for (unsigned i = 0; i < sum->n; i++) {
		sum->counted[i] = sum->counted[i] && i < r->n && r->counted[i];
		sum->value[i] = sum->counted[i] ? sum->value[i] + r->value[i] : 0;
	}
}

void perf_reading_per_op(const struct perf_event_list *l, const struct perf_reading *r,
			 double ops, void (*emit)(void *arg, const char *name, double value),
			 void *arg)
{
	char name[80];

	unsigned lost = 0;

	if (!(ops > 0))
		return;
	for (unsigned i = 0; i < r->n && i < l->n; i++) {
		if (!r->counted[i]) {
			lost += l->ev[i].available;
			continue;
		}
		snprintf(name, sizeof(name), "%s_per_op", l->ev[i].key);
		emit(arg, name, r->value[i] / ops);
	}
	if (lost)
		emit(arg, "uncounted_events", lost);
}
