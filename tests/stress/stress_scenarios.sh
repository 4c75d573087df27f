#!/bin/sh
# SPDX-License-Identifier: MIT
# stress.scenarios: every scenario holds every check on every backend (exit 0), its
# summary compares its figures of merit across the backends, and its JSON names the
# scenario, its knobs and its starting tree's size; a knob's size shows in that count
# exactly; --threads deals only over the scenario's roles. Runs are bounded by --ops.
# usage: stress_scenarios.sh IOMEM PYTHON OPS BLOCKS
set -eu
iomem=$1 python=$2 ops=$3 blocks=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {	# NAME ARGS...: one run on every backend, its output in $tmp/NAME.out
	name=$1
	shift
	status=0
	"$iomem" stress --scenario "$@" --backend all --seed 3 --warmup 0 --no-progress \
		--failure-dir "$tmp" --json "$tmp/$name.json" >"$tmp/$name.out" 2>&1 || status=$?
	if [ "$status" -ne 0 ] || ! grep -q "^checks: all held" "$tmp/$name.out"; then
		cat "$tmp/$name.out"
		echo "FAIL: iomem stress --scenario $* exited $status" >&2
		exit 1
	fi
}

run hotplug hotplug --blocks "$blocks" --ops "$ops"
run hotplug_small hotplug --blocks 1000 --ops "$ops" --procfs-readers 0
run hotplug_more hotplug --blocks 1100 --ops "$ops" --threads 5
run hotplug_arm64 hotplug --blocks 1000 --arch arm64 --ops "$ops"
run cxl cxl --ops "$ops"
run probe probe --ops "$ops"
run ioremap-x86 ioremap-x86 --blocks "$blocks" --ops "$ops"
run procfs procfs --ops "$ops"
grep -q "threads: 1 hotpluggers 2 readers 1 procfs-readers$" "$tmp/hotplug.out"
grep -q "threads: 1 hotpluggers 2 readers 0 procfs-readers$" "$tmp/hotplug_small.out"
grep -q "threads: 2 hotpluggers 2 readers 1 procfs-readers$" "$tmp/hotplug_more.out"
grep -q "^hotplug: p99 latency of the figures of merit" "$tmp/hotplug.out"
grep -q "^  scenario hotplug (blocks $blocks, arch x86)" "$tmp/hotplug.out"
grep -q "^  starting tree built in rwlock " "$tmp/hotplug.out"

"$python" - "$tmp" "$blocks" "$ops" <<'PY'
import json, os, sys
tmp, blocks, ops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
backends = None
def load(name):
    doc = json.load(open(os.path.join(tmp, name + ".json")),
                    parse_constant=lambda c: sys.exit("non-strict JSON: " + c))
    return doc["context"], {b["name"]: b for b in doc["benchmarks"]}
expect = {  # scenario: (ops every backend must report, knobs in the context)
    "hotplug": (["intersects", "walk_ram_range", "add_memory", "remove_memory",
                 "proc_iomem"], {"scenario_blocks": blocks, "scenario_arch": "x86"}),
    "hotplug_arm64": (["intersects", "add_memory"], {"scenario_arch": "arm64"}),
    "cxl": (["intersects", "walk_ram_range", "cxl_build", "cxl_teardown"],
            {"scenario_windows": 8}),
    "probe": (["probe", "unbind", "request_free", "allocate"], {"scenario_functions": 512}),
    "ioremap-x86": (["ioremap_x86", "ioremap", "iounmap", "claim", "unclaim"],
                    {"scenario_blocks": blocks, "scenario_functions": 256}),
    "procfs": (["proc_iomem", "probe", "unbind"], {"scenario_blocks": 1024}),
}
for name, (want_ops, knobs) in expect.items():
    ctx, runs = load(name)
    assert ctx["scenario"] == name.split("_")[0], (name, ctx["scenario"])
    assert ctx["starting_resources"] > 0, ctx
    assert ctx["ops_per_thread"] == ops, ctx
    for k, v in knobs.items():
        assert ctx[k] == v, (name, k, ctx.get(k), v)
    backends = ctx["backend"].split(",")
    assert len(backends) >= 3, backends
    for b in backends:
        assert 0 <= ctx["starting_tree_build_s/" + b] < 60, ctx
        for op in want_ops:
            r = runs.get("stress/%s/%s" % (b, op))
            assert r and r["iterations"] > 0, (name, b, op, sorted(runs))
            assert r["p50_ns"] <= r["p99_ns"] <= r["max_ns"], r
# 100 more blocks are exactly 100 more resources, and the rest of the tree is the same.
a, _ = load("hotplug_small")
b, _ = load("hotplug_more")
assert b["starting_resources"] - a["starting_resources"] == 100, (a, b)
print("json ok:", len(expect), "scenarios on", ",".join(backends))
PY
