/* SPDX-License-Identifier: MIT */
/* Recording rings and windows; every op and result renders as the op-script line that
 * `iomem script` (opscript_run) reads and prints; exact tree snapshots round-trip, also
 * through their op-script form. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iomem/dump.h"
#include "opscript/opscript.h"
#include "check/history.h"
#include "check/linearizability.h"

static void record(struct lin_ring *r, uint64_t invoke)
{
	struct lin_event *e = lin_ring_begin(r);

	lin_op_lookup(&e->op, IOMEM_ROOT_IOMEM, invoke);
	lin_ring_end(r, e);
	e->invoke_ns = invoke;
	e->response_ns = invoke + 1;
}

static void test_ring_records_and_wraps(void **state)
{
	struct lin_ring r;
	struct lin_event out[64];
	struct lin_ring *rings[] = { &r };
	size_t n;

	(void)state;
	assert_int_equal(lin_ring_init(&r, 7, 20), 0);
	assert_int_equal(r.mask, 31);
	struct lin_event *e = lin_ring_begin(&r);

	lin_op_release(&e->op, IOMEM_ROOT_IOMEM, 1, 2);
	lin_ring_end(&r, e);
	assert_true(e->invoke_ns > 0 && e->invoke_ns <= e->response_ns);
	assert_int_equal(e->thread, 7);
	assert_int_equal(e->seq, 0);
	for (uint64_t i = 1; i < 40; i++)
		record(&r, 100 + i);
	assert_int_equal(lin_ring_recent(&r, out, 10), 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(out[i].seq, 30 + i);
	assert_int_equal(lin_ring_recent(&r, out, 64), 32);
	assert_int_equal(out[0].seq, 8);
	/* 40 events since the (initial) cut, 32 kept: the window is lost */
	assert_int_equal(lin_window_collect(rings, 1, out, 64, &n), -EOVERFLOW);
	assert_int_equal(n, 0);
	/* ...and cut: the next window is whole */
	record(&r, 500);
	assert_int_equal(lin_window_collect(rings, 1, out, 64, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].seq, 40);
	lin_ring_destroy(&r);
}

static void test_window_merges_in_invocation_order(void **state)
{
	struct lin_ring a, b;
	struct lin_ring *rings[] = { &a, &b };
	struct lin_event out[8];
	size_t n;

	(void)state;
	lin_ring_init(&a, 0, 16);
	lin_ring_init(&b, 1, 16);
	record(&a, 10);
	lin_window_cut(rings, 2);
	record(&a, 30);
	record(&b, 20);
	record(&a, 50);
	record(&b, 40);
	assert_int_equal(lin_window_collect(rings, 2, out, 8, &n), 0);
	assert_int_equal(n, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(out[i].invoke_ns, 20 + 10 * i);
		assert_int_equal(out[i].thread, i % 2 == 0);
	}
	assert_int_equal(lin_window_collect(rings, 2, out, 8, &n), 0);
	assert_int_equal(n, 0);
	/* more than the window holds */
	for (int i = 0; i < 5; i++)
		record(&a, 100 + i);
	assert_int_equal(lin_window_collect(rings, 2, out, 4, &n), -EOVERFLOW);
	assert_int_equal(lin_window_collect(rings, 2, out, 4, &n), 0);
	assert_int_equal(n, 0);
	lin_ring_destroy(&a);
	lin_ring_destroy(&b);
}

/* Every opcode, both roots, awkward names and flags. */
static size_t sample_ops(struct lin_op *op)
{
	size_t n = 0;

	lin_op_insert(&op[n++], IOMEM_ROOT_IOMEM, 0x1000, 0x1fff, "PCI Bus 0000:00", 0, 0);
	lin_op_insert(&op[n++], IOMEM_ROOT_IOMEM, 0x100000, 0x1fffff, "RAM \"quoted\" \\",
		      IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, IORES_DESC_RESERVED);
	lin_op_request(&op[n++], IOMEM_ROOT_IOMEM, 0x1080, 0x10, "superio", IORESOURCE_MUXED, true);
	lin_op_request(&op[n++], IOMEM_ROOT_IOMEM, 0x1080, 0x10, "watchdog", IORESOURCE_MUXED, false);
	lin_op_request(&op[n++], IOMEM_ROOT_IOMEM, 0x1084, 0x4, "plain", 0, false);
	lin_op_request(&op[n++], IOMEM_ROOT_IOMEM, 0x1100, 0x10, "", IORESOURCE_EXCLUSIVE, false);
	lin_op_lookup(&op[n++], IOMEM_ROOT_IOMEM, 0x1085);
	lin_op_lookup(&op[n++], IOMEM_ROOT_IOMEM, 0x150000);
	lin_op_lookup(&op[n++], IOMEM_ROOT_IOMEM, 0x900000);
	lin_op_intersects(&op[n++], IOMEM_ROOT_IOMEM, 0x100000, 0x1000, IORESOURCE_SYSTEM_RAM, 0);
	lin_op_intersects(&op[n++], IOMEM_ROOT_IOMEM, 0xf0000, 0x20000, IORESOURCE_SYSTEM_RAM, 0);
	lin_op_intersects(&op[n++], IOMEM_ROOT_IOMEM, 0x0, 0x1000, IORESOURCE_MEM, IORES_DESC_RESERVED);
	lin_op_allocate(&op[n++], IOMEM_ROOT_IOMEM, 0x100, 0x1000, 0x1fff, 0x100, "alloc", 0);
	lin_op_allocate(&op[n++], IOMEM_ROOT_IOMEM, 0x10000, 0x1000, 0x1fff, 0x100, "too big",
			IORESOURCE_BUSY);
	lin_op_adjust(&op[n++], IOMEM_ROOT_IOMEM, 0x1000, 0x1fff, 0x1000, 0x2000);
	lin_op_adjust(&op[n++], IOMEM_ROOT_IOMEM, 0x1000, 0x2fff, 0x1080, 0x10);
	lin_op_release(&op[n++], IOMEM_ROOT_IOMEM, 0x1080, 0x10);
	lin_op_release(&op[n++], IOMEM_ROOT_IOMEM, 0x1080, 0x10);
	lin_op_remove(&op[n++], IOMEM_ROOT_IOMEM, 0x1000, 0x2fff);
	lin_op_remove(&op[n++], IOMEM_ROOT_IOMEM, 0x1000, 0x2fff);
	lin_op_request(&op[n++], IOMEM_ROOT_IOPORT, 0x60, 0x10, "keyboard", 0, false);
	lin_op_request(&op[n++], IOMEM_ROOT_IOPORT, 0x64, 0x1, "kbd", 0, false);
	lin_op_lookup(&op[n++], IOMEM_ROOT_IOPORT, 0x61);
	lin_op_insert(&op[n++], IOMEM_ROOT_IOPORT, 0x0, 0xfff, "PCI Bus", IORESOURCE_WINDOW, 0);
	lin_op_request(&op[n++], IOMEM_ROOT_IOMEM, 0x1100, 0x10, "back in iomem", 0, false);
	return n;
}

static char *run_script(const char *text, struct iomem_tree *t)
{
	char *out = NULL;
	size_t len = 0;
	FILE *in = fmemopen((void *)text, strlen(text), "r"), *o = open_memstream(&out, &len);
	char *err = NULL;
	size_t elen = 0;
	FILE *e = open_memstream(&err, &elen);
	int rc = opscript_run(t, in, "rendered", o, e);

	fclose(in);
	fclose(o);
	fclose(e);
	if (rc != 0)
		fail_msg("opscript_run: %d: %s\nscript:\n%s", rc, err, text);
	free(err);
	return out;
}

/* The events, written as an op-script and run by the op-script runner, print what
 * lin_op_apply returned on an identical tree. */
static void test_rendering_matches_opscript(void **state)
{
	struct lin_op ops[32];
	struct lin_event ev[32];
	size_t n = sample_ops(ops);
	struct iomem_tree *t = iomem_tree_new("rwlock", NULL), *t2 = iomem_tree_new("rwlock", NULL);
	char *script = NULL, *out, *line, *save, want[256];
	size_t len = 0;
	FILE *f = open_memstream(&script, &len);
	int blocked = 0, errors = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		ev[i] = (struct lin_event){ .op = ops[i], .seq = i };
		lin_op_apply(t, &ops[i], &ev[i].res, true);
		blocked += ev[i].res.ret == -EWOULDBLOCK;
		errors += ev[i].res.ret != 0;
	}
	assert_int_equal(blocked, 1);	/* the sample covers the interesting results */
	assert_true(errors >= 6);
	lin_events_write(f, ev, n, 0);
	fclose(f);
	out = run_script(script, t2);
	line = strtok_r(out, "\n", &save);
	for (size_t i = 0; i < n; i++, line = strtok_r(NULL, "\n", &save)) {
		lin_result_format(&ev[i].op, &ev[i].res, want, sizeof(want));
		assert_non_null(line);
		if (strcmp(line, want) != 0)
			fail_msg("op %zu: the script printed '%s', lin_op_apply gave '%s'\n%s", i,
				 line, want, script);
	}
	assert_null(line);
	free(script);
	free(out);
	iomem_tree_free(t);
	iomem_tree_free(t2);
}

static void test_op_format(void **state)
{
	struct lin_op op;
	char buf[160];

	(void)state;
	lin_op_request(&op, IOMEM_ROOT_IOMEM, 0x1000, 0x100, "x", IORESOURCE_MUXED, true);
	lin_op_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, "request 0x1000 0x100 \"x\" muxed");
	lin_op_request(&op, IOMEM_ROOT_IOMEM, 0x1000, 0x100, "a name longer than thirty-one bytes",
		       0, false);
	lin_op_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, "request 0x1000 0x100 \"a name longer than thirty-one b\"");
	lin_op_insert(&op, IOMEM_ROOT_IOPORT, 0, 0xff, "q\"", IORESOURCE_BUSY, 7);
	lin_op_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, "insert 0x0 0xff \"q\\\"\" io,busy desc=7");
	lin_op_intersects(&op, IOMEM_ROOT_IOMEM, 0, 0x10, 0, 0);
	lin_op_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, "intersects 0x0 0x10 0x0 0");
	lin_op_insert(&op, IOMEM_ROOT_IOMEM, 0, 0xff, "", 0x2 | IORESOURCE_MEM_64, 0);
	lin_op_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, "insert 0x0 0xff \"\" mem,0x100002 desc=0");
}

/* Above the laptop dump's last address (0x47fffffff). */
static const char layered[] =
	"insert 0x500000000 0x50000ffff \"PCI Bus 0000:40\"\n"
	"insert 0x500000000 0x50000ffff \"same range: becomes the parent\"\n"
	"request 0x500000100 0x100 \"muxed one\" muxed\n"
	"request 0x500000200 0x100 \"excl \\\"q\\\" \\\\\" exclusive\n"
	"insert 0x500010000 0x50001ffff \"window\" window desc=9\n"
	"request 0x500010000 0x10000 \"whole window\"\n"
	"root ioport\n"
	"insert 0x100 0x1ff \"io window\"\n"
	"request 0x100 0x10 \"port\"\n"
	"root iomem\n";

static struct iomem_tree *load_layered(const char *backend)
{
	struct iomem_tree *t = iomem_tree_new(backend, NULL);
	char msg[256], *out;
	FILE *f = fmemopen((void *)iomem_fallback_dump, strlen(iomem_fallback_dump), "r");

	assert_non_null(f);
	assert_int_equal(iomem_load_dump(t, IOMEM_ROOT_IOMEM, f, "laptop", msg, sizeof(msg)), 0);
	fclose(f);
	out = run_script(layered, t);
	assert_null(strstr(out, "E"));	/* every op succeeded */
	free(out);
	return t;
}

static void test_state_round_trips(void **state)
{
	struct iomem_tree *t = load_layered("rwlock"), *t2;
	struct lin_state *s, *s2, *s3;
	char *script = NULL, *out;
	size_t len = 0;
	FILE *f = open_memstream(&script, &len);

	(void)state;
	assert_int_equal(lin_state_capture(t, &s), 0);
	assert_int_equal(lin_state_count(s), iomem_count(t, IOMEM_ROOT_IOMEM) +
						 iomem_count(t, IOMEM_ROOT_IOPORT));
	/* a built tree holds the same state */
	t2 = lin_state_build(s, "rwlock");
	assert_int_equal(lin_state_capture(t2, &s2), 0);
	assert_true(lin_state_equal(s, s2));
	/* and so does the op-script form */
	lin_state_write_script(s, f);
	fclose(f);
	assert_int_equal(lin_state_from_script(script, &s3, stderr), 0);
	if (!lin_state_equal(s, s3))
		fail_msg("the state's script does not rebuild it:\n%s", script);
	/* a state differs when one flag does */
	iomem_tree_free(t2);
	t2 = lin_state_build(s, "rwlock");
	out = run_script("release 0x500000100 0x100\nrequest 0x500000100 0x100 \"muxed one\"\n",
			 t2);
	lin_state_free(s2);
	assert_int_equal(lin_state_capture(t2, &s2), 0);
	assert_false(lin_state_equal(s, s2));
	assert_int_equal(lin_state_count(s), lin_state_count(s2));
	free(out);
	free(script);
	lin_state_free(s);
	lin_state_free(s2);
	lin_state_free(s3);
	iomem_tree_free(t);
	iomem_tree_free(t2);
}

/* Snapshots do not depend on the backend that held the tree. */
static void test_state_same_on_every_backend(void **state)
{
	const char *const *names = iomem_backend_names();
	struct lin_state *ref = NULL;

	(void)state;
	for (size_t i = 0; names[i]; i++) {
		struct iomem_tree *t = load_layered(names[i]);
		struct lin_state *s;

		assert_int_equal(lin_state_capture(t, &s), 0);
		if (!ref)
			ref = s;
		else if (!lin_state_equal(ref, s))
			fail_msg("backend %s's snapshot differs from %s's", names[i], names[0]);
		if (s != ref)
			lin_state_free(s);
		iomem_tree_free(t);
	}
	lin_state_free(ref);
}

static void test_state_from_bad_script(void **state)
{
	struct lin_state *s = NULL;
	FILE *devnull = fopen("/dev/null", "w");

	(void)state;
	assert_int_equal(lin_state_from_script("bogus 1 2\n", &s, devnull), -EINVAL);
	assert_null(s);
	fclose(devnull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_records_and_wraps),
		cmocka_unit_test(test_window_merges_in_invocation_order),
		cmocka_unit_test(test_op_format),
		cmocka_unit_test(test_rendering_matches_opscript),
		cmocka_unit_test(test_state_round_trips),
		cmocka_unit_test(test_state_same_on_every_backend),
		cmocka_unit_test(test_state_from_bad_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
