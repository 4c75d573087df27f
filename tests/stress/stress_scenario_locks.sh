#!/bin/sh
# SPDX-License-Identifier: MIT
# stress.scenario_locks: every scenario holds every live check on every backend under
# every lock strategy `iomem list` names (exit 0 and "checks: all held"), each run bounded
# by --ops; the trees of the scenarios with memory blocks are cut to BLOCKS of them.
# usage: stress_scenario_locks.sh IOMEM OPS BLOCKS
set -u
iomem=$1 ops=$2 blocks=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
locks=$("$iomem" list | sed -n 's/^locks: //p')
scenarios=$("$iomem" stress --scenario list | cut -d' ' -f1)
[ -n "$locks" ] && [ -n "$scenarios" ] || { echo "FAIL: no locks or no scenarios" >&2; exit 1; }
fails=0 runs=0
for lock in $locks; do
	for s in $scenarios; do
		size=
		case $s in hotplug | ioremap-x86 | procfs) size="--blocks $blocks" ;; esac
		# shellcheck disable=SC2086 # $size is two words or none
		"$iomem" stress --scenario "$s" $size --lock "$lock" --backend all --ops "$ops" \
			--warmup 0 --seed 5 --no-progress --failure-dir "$tmp" >"$tmp/out" 2>&1
		status=$?
		runs=$((runs + 1))
		if [ "$status" -ne 0 ] || ! grep -q "^checks: all held" "$tmp/out"; then
			echo "FAIL: --scenario $s --lock $lock exited $status:" >&2
			tail -20 "$tmp/out" >&2
			fails=$((fails + 1))
		fi
	done
done
echo "$runs runs (every scenario under every lock, on every backend), $fails failed"
[ "$runs" -ge 35 ] && [ "$fails" -eq 0 ]
