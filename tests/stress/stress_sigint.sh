#!/bin/sh
# SPDX-License-Identifier: MIT
# stress.sigint: SIGINT stops a long run within a second or two, still prints the summary
# and writes the JSON with "interrupted": true; exit status 130. The linearizability
# windows ran meanwhile and found every window linearizable.
# usage: stress_sigint.sh IOMEM PYTHON
set -eu
iomem=$1 python=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$iomem" stress --backend rwlock,rcu --duration 60 --warmup 0 --no-progress \
	--json "$tmp/run.json" >"$tmp/out" 2>&1 &
pid=$!
sleep 2
start=$(date +%s%N)
kill -INT "$pid"
status=0
wait "$pid" || status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
cat "$tmp/out"
echo "stopped ${elapsed_ms} ms after SIGINT, status $status"
[ "$status" -eq 130 ]
# A second for the workers to see the flag; the checks and report take the rest.
[ "$elapsed_ms" -le "${IOMEM_SIGINT_LIMIT_MS:-3000}" ]
grep -q "^interrupted:" "$tmp/out"
grep -q "^checks: all held" "$tmp/out"
# Two seconds are four linearizability windows per backend (one every 0.5 s).
grep -Eq "^  linearizability: [1-9][0-9]* windows \([0-9]+ concurrent ops\) checked against the model, all linearizable" "$tmp/out"
"$python" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["context"]["interrupted"] is True, doc["context"]
assert doc["benchmarks"], "no entries"
' "$tmp/run.json"
