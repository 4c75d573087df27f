#!/bin/sh
# SPDX-License-Identifier: MIT
# stress.bad_options: every bad option of `iomem stress` gets a message, the usage and
# exit status 2, before any thread starts.
# usage: stress_bad_options.sh IOMEM
set -u
iomem=$1
fails=0
check() {
	out=$("$iomem" stress --duration 0.1 --warmup 0 "$@" 2>&1)
	status=$?
	if [ "$status" -ne 2 ] || ! printf '%s\n' "$out" | grep -q "usage: iomem stress"; then
		echo "FAIL: iomem stress $* -> status $status:" >&2
		printf '%s\n' "$out" | head -5 >&2
		fails=$((fails + 1))
	fi
}
check --backend nosuch
check --backend rwlock,nosuch
check --backend ''
check --lock nosuch
check --muxed-wait sometimes
check --va-policy percpu
check --threads 0
check --threads -3
check --threads 1x
check --readers 100000
check --duration abc
check --duration -1
check --ops 0x
check --warmup -2
check --repetitions 0
check --mix bogus=1
check --mix intersects
check --mix intersects=-1
check --mix intersects=0,lookup=0,walk=0
check --dist normal
check --cpus 99999
check --cpus 1-
check --cpus ''
check --rate -5
check --seed ''
check --muxed-regions 0
check --hold-ns x
check --live-maps -1
check --stutter y
check --regions 10 --depth 0
check --tree-from /nonexistent/iomem
check --no-such-option
check extra-argument
# A malformed starting tree is bad input, not a bad option: FILE:LINE: error:, status 2.
bad="$(dirname "$0")/../dumps/bad/child-straddles-parent.txt"
out=$("$iomem" stress --duration 0.1 --tree-from "$bad" 2>&1)
status=$?
if [ "$status" -ne 2 ] || ! printf '%s\n' "$out" | grep -q "^$bad:[0-9]*: error: "; then
	echo "FAIL: --tree-from $bad -> status $status: $out" >&2
	fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
