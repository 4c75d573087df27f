/* SPDX-License-Identifier: MIT */
/* The cache-line latency: measured between two CPUs the thread may use, with a pass count
 * that matches whole round trips, and the thread's affinity given back; refused, leaving
 * the result untouched, when the thread may use only one CPU. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "measure/line_latency.h"

static void test_two_cpus(void **state)
{
	struct line_latency l;
	cpu_set_t before, after;

	(void)state;
	assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(before), &before), 0);
	if (CPU_COUNT(&before) < 2)
		skip();
	assert_int_equal(line_latency_measure(5, &l), 0);
	assert_true(l.ns > 0.0 && l.ns < 1e7);
	assert_int_not_equal(l.cpu[0], l.cpu[1]);
	assert_true(CPU_ISSET(l.cpu[0], &before) && CPU_ISSET(l.cpu[1], &before));
	/* Round trips of CHECK_EVERY passes each way, at least one. */
	assert_true(l.passes >= 512 && l.passes % 512 == 0);
	assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(after), &after), 0);
	assert_true(CPU_EQUAL(&before, &after));
}

static void test_one_cpu(void **state)
{
	struct line_latency l = { .ns = -7.0, .cpu = { -7, -7 }, .passes = 7 };
	cpu_set_t before, one;
	int cpu = -1;

	(void)state;
	assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(before), &before), 0);
	for (int c = 0; c < CPU_SETSIZE && cpu < 0; c++)
		if (CPU_ISSET(c, &before))
			cpu = c;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(one), &one), 0);
	assert_int_equal(line_latency_measure(5, &l), -1);
	assert_true(l.ns == -7.0 && l.cpu[0] == -7 && l.cpu[1] == -7 && l.passes == 7);
	assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(before), &before), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_cpus),
		cmocka_unit_test(test_one_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
