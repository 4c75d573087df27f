#!/bin/sh
# SPDX-License-Identifier: MIT
# iomem-bench measured (docs/measurement.md): with --counters, the threaded families carry
# per-operation counters (a self-threaded lock/ benchmark and pgtable/churn/ on Google
# Benchmark's threads), an event the machine cannot count is named in the context and
# absent from every entry; --placement pins by a synthetic topology (threads pinned to one
# CPU never migrate: a measured zero); bad measurement options, and a topology larger than
# the machine, exit 2.
# usage: bench_measure.sh IOMEM_BENCH PYTHON
set -u
bench=$1 python=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
fail() { echo "FAIL $*"; status=1; }
filter='^lock/pthread-mutex/write-heavy/threads:2/iter|^pgtable/churn/global/real_time/threads:2$'

IOMEM_LOCK_BENCH_MS=50 "$bench" --benchmark_filter="$filter" --benchmark_min_time=0.01 \
	--counters=cycles --placement compact --topology "core:1 pu:1" \
	--benchmark_format=json > "$tmp/b.json" 2> "$tmp/err" ||
	{ fail "a counted run: exit $?"; cat "$tmp/err"; }
"$python" - "$tmp/b.json" <<'PY' || fail "the JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
ctx = doc["context"]
assert ctx["topology"] == "package:1 core:1 pu:1" and ctx["topology_source"] == "synthetic"
assert ctx["placement"] == "compact", ctx
counted = ctx["counters"].split(",") if ctx["counters"] else []
entries = {e["name"]: e for e in doc["benchmarks"]}
assert len(entries) == 2, entries
if not counted:     # unprivileged under perf_event_paranoid >= 2: nothing, and why
    assert "perf_event_paranoid" in ctx["counters_unavailable"], ctx
    assert not any(k.endswith("_per_op") for e in entries.values() for k in e), entries
    sys.exit(0)
assert counted[:4] == ["context-switches", "cpu-migrations", "task-clock", "page-faults"], ctx
for name, e in entries.items():
    assert e["cpu_ns_per_op"] > 0 and "ctx_switches_per_op" in e, e
    assert "page_faults_per_op" in e, e
    if "cycles" in counted:
        assert e["cycles_per_op"] > 0, e
    else:
        assert "cycles_per_op" not in e, e
if "cycles" not in counted:
    assert ctx["counters_unavailable"].startswith("cycles ("), ctx
# Google Benchmark's threads, both pinned to CPU 0 before they count: never migrated.
churn = entries["pgtable/churn/global/real_time/threads:2"]
assert churn["cpu_migrations_per_op"] == 0, churn
PY
if grep -q '"counters_unavailable": "cycles' "$tmp/b.json"; then	# said once, on stderr
	[ "$(grep -c '^iomem-bench: counters: not counted here: cycles' "$tmp/err")" = 1 ] ||
		fail "the unavailable event was not said once: $(cat "$tmp/err")"
fi

# Without --counters, no counter and no counter context.
IOMEM_LOCK_BENCH_MS=50 "$bench" --benchmark_filter="$filter" --benchmark_min_time=0.01 \
	--benchmark_format=json > "$tmp/n.json" 2> /dev/null || fail "a plain run: exit $?"
"$python" - "$tmp/n.json" <<'PY' || fail "the plain JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
assert "counters" not in doc["context"] and doc["context"]["placement"] == "none"
assert not any(k.endswith("_per_op") for e in doc["benchmarks"] for k in e)
PY

for args in "--placement=spread" "--counters=no-such-event" "--topology=package:two" \
	"--counters="; do
	"$bench" "$args" --benchmark_list_tests > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || fail "iomem-bench $args: exit $rc, expected 2"
	[ -s "$tmp/err" ] || fail "iomem-bench $args: no message"
done
# A topology larger than the machine: refused before anything runs, whatever the threads.
if [ "$(nproc)" -lt 32 ]; then
	"$bench" --placement compact --topology "package:2 core:8 pu:2" \
		--benchmark_filter="$filter" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || fail "a topology larger than the machine: exit $rc, expected 2"
	grep -q 'which this process may not use' "$tmp/err" || fail "no message: $(cat "$tmp/err")"
fi
exit $status
