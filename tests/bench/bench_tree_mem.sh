#!/bin/sh
# SPDX-License-Identifier: MIT
# The tree_mem/ family (bench/mem_bench.c) on the indexed backends: the fill and the
# released variant each report their live resources (the benchmark checks the tree holds
# exactly those) and a plausible size per resource, at least the kernel's struct resource.
# A build without jemalloc (the sanitizers') reports why, as an error, and nothing else.
# usage: bench_tree_mem.sh IOMEM_BENCH PYTHON
set -u
bench=$1 python=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

"$bench" --benchmark_filter='^tree_mem/(itree|maple)/' --benchmark_format=json \
	> "$tmp/m.json" 2> "$tmp/err" || { echo "FAIL exit $?"; cat "$tmp/err"; exit 1; }
"$python" - "$tmp/m.json" <<'PY' || { echo "FAIL the JSON"; exit 1; }
import json, sys
entries = {e["name"]: e for e in json.load(open(sys.argv[1]))["benchmarks"]}
want = {f"tree_mem/{b}/n:100000{v}/iterations:1": live for b in ("itree", "maple")
        for v, live in (("", 100000), ("/released:50000", 50000))}
assert sorted(entries) == sorted(want), sorted(entries)
for name, e in entries.items():
    if e.get("error_occurred"):
        assert "no allocator stats" in e["error_message"], e
        continue
    assert e["n"] == 100000 and e["live"] == want[name], e
    assert 64 <= e["bytes_per_resource"] < 400, e
PY
