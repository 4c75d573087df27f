#!/bin/sh
# Runs one op-script against every backend and compares its output with the golden file.
# usage: run_script.sh IOMEM LIST_BACKENDS SCRIPT EXPECTED
# Failure lines are compared by their first word only (an upper-case errno name such as
# EBUSY may be followed by details).
set -u
iomem=$1 lister=$2 script=$3 expected=$4

backends=$("$lister") || { echo "FAIL: $lister listed no backend"; exit 1; }
[ -n "$backends" ] || { echo "FAIL: no backend"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# Keep only the first word of lines that start with an upper-case E-name.
norm() { sed -E 's/^(E[A-Z0-9]+)([[:space:]].*)?$/\1/' "$1"; }

norm "$expected" > "$tmp/expected"
status=0
for b in $backends; do
	"$iomem" script --backend "$b" "$script" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL [$b] $script: exit status $rc"
		cat "$tmp/err"
		status=1
		continue
	fi
	norm "$tmp/out" > "$tmp/got"
	if diff -u "$tmp/expected" "$tmp/got" > "$tmp/diff"; then
		echo "ok   [$b] $(basename "$script")"
	else
		echo "FAIL [$b] $script differs from $expected (- expected, + got):"
		cat "$tmp/diff"
		[ -s "$tmp/err" ] && { echo "stderr:"; cat "$tmp/err"; }
		status=1
	fi
done
exit $status
