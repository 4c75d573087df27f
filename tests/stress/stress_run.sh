#!/bin/sh
# SPDX-License-Identifier: MIT
# stress.run_json: a short run on every backend holds every check (exit 0), prints the
# summary, and writes Google Benchmark JSON (read back by Python's strict parser) and a
# .hgrm file; a rerun onto the same paths replaces them whole. The VA allocator's lock
# statistics appear in both: a "VA locks:" line, and va_lock_* counters on iounmap.
# usage: stress_run.sh IOMEM PYTHON OPS
set -eu
iomem=$1 python=$2 ops=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
"$iomem" stress --backend all --ops "$ops" --seed 7 --no-progress \
	--json "$tmp/run.json" --hgrm "$tmp/run.hgrm" >"$tmp/out" 2>&1 || status=$?
cat "$tmp/out"
[ "$status" -eq 0 ] || { echo "iomem stress exited $status" >&2; exit 1; }
grep -q "^checks: all held" "$tmp/out"
for b in rwlock rcu itree maple; do grep -q "^$b (1 run" "$tmp/out"; done
grep -q "^throughput relative to rwlock" "$tmp/out"
grep -q "^  VA locks: global [0-9]* acq, .*; purge [0-9]* acq, .* drains, .* throttled frees$" \
	"$tmp/out"
"$python" - "$tmp/run.json" "$ops" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]), parse_constant=lambda c: sys.exit("non-strict JSON: " + c))
ctx = doc["context"]
for key in ("date", "host_name", "num_cpus", "cpu_model", "kernel", "compiler", "allocator",
            "liburcu_version", "membarrier", "git_revision", "seed", "backend", "lock",
            "command_line", "interrupted"):
    assert key in ctx, "context lacks " + key
assert ctx["interrupted"] is False and ctx["seed"] == 7, ctx
assert ctx["backend"] == "rwlock,rcu,itree,maple", ctx["backend"]
names = {b["name"] for b in doc["benchmarks"]}
for backend in ("rwlock", "rcu", "itree", "maple"):
    for op in ("intersects", "lookup", "walk", "claim", "muxed", "ioremap", "translate"):
        assert "stress/%s/%s" % (backend, op) in names, (backend, op, sorted(names))
for b in doc["benchmarks"]:
    assert b["time_unit"] == "ns" and b["real_time"] > 0, b
    assert b["iterations"] > 0 and b["ops_per_second"] > 0, b
    assert b["p50_ns"] <= b["p90_ns"] <= b["p99_ns"] <= b["p999_ns"] <= b["max_ns"], b
    assert 0 < b["jain_index"] <= 1.0000001, b
    if b["name"].endswith("/iounmap"):
        # The default policy has two lock classes; every unmap took the single lock.
        for cls in ("global", "purge"):
            acq = b["va_lock_%s_acquisitions" % cls]
            assert 0 <= b["va_lock_%s_contended" % cls] <= acq, (cls, b)
            assert b["va_lock_%s_wait_ns" % cls] >= 0, (cls, b)
        assert b["va_lock_global_acquisitions"] >= b["iterations"], b
        assert b["va_lock_purge_acquisitions"] >= b["drains"], b
print("json ok:", len(doc["benchmarks"]), "entries")
PY
grep -q "^# stress/rwlock/lookup" "$tmp/run.hgrm"
grep -q "#\[Mean" "$tmp/run.hgrm"
ls "$tmp" | grep -q tmp && { echo "temporary file left behind" >&2; exit 1; }
exit 0
