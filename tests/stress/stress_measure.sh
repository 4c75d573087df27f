#!/bin/sh
# SPDX-License-Identifier: MIT
# `iomem stress` measured (docs/measurement.md): with --counters, muxers that sleep
# through every hold show at least one context switch per acquisition; an event the
# machine cannot count is named in the context and absent from every entry, never a zero,
# also for an unprivileged run under perf_event_paranoid >= 2; --placement pins by a
# synthetic topology and records its map; a topology larger than the machine, bad
# measurement options and --strict on an unfit machine are refused.
# usage: stress_measure.sh IOMEM PYTHON
set -u
iomem=$1 python=$2
tmp=$(mktemp -d) || exit 1
chmod 777 "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
fail() { echo "FAIL $*"; status=1; }
muxers="--backend rwlock --readers 0 --claimers 0 --mappers 0 --walkers 0 --muxers 2
	--hold-ns 200000 --hold-sleep --ops 100 --lin-every 0 --no-progress"

# shellcheck disable=SC2086
"$iomem" stress $muxers --no-preflight --counters cycles,software --json "$tmp/c.json" \
	> "$tmp/out" 2>&1 || { fail "a counted run: exit $?"; cat "$tmp/out"; }
"$python" - "$tmp/c.json" <<'PY' || fail "the counted run's JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
ctx, entries = doc["context"], doc["benchmarks"]
muxed = [e for e in entries if e["name"] == "stress/rwlock/muxed"][0]
assert muxed["iterations"] == 200, muxed
if ctx["counters"] == "":   # unprivileged under perf_event_paranoid >= 2: nothing, and why
    assert "perf_event_paranoid" in ctx["counters_unavailable"], ctx
    assert not any(k.endswith("_per_op") for e in entries for k in e), entries
    sys.exit(0)
# Every acquisition sleeps 200 us in its hold: it leaves the CPU at least once.
assert muxed["ctx_switches_per_op"] >= 1, muxed
assert muxed["cpu_ns_per_op"] > 0 and "cpu_migrations_per_op" in muxed, muxed
assert "context-switches" in ctx["counters"].split(","), ctx
if "cycles" in ctx["counters"].split(","):          # a machine with a PMU
    assert muxed["cycles_per_op"] > 0, muxed
else:                                                # said, and never written as 0
    assert ctx["counters_unavailable"].startswith("cycles ("), ctx
    assert all("cycles_per_op" not in e for e in entries), entries
PY

# Unprivileged: under perf_event_paranoid >= 2 no kernel-side event may be counted.
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 2)
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	# shellcheck disable=SC2086
	setpriv --reuid=65534 --regid=65534 --clear-groups "$iomem" stress $muxers \
		--no-preflight --counters software --json "$tmp/u.json" > "$tmp/out" 2>&1 ||
		{ fail "an unprivileged run: exit $?"; cat "$tmp/out"; }
	"$python" - "$tmp/u.json" "$paranoid" <<'PY' || fail "the unprivileged run's JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
ctx, entries = doc["context"], doc["benchmarks"]
if int(sys.argv[2]) >= 2:
    assert ctx["counters"] == "", ctx
    assert "perf_event_paranoid" in ctx["counters_unavailable"], ctx
    assert not any(k.endswith("_per_op") for e in entries for k in e), entries
else:
    muxed = [e for e in entries if e["name"] == "stress/rwlock/muxed"][0]
    assert muxed["ctx_switches_per_op"] >= 1, muxed
PY
	grep -q 'counters: not counted here' "$tmp/out" ||
		[ "$paranoid" -lt 2 ] || fail "the unavailable events were not said"
fi

# Placement by a synthetic topology of one CPU: every thread on CPU 0.
# shellcheck disable=SC2086
"$iomem" stress $muxers --no-preflight --placement compact --topology "core:1 pu:1" \
	--json "$tmp/p.json" > "$tmp/out" 2>&1 || { fail "a placed run: exit $?"; cat "$tmp/out"; }
"$python" - "$tmp/p.json" <<'PY' || fail "the placed run's JSON"
import json, sys
ctx = json.load(open(sys.argv[1]))["context"]
assert ctx["topology"] == "package:1 core:1 pu:1", ctx
assert ctx["topology_source"] == "synthetic", ctx
assert ctx["placement"] == "compact" and ctx["placement_map"] == "0", ctx
assert "counters" not in ctx, ctx       # not asked for
PY
# This machine's topology is in every result's context, the preflight's findings and the
# cache-line latency.
# shellcheck disable=SC2086
"$iomem" stress $muxers --json "$tmp/m.json" > "$tmp/out" 2>&1 || fail "a plain run: exit $?"
grep -q '^iomem stress: preflight: ' "$tmp/out" || fail "a plain run: no preflight"
"$python" - "$tmp/m.json" "$("$iomem" placement --summary)" <<'PY' || fail "the machine topology"
import json, sys
ctx = json.load(open(sys.argv[1]))["context"]
assert ctx["topology"] == sys.argv[2] and ctx["topology_source"] == "machine", ctx
assert ctx["placement"] == "none", ctx
assert ctx["preflight"] == "clean" or set(ctx["preflight"].split(",")) <= \
    {"governor", "frequency", "load", "busy", "vm"}, ctx
assert (ctx["preflight"] == "clean") == (ctx["preflight_findings"] == ""), ctx
import os
if len(os.sched_getaffinity(0)) >= 2:   # the cache-line latency between two allowed CPUs
    assert 0 < float(ctx["line_latency_ns"]) < 1e7, ctx
    cpus = [int(x) for x in ctx["line_latency_cpus"].split(",")]
    assert len(cpus) == 2 and cpus[0] != cpus[1] and set(cpus) <= os.sched_getaffinity(0)
else:
    assert "line_latency_ns" not in ctx, ctx
PY

# More CPUs than this machine has: refused before anything runs.
if [ "$(nproc)" -lt 17 ]; then
	# shellcheck disable=SC2086
	"$iomem" stress $muxers --no-preflight --placement scatter \
		--topology "package:2 core:8 pu:2" > "$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 2 ] || fail "a topology larger than the machine: exit $rc, expected 2"
	grep -q 'puts a thread on CPU 16' "$tmp/out" || fail "no message: $(cat "$tmp/out")"
fi

for args in "--counters no-such-event" "--counters ," "--placement spread" \
	"--placement compact --cpus 0" "--strict --no-preflight"; do
	# shellcheck disable=SC2086
	"$iomem" stress --duration 0.1 --warmup 0 $args > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	[ $rc -eq 2 ] || fail "iomem stress $args: exit $rc, expected 2"
	grep -q '^usage: iomem stress' "$tmp/err" || fail "iomem stress $args: no usage"
done

# --strict: a virtual machine stays one, so there the preflight refuses every time.
"$iomem" preflight --json > "$tmp/pf.json"
if "$python" -c 'import json,sys; sys.exit("vm" not in json.load(open(sys.argv[1]))["summary"])' \
	"$tmp/pf.json"; then
	# shellcheck disable=SC2086
	"$iomem" stress $muxers --strict > "$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 3 ] || fail "--strict in a VM: exit $rc, expected 3"
	grep -q 'iomem stress: preflight: vm: ' "$tmp/out" || fail "--strict: the finding"
	grep -q 'refusing to measure (--strict)' "$tmp/out" || fail "--strict: the refusal"
fi
exit $status
