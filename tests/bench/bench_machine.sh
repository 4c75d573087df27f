#!/bin/sh
# SPDX-License-Identifier: MIT
# The machine/ family (bench/machine_bench.c) runs to the end and reports every entry, also
# with its threads pinned to one CPU (placement compact on a one-CPU topology), where the
# handoff's two threads take turns on that CPU. The context records the cache-line
# latency measured before the run.
# usage: bench_machine.sh IOMEM_BENCH PYTHON
set -u
bench=$1 python=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
fail() { echo "FAIL $*"; status=1; }

for placement in none compact; do
	set -- --placement "$placement"
	[ "$placement" = compact ] && set -- "$@" --topology "core:1 pu:1"
	"$bench" --benchmark_filter='^machine/' --benchmark_min_time=0.01 "$@" \
		--benchmark_format=json > "$tmp/$placement.json" 2> "$tmp/err" ||
		{ fail "placement $placement: exit $?"; cat "$tmp/err"; continue; }
	"$python" - "$tmp/$placement.json" <<'PY' || fail "placement $placement: the JSON"
import json, os, sys
doc = json.load(open(sys.argv[1]))
entries = {e["name"]: e for e in doc["benchmarks"]}
# The cache-line latency measured before the run, between two CPUs this process may use.
ctx = doc["context"]
if len(os.sched_getaffinity(0)) >= 2:
    assert 0 < float(ctx["line_latency_ns"]) < 1e7, ctx
    cpus = [int(c) for c in ctx["line_latency_cpus"].split(",")]
    assert len(cpus) == 2 and cpus[0] != cpus[1] and set(cpus) <= os.sched_getaffinity(0)
else:
    assert "line_latency_ns" not in ctx, ctx
want = ["machine/line_handoff/real_time/threads:2"] + [
    f"machine/{k}/real_time/threads:{t}" for k in ("private_work", "shared_add")
    for t in (1, 2, 4)]
assert sorted(entries) == sorted(want), sorted(entries)
for name, e in entries.items():
    assert not e.get("error_occurred"), e
    assert e["iterations"] > 0 and e["items_per_second"] > 0, e
    assert e["real_time"] > 0, e
PY
done
exit $status
