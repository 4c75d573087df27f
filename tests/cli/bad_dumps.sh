#!/bin/sh
# SPDX-License-Identifier: MIT
# Every malformed dump listed in MANIFEST (FILE ROOT LINE) must be refused by
# `iomem show --from FILE` with exit status 2 and `FILE:LINE: error: ...` on stderr;
# LINE 0 marks a zeroed non-root dump: exit 2 and a message naming CAP_SYS_ADMIN or root.
# usage: bad_dumps.sh IOMEM BADDIR   (run from BADDIR so FILE is given as a bare name)
set -u
iomem=$1 dir=$2
cd "$dir" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
n=0
while read -r file root line; do
	case $file in '#'*|'') continue ;; esac
	n=$((n + 1))
	if [ "$root" = ioport ]; then set -- --root ioport; else set --; fi
	"$iomem" show --from "$file" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	bad=0
	if [ $rc -ne 2 ]; then
		echo "FAIL $file: exit status $rc, expected 2"
		bad=1
	fi
	if [ -s "$tmp/out" ]; then
		echo "FAIL $file: printed a tree on stdout"
		bad=1
	fi
	if [ "$line" -gt 0 ]; then
		if ! grep -q "^$file:$line: error: " "$tmp/err"; then
			echo "FAIL $file: stderr lacks '$file:$line: error: ':"
			cat "$tmp/err"
			bad=1
		fi
	elif ! grep -q -e CAP_SYS_ADMIN -e root "$tmp/err"; then
		echo "FAIL $file: stderr names neither CAP_SYS_ADMIN nor root:"
		cat "$tmp/err"
		bad=1
	fi
	if [ $bad -eq 0 ]; then echo "ok   $file"; else status=1; fi
done < MANIFEST
[ $n -ge 15 ] || { echo "FAIL: only $n cases in MANIFEST"; status=1; }
exit $status
