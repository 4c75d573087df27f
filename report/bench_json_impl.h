/* SPDX-License-Identifier: MIT */
/* Internals shared by bench_json.c and bench_json_host.c. */
#ifndef STRESS_BENCH_JSON_IMPL_H
#define STRESS_BENCH_JSON_IMPL_H

#include "report/bench_json.h"

/* A context key whose value is already JSON text (the caches and load_avg arrays). */
int bench_json_set_raw(struct bench_json *bj, const char *key, const char *json);

#endif
