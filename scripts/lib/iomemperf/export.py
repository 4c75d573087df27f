# SPDX-License-Identifier: MIT
"""scripts/export: a result in another tool's format. --bmf writes Bencher Metric Format
(BMF) JSON, for teams that keep their history in Bencher (`bencher run --adapter json
--file FILE`):

    {"<benchmark>": {"<measure>": {"value": v, "lower_value": lo, "upper_value": hi}}}

Each benchmark's value of a measure is the median over its repetitions, lower_value and
upper_value their minimum and maximum (the bars of scripts/plot). Measures are the
metrics that decide the benchmark, as scripts/compare gates them: the time per operation
as Bencher's built-in `latency` (nanoseconds), or for a time-boxed run its throughput
counters, the main one as the built-in `throughput` (operations per second) and any other
under its own name. --counters adds every other counter with a direction (latency
percentiles, ...) under its own name. Bencher names a measure in at most 64 characters
and a benchmark in at most 1024."""
import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import NoReturn, TypedDict

from .common import EXIT_OK, EXIT_USAGE, InputError, entry_point, load_json, tool_name
from .compare import gated_metrics
from .metrics import INFO, Bench, collect, direction, primary_throughput
from .verdict import Options

PROG = tool_name("export")
LATENCY = "latency"           # Bencher's built-in measures: nanoseconds,
THROUGHPUT = "throughput"     # and operations per second
MEASURE_MAX = 64
BENCHMARK_MAX = 1024


class Metric(TypedDict):
    """One measure of one benchmark in BMF."""
    value: float
    lower_value: float
    upper_value: float


Bmf = dict[str, dict[str, Metric]]


def measures(b: Bench, counters: bool) -> list[tuple[str, str]]:
    """[(measure name, metric)] of a benchmark: its deciding metrics, and with counters
    every other directional counter."""
    gated = gated_metrics(b, b.counter_names(), Options())
    main = primary_throughput(b) if b.time_boxed() else None
    out: list[tuple[str, str]] = []
    for metric in ["time", *b.counter_names()]:
        if metric in gated:
            name = LATENCY if metric == "time" else THROUGHPUT if metric == main else metric
            out.append((name, metric))
        elif counters and metric != "time" and direction(metric) != INFO:
            out.append((metric, metric))
    return out


def to_bmf(benches: Sequence[Bench], counters: bool = False) -> tuple[Bmf, list[str]]:
    """(the BMF document, notes on what was left out)."""
    doc: Bmf = {}
    notes: list[str] = []
    for b in benches:
        if not b.entries:
            if b.errors:
                notes.append(f"{b.name}: left out: every repetition failed ({b.errors[0]})")
            continue
        if len(b.name) > BENCHMARK_MAX:
            raise InputError(f"benchmark name longer than Bencher's {BENCHMARK_MAX} "
                             f"characters: {b.name[:60]}...")
        out: dict[str, Metric] = {}
        for name, metric in measures(b, counters):
            vals = [v for v in b.values(metric) if math.isfinite(v)]
            if not vals:
                continue
            if len(name) > MEASURE_MAX:
                notes.append(f"{b.name}: {name}: left out: a measure's name has at most "
                             f"{MEASURE_MAX} characters")
                continue
            out[name] = {"value": median(vals), "lower_value": min(vals),
                         "upper_value": max(vals)}
        if out:
            doc[b.name] = out
        if b.errors:
            notes.append(f"{b.name}: {len(b.errors)} failed repetition(s) left out")
    return doc, notes


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Write a Google Benchmark JSON result (iomem-bench, iomem stress, "
        "scripts/sweep or scripts/ab output) in another format. --bmf: Bencher Metric "
        "Format JSON, for `bencher run --adapter json --file FILE`: per benchmark, the "
        "median over its repetitions of each metric that decides it (time per op as "
        "Bencher's `latency`, in ns; a time-boxed run's main throughput as `throughput`, "
        "in ops/s; other throughput counters under their own names), with lower_value and "
        "upper_value the minimum and maximum.",
        epilog="Benchmarks whose every repetition failed are left out, with a note. Exit "
        "status: 0 done, 2 bad options or input (nothing to export included).")
    p.add_argument("result", metavar="RESULT", help="a result file (.json, .json.gz, or - "
                   "for standard input)")
    fmt = p.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--bmf", action="store_true", help="Bencher Metric Format JSON")
    p.add_argument("--counters", action="store_true",
                   help="also every other counter with a direction (latency percentiles, "
                   "...), each under its own name")
    p.add_argument("-o", "--out", metavar="FILE", help="write here (default: standard "
                   "output)")
    return p


@dataclass
class ExportArgs:
    """scripts/export's command line (the fields are parser()'s destinations)."""
    result: str
    bmf: bool
    counters: bool
    out: str | None


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = ExportArgs(**vars(p.parse_args(argv)))
    try:
        doc, notes = to_bmf(list(collect(load_json(args.result)).values()), args.counters)
    except InputError as e:
        print(e if e.path else f"{PROG}: {e}", file=sys.stderr)
        return EXIT_USAGE
    for n in notes:
        print(f"export: note: {n}", file=sys.stderr)
    if not doc:
        print(f"{PROG}: error: nothing to export: no benchmark in {args.result} has a "
              "repetition that ran", file=sys.stderr)
        return EXIT_USAGE
    text = json.dumps(doc, indent=1) + "\n"
    if args.out:
        tmp = f"{args.out}.tmp.{os.getpid()}"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, args.out)
        except OSError as e:
            print(f"{PROG}: error: cannot write {args.out}: {e.strerror}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run() -> NoReturn:
    entry_point(main)


if __name__ == "__main__":
    run()
