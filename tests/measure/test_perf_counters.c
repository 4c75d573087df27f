/* SPDX-License-Identifier: MIT */
/* Counters that must have counted what a program certainly did: a thread that sleeps N
 * times shows at least N context switches, one that touches N fresh pages at least N page
 * faults, one moved to another CPU a migration, one that burned CPU time that much task
 * clock; counted over the threads a thread creates, or over that thread alone. And an event
 * that cannot be counted is reported as unavailable, never as a zero: the hardware events
 * of a machine without a PMU, and every kernel-side event when perf_event_paranoid keeps
 * an unprivileged process from counting it. Nothing here depends on a rate or a time. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "measure/perf_counters.h"

#define SLEEPS 50

static struct perf_event_list events;

/* Software counting needs perf_event_paranoid <= 1 or privileges; without them every test
 * of counts is skipped, and test_unprivileged_never_zero checks what is reported instead. */
static bool software_available(void)
{
	return events.ev[PERF_EV_CTX_SWITCHES].available;
}

static void sleep_n(int n)
{
	struct timespec ts = { 0, 100000 };	/* 0.1 ms: each one leaves the CPU */

	for (int i = 0; i < n; i++)
		nanosleep(&ts, NULL);
}

static void *sleeper(void *arg)
{
	(void)arg;
	sleep_n(SLEEPS);
	return NULL;
}

static void test_parse(void **state)
{
	struct perf_event_list l;
	char err[256] = "";

	(void)state;
	assert_int_equal(perf_event_list_parse(&l, NULL, err, sizeof(err)), 0);
	assert_int_equal(l.n, PERF_NR_SOFTWARE);
	assert_string_equal(l.ev[PERF_EV_CTX_SWITCHES].key, "ctx_switches");
	assert_string_equal(l.ev[PERF_EV_CPU_MIGRATIONS].key, "cpu_migrations");
	assert_string_equal(l.ev[PERF_EV_TASK_CLOCK].key, "cpu_ns");
	assert_string_equal(l.ev[PERF_EV_PAGE_FAULTS].key, "page_faults");
	assert_int_equal(perf_event_list_parse(&l, "cycles,instructions,cycles,llc-misses,"
					       "PERF_COUNT_HW_CACHE_LL:READ:ACCESS", err,
					       sizeof(err)), 0);
	/* The second cycles is the same event. */
	assert_int_equal(l.n, PERF_NR_SOFTWARE + 4);
	assert_string_equal(l.ev[PERF_NR_SOFTWARE].key, "cycles");
	assert_string_equal(l.ev[PERF_NR_SOFTWARE + 2].key, "llc_misses");
	assert_string_equal(l.ev[PERF_NR_SOFTWARE + 3].key, "perf_count_hw_cache_ll_read_access");
	/* A software event named again is not counted twice. */
	assert_int_equal(perf_event_list_parse(&l, "software,context-switches", err,
					       sizeof(err)), 0);
	assert_int_equal(l.n, PERF_NR_SOFTWARE);
	assert_int_equal(perf_event_list_parse(&l, "cycles,no-such-event", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "no-such-event"));
	assert_int_equal(perf_event_list_parse(&l, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(perf_event_list_parse(&l, "cycles,,instructions", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(perf_event_list_parse(&l, ",", err, sizeof(err)), -EINVAL);
}

/* The arithmetic of readings: an event not counted in any part stays not counted. */
static void test_reading_arithmetic(void **state)
{
	struct perf_reading a = { .n = 2, .counted = { true, true }, .value = { 10, 7 } };
	struct perf_reading b = { .n = 2, .counted = { true, false }, .value = { 4, 0 } };
	struct perf_reading d, sum;

	(void)state;
	perf_reading_sub(&d, &a, &b);
	assert_true(d.counted[0]);
	assert_true(d.value[0] == 6);
	assert_false(d.counted[1]);
	perf_reading_zero(&sum, 2);
	perf_reading_add(&sum, &a);
	perf_reading_add(&sum, &a);
	assert_true(sum.counted[0] && sum.counted[1]);
	assert_true(sum.value[0] == 20 && sum.value[1] == 14);
	perf_reading_add(&sum, &b);
	assert_true(sum.counted[0]);
	assert_false(sum.counted[1]);
}

struct emitted {
	int n;
	char names[PERF_MAX_EVENTS][80];
	double values[PERF_MAX_EVENTS];
};

static void collect(void *arg, const char *name, double value)
{
	struct emitted *e = arg;

	snprintf(e->names[e->n], sizeof(e->names[0]), "%s", name);
	e->values[e->n++] = value;
}

/* Per operation: each counted event once, divided by the operations; an event that was
 * not counted is left out, never written as 0; no operations, no figures. */
static void test_per_op_leaves_out_uncounted(void **state)
{
	struct perf_event_list l;
	struct perf_reading r;
	struct emitted e = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(perf_event_list_parse(&l, "cycles", err, sizeof(err)), 0);
	perf_reading_zero(&r, l.n);
	r.value[PERF_EV_CTX_SWITCHES] = 50;
	r.value[PERF_EV_TASK_CLOCK] = 1000;
	r.counted[PERF_EV_CPU_MIGRATIONS] = false;
	r.counted[PERF_NR_SOFTWARE] = false;	/* cycles */
	perf_reading_per_op(&l, &r, 10, collect, &e);
	assert_int_equal(e.n, 3);
	assert_string_equal(e.names[0], "ctx_switches_per_op");
	assert_true(e.values[0] == 5);
	assert_string_equal(e.names[1], "cpu_ns_per_op");
	assert_true(e.values[1] == 100);
	assert_string_equal(e.names[2], "page_faults_per_op");	/* counted: a measured 0 */
	assert_true(e.values[2] == 0);
	e.n = 0;
	perf_reading_per_op(&l, &r, 0, collect, &e);
	assert_int_equal(e.n, 0);
	/* Events the probe found countable that still went uncounted: said by their number. */
	l.ev[PERF_EV_CPU_MIGRATIONS].available = true;
	l.ev[PERF_NR_SOFTWARE].available = true;
	perf_reading_per_op(&l, &r, 10, collect, &e);
	assert_int_equal(e.n, 4);
	assert_string_equal(e.names[3], "uncounted_events");
	assert_true(e.values[3] == 2);
}

static double delta(const struct perf_reading *a, const struct perf_reading *b, int ev)
{
	assert_true(a->counted[ev]);
	assert_true(b->counted[ev]);
	return b->value[ev] - a->value[ev];
}

/* The threads a thread creates after opening are counted with it. */
static void test_children_sleeping(void **state)
{
	struct perf_counters pc;
	struct perf_reading before, after;
	pthread_t t[3];

	(void)state;
	if (!software_available())
		skip();
	assert_int_equal(perf_counters_open(&pc, &events, PERF_SCOPE_THREAD_AND_CHILDREN), 0);
	perf_counters_read(&pc, &before);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, sleeper, NULL), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	perf_counters_read(&pc, &after);
	assert_true(delta(&before, &after, PERF_EV_CTX_SWITCHES) >= 3 * SLEEPS);
	perf_counters_close(&pc);
}

/* A thread's own counters count it alone: the sleeps of a thread it waits for are not its
 * own (it leaves the CPU once or twice to wait, never SLEEPS times). */
static void test_thread_alone(void **state)
{
	struct perf_counters pc;
	struct perf_reading before, after;
	pthread_t t;

	(void)state;
	if (!software_available())
		skip();
	assert_int_equal(perf_counters_open(&pc, &events, PERF_SCOPE_THREAD), 0);
	perf_counters_read(&pc, &before);
	assert_int_equal(pthread_create(&t, NULL, sleeper, NULL), 0);
	pthread_join(t, NULL);
	perf_counters_read(&pc, &after);
	assert_true(delta(&before, &after, PERF_EV_CTX_SWITCHES) < SLEEPS);
	sleep_n(SLEEPS);
	perf_counters_read(&pc, &after);
	assert_true(delta(&before, &after, PERF_EV_CTX_SWITCHES) >= SLEEPS);
	perf_counters_close(&pc);
}

/* Counters one thread opened, read by another while it runs and after it exited. */
struct opened_elsewhere {
	struct perf_counters pc;
	struct perf_reading first;
};

static void *open_then_sleep(void *arg)
{
	struct opened_elsewhere *o = arg;

	perf_counters_open(&o->pc, &events, PERF_SCOPE_THREAD);
	perf_counters_read(&o->pc, &o->first);
	sleep_n(SLEEPS);
	return NULL;
}

static void test_read_after_exit(void **state)
{
	struct opened_elsewhere o;
	struct perf_reading last;
	pthread_t t;

	(void)state;
	if (!software_available())
		skip();
	assert_int_equal(pthread_create(&t, NULL, open_then_sleep, &o), 0);
	pthread_join(t, NULL);
	perf_counters_read(&o.pc, &last);
	assert_true(delta(&o.first, &last, PERF_EV_CTX_SWITCHES) >= SLEEPS);
	perf_counters_close(&o.pc);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Page faults, migrations and task clock, each from something that certainly happened. */
static void test_faults_migrations_clock(void **state)
{
	enum { PAGES = 64 };
	long page = sysconf(_SC_PAGESIZE);
	struct perf_counters pc;
	struct perf_reading before, after;
	cpu_set_t allowed, one;
	int cpus[2], n = 0;
	uint64_t t0;
	volatile char *p;

	(void)state;
	if (!software_available())
		skip();
	assert_int_equal(perf_counters_open(&pc, &events, PERF_SCOPE_THREAD), 0);
	perf_counters_read(&pc, &before);
	/* Fresh anonymous pages, no huge pages: a fault for each first write. */
	p = mmap(NULL, (size_t)(PAGES * page), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	madvise((void *)p, (size_t)(PAGES * page), MADV_NOHUGEPAGE);
	for (int i = 0; i < PAGES; i++)
		p[(long)i * page] = 1;
	munmap((void *)p, (size_t)(PAGES * page));
	/* 20 ms of CPU, by this thread's own clock. */
	t0 = thread_cpu_ns();
	while (thread_cpu_ns() - t0 < 20000000)
		;
	/* Over to another CPU and back, when there is one. */
	assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &allowed))
			cpus[n++] = c;
	for (int i = 0; n == 2 && i < 2; i++) {
		CPU_ZERO(&one);
		CPU_SET(cpus[i], &one);
		assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	}
	assert_int_equal(sched_setaffinity(0, sizeof(allowed), &allowed), 0);
	perf_counters_read(&pc, &after);
	assert_true(delta(&before, &after, PERF_EV_PAGE_FAULTS) >= PAGES);
	assert_true(delta(&before, &after, PERF_EV_TASK_CLOCK) >= 20e6);
	if (n == 2)
		assert_true(delta(&before, &after, PERF_EV_CPU_MIGRATIONS) >= 1);
	perf_counters_close(&pc);
}

/* A hardware event: counted (and then it counted something) where the machine has a PMU;
 * elsewhere unavailable with the reason, read as not counted, and left out per op. */
static void test_hardware_event(void **state)
{
	struct perf_event_list l;
	struct perf_counters pc;
	struct perf_reading before, after, d;
	struct emitted e = { 0 };
	char err[256], desc[512];
	const int cyc = PERF_NR_SOFTWARE;

	(void)state;
	assert_int_equal(perf_event_list_parse(&l, "cycles", err, sizeof(err)), 0);
	perf_event_list_probe(&l);
	perf_counters_open(&pc, &l, PERF_SCOPE_THREAD);
	perf_counters_read(&pc, &before);
	sleep_n(5);
	for (volatile int i = 0; i < 1000000; i++)
		;
	perf_counters_read(&pc, &after);
	perf_reading_sub(&d, &after, &before);
	perf_reading_per_op(&l, &d, 1, collect, &e);
	if (l.ev[cyc].available) {
		assert_true(d.counted[cyc]);
		assert_true(d.value[cyc] > 0);
	} else {
		assert_true(l.ev[cyc].why[0] != '\0');
		assert_int_equal(pc.fd[cyc], -1);
		assert_false(d.counted[cyc]);
		for (int i = 0; i < e.n; i++)
			assert_string_not_equal(e.names[i], "cycles_per_op");
		perf_event_list_describe(&l, false, desc, sizeof(desc));
		assert_non_null(strstr(desc, "cycles ("));
		printf("unavailable here: %s\n", desc);
	}
	perf_counters_close(&pc);
}

/* An unprivileged process under perf_event_paranoid >= 2 may not count kernel-side
 * events: every software event is then unavailable, saying why, and nothing is reported
 * for it. Where it may (paranoid <= 1), the counts are real. Run in a child that gives up
 * root. */
static void test_unprivileged_never_zero(void **state)
{
	int status, paranoid = 2;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	pid_t pid;

	(void)state;
	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = 2;
		fclose(f);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct perf_event_list l;
		struct perf_counters pc;
		struct perf_reading a, b, d;
		struct emitted e = { 0 };
		char err[256];

		if (getuid() == 0 && setresuid(65534, 65534, 65534))
			_exit(10);
		if (perf_event_list_parse(&l, NULL, err, sizeof(err)))
			_exit(11);
		perf_event_list_probe(&l);
		perf_counters_open(&pc, &l, PERF_SCOPE_THREAD);
		perf_counters_read(&pc, &a);
		sleep_n(SLEEPS);
		perf_counters_read(&pc, &b);
		perf_reading_sub(&d, &b, &a);
		perf_reading_per_op(&l, &d, 1, collect, &e);
		if (paranoid >= 2) {
			/* refused: nothing reported, the reason names the setting */
			if (l.ev[PERF_EV_CTX_SWITCHES].available || e.n != 0 ||
			    !strstr(l.ev[PERF_EV_CTX_SWITCHES].why, "perf_event_paranoid"))
				_exit(12);
		} else if (!d.counted[PERF_EV_CTX_SWITCHES] ||
			   d.value[PERF_EV_CTX_SWITCHES] < SLEEPS) {
			_exit(13);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_reading_arithmetic),
		cmocka_unit_test(test_per_op_leaves_out_uncounted),
		cmocka_unit_test(test_children_sleeping),
		cmocka_unit_test(test_thread_alone),
		cmocka_unit_test(test_read_after_exit),
		cmocka_unit_test(test_faults_migrations_clock),
		cmocka_unit_test(test_hardware_event),
		cmocka_unit_test(test_unprivileged_never_zero),
	};
	char err[256];

	if (perf_event_list_parse(&events, NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (perf_event_list_probe(&events))
		printf("software events not countable here: %s\n",
		       events.ev[PERF_EV_CTX_SWITCHES].why);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
