/* SPDX-License-Identifier: MIT */
/* The checker on hand-made histories: what linearizes and what must be caught, the
 * report as a replayable op-script, and the bounds of the search. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opscript/opscript.h"
#include "check/linearizability.h"

#define IOMEM IOMEM_ROOT_IOMEM
#define R 0x1000ULL	/* the contended region: [0x1000, 0x10ff], inside the PCI window */
#define N 0x100ULL

static const char initial[] = "insert 0x0 0xffffff \"PCI Bus 0000:00\"\n";

struct history {
	struct lin_event ev[LIN_WINDOW_MAX];
	size_t n;
	uint64_t seq[16];
};

/* Appends an op of thread t over [invoke, response] that returned ret. */
static struct lin_event *add(struct history *h, unsigned t, uint64_t invoke, uint64_t response,
			     int ret)
{
	struct lin_event *e = &h->ev[h->n++];

	*e = (struct lin_event){ .thread = t, .seq = h->seq[t]++, .invoke_ns = invoke,
				 .response_ns = response, .res.ret = ret };
	return e;
}

static void request(struct history *h, unsigned t, uint64_t inv, uint64_t resp, int ret,
		    unsigned long flags, bool blocking)
{
	lin_op_request(&add(h, t, inv, resp, ret)->op, IOMEM, R, N, "drv", flags, blocking);
}

static void release(struct history *h, unsigned t, uint64_t inv, uint64_t resp, int ret)
{
	lin_op_release(&add(h, t, inv, resp, ret)->op, IOMEM, R, N);
}

/* What a lookup inside R returns: the region with these flags, or (flags 0) the window. */
static void saw_region(struct lin_result *res, unsigned long flags)
{
	res->ret = 0;
	res->start = flags ? R : 0;
	res->end = flags ? R + N - 1 : 0xffffff;
	res->flags = flags ? flags : IORESOURCE_MEM;
	res->desc = 0;
	snprintf(res->name, sizeof(res->name), "%s", flags ? "drv" : "PCI Bus 0000:00");
}

static void lookup(struct history *h, unsigned t, uint64_t inv, uint64_t resp,
		   unsigned long flags)
{
	struct lin_event *e = add(h, t, inv, resp, 0);

	lin_op_lookup(&e->op, IOMEM, R + 8);
	saw_region(&e->res, flags);
}

#define BUSY (IORESOURCE_MEM | IORESOURCE_BUSY)
#define MUXED (BUSY | IORESOURCE_MUXED)

static enum lin_verdict check_from(const char *script, struct history *h, struct lin_report *rep)
{
	struct lin_state *s;

	assert_int_equal(lin_state_from_script(script, &s, stderr), 0);
	assert_int_equal(lin_check(s, h->ev, h->n, NULL, rep), 0);
	lin_state_free(s);
	return rep->verdict;
}

static enum lin_verdict check(struct history *h)
{
	struct lin_report rep;

	return check_from(initial, h, &rep);
}

static void test_empty_window(void **state)
{
	struct history h = { .n = 0 };

	(void)state;
	assert_int_equal(check(&h), LIN_OK);
}

static void test_concurrent_requests_both_granted(void **state)
{
	struct history h = { .n = 0 };
	struct lin_report rep;

	(void)state;
	request(&h, 0, 0, 100, 0, 0, false);
	request(&h, 1, 50, 150, 0, 0, false);
	assert_int_equal(check_from(initial, &h, &rep), LIN_VIOLATION);
	assert_int_equal(rep.order_len, 1);
	/* one of them refused: fine, in either order of invocation */
	h.ev[1].res.ret = -EBUSY;
	assert_int_equal(check(&h), LIN_OK);
	h.ev[0].res.ret = -EBUSY;
	h.ev[1].res.ret = 0;
	assert_int_equal(check_from(initial, &h, &rep), LIN_OK);
	assert_int_equal(rep.order[0], 1);	/* the second invoked went first */
	/* both refused: nothing held the range */
	h.ev[1].res.ret = -EBUSY;
	assert_int_equal(check(&h), LIN_VIOLATION);
}

static void test_sequential_requests_need_a_release(void **state)
{
	struct history h = { .n = 0 };

	(void)state;
	request(&h, 0, 0, 10, 0, 0, false);
	request(&h, 1, 20, 30, 0, 0, false);
	assert_int_equal(check(&h), LIN_VIOLATION);
	release(&h, 0, 12, 15, 0);
	assert_int_equal(check(&h), LIN_OK);
	/* the release must have happened before the second request */
	h.ev[2].invoke_ns = 40;
	h.ev[2].response_ns = 50;
	assert_int_equal(check(&h), LIN_VIOLATION);
	/* overlapping the second request is enough */
	h.ev[2].invoke_ns = 25;
	assert_int_equal(check(&h), LIN_OK);
}

static void test_release_before_its_request(void **state)
{
	struct history h = { .n = 0 };

	(void)state;
	request(&h, 0, 10, 20, 0, 0, false);
	release(&h, 1, 0, 5, 0);	/* done before the request began */
	assert_int_equal(check(&h), LIN_VIOLATION);
	h.ev[1].response_ns = 15;	/* overlapping: it may come after */
	assert_int_equal(check(&h), LIN_OK);
	h.ev[1].res.ret = -ENOENT;	/* or before, failing */
	assert_int_equal(check(&h), LIN_OK);
}

static void test_stale_lookup(void **state)
{
	static const char held[] = "insert 0x0 0xffffff \"PCI Bus 0000:00\"\n"
				   "request 0x1000 0x100 \"drv\"\n";
	struct history h = { .n = 0 };
	struct lin_report rep;

	(void)state;
	release(&h, 0, 0, 5, 0);
	lookup(&h, 1, 10, 12, BUSY);	/* still sees the released region */
	assert_int_equal(check_from(held, &h, &rep), LIN_VIOLATION);
	h.ev[1].invoke_ns = 3;		/* concurrent with the release: may precede it */
	assert_int_equal(check_from(held, &h, &rep), LIN_OK);
	lookup(&h, 1, 20, 22, BUSY);	/* but not a later one */
	assert_int_equal(check_from(held, &h, &rep), LIN_VIOLATION);
	saw_region(&h.ev[2].res, 0);
	assert_int_equal(check_from(held, &h, &rep), LIN_OK);
	h.ev[2].res.flags |= IORESOURCE_BUSY;	/* one field off */
	assert_int_equal(check_from(held, &h, &rep), LIN_VIOLATION);
}

/* A blocking muxed request that slept linearizes after the release that woke it. */
static void test_muxed_request_waits_for_release(void **state)
{
	static const char held[] = "insert 0x0 0xffffff \"PCI Bus 0000:00\"\n"
				   "request 0x1000 0x100 \"drv\" muxed\n";
	struct history h = { .n = 0 };
	struct lin_report rep;

	(void)state;
	request(&h, 1, 0, 100, 0, IORESOURCE_MUXED, true);
	release(&h, 0, 50, 60, 0);
	assert_int_equal(check_from(held, &h, &rep), LIN_OK);
	assert_int_equal(rep.order[0], 1);
	/* granted before anyone released: impossible */
	h.ev[0].response_ns = 40;
	assert_int_equal(check_from(held, &h, &rep), LIN_VIOLATION);
	/* a nowait request's EWOULDBLOCK is a result like any other */
	h.ev[0].op.blocking = false;
	h.ev[0].res.ret = -EWOULDBLOCK;
	assert_int_equal(check_from(held, &h, &rep), LIN_OK);
	/* ...which a blocking request never returns */
	h.ev[0].op.blocking = true;
	h.ev[0].res.ret = 0;
	h.ev[0].response_ns = 100;
	request(&h, 2, 0, 10, -EWOULDBLOCK, IORESOURCE_MUXED, false);
	assert_int_equal(check_from(held, &h, &rep), LIN_OK);
	/* a second blocking request granted while the first still holds it */
	request(&h, 3, 20, 110, 0, IORESOURCE_MUXED, true);
	assert_int_equal(check_from(held, &h, &rep), LIN_VIOLATION);
	release(&h, 1, 105, 108, 0);
	assert_int_equal(check_from(held, &h, &rep), LIN_OK);
}

static void allocate(struct history *h, unsigned t, uint64_t inv, uint64_t resp,
		     resource_size_t got)
{
	struct lin_event *e = add(h, t, inv, resp, 0);

	lin_op_allocate(&e->op, IOMEM, 0x1000, 0x1000000, 0x1ffffff, 0x1000, "bar", IORESOURCE_BUSY);
	e->res.start = got;
	e->res.end = got + 0xfff;
}

/* allocate_resource takes the lowest fit: the order decides who gets what. */
static void test_allocations_follow_some_order(void **state)
{
	struct history h = { .n = 0 };

	(void)state;
	allocate(&h, 0, 0, 100, 0x1001000);
	allocate(&h, 1, 10, 110, 0x1000000);
	assert_int_equal(check(&h), LIN_OK);
	h.ev[1].res.start = 0x1001000;	/* the same range twice */
	assert_int_equal(check(&h), LIN_VIOLATION);
	h.ev[1].res.start = 0x1000000;	/* thread 0 finished before thread 1 began */
	h.ev[1].invoke_ns = 200, h.ev[1].response_ns = 300;
	assert_int_equal(check(&h), LIN_VIOLATION);
}

/* The report is an op-script that `iomem script` runs; for a linearizable window it
 * replays to exactly what the threads saw. */
static char *report_of(const char *script, struct history *h, struct lin_report *rep)
{
	struct lin_state *s;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(lin_state_from_script(script, &s, stderr), 0);
	assert_int_equal(lin_check(s, h->ev, h->n, NULL, rep), 0);
	lin_report_write(f, s, h->ev, h->n, rep);
	fclose(f);
	lin_state_free(s);
	return text;
}

/* Runs the report; returns how many op lines printed what their comment says they saw. */
static size_t replay_matches(const char *report, size_t *ops)
{
	struct iomem_tree *t = iomem_tree_new("rwlock", NULL);
	char *out = NULL, *saveo, *saver, *line, *copy = strdup(report);
	size_t len = 0, agree = 0, inserts = 0;
	FILE *in = fmemopen((void *)report, strlen(report), "r"), *o = open_memstream(&out, &len);

	assert_int_equal(opscript_run(t, in, "report", o, stderr), 0);
	fclose(in);
	fclose(o);
	for (line = strtok_r(copy, "\n", &saver); line; line = strtok_r(NULL, "\n", &saver))
		inserts += strncmp(line, "insert ", 7) == 0;
	line = strtok_r(out, "\n", &saveo);
	for (size_t i = 0; i < inserts; i++, line = strtok_r(NULL, "\n", &saveo))
		assert_string_equal(line, "ok");
	free(copy);
	copy = strdup(report);
	*ops = 0;
	for (char *r = strtok_r(copy, "\n", &saver); r; r = strtok_r(NULL, "\n", &saver)) {
		char *saw = strstr(r, " saw: "), *tail;

		if (r[0] == '#' || strncmp(r, "insert ", 7) == 0 || strncmp(r, "root ", 5) == 0)
			continue;
		assert_non_null(saw);
		saw += 6;
		if ((tail = strstr(saw, " (blocking")))
			*tail = '\0';
		assert_non_null(line);
		agree += agree == *ops && strcmp(line, saw) == 0;
		(*ops)++;
		line = strtok_r(NULL, "\n", &saveo);
	}
	assert_null(line);
	free(copy);
	free(out);
	iomem_tree_free(t);
	return agree;
}

static void test_report_replays(void **state)
{
	static const char held[] = "insert 0x0 0xffffff \"PCI Bus 0000:00\"\n"
				   "request 0x1000 0x100 \"drv\" muxed\n"
				   "root ioport\ninsert 0x0 0xfff \"io \\\"w\\\"\"\nroot iomem\n";
	struct history h = { .n = 0 };
	struct lin_report rep;
	size_t ops;
	char *text;

	(void)state;
	request(&h, 1, 0, 65, 0, IORESOURCE_MUXED, true);
	release(&h, 0, 50, 60, 0);
	lookup(&h, 2, 70, 80, MUXED);
	lin_op_request(&add(&h, 2, 81, 90, 0)->op, IOMEM_ROOT_IOPORT, 0x10, 0x10, "port", 0, false);
	text = report_of(held, &h, &rep);
	if (rep.verdict != LIN_OK)
		fail_msg("%s", text);
	assert_non_null(strstr(text, ": linearizable\n"));
	assert_int_equal(replay_matches(text, &ops), 4);
	assert_int_equal(ops, 4);
	free(text);
	/* the lookup claims the region free after the muxed request was granted: caught, and
	 * the replay agrees up to the longest prefix */
	saw_region(&h.ev[2].res, 0);
	text = report_of(held, &h, &rep);
	assert_int_equal(rep.verdict, LIN_VIOLATION);
	assert_non_null(strstr(text, "NOT LINEARIZABLE"));
	assert_non_null(strstr(text, "# ---- none of the following can come next ----\n"));
	assert_int_equal(replay_matches(text, &ops), rep.order_len);
	assert_int_equal(ops, 4);
	assert_true(rep.order_len >= 2 && rep.order_len < 4);
	free(text);
}

static void test_limits(void **state)
{
	struct history h = { .n = 0 };
	struct lin_state *s;
	struct lin_report rep;
	struct lin_check_opts tiny = { .max_nodes = 2 };

	(void)state;
	assert_int_equal(lin_state_from_script(initial, &s, stderr), 0);
	for (unsigned i = 0; i < 6; i++)
		request(&h, i, 0, 100, i == 5 ? 0 : -EBUSY, 0, false);
	assert_int_equal(lin_check(s, h.ev, h.n, &tiny, &rep), 0);
	assert_int_equal(rep.verdict, LIN_UNKNOWN);
	assert_int_equal(lin_check(s, h.ev, LIN_WINDOW_MAX + 1, NULL, &rep), -EINVAL);
	lin_state_free(s);
}

/* The worst case of the chosen window size: 14 ops all concurrent, from 14 threads, 13
 * commuting (requests of disjoint ranges, all granted) and one impossible result, so the
 * search must try everything. Memoization keeps it to one node per subset of the 13
 * (2^13) instead of every order (13!). */
static void test_worst_case_window_is_bounded(void **state)
{
	struct history h = { .n = 0 };
	struct lin_report rep;

	(void)state;
	for (unsigned i = 0; i < 13; i++)
		lin_op_request(&add(&h, i, 0, 1000, 0)->op, IOMEM, 0x10000 * (i + 1), 0x100, "d",
			       0, false);
	lookup(&h, 13, 0, 1000, BUSY);	/* R was never requested */
	assert_int_equal(check_from(initial, &h, &rep), LIN_VIOLATION);
	assert_int_equal(rep.order_len, 13);
	assert_true(rep.nodes <= (1u << 13));
	assert_int_equal(rep.states, 1u << 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_window),
		cmocka_unit_test(test_concurrent_requests_both_granted),
		cmocka_unit_test(test_sequential_requests_need_a_release),
		cmocka_unit_test(test_release_before_its_request),
		cmocka_unit_test(test_stale_lookup),
		cmocka_unit_test(test_muxed_request_waits_for_release),
		cmocka_unit_test(test_allocations_follow_some_order),
		cmocka_unit_test(test_report_replays),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_worst_case_window_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
