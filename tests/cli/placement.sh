#!/bin/sh
# SPDX-License-Identifier: MIT
# `iomem placement`: the exact thread -> CPU maps of compact and scatter on three
# synthetic topologies (given as --topology and through IOMEM_TOPOLOGY), the topology
# summary, this machine's own topology, and bad options refused with the usage and exit 2.
# usage: placement.sh IOMEM
set -u
iomem=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
fail() { echo "FAIL $*"; status=1; }

# map DESC POLICY THREADS: the CPUs, space-separated, from the printed map
map() {
	"$iomem" placement --topology "$1" --policy "$2" --threads "$3" > "$tmp/out" 2>&1 ||
		{ fail "placement $*: exit $?"; cat "$tmp/out"; return; }
	sed -n 's/^thread [0-9]* -> cpu \([0-9]*\)$/\1/p' "$tmp/out" | tr '\n' ' ' | sed 's/ $//'
}

expect() {
	got=$(map "$1" "$2" "$3")
	[ "$got" = "$4" ] || fail "$1, $2, $3 threads: got '$got', expected '$4'"
}

expect "package:2 core:8 pu:2" compact 6 "0 1 2 3 4 5"
expect "package:2 core:8 pu:2" scatter 6 "0 16 2 18 4 20"
expect "package:1 core:4 pu:1" compact 5 "0 1 2 3 0"
expect "package:1 core:4 pu:1" scatter 5 "0 1 2 3 0"
expect "package:4 core:2 pu:2" compact 5 "0 1 2 3 4"
expect "package:4 core:2 pu:2" scatter 10 "0 4 8 12 2 6 10 14 1 5"

"$iomem" placement --topology "package:2 core:8 pu:2" --policy scatter --threads 2 \
	> "$tmp/out" || fail "scatter: exit $?"
grep -qx 'topology: package:2 core:8 pu:2 (synthetic, 32 hardware threads)' "$tmp/out" ||
	fail "the topology line: $(head -1 "$tmp/out")"
grep -qx 'policy: scatter' "$tmp/out" || fail "the policy line"

IOMEM_TOPOLOGY="package:4 core:2 pu:2" "$iomem" placement --policy scatter --threads 3 \
	> "$tmp/out" || fail "IOMEM_TOPOLOGY: exit $?"
grep -qx 'thread 2 -> cpu 8' "$tmp/out" || fail "IOMEM_TOPOLOGY was not used"
[ "$(IOMEM_TOPOLOGY="package:4 core:2 pu:2" "$iomem" placement --summary)" = \
	"package:4 core:2 pu:2" ] || fail "--summary with IOMEM_TOPOLOGY"

"$iomem" placement --policy none --threads 2 > "$tmp/out" || fail "none: exit $?"
[ "$(grep -c '^thread [01] -> any cpu$' "$tmp/out")" = 2 ] || fail "none pins a thread"
"$iomem" placement --summary > "$tmp/out" || fail "--summary: exit $?"
grep -Eqx 'package:[0-9]+ core:[0-9]+ pu:[0-9]+|packages:[0-9]+ cores:[0-9]+ pus:[0-9]+' \
	"$tmp/out" || fail "this machine's summary: $(cat "$tmp/out")"

for args in "" "--policy compact" "--threads 2" "--policy spread --threads 2" \
	"--policy compact --threads 0" "--policy compact --threads x" \
	"--policy compact --threads 2 --topology package:two" "--summary --threads 2" \
	"--no-such-option" "--policy compact --threads 2 extra"; do
	# shellcheck disable=SC2086
	"$iomem" placement $args > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	[ $rc -eq 2 ] || fail "iomem placement $args: exit $rc, expected 2"
	grep -q '^usage: iomem placement' "$tmp/err" || fail "iomem placement $args: no usage"
done
"$iomem" placement --help | grep -q '^usage: iomem placement' || fail "--help"
exit $status
