#!/bin/sh
# SPDX-License-Identifier: MIT
# Two results files from bench_json_sample go through Python's JSON parser in strict mode
# (no NaN/Infinity) with the schema checked, then through Google Benchmark's compare.py
# (Debian's libbenchmark-tools; it needs python3-scipy), which must accept them and see
# the contender's rcu/lookup 20% faster.
# usage: bench_json_tools.sh BENCH_JSON_SAMPLE
set -eu
sample=$1
py=/usr/bin/python3
compare=/usr/share/benchmark/compare.py
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$sample" "$dir/base.json" base
"$sample" "$dir/new.json" contender

"$py" - "$dir/base.json" "$dir/new.json" <<'PY'
import json, sys

def strict(name):
    raise ValueError("not JSON: " + name)

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f, parse_constant=strict)
    ctx = doc["context"]
    for key in ("date", "host_name", "executable", "num_cpus", "mhz_per_cpu",
                "cpu_scaling_enabled", "caches", "library_build_type", "cpu_model", "kernel",
                "compiler", "compiler_flags", "allocator", "liburcu_version", "membarrier",
                "git_revision", "seed", "backend", "lock", "command_line", "interrupted"):
        assert key in ctx, "context lacks " + key
    assert isinstance(ctx["num_cpus"], int) and ctx["num_cpus"] >= 1
    assert isinstance(ctx["cpu_scaling_enabled"], bool) and ctx["interrupted"] is False
    assert all({"type", "level", "size", "num_sharing"} <= set(c) for c in ctx["caches"])
    want = "quote \" backslash \\ newline \n tab \t bell \a \u00e9 \u20ac bad\ufffd end"
    assert ctx["nasty"] == want, repr(ctx["nasty"])
    runs = doc["benchmarks"]
    assert len(runs) == 10, len(runs)
    for r in runs:
        for key in ("name", "family_index", "per_family_instance_index", "run_name",
                    "run_type", "repetitions", "repetition_index", "threads", "iterations",
                    "real_time", "cpu_time", "time_unit"):
            assert key in r, (r["name"], key)
        assert r["run_type"] == "iteration" and r["time_unit"] == "ns"
        assert "nan_counter" not in r
    assert [r["family_index"] for r in runs] == [0, 1, 2] * 3 + [3]
    assert runs[0]["p99_ns"] == 1.0 / 3 * 1e3  # doubles round-trip exactly
    broken = runs[-1]
    assert broken["error_occurred"] is True and broken["real_time"] == 0
print("strict JSON and schema: ok")
PY

if [ ! -f "$compare" ]; then
	echo "bench_json_tools: $compare missing: install libbenchmark-tools" >&2
	exit 1
fi
if ! "$py" -c 'import scipy' 2>/dev/null; then
	echo "bench_json_tools: compare.py needs python3-scipy: apt-get install python3-scipy" >&2
	exit 1
fi
out=$("$py" "$compare" --no-color benchmarks "$dir/base.json" "$dir/new.json")
echo "$out"
echo "$out" | grep -Eq '^rcu/lookup +-0\.2000 +-0\.2000 ' || {
	echo "bench_json_tools: compare.py did not see rcu/lookup 20% faster" >&2
	exit 1
}
echo "$out" | grep -Eq '^rwlock/lookup +\+0\.0000 +\+0\.0000 ' || {
	echo "bench_json_tools: compare.py did not see rwlock/lookup unchanged" >&2
	exit 1
}
echo "$out" | grep -q 'rcu/lookup_pvalue' || {
	echo "bench_json_tools: compare.py ran no U test over the repetitions" >&2
	exit 1
}
