#!/bin/sh
# SPDX-License-Identifier: MIT
# `iomem preflight`: its JSON on a clean and a noisy machine made of files
# (tests/measure/roots/), read back strictly; --strict refuses (exit 3) only when
# something was found; bad options are refused with the usage and exit 2.
# usage: preflight.sh IOMEM PYTHON ROOTS
set -u
iomem=$1 python=$2 roots=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
fail() { echo "FAIL $*"; status=1; }

"$iomem" preflight --root "$roots/noisy" --sample-ms 10 --json > "$tmp/noisy.json" ||
	fail "noisy --json: exit $?"
"$iomem" preflight --root "$roots/clean" --sample-ms 10 --json > "$tmp/clean.json" ||
	fail "clean --json: exit $?"
"$python" - "$tmp/noisy.json" "$tmp/clean.json" <<'PY' || fail "the JSON"
import json, sys

def strict(c):
    raise ValueError("non-strict constant " + c)

noisy = json.load(open(sys.argv[1]), parse_constant=strict)
clean = json.load(open(sys.argv[2]), parse_constant=strict)
assert noisy["summary"] == "governor,frequency,load,vm", noisy
assert [f["check"] for f in noisy["findings"]] == ["governor", "frequency", "load", "vm"]
assert "powersave" in noisy["findings"][0]["detail"], noisy
assert clean == {"summary": "clean", "findings": [], "notes": ""}, clean
PY

"$iomem" preflight --root "$roots/clean" --sample-ms 10 --strict > "$tmp/out" ||
	fail "--strict on a clean machine: exit $?"
grep -qx 'iomem: preflight: clean' "$tmp/out" || fail "clean: $(cat "$tmp/out")"
"$iomem" preflight --root "$roots/noisy" --sample-ms 10 --strict > "$tmp/out"
rc=$?
[ $rc -eq 3 ] || fail "--strict with findings: exit $rc, expected 3"
grep -q '^iomem: preflight: load: 1-minute load average 1.60 on 2 CPUs' "$tmp/out" ||
	fail "the load finding: $(cat "$tmp/out")"

for args in "--sample-ms 0" "--sample-ms x" "--no-such-option" "extra"; do
	# shellcheck disable=SC2086
	"$iomem" preflight $args > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	[ $rc -eq 2 ] || fail "iomem preflight $args: exit $rc, expected 2"
	grep -q '^usage: iomem preflight' "$tmp/err" || fail "iomem preflight $args: no usage"
done
exit $status
