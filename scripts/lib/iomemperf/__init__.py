# SPDX-License-Identifier: MIT
"""iomemperf: benchmark suites, results history, the regression gate, A/B runs, plots and
the HTML report of iomembench (scripts/sweep, compare, ab, plot, report, ci-perf,
changepoints, export, lock-ranking, test-times).

Everything reads and writes Google Benchmark's JSON schema (a `context` object and a
`benchmarks` list of entries with `name`, `real_time`, `cpu_time`, `time_unit` and flat
counters), so iomem-bench output, `iomem stress --json` output and our merged result files
are interchangeable inputs.

Runs on the Debian Python (/usr/bin/python3) with python3-scipy and the gbench package of
libbenchmark-tools (/usr/share/benchmark). Each tool is a module with a run() entry point
(`python3 -m iomemperf.compare`, ...); the launchers in scripts/ put scripts/lib on
PYTHONPATH and run it. Typed: scripts/check-types runs mypy (scripts/pyproject.toml).
"""
