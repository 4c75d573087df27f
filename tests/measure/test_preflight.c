/* SPDX-License-Identifier: MIT */
/* The preflight rules on machines made of files (tests/measure/roots/: a clean one, and
 * one where every rule but "busy" fires), and the "busy" rule on this machine against a
 * process kept busy on purpose. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "measure/preflight.h"

static char root[1024];

static const char *root_of(const char *name)
{
	snprintf(root, sizeof(root), "%s/%s", getenv("PREFLIGHT_ROOTS"), name);
	return root;
}

static const char *detail(const struct preflight_report *r, enum preflight_check c)
{
	for (unsigned i = 0; i < r->nfindings; i++)
		if (r->findings[i].check == c)
			return r->findings[i].detail;
	return NULL;
}

static void test_clean_machine(void **state)
{
	struct preflight_options o = { .root = root_of("clean"), .sample_ms = 20 };
	struct preflight_report r;
	char buf[256];

	(void)state;
	preflight_run(&o, &r);
	preflight_summary(&r, buf, sizeof(buf));
	assert_string_equal(buf, "clean");	/* load 1.20 on 2 CPUs is below 1.50 */
	assert_int_equal(r.nfindings, 0);
	preflight_details(&r, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_noisy_machine(void **state)
{
	struct preflight_options o = { .root = root_of("noisy"), .sample_ms = 20 };
	struct preflight_report r;
	char buf[2048];

	(void)state;
	preflight_run(&o, &r);
	preflight_summary(&r, buf, sizeof(buf));
	assert_string_equal(buf, "governor,frequency,load,vm");
	assert_string_equal(detail(&r, PREFLIGHT_GOVERNOR),
			    "1 of 2 CPUs use the powersave governor, not performance");
	assert_string_equal(detail(&r, PREFLIGHT_FREQUENCY),
			    "CPUs run at 1200 to 3400 MHz (more than 10% apart)");
	assert_string_equal(detail(&r, PREFLIGHT_LOAD),
			    "1-minute load average 1.60 on 2 CPUs (above 1.50)");
	assert_non_null(strstr(detail(&r, PREFLIGHT_VM), "QEMU"));
	assert_non_null(strstr(detail(&r, PREFLIGHT_VM), "hypervisor"));
	preflight_details(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "governor: 1 of 2 CPUs"));
	assert_non_null(strstr(buf, "; vm: a virtual machine"));
}

/* No cpufreq (as in most VMs): noted, not a finding; the frequencies come from cpuinfo. */
static void test_no_cpufreq_is_a_note(void **state)
{
	struct preflight_options o = { .root = root_of("nocpufreq"), .sample_ms = 20 };
	struct preflight_report r;

	(void)state;
	preflight_run(&o, &r);
	assert_int_equal(r.nfindings, 0);
	assert_non_null(strstr(r.notes, "no cpufreq"));
}

static bool busy_pid_found(const struct preflight_report *r, pid_t pid)
{
	for (unsigned i = 0; i < r->nbusy; i++)
		if (r->busy_pid[i] == (int)pid)
			return true;
	return false;
}

/* A process that spins for the whole window (at the highest priority this test may give
 * it, so that it gets its share however loaded the machine) is named, with its pid. */
static void test_busy_process_found(void **state)
{
	struct preflight_options o = { .sample_ms = 1000 };
	struct preflight_report r;
	char pid_text[32];
	const char *d;
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setsid();	/* no longer one of ours: not our ancestor, not us */
		for (;;)
			;
	}
	setpriority(PRIO_PROCESS, (id_t)pid, -20);
	preflight_run(&o, &r);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	d = detail(&r, PREFLIGHT_BUSY);
	assert_non_null(d);
	/* Among the busy ones (the detail names only the busiest few, and on a machine
	 * shared with other work the spinner need not be one of them). */
	assert_true(busy_pid_found(&r, pid));
	if (r.nbusy <= 4) {
		snprintf(pid_text, sizeof(pid_text), "(pid %d,", (int)pid);
		assert_non_null(strstr(d, pid_text));
	}
	/* This process itself, busy only waiting, is never named. */
	assert_false(busy_pid_found(&r, getpid()));
	snprintf(pid_text, sizeof(pid_text), "(pid %d,", (int)getpid());
	assert_null(strstr(d, pid_text));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_machine),
		cmocka_unit_test(test_noisy_machine),
		cmocka_unit_test(test_no_cpufreq_is_a_note),
		cmocka_unit_test(test_busy_process_found),
	};

	if (!getenv("PREFLIGHT_ROOTS")) {
		fprintf(stderr, "PREFLIGHT_ROOTS is not set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
