#!/bin/sh
# SPDX-License-Identifier: MIT
# `iomem torture`: bad options are refused with the usage and exit 2; a run of a strategy
# holds (exit 0) and its JSON reads back strictly, with every acquisition counted. The
# run's strategy is not a fair one: a short run on a loaded machine can starve a thread
# of a fair lock through the scheduler, which iomem torture reports (exit 1).
# usage: torture.sh IOMEM PYTHON
set -u
iomem=$1 python=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
fail() { echo "FAIL $*"; status=1; }

for args in "--lock no-such-lock" "--writers x" "--readers -1" "--writers 4097" \
	"--acquisitions 0" "--writers 0 --readers 0" "--spin bogus" "--spin yield:" \
	"--seed 1x" "--no-such-option" "--lock" "extra-argument"; do
	# shellcheck disable=SC2086
	"$iomem" torture $args > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	[ $rc -eq 2 ] || fail "iomem torture $args: exit $rc, expected 2"
	grep -q '^usage: iomem torture' "$tmp/err" || fail "iomem torture $args: no usage"
done

"$iomem" torture --help > "$tmp/out" || fail "--help: exit $?"
grep -q '^usage: iomem torture' "$tmp/out" || fail "--help: no usage on stdout"

"$iomem" torture --lock pthread-mutex --writers 2 --readers 2 --acquisitions 20000 --seed 7 \
	--json "$tmp/t.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] || { fail "a pthread-mutex run: exit $rc"; cat "$tmp/out" "$tmp/err"; }
grep -q '^pthread-mutex-torture:--- End of test: SUCCESS: .*seed=7' "$tmp/out" ||
	fail "a pthread-mutex run: no SUCCESS line"
"$python" - "$tmp/t.json" <<'PY' || fail "the JSON"
import json, sys

def strict(c):
    raise ValueError("non-strict constant " + c)

doc = json.load(open(sys.argv[1]), parse_constant=strict)
assert doc["context"]["tool"] == "iomem torture", doc["context"]
assert doc["context"]["seed"] == 7
runs = {b["name"]: b for b in doc["benchmarks"]}
assert set(runs) == {"torture/pthread-mutex/writes", "torture/pthread-mutex/reads"}, runs.keys()
assert sum(b["iterations"] for b in runs.values()) == 20000
for b in runs.values():
    assert b["threads"] == 2 and b["failures"] == 0 and b["max"] >= b["min"], b
assert runs["torture/pthread-mutex/writes"]["lost_writes"] == 0
PY
exit $status
