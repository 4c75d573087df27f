/* SPDX-License-Identifier: MIT */
/* The allocation seam and `iomem faultinject`'s checker: the seam fails exactly the
 * allocations it is told to and counts every kind exactly, and the checker catches what
 * it promises to on hidden test backends broken on purpose (rwlock with one flaw each),
 * while the correct backends pass. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "check/faultinject.h"
#include "iomem/alloc.h"
#include "opscript/opscript.h"

static void test_seam_fails_what_it_is_told(void **state)
{
	void *p[6];
	struct iomem_alloc_count before, after;

	(void)state;
	iomem_alloc_count(IOMEM_ALLOC_OTHER, &before);
	iomem_alloc_fail(2, 2);		/* the 2nd and 3rd fail */
	for (int i = 0; i < 5; i++)
		p[i] = iomem_alloc(IOMEM_ALLOC_OTHER, 100);
	assert_int_equal(iomem_alloc_fail_stop(), 5);
	p[5] = iomem_alloc(IOMEM_ALLOC_OTHER, 100);	/* disarmed: not numbered, not failed */
	assert_non_null(p[0]);
	assert_null(p[1]);
	assert_null(p[2]);
	assert_non_null(p[3]);
	assert_non_null(p[4]);
	assert_non_null(p[5]);
	iomem_alloc_count(IOMEM_ALLOC_OTHER, &after);
	assert_int_equal(after.live - before.live, 4);
	assert_true(after.bytes - before.bytes >= 400);
	for (int i = 0; i < 6; i++)
		iomem_free(IOMEM_ALLOC_OTHER, p[i]);
	iomem_alloc_count(IOMEM_ALLOC_OTHER, &after);
	assert_int_equal(after.live, before.live);
	assert_int_equal(after.bytes, before.bytes);
}

static void test_seam_realloc_keeps_counts(void **state)
{
	struct iomem_alloc_count before, after;
	char *p, *q;

	(void)state;
	iomem_alloc_count(IOMEM_ALLOC_OTHER, &before);
	p = iomem_realloc(IOMEM_ALLOC_OTHER, NULL, 10);
	assert_non_null(p);
	iomem_alloc_fail(1, 1);
	assert_null(iomem_realloc(IOMEM_ALLOC_OTHER, p, 1000));	/* p is left alone */
	iomem_alloc_fail_stop();
	q = iomem_realloc(IOMEM_ALLOC_OTHER, p, 1000);
	assert_non_null(q);
	iomem_alloc_count(IOMEM_ALLOC_OTHER, &after);
	assert_int_equal(after.live - before.live, 1);
	assert_true(after.bytes - before.bytes >= 1000);
	iomem_free(IOMEM_ALLOC_OTHER, q);
	iomem_alloc_count(IOMEM_ALLOC_OTHER, &after);
	assert_int_equal(after.live, before.live);
	assert_int_equal(after.bytes, before.bytes);
}

/* --- rwlock with a flaw. */

static struct iomem_backend_ops leaky, half_done;

/* A request that holds a scratch node while it works and forgets it when the request
 * fails: a leak only on the failure path, as the seam counts it. The test keeps what was
 * forgotten here and frees it once the checker has caught the leak, so that LeakSanitizer
 * has nothing to report. */
enum { MAX_FORGOTTEN = 64 };
static void *forgotten[MAX_FORGOTTEN];
static int nforgotten;

static int leaky_request(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			 resource_size_t n, const char *name, unsigned long flags, bool nowait)
{
	void *scratch = iomem_alloc(IOMEM_ALLOC_NODE, 64);
	int rc = scratch ? iomem_backend_rwlock.request(t, root, start, n, name, flags, nowait)
			 : -ENOMEM;

	if (rc == 0)
		iomem_free(IOMEM_ALLOC_NODE, scratch);
	else if (scratch && nforgotten < MAX_FORGOTTEN)
		forgotten[nforgotten++] = scratch;
	else if (scratch)
		abort();	/* the checker should have stopped long before */
	return rc;
}

/* An insert that allocates after it changed the tree, and then reports ENOMEM with the
 * change left in place. */
static int half_done_insert(struct iomem_tree *t, enum iomem_root root, resource_size_t start,
			    resource_size_t end, const char *name, unsigned long flags,
			    unsigned long desc)
{
	int rc = iomem_backend_rwlock.insert(t, root, start, end, name, flags, desc);
	void *after = rc ? NULL : iomem_alloc(IOMEM_ALLOC_OTHER, 16);

	if (rc)
		return rc;
	if (!after)
		return -ENOMEM;
	iomem_free(IOMEM_ALLOC_OTHER, after);
	return 0;
}

static int setup_backends(void **state)
{
	(void)state;
	leaky = iomem_backend_rwlock;
	leaky.name = "rwlock-leaky";
	leaky.request = leaky_request;
	half_done = iomem_backend_rwlock;
	half_done.name = "rwlock-half-done";
	half_done.insert = half_done_insert;
	if (iomem_backend_register_hidden(&leaky) || iomem_backend_register_hidden(&half_done))
		return -1;
	return 0;
}

static const char script[] =
	"insert 0x1000 0x1fff \"A\" mem\n"
	"request 0x1100 0x100 \"a\"\n"
	"request 0x1200 0x100 \"b\"\n"
	"dump\n";

static void inject(const char *backend, struct faultinject_result *res)
{
	FILE *in = fmemopen((void *)script, sizeof(script) - 1, "r");
	struct opscript *s;

	assert_non_null(in);
	assert_int_equal(opscript_parse(in, "test.iomem", stderr, &s), 0);
	fclose(in);
	assert_int_equal(faultinject_run(s, backend, res), 0);
	opscript_free(s);
}

static void test_correct_backends_hold(void **state)
{
	struct faultinject_result res;

	(void)state;
	for (const char *const *b = iomem_backend_names(); *b; b++) {
		inject(*b, &res);
		if (res.broken)
			fail_msg("%s: line %lu, allocation %llu: %s", *b, res.lineno,
				 (unsigned long long)res.alloc_index, res.what);
		assert_true(res.runs >= 3);	/* the three ops that allocate, at least once */
		assert_true(res.failed >= 3);
	}
}

static void test_catches_a_leak_on_failure(void **state)
{
	struct faultinject_result res;

	(void)state;
	inject("rwlock-leaky", &res);
	assert_true(res.broken);
	assert_int_equal(res.lineno, 2);	/* the first request */
	assert_int_equal(res.alloc_index, 2);	/* its node, after the scratch */
	assert_non_null(strstr(res.what, "tree-node bytes"));
	assert_true(nforgotten > 0);
	while (nforgotten)
		iomem_free(IOMEM_ALLOC_NODE, forgotten[--nforgotten]);
}

static void test_catches_a_change_reported_as_enomem(void **state)
{
	struct faultinject_result res;

	(void)state;
	inject("rwlock-half-done", &res);
	assert_true(res.broken);
	assert_int_equal(res.lineno, 1);
	assert_int_equal(res.alloc_index, 2);	/* the allocation after the change */
	assert_non_null(strstr(res.what, "the tree changed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seam_fails_what_it_is_told),
		cmocka_unit_test(test_seam_realloc_keeps_counts),
		cmocka_unit_test(test_correct_backends_hold),
		cmocka_unit_test(test_catches_a_leak_on_failure),
		cmocka_unit_test(test_catches_a_change_reported_as_enomem),
	};

	return cmocka_run_group_tests(tests, setup_backends, NULL);
}
