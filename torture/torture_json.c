/* SPDX-License-Identifier: MIT */
/* Lock torture results as Google Benchmark JSON entries: see torture/lock_torture.h. */
#include <errno.h>
#include <stdio.h>

#include "report/bench_json.h"
#include "torture/lock_torture.h"

bool lock_torture_fair_starved(const struct lock_torture_result *res, unsigned props)
{
	return (props & LOCK_PROP_FAIR) && (res->writes.starved || res->reads.starved);
}

static int add_role(struct bench_json *bj, const struct lock_torture_result *res,
		    const char *what, const struct lock_torture_role *r, bool writes)
{
	char name[96];
	double per = r->total ? res->elapsed_s * 1e9 / (double)r->total : 0;
	struct bench_json_run run = {
		.name = name,
		.threads = r->nthreads,
		.iterations = (int64_t)r->total,
		.real_time = per,
		.cpu_time = per,
		.error_message = res->stalled && writes ? "stalled: no acquisition in a whole window" :
				 NULL,
	};
	int i, err = 0;

	snprintf(name, sizeof(name), "torture/%s/%s", res->lock ? res->lock : "?", what);
	i = bench_json_add_run(bj, &run);
	if (i < 0)
		return i;
	err |= bench_json_add_counter(bj, i, "max", (double)r->max);
	err |= bench_json_add_counter(bj, i, "min", (double)r->min);
	err |= bench_json_add_counter(bj, i, "jain", r->jain);
	err |= bench_json_add_counter(bj, i, "starved", r->starved);
	err |= bench_json_add_counter(bj, i, "failures", (double)r->fail);
	if (writes)
		err |= bench_json_add_counter(bj, i, "lost_writes", (double)res->lost_writes);
	return err ? -ENOMEM : 0;
}

int lock_torture_json_add(struct bench_json *bj, const struct lock_torture_result *res)
{
	int err = 0;

	if (res->writes.nthreads)
		err = add_role(bj, res, "writes", &res->writes, true);
	if (!err && res->reads.nthreads)
		err = add_role(bj, res, "reads", &res->reads, !res->writes.nthreads);
	return err;
}
