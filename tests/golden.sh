#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs one op-script on every tree backend and compares it with its golden files:
# stdout with NAME.out, stderr with NAME.err (default: empty), the exit status with
# NAME.status (default: 0). The script runs from its own directory, so error messages
# name it as given. Failure lines are compared by their first word only (an upper-case
# errno name such as EBUSY may be followed by details that differ between backends).
# usage: golden.sh IOMEM LIST_BACKENDS DIR/NAME.iomem
set -u
iomem=$1 lister=$2 script=$3
cd "$(dirname "$script")" || exit 1
script=$(basename "$script")
name=${script%.iomem}

backends=$("$lister") || { echo "FAIL: $lister listed no backend"; exit 1; }
[ -n "$backends" ] || { echo "FAIL: no backend"; exit 1; }
want_status=0
[ -f "$name.status" ] && want_status=$(cat "$name.status")

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# Keep only the first word of lines that start with an upper-case E-name.
norm() { sed -E 's/^(E[A-Z0-9]+)([[:space:]].*)?$/\1/' "$1"; }
if [ -f "$name.out" ]; then norm "$name.out" > "$tmp/want_out"; else : > "$tmp/want_out"; fi
if [ -f "$name.err" ]; then cp "$name.err" "$tmp/want_err"; else : > "$tmp/want_err"; fi

status=0
for b in $backends; do
	"$iomem" script --backend "$b" "$script" > "$tmp/raw" 2> "$tmp/err"
	rc=$?
	norm "$tmp/raw" > "$tmp/out"
	ok=1
	[ "$rc" -eq "$want_status" ] ||
		{ echo "FAIL [$b] $script: exit status $rc, expected $want_status"; ok=0; }
	diff -u "$tmp/want_out" "$tmp/out" > "$tmp/diff" ||
		{ echo "FAIL [$b] $script: stdout (- expected, + got):"; cat "$tmp/diff"; ok=0; }
	diff -u "$tmp/want_err" "$tmp/err" > "$tmp/diff" ||
		{ echo "FAIL [$b] $script: stderr (- expected, + got):"; cat "$tmp/diff"; ok=0; }
	if [ $ok -eq 1 ]; then echo "ok   [$b] $script"; else status=1; fi
done
exit $status
