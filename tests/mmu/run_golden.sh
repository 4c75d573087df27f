#!/bin/sh
# Runs one op-script on every tree backend (from `iomem list`) and compares stdout with
# NAME.out, stderr with NAME.err (default: empty) and the exit status with NAME.status
# (default: 0). Run from the scripts directory, so error messages name the script as given.
# usage: run_golden.sh IOMEM NAME.iomem
set -u
iomem=$1 script=$2
name=${script%.iomem}

backends=$("$iomem" list | sed -n 's/^backends://p')
[ -n "$backends" ] || { echo "FAIL: '$iomem list' names no backend"; exit 1; }
want_status=0
[ -f "$name.status" ] && want_status=$(cat "$name.status")

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
if [ -f "$name.err" ]; then cp "$name.err" "$tmp/want_err"; else : > "$tmp/want_err"; fi
if [ -f "$name.out" ]; then cp "$name.out" "$tmp/want_out"; else : > "$tmp/want_out"; fi

status=0
for b in $backends; do
	"$iomem" script --backend "$b" "$script" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	ok=1
	[ "$rc" -eq "$want_status" ] || { echo "FAIL [$b] $script: exit status $rc, expected $want_status"; ok=0; }
	diff -u "$tmp/want_out" "$tmp/out" > "$tmp/diff" || { echo "FAIL [$b] $script: stdout (- expected, + got):"; cat "$tmp/diff"; ok=0; }
	diff -u "$tmp/want_err" "$tmp/err" > "$tmp/diff" || { echo "FAIL [$b] $script: stderr (- expected, + got):"; cat "$tmp/diff"; ok=0; }
	if [ $ok -eq 1 ]; then echo "ok   [$b] $script"; else status=1; fi
done
exit $status
