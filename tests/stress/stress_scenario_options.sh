#!/bin/sh
# SPDX-License-Identifier: MIT
# stress.scenario_options: `--scenario list` names every scenario with a line about it;
# an unknown scenario gets a message and the list, exit 2; every bad scenario option (a
# knob out of range or of another scenario, a role the scenario lacks) gets a message,
# the usage and exit 2, before any thread starts.
# usage: stress_scenario_options.sh IOMEM
set -u
iomem=$1
fails=0
out=$("$iomem" stress --scenario list)
status=$?
for name in hotplug cxl probe ioremap-x86 procfs; do
	printf '%s\n' "$out" | grep -q "^$name  *[a-zA-Z]" ||
		{ echo "FAIL: --scenario list lacks $name: $out" >&2; fails=$((fails + 1)); }
done
[ "$status" -eq 0 ] || { echo "FAIL: --scenario list exited $status" >&2; fails=$((fails + 1)); }
for bad in nosuch HOTPLUG ''; do
	out=$("$iomem" stress --scenario "$bad" 2>&1)
	status=$?
	if [ "$status" -ne 2 ] || ! printf '%s\n' "$out" | grep -q "no scenario '$bad'" ||
		! printf '%s\n' "$out" | grep -q "^procfs "; then
		echo "FAIL: --scenario '$bad' -> status $status: $out" >&2
		fails=$((fails + 1))
	fi
done
check() {
	out=$("$iomem" stress --ops 1 --warmup 0 "$@" 2>&1)
	status=$?
	if [ "$status" -ne 2 ] || ! printf '%s\n' "$out" | grep -q "usage: iomem stress"; then
		echo "FAIL: iomem stress $* -> status $status:" >&2
		printf '%s\n' "$out" | head -5 >&2
		fails=$((fails + 1))
	fi
}
check --blocks 10
check --scenario hotplug --blocks 0
check --scenario hotplug --blocks 65537
check --scenario hotplug --blocks 1k
check --scenario hotplug --arch sparc
check --scenario hotplug --windows 2
check --scenario hotplug --claimers 1
check --scenario hotplug --hotpluggers -1
check --scenario cxl --windows 0
check --scenario cxl --functions 20
check --scenario probe --functions 8
check --scenario probe --readers 1
check --scenario procfs --probers x
check --scenario ioremap-x86 --functions 5000
check --probers 2
check --scenario
[ "$fails" -eq 0 ]
