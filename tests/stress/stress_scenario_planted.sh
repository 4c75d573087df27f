#!/bin/sh
# SPDX-License-Identifier: MIT
# stress.scenario_planted: the probe scenario's live checks catch the bug planted in
# `itree-planted` (a request over a sibling that starts inside it is granted): drivers
# that claim a whole BAR while another holds its upper half. Sixteen functions for two
# probers that keep eight bound each make them meet as soon as both run; in at least 4
# of 5 seeds the run must fail with a double grant (exit 1) (the two must have run at
# the same time, which the scheduler decides), and every replay script must show the
# bug on its own.
# usage: stress_scenario_planted.sh IOMEM
set -u
iomem=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 missed=0
for seed in 1 2 3 4 5; do
	"$iomem" stress --scenario probe --functions 16 --backend itree-planted --ops 50000 \
		--warmup 0 --seed "$seed" --no-progress --failure-dir "$tmp" >"$tmp/out" 2>&1
	status=$?
	replay="$tmp/stress-failure-$seed.iomem"
	if [ "$status" -ne 1 ] || ! grep -q "FAILURE: double grant: BAR" "$tmp/out" ||
		[ ! -s "$replay" ]; then
		echo "seed $seed: NOT caught (status $status)"
		cat "$tmp/out"
		missed=$((missed + 1))
		continue
	fi
	"$iomem" script --backend rwlock "$replay" >"$tmp/rw.out" 2>&1
	"$iomem" script --backend itree-planted "$replay" >"$tmp/pl.out" 2>&1
	if cmp -s "$tmp/rw.out" "$tmp/pl.out"; then
		echo "seed $seed: its replay script does not show the bug"
		fails=$((fails + 1))
	else
		echo "seed $seed: $(grep -m1 'FAILURE:' "$tmp/out")"
	fi
done
[ "$fails" -eq 0 ] && [ "$missed" -le 1 ]
