/* SPDX-License-Identifier: MIT */
/* Shared helpers for the cmocka unit tests of the resource-tree API.
 *
 * Every test runs its body once per backend in iomem_backend_names(), on a fresh tree:
 *
 *	FOR_EACH_BACKEND(t) {
 *		EXPECT_EQ(request_mem_region(t, 0x1000, 0x1000, "a"), 0);
 *	}
 *
 * The EXPECT_* macros name the backend in their failure message. Do not `break` out of
 * FOR_EACH_BACKEND (the tree would leak); `continue` is fine.
 * Rule numbers (§1.x) refer to docs/kernel-model.md.
 */
#ifndef IOMEM_TEST_COMMON_H
#define IOMEM_TEST_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "iomem/dump.h"
#include "iomem/iomem.h"
#include "iomem/names.h"
#include "iomem/resource.h"

#define MAXADDR UINT64_MAX
#define IOMEM IOMEM_ROOT_IOMEM
#define IOPORT IOMEM_ROOT_IOPORT

/* The backend the current iteration runs on (for failure messages). */
static const char *g_backend __attribute__((unused)) = "(none)";

#define EXPECT_EQ(actual, expected)                                                        \
	do {                                                                               \
		unsigned long long a_ = (unsigned long long)(actual);                      \
		unsigned long long e_ = (unsigned long long)(expected);                    \
		if (a_ != e_)                                                              \
			fail_msg("[backend %s] %s = %lld (%#llx), expected %s = %lld (%#llx)", \
				 g_backend, #actual, (long long)a_, a_, #expected,         \
				 (long long)e_, e_);                                       \
	} while (0)

#define EXPECT_TRUE(cond)                                                                  \
	do {                                                                               \
		if (!(cond))                                                               \
			fail_msg("[backend %s] expected: %s", g_backend, #cond);           \
	} while (0)

#define EXPECT_STREQ(actual, expected)                                                     \
	do {                                                                               \
		const char *a_ = (actual);                                                 \
		const char *e_ = (expected);                                               \
		if (!a_ || !e_ ? a_ != e_ : strcmp(a_, e_) != 0)                           \
			fail_msg("[backend %s] %s = \"%s\", expected \"%s\"", g_backend,   \
				 #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");         \
	} while (0)

/* True if name is in the comma list, or the list is NULL/empty. */
static inline bool in_comma_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list || !*list)
		return true;
	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Every backend in iomem_backend_names(); for debugging only, the environment variable
 * IOMEM_TEST_BACKENDS=a,b narrows the set (unset = all, which is what ctest runs). */
static inline const char *const *test_backends(void)
{
	static const char *chosen[64];
	const char *const *names = iomem_backend_names();
	const char *filter = getenv("IOMEM_TEST_BACKENDS");
	size_t n = 0;

	if (!names || !names[0])
		fail_msg("iomem_backend_names() lists no backend");
	for (size_t i = 0; names[i] && n < 63; i++)
		if (in_comma_list(filter, names[i]))
			chosen[n++] = names[i];
	chosen[n] = NULL;
	if (!n)
		fail_msg("IOMEM_TEST_BACKENDS=%s selects no backend", filter);
	return chosen;
}

static inline struct iomem_tree *test_tree_new(const char *backend)
{
	struct iomem_tree *t;

	g_backend = backend;
	t = iomem_tree_new(backend, NULL);
	if (!t)
		fail_msg("iomem_tree_new(\"%s\", NULL) failed: %s", backend, strerror(errno));
	return t;
}

static inline void test_tree_done(struct iomem_tree **t)
{
	iomem_tree_free(*t);
	*t = NULL;
}

#define FOR_EACH_BACKEND(t)                                                                \
	for (const char *const *bk_##t = test_backends(); *bk_##t; bk_##t++)                \
		for (struct iomem_tree *t = test_tree_new(*bk_##t); t; test_tree_done(&t))

/* --- iomem_show into a string. */
static inline char *show_str(struct iomem_tree *t, enum iomem_root root)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		fail_msg("open_memstream: %s", strerror(errno));
	rc = iomem_show(t, root, f);
	fclose(f);
	if (rc) {
		free(buf);
		fail_msg("[backend %s] iomem_show returned %d", g_backend, rc);
	}
	return buf;
}

static inline bool show_matches(struct iomem_tree *t, enum iomem_root root, const char *expected)
{
	char *got = show_str(t, root);
	bool ok = strcmp(got, expected) == 0;

	if (!ok)
		print_error("[backend %s] show output differs\n--- expected ---\n%s--- got ---\n%s"
			    "--- end ---\n", g_backend, expected, got);
	free(got);
	return ok;
}

#define EXPECT_SHOW(t, root, expected)                                                     \
	do {                                                                               \
		if (!show_matches((t), (root), (expected)))                                \
			fail_msg("[backend %s] iomem_show mismatch", g_backend);           \
	} while (0)

/* --- lookup into a value. */
struct found {
	int rc;
	struct resource r;
	char name[128];
};

static inline struct found lookup(struct iomem_tree *t, enum iomem_root root, resource_size_t addr)
{
	struct found f;

	memset(&f, 0, sizeof(f));
	f.rc = iomem_lookup(t, root, addr, &f.r, f.name, sizeof(f.name));
	return f;
}

/* Asserts the deepest resource containing addr is [start, end] named name. */
#define EXPECT_LOOKUP(t, root, addr, start_, end_, name_)                                  \
	do {                                                                               \
		struct found f_ = lookup((t), (root), (addr));                             \
		if (f_.rc != 0)                                                            \
			fail_msg("[backend %s] lookup(%#llx) = %d, expected %s",          \
				 g_backend, (unsigned long long)(addr), f_.rc, (name_));   \
		EXPECT_EQ(f_.r.start, (start_));                                           \
		EXPECT_EQ(f_.r.end, (end_));                                               \
		EXPECT_STREQ(f_.name, (name_));                                            \
	} while (0)

#define EXPECT_NO_LOOKUP(t, root, addr)                                                    \
	do {                                                                               \
		struct found f_ = lookup((t), (root), (addr));                             \
		if (f_.rc != -ENOENT)                                                      \
			fail_msg("[backend %s] lookup(%#llx) = %d (\"%s\"), expected -ENOENT", \
				 g_backend, (unsigned long long)(addr), f_.rc, f_.name);   \
	} while (0)

/* --- load a dump held in a string. */
static inline int load_str(struct iomem_tree *t, enum iomem_root root, const char *text,
			   const char *filename, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	if (!f)
		fail_msg("fmemopen: %s", strerror(errno));
	err[0] = '\0';
	rc = iomem_load_dump(t, root, f, filename, err, errlen);
	fclose(f);
	return rc;
}

/* --- structural invariants, checked through iomem_for_each: siblings sorted and
 * disjoint, children inside their parent, depth steps of at most one. */
struct inv_state {
	int prev_depth;
	bool have[64];
	resource_size_t prev_end[64];
	resource_size_t pstart[64], pend[64];	/* range of the open node at each depth */
	int bad;
	size_t n;
	char why[160];
};

static inline int inv_visit(const struct resource *r, int depth, void *arg)
{
	struct inv_state *s = arg;

	s->n++;
	if (depth < 0 || depth >= 63 || depth > s->prev_depth + 1 || r->end < r->start) {
		snprintf(s->why, sizeof(s->why), "bad depth %d or range %#llx-%#llx", depth,
			 (unsigned long long)r->start, (unsigned long long)r->end);
		s->bad++;
		return 1;
	}
	for (int d = depth + 1; d < 64; d++)
		s->have[d] = false;
	if (s->have[depth] && r->start <= s->prev_end[depth]) {
		snprintf(s->why, sizeof(s->why), "sibling %#llx-%#llx overlaps/unsorted",
			 (unsigned long long)r->start, (unsigned long long)r->end);
		s->bad++;
		return 1;
	}
	if (depth > 0 && (r->start < s->pstart[depth - 1] || r->end > s->pend[depth - 1])) {
		snprintf(s->why, sizeof(s->why), "child %#llx-%#llx outside its parent",
			 (unsigned long long)r->start, (unsigned long long)r->end);
		s->bad++;
		return 1;
	}
	s->have[depth] = true;
	s->prev_end[depth] = r->end;
	s->pstart[depth] = r->start;
	s->pend[depth] = r->end;
	s->prev_depth = depth;
	return 0;
}

/* 0 when the tree is well formed, else 1 with a reason in why (size >= 160). */
static inline int tree_invariants(struct iomem_tree *t, enum iomem_root root, char *why,
				  size_t *n)
{
	struct inv_state s;

	memset(&s, 0, sizeof(s));
	s.prev_depth = -1;
	iomem_for_each(t, root, inv_visit, &s);
	if (why)
		snprintf(why, 160, "%s", s.why);
	if (n)
		*n = s.n;
	return s.bad ? 1 : 0;
}

#define EXPECT_INVARIANTS(t, root)                                                         \
	do {                                                                               \
		char why_[160];                                                            \
		size_t n_;                                                                 \
		if (tree_invariants((t), (root), why_, &n_))                               \
			fail_msg("[backend %s] tree invariant broken: %s", g_backend, why_); \
		EXPECT_EQ(n_, iomem_count((t), (root)));                                   \
	} while (0)

/* --- time, for watchdogs in the threaded tests. */
static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

#endif
