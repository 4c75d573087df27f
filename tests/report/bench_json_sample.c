/* SPDX-License-Identifier: MIT */
/* Writes a results file as `iomem stress --json` would, for bench_json_tools.sh:
 * bench_json_sample OUT.json base|contender. The contender's rcu entries are 20% faster. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/bench_json.h"

static const char *const names[] = { "rwlock/lookup", "rcu/lookup", "itree/request" };

static void add_entries(struct bench_json *bj, int rep, double speed)
{
	for (int i = 0; i < 3; i++) {
		double t = (20.0 + 5 * i + 0.1 * rep) * (i == 1 ? speed : 1.0);
		struct bench_json_run r = { .name = names[i], .repetitions = 3, .repetition_index = rep,
					    .threads = 2, .iterations = 1000000, .real_time = t,
					    .cpu_time = t * 1.9 };
		int e = bench_json_add_run(bj, &r);

		bench_json_add_counter(bj, e, "ops_per_second", 2e9 / t);
		bench_json_add_counter(bj, e, "p50_ns", floor(t));
		bench_json_add_counter(bj, e, "p99_ns", 1.0 / 3 * 1e3);
		bench_json_add_counter(bj, e, "jain", 0.999);
		bench_json_add_counter(bj, e, "nan_counter", NAN);
	}
}

int main(int argc, char **argv)
{
	struct bench_json *bj = bench_json_new();
	struct bench_json_run broken = { .name = "rcu/empty", .real_time = NAN, .cpu_time = NAN };
	bool contender = argc > 2 && strcmp(argv[2], "contender") == 0;
	int err;

	if (argc < 3)
		return 2;
	bench_json_set_host(bj, argv[0]);
	bench_json_set_cmdline(bj, argc, argv);
	bench_json_set_int(bj, "seed", 42);
	bench_json_set_str(bj, "backend", "all");
	bench_json_set_str(bj, "lock", "pthread-rw");
	bench_json_set_bool(bj, "interrupted", false);
	bench_json_set_str(bj, "nasty", "quote \" backslash \\ newline \n tab \t bell \a "
					"\xc3\xa9 \xe2\x82\xac bad\xff end");
	for (int rep = 0; rep < 3; rep++)
		add_entries(bj, rep, contender ? 0.8 : 1.0);
	bench_json_add_run(bj, &broken);
	err = bench_json_write(bj, argv[1]);
	bench_json_free(bj);
	if (err) {
		fprintf(stderr, "bench_json_sample: %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	return 0;
}
