#!/bin/sh
# SPDX-License-Identifier: MIT
# `iomem show --from FILE [--root ioport]` must reproduce FILE byte for byte.
# usage: roundtrip.sh IOMEM FILE...   (files named *ioports* are loaded into the ioport root)
set -u
iomem=$1
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
for f in "$@"; do
	case $(basename "$f") in
	*ioports*) set -- --root ioport ;;
	*) set -- ;;
	esac
	"$iomem" show --from "$f" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL $f: exit status $rc"
		cat "$tmp/err"
		status=1
	elif ! cmp -s "$f" "$tmp/out"; then
		echo "FAIL $f does not round-trip (- file, + shown):"
		diff -u "$f" "$tmp/out"
		status=1
	else
		echo "ok   $f"
	fi
done
exit $status
