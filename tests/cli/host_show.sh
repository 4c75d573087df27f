#!/bin/sh
# SPDX-License-Identifier: MIT
# `iomem show` without --from loads the host's /proc/iomem (and with --root ioport,
# /proc/ioports) and must print it back unchanged. Read without CAP_SYS_ADMIN the files are
# zeroed (§1.7): then the command must refuse with exit status 2.
# usage: host_show.sh IOMEM
set -u
iomem=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
for pair in "iomem /proc/iomem" "ioport /proc/ioports"; do
	set -- $pair
	root=$1 file=$2
	[ -r "$file" ] || { echo "skip $file: not readable"; continue; }
	cat "$file" > "$tmp/host"
	"$iomem" show --root "$root" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	if grep -qv -e '^ *0*-0* : ' "$tmp/host"; then
		if [ $rc -ne 0 ]; then
			echo "FAIL show --root $root: exit status $rc"; cat "$tmp/err"; status=1
		elif ! cmp -s "$tmp/host" "$tmp/out"; then
			echo "FAIL show --root $root differs from $file:"
			diff -u "$tmp/host" "$tmp/out"; status=1
		else
			echo "ok   show --root $root == $file"
		fi
	elif [ $rc -ne 2 ]; then
		echo "FAIL show --root $root on a zeroed $file: exit status $rc, expected 2"; status=1
	else
		echo "ok   show --root $root refuses the zeroed $file"
	fi
done
exit $status
