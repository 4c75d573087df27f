/* SPDX-License-Identifier: MIT */
/* Google Benchmark JSON: the exact text of a small document, escaping, numbers, the
 * context helpers, and atomic writes with injected failures (the old file must stay
 * whole, no temporary file may stay behind). Parsing by Python and compare.py is
 * bench_json_tools.sh's job. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/atomic_file.h"
#include "report/bench_json.h"

/* Not inlined: GCC 12 at -O3 takes the pointer open_memstream stores in the local `buf`
 * for a pointer to `buf` itself and reports its uses as dangling (-Wdangling-pointer). */
static __attribute__((noinline)) char *print_doc(const struct bench_json *bj)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(bench_json_print(bj, f), 0);
	fclose(f);
	return buf;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return strdup("");
	}
	return buf;
}

/* A fresh directory under /tmp, removed (with its files) by rm_dir. */
static char *make_dir(void)
{
	char *d = strdup("/tmp/stresskit-test-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0);
	if (d)
		closedir(d);
	return n;
}

static void rm_dir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (rmdir(path) != 0)
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

static void test_document_text(void **state)
{
	struct bench_json *bj = bench_json_new();
	struct bench_json_run r = { .name = "rcu/lookup", .iterations = 1000,
				    .real_time = 12.5, .cpu_time = 12.25, .threads = 2 };
	int i;

	(void)state;
	assert_int_equal(bench_json_set_str(bj, "backend", "rcu"), 0);
	assert_int_equal(bench_json_set_int(bj, "seed", 7), 0);
	assert_int_equal(bench_json_set_bool(bj, "interrupted", false), 0);
	assert_int_equal(bench_json_set_num(bj, "ratio", 0.1), 0);
	i = bench_json_add_run(bj, &r);
	assert_int_equal(i, 0);
	assert_int_equal(bench_json_add_counter(bj, i, "p99_ns", 250), 0);
	assert_int_equal(bench_json_add_counter(bj, i, "ops_per_second", 8e7), 0);
	r.name = "rwlock/lookup";
	r.repetition_index = 1;
	assert_int_equal(bench_json_add_run(bj, &r), 1);
	char *out = print_doc(bj);

	assert_string_equal(out,
		"{\n"
		"  \"context\": {\n"
		"    \"backend\": \"rcu\",\n"
		"    \"seed\": 7,\n"
		"    \"interrupted\": false,\n"
		"    \"ratio\": 0.1\n"
		"  },\n"
		"  \"benchmarks\": [\n"
		"    {\n"
		"      \"name\": \"rcu/lookup\",\n"
		"      \"family_index\": 0,\n"
		"      \"per_family_instance_index\": 0,\n"
		"      \"run_name\": \"rcu/lookup\",\n"
		"      \"run_type\": \"iteration\",\n"
		"      \"repetitions\": 1,\n"
		"      \"repetition_index\": 0,\n"
		"      \"threads\": 2,\n"
		"      \"iterations\": 1000,\n"
		"      \"real_time\": 12.5,\n"
		"      \"cpu_time\": 12.25,\n"
		"      \"time_unit\": \"ns\",\n"
		"      \"p99_ns\": 250,\n"
		"      \"ops_per_second\": 80000000\n"
		"    },\n"
		"    {\n"
		"      \"name\": \"rwlock/lookup\",\n"
		"      \"family_index\": 1,\n"
		"      \"per_family_instance_index\": 0,\n"
		"      \"run_name\": \"rwlock/lookup\",\n"
		"      \"run_type\": \"iteration\",\n"
		"      \"repetitions\": 1,\n"
		"      \"repetition_index\": 1,\n"
		"      \"threads\": 2,\n"
		"      \"iterations\": 1000,\n"
		"      \"real_time\": 12.5,\n"
		"      \"cpu_time\": 12.25,\n"
		"      \"time_unit\": \"ns\"\n"
		"    }\n"
		"  ]\n"
		"}\n");
	free(out);
	bench_json_free(bj);
}

static void test_empty_document(void **state)
{
	struct bench_json *bj = bench_json_new();
	char *out;

	(void)state;
	out = print_doc(bj);
	assert_string_equal(out, "{\n  \"context\": {},\n  \"benchmarks\": []\n}\n");
	free(out);
	bench_json_free(bj);
}

/* The value of context key "s" in the printed document. */
static char *context_value(struct bench_json *bj)
{
	char *out = print_doc(bj), *v = strstr(out, "\"s\": "), *end;

	assert_non_null(v);
	v = strdup(v + 5);
	end = strchr(v, '\n');
	*end = '\0';
	free(out);
	return v;
}

static void test_string_escaping(void **state)
{
	static const struct { const char *in, *json; } cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "bad\xff\xc3(", "\"bad\\ufffd\\ufffd(\"" },	/* invalid, truncated */
		{ "\xc0\xaf\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* overlong, surrogate */
		{ "", "\"\"" },
	};
	struct bench_json *bj = bench_json_new();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *v;

		assert_int_equal(bench_json_set_str(bj, "s", cases[i].in), 0);
		v = context_value(bj);
		assert_string_equal(v, cases[i].json);
		free(v);
	}
	bench_json_free(bj);
}

static void test_numbers(void **state)
{
	static const double values[] = { 0.1, 1.0 / 3, 1e300, 5e-324, -2.5, 123456789012345678.0,
					 0.30000000000000004 };
	static const char *const texts[] = { "0.1", "0.3333333333333333", "1e+300", "5e-324",
					     "-2.5", "1.2345678901234568e+17",
					     "0.30000000000000004" };
	struct bench_json *bj = bench_json_new();

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *v;

		assert_int_equal(bench_json_set_num(bj, "s", values[i]), 0);
		v = context_value(bj);
		assert_true(strtod(v, NULL) == values[i]);
		assert_string_equal(v, texts[i]);
		free(v);
	}
	assert_int_equal(bench_json_set_num(bj, "s", NAN), 0);
	char *v = context_value(bj);

	assert_string_equal(v, "null");
	free(v);
	assert_int_equal(bench_json_set_num(bj, "s", -INFINITY), 0);
	v = context_value(bj);
	assert_string_equal(v, "null");
	free(v);
	bench_json_free(bj);
}

static void test_non_finite_entries(void **state)
{
	struct bench_json *bj = bench_json_new();
	struct bench_json_run r = { .name = "x", .real_time = NAN, .cpu_time = 1 };
	char *out;

	(void)state;
	assert_int_equal(bench_json_add_run(bj, &r), 0);
	assert_int_equal(bench_json_add_counter(bj, 0, "nan_counter", NAN), 0);
	assert_int_equal(bench_json_add_counter(bj, 0, "inf_counter", INFINITY), 0);
	assert_int_equal(bench_json_add_counter(bj, 0, "fine", 3), 0);
	out = print_doc(bj);
	assert_null(strstr(out, "nan_counter"));
	assert_null(strstr(out, "inf_counter"));
	assert_null(strstr(out, "NaN"));
	assert_non_null(strstr(out, "\"fine\": 3\n"));
	assert_non_null(strstr(out, "\"error_occurred\": true,\n"));
	assert_non_null(strstr(out, "\"real_time\": 0,\n"));
	assert_non_null(strstr(out, "\"cpu_time\": 1,\n"));
	free(out);
	bench_json_free(bj);
}

static void test_keys_replace_in_place(void **state)
{
	struct bench_json *bj = bench_json_new();
	struct bench_json_run r = { .name = "x" };
	char *out;

	(void)state;
	bench_json_set_str(bj, "a", "1");
	bench_json_set_str(bj, "b", "2");
	bench_json_set_bool(bj, "a", true);
	bench_json_add_run(bj, &r);
	bench_json_add_counter(bj, 0, "c", 1);
	bench_json_add_counter(bj, 0, "c", 2);
	out = print_doc(bj);
	assert_non_null(strstr(out, "\"a\": true,\n    \"b\": \"2\"\n"));
	assert_non_null(strstr(out, "\"c\": 2\n"));
	assert_null(strstr(out, "\"c\": 1"));
	free(out);
	bench_json_free(bj);
}

static void test_invalid_arguments(void **state)
{
	struct bench_json *bj = bench_json_new();
	struct bench_json_run r = { .name = "x", .time_unit = "ns" };

	(void)state;
	assert_int_equal(bench_json_set_str(bj, NULL, "v"), -EINVAL);
	assert_int_equal(bench_json_set_str(bj, "k", NULL), -EINVAL);
	assert_int_equal(bench_json_set_num(bj, NULL, 1), -EINVAL);
	assert_int_equal(bench_json_add_run(bj, &(struct bench_json_run){ .real_time = 1 }), -EINVAL);
	r.time_unit = "fortnights";
	assert_int_equal(bench_json_add_run(bj, &r), -EINVAL);
	r.time_unit = "us";
	assert_int_equal(bench_json_add_run(bj, &r), 0);
	assert_int_equal(bench_json_add_counter(bj, 1, "c", 1), -EINVAL);
	assert_int_equal(bench_json_add_counter(bj, -1, "c", 1), -EINVAL);
	assert_int_equal(bench_json_add_counter(bj, 0, "real_time", 1), -EINVAL);
	assert_int_equal(bench_json_add_counter(bj, 0, "name", 1), -EINVAL);
	assert_int_equal(bench_json_add_counter(bj, 0, NULL, 1), -EINVAL);
	bench_json_free(bj);
}

static void test_cmdline_quoting(void **state)
{
	char *argv[] = { "build/iomem", "stress", "--mix", "lookup=3,request=1", "it's",
			 "", "a b", "$HOME", NULL };
	struct bench_json *bj = bench_json_new();
	char *out;

	(void)state;
	assert_int_equal(bench_json_set_cmdline(bj, 8, argv), 0);
	out = print_doc(bj);
	assert_non_null(strstr(out, "\"command_line\": \"build/iomem stress --mix "
				    "lookup=3,request=1 'it'\\\\''s' '' 'a b' '$HOME'\"\n"));
	free(out);
	bench_json_free(bj);
}

static void test_host_context(void **state)
{
	struct bench_json *bj = bench_json_new();
	static const char *const keys[] = {
		"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
		"caches", "load_avg", "library_build_type", "cpu_model", "kernel", "compiler",
		"compiler_flags", "build_type", "allocator", "liburcu_version", "membarrier",
		"git_revision",
	};
	char *out, *prev, want[64];

	(void)state;
	assert_int_equal(bench_json_set_host(bj, "test"), 0);
	out = print_doc(bj);
	prev = out;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char key[48];
		char *at;

		snprintf(key, sizeof(key), "\n    \"%s\": ", keys[i]);
		at = strstr(out, key);
		if (!at)
			fail_msg("no context key %s in\n%s", keys[i], out);
		assert_true(at >= prev); /* in this order */
		prev = at;
	}
	snprintf(want, sizeof(want), "\"num_cpus\": %ld,", sysconf(_SC_NPROCESSORS_ONLN));
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "\"executable\": \"test\","));
	assert_non_null(strstr(out, "\"liburcu_version\": \"0."));
	/* 2024-01-31T12:00:00+01:00 */
	char *date = strstr(out, "\"date\": \"") + 9;
	assert_true(date[4] == '-' && date[10] == 'T' && date[22] == ':' && date[25] == '"');
	free(out);
	bench_json_free(bj);
}

/* --- Atomic writes. */

static void write_sample(const char *path, const char *name, int expect)
{
	struct bench_json *bj = bench_json_new();
	struct bench_json_run r = { .name = name, .real_time = 1, .cpu_time = 1 };

	bench_json_add_run(bj, &r);
	assert_int_equal(bench_json_write(bj, path), expect);
	bench_json_free(bj);
}

static void test_write_creates_whole_file(void **state)
{
	char *dir = make_dir(), path[512], *got, *want;
	struct bench_json *bj = bench_json_new();
	struct stat st;
	mode_t old = umask(022);

	(void)state;
	snprintf(path, sizeof(path), "%s/out.json", dir);
	bench_json_set_str(bj, "k", "v");
	assert_int_equal(bench_json_write(bj, path), 0);
	got = read_file(path);
	want = print_doc(bj);
	assert_string_equal(got, want);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_entries(dir), 1);
	/* a bare name: written in the current directory */
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(bench_json_write(bj, "bare.json"), 0);
	assert_int_equal(count_entries(dir), 2);
	assert_int_equal(chdir("/"), 0);
	umask(old);
	free(got);
	free(want);
	bench_json_free(bj);
	rm_dir(dir);
}

static void test_write_error_keeps_old_file(void **state)
{
	char *dir = make_dir(), path[512], sub[512], *old_text, *now_text;
	struct rlimit saved, small;
	struct bench_json *big = bench_json_new();

	(void)state;
	snprintf(path, sizeof(path), "%s/out.json", dir);
	write_sample(path, "old", 0);
	old_text = read_file(path);
	/* a write that fails half way: files may not grow past 64 bytes */
	for (int i = 0; i < 100; i++)
		bench_json_set_int(big, (char[]){ 'k', (char)('A' + i % 26), (char)('a' + i / 26), 0 }, i);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &saved);
	small = saved;
	small.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int err = bench_json_write(big, path);

	setrlimit(RLIMIT_FSIZE, &saved);
	assert_int_equal(err, -EFBIG);
	now_text = read_file(path);
	assert_string_equal(now_text, old_text);
	assert_int_equal(count_entries(dir), 1);
	/* the target is a directory: rename fails, the directory stays */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	write_sample(sub, "x", -EISDIR);
	assert_int_equal(count_entries(dir), 2);
	/* no such directory */
	snprintf(sub, sizeof(sub), "%s/missing/out.json", dir);
	write_sample(sub, "x", -ENOENT);
	write_sample("", "x", -EISDIR);
	write_sample("/", "x", -EISDIR);
	assert_int_equal(count_entries(dir), 2);
	free(old_text);
	free(now_text);
	bench_json_free(big);
	rm_dir(dir);
}

static void test_unwritable_directory(void **state)
{
	char *dir = make_dir(), path[512], *text;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.json", dir);
	write_sample(path, "old", 0);
	chmod(dir, 0555);
	if (geteuid() == 0) { /* root writes anyway: nothing to check */
		chmod(dir, 0755);
		rm_dir(dir);
		skip();
	}
	write_sample(path, "new", -EACCES);
	text = read_file(path);
	assert_non_null(strstr(text, "\"old\""));
	chmod(dir, 0755);
	free(text);
	rm_dir(dir);
}

/* Writers racing on one path: the file is always one writer's whole document, and the
 * temporary names never collide. Bounded by counts; run under TSan. */
enum { WRITERS = 4, WRITES = 25 };

struct race {
	const char *path;
	int id;
	int failures;
};

static int fill_named(FILE *out, void *arg)
{
	const struct race *r = arg;

	for (int i = 0; i < 200; i++)
		fprintf(out, "writer %d line %d\n", r->id, i);
	return 0;
}

static void *racer(void *arg)
{
	struct race *r = arg;

	for (int i = 0; i < WRITES; i++)
		r->failures += atomic_file_write(r->path, fill_named, r) != 0;
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	char *dir = make_dir(), path[512], *text, first[32];
	pthread_t t[WRITERS];
	struct race r[WRITERS];
	int id, lines = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	for (int i = 0; i < WRITERS; i++) {
		r[i] = (struct race){ .path = path, .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, racer, &r[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].failures, 0);
	}
	text = read_file(path);
	assert_int_equal(sscanf(text, "writer %d", &id), 1);
	snprintf(first, sizeof(first), "writer %d line", id);
	for (char *p = text; (p = strstr(p, "writer ")); p++, lines++)
		assert_memory_equal(p, first, strlen(first));
	assert_int_equal(lines, 200);
	assert_int_equal(count_entries(dir), 1);
	free(text);
	rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document_text),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_string_escaping),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_non_finite_entries),
		cmocka_unit_test(test_keys_replace_in_place),
		cmocka_unit_test(test_invalid_arguments),
		cmocka_unit_test(test_cmdline_quoting),
		cmocka_unit_test(test_host_context),
		cmocka_unit_test(test_write_creates_whole_file),
		cmocka_unit_test(test_write_error_keeps_old_file),
		cmocka_unit_test(test_unwritable_directory),
		cmocka_unit_test(test_concurrent_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
