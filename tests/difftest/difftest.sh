#!/bin/sh
# SPDX-License-Identifier: MIT
# difftest.full: OPS random ops on every backend in lockstep must agree (at least 10^6
# in CI; the sanitizer builds run fewer, set by ctest). difftest.wide passes generator
# options (a wide grid, long streams) as the remaining arguments.
# usage: difftest.sh IOMEM OPS [DIFFTEST_OPTION...]
set -eu
iomem=$1 ops=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$iomem" difftest --ops "$ops" --seed 20261201 "$@" --repro "$tmp/repro.iomem" >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	[ -f "$tmp/repro.iomem" ] && cat "$tmp/repro.iomem"
	exit 1
fi
cat "$tmp/out"
grep -q "all agree" "$tmp/out"
ran=$(sed -n 's/^difftest: seed [0-9]*: \([0-9]*\) ops.*/\1/p' "$tmp/out")
[ "$ran" -ge "$ops" ] || { echo "ran $ran ops, wanted $ops" >&2; exit 1; }
