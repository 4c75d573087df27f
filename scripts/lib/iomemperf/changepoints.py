# SPDX-License-Identifier: MIT
"""changepoints: the revisions at which each benchmark's level changed over a history.

A pairwise gate asks whether one run differs from one other run; over a machine's history
the better question is where the level moved, and by how much. The method is E-Divisive
means (Matteson and James, 2014), as MongoDB's performance CI and its successors
(hunter, Otava) use it:

- Each run gives one value per benchmark: the fastest of its repetitions, in the metric
  that decides it (the time, or its throughput counter for time-boxed runs), taken as a
  logarithm (changes are relative). Load on the machine only ever adds time, so the
  fastest repetition is the run's least disturbed estimate (Chen and Revels, "Robust
  benchmarking in noisy environments", 2016); on this repository's fixtures it has a
  third of the median's run-to-run spread.
- Load moves a whole family of benchmarks at once, though not each by as much. Unless
  --raw, each benchmark is judged relative to its family: its family's offset in each run
  (the median over the family of each benchmark's deviation from its own mean), times the
  benchmark's own sensitivity to it (the least-squares slope of the benchmark on the
  offsets over the history, kept within [0, 2]), is taken off. Each family's offsets are
  a series of their own, reported as FAMILY/*: a change of one code path shows on its
  benchmark, a change that moves a whole family (or the machine) on the family's line.
- For a series x[0..n), every split point t gives Q(t) = t(n-t)/n * E(t), where E(t) is the
  energy distance between x[0..t) and x[t..n) (twice the mean cross distance minus each
  side's mean within distance). The best split maximizes Q.
- Its significance is a permutation test: Q's maximum over R random permutations of the
  series; p = (1 + #{permuted max >= observed}) / (R + 1). A split with p below the level
  is a change point, and each side is searched again (bisection), until no split is
  significant. Segments are at least min_size runs long. This runs over the history
  before the newest run.
- The newest run is judged on its own against the segment it would join (the runs since
  the last change point): a Student t prediction test (the newest value against that
  segment's mean, scaled by its spread times sqrt(1 + 1/m)), two-sided, at the level
  divided by the number of series judged (Bonferroni), so that one noisy series among
  forty does not fail a CI job. (A permutation test cannot judge one point: over m runs
  its p cannot go below 1/(m+1).)

Usage: scripts/changepoints DIR|FILES [--suite S] [--json FILE] [--pvalue P]
         [--permutations R] [--min-size K] [--seed N]
Each change prints as `CHANGE <benchmark> at <revision>: <+/-pct> (p=<p>)`, the
percentage being the change of the metric's level (time or throughput) from the segment
before to the segment after. Exit status: 0 when no change point is at the newest run,
1 when one is, 2 on bad input.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import median
from typing import NoReturn

import numpy as np
import numpy.typing as npt

from .common import EXIT_FAIL, EXIT_OK, InputError, die, entry_point, tool_name
from .metrics import HIGHER, direction, primary_throughput
from .runs import Run, expand_inputs, load_runs

PROG = tool_name("changepoints")

Vec = npt.NDArray[np.float64]

PVALUE = 0.01
PERMUTATIONS = 199
MIN_SIZE = 3


@dataclass(frozen=True)
class Change:
    """A change point: the series' level differs from index `at` on."""
    benchmark: str
    metric: str
    at: int                 # index of the first run of the new level
    revision: str
    date: str
    before: float           # the level before and after: the metric's geometric mean
    after: float            # (relative to its family in a normalized history)
    pct: float              # (after / before - 1) * 100
    pvalue: float
    worse: bool             # slower (or a lower throughput)


def q_all(xs: Sequence[float] | Vec) -> Vec:
    """Q(t) for every split t in 1..n-1 of xs (index t-1), alpha = 1, in O(n^2): the
    pairwise distances' two-dimensional prefix sums give each side's within sum and the
    cross sum at once."""
    x = np.asarray(xs, dtype=float)
    n = len(x)
    d = np.abs(x[:, None] - x[None, :])
    c = d.cumsum(0).cumsum(1)
    t = np.arange(1, n)
    left = c[t - 1, t - 1] / 2                       # sum over pairs within x[:t]
    block = c[t - 1, n - 1] - c[t - 1, t - 1]        # sum over x[:t] x x[t:]
    right = (c[n - 1, n - 1] - 2 * block - 2 * left) / 2
    m, k = t.astype(float), (n - t).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        within_l = np.where(m > 1, left / (m * (m - 1) / 2), 0.0)
        within_r = np.where(k > 1, right / (k * (k - 1) / 2), 0.0)
        q = m * k / n * (2 * block / (m * k) - within_l - within_r)
    return np.asarray(q, dtype=np.float64)


def q_stat(xs: Sequence[float], t: int) -> float:
    """E-Divisive's Q(t) for the split xs[:t] | xs[t:]."""
    return float(q_all(xs)[t - 1])


def best_split(xs: Sequence[float] | Vec, min_size: int) -> tuple[int, float] | None:
    """(t, Q(t)) maximizing Q with both sides at least min_size long, or None."""
    n = len(xs)
    if n < 2 * min_size:
        return None
    q = q_all(xs)[min_size - 1:n - min_size]
    i = int(np.argmax(q))
    return min_size + i, float(q[i])


class StatFn:
    """A statistic of a whole series."""

    def __call__(self, xs: Vec) -> float:
        raise NotImplementedError


class MaxQ(StatFn):
    def __init__(self, min_size: int) -> None:
        self.min_size = min_size

    def __call__(self, xs: Vec) -> float:
        b = best_split(xs, self.min_size)
        return b[1] if b else 0.0


class QAt(StatFn):
    def __init__(self, t: int) -> None:
        self.t = t

    def __call__(self, xs: Vec) -> float:
        return float(q_all(xs)[self.t - 1])


def permutation_p(xs: Sequence[float], observed: float, stat: StatFn, rng: random.Random,
                  permutations: int) -> float:
    """The share of permutations whose statistic reaches the observed one (with it)."""
    gen = np.random.default_rng(rng.getrandbits(64))
    x = np.asarray(xs, dtype=float)
    hits = sum(stat(gen.permutation(x)) >= observed * (1 - 1e-12) for _ in range(permutations))
    return (hits + 1) / (permutations + 1)


def history_change_points(xs: Sequence[float], pvalue: float = PVALUE,
                          permutations: int = PERMUTATIONS, min_size: int = MIN_SIZE,
                          rng: random.Random | None = None) -> list[tuple[int, float]]:
    """[(index, p)] of the change points of xs, in order: E-Divisive by bisection, each
    split tested by permutation."""
    rng = rng or random.Random(1)
    found: list[tuple[int, float]] = []
    todo = [(0, len(xs))]
    while todo:
        lo, hi = todo.pop()
        seg = xs[lo:hi]
        b = best_split(seg, min_size)
        if not b or b[1] <= 0:
            continue
        p = permutation_p(seg, b[1], MaxQ(min_size), rng, permutations)
        if p < pvalue:
            found.append((lo + b[0], p))
            todo += [(lo, lo + b[0]), (lo + b[0], hi)]
    return sorted(found)


def newest_p(segment: Sequence[float], x: float) -> float:
    """Two-sided p of x as one more draw from segment's level: Student t prediction test."""
    m = len(segment)
    mu = sum(segment) / m
    sd = math.sqrt(sum((v - mu) ** 2 for v in segment) / (m - 1))
    if sd == 0:
        return 1.0 if x == mu else 0.0
    from scipy.stats import t as student_t
    t = abs(x - mu) / (sd * math.sqrt(1 + 1 / m))
    return float(2 * student_t.sf(t, m - 1))


def change_points(xs: Sequence[float], pvalue: float = PVALUE,
                  permutations: int = PERMUTATIONS, min_size: int = MIN_SIZE,
                  rng: random.Random | None = None,
                  newest_level: float | None = None) -> list[tuple[int, float]]:
    """[(index, p)] of the change points of xs: those of the history before the newest
    point, then the newest point if it differs from the segment it would join at
    newest_level (default pvalue). See the module."""
    if len(xs) < 2:
        return []
    found = history_change_points(xs[:-1], pvalue, permutations, min_size, rng)
    seg = xs[found[-1][0] if found else 0:-1]
    if len(seg) >= min_size:
        p = newest_p(seg, xs[-1])
        if p < (pvalue if newest_level is None else newest_level):
            found.append((len(xs) - 1, p))
    return found


FAMILY_MIN = 5      # benchmarks a family needs in a run before its offset is estimated


def _slowness(metric: str, value: float) -> float:
    """log(value), sign-flipped for a throughput: larger is slower either way."""
    return -math.log(value) if direction(metric) == HIGHER else math.log(value)


def series(runs: Sequence[Run]) -> dict[str, tuple[str, dict[int, float]]]:
    """benchmark -> (metric, {run index: slowness}): each run's fastest repetition in the
    metric that decides the benchmark (its time, or its throughput counter for
    time-boxed runs)."""
    out: dict[str, tuple[str, dict[int, float]]] = {}
    for i, r in enumerate(runs):
        for name, b in r.benches.items():
            if not b.entries:
                continue
            metric = primary_throughput(b) if b.time_boxed() else "time"
            vals = [v for v in b.values(metric) if v > 0] if metric else []
            if metric is None or not vals or (name in out and out[name][0] != metric):
                continue    # nothing to judge by, or the benchmark changed kind
            out.setdefault(name, (metric, {}))[1][i] = min(_slowness(metric, v) for v in vals)
    return out


def family_offsets(ser: dict[str, tuple[str, dict[int, float]]]) -> dict[str, dict[int, float]]:
    """family -> {run index: offset}: the median, over the family's benchmarks in that run,
    of their slowness above their own mean. Load on the machine moves a whole family at
    once; a change of one code path moves one benchmark."""
    devs: dict[tuple[str, int], list[float]] = {}
    for name, (_, byrun) in ser.items():
        mu = sum(byrun.values()) / len(byrun)
        for i, v in byrun.items():
            devs.setdefault((name.split("/", 1)[0], i), []).append(v - mu)
    out: dict[str, dict[int, float]] = {}
    for (fam, i), d in devs.items():
        if len(d) >= FAMILY_MIN:
            out.setdefault(fam, {})[i] = median(d)
    return out


SENSITIVITY_MAX = 2.0


def against_family(byrun: dict[int, float], offsets: dict[int, float]) -> list[tuple[int, float]]:
    """[(run index, slowness)] of one benchmark with its family's offsets taken off, each
    scaled by the benchmark's sensitivity to them (its least-squares slope on them, within
    [0, SENSITIVITY_MAX])."""
    pts = sorted(byrun.items())
    xs = [offsets.get(i, 0.0) for i, _ in pts]
    ys = [v for _, v in pts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else 0.0
    beta = min(max(slope, 0.0), SENSITIVITY_MAX)
    return [(i, y - beta * x) for (i, _), x, y in zip(pts, xs, ys)]


def _changes_of(label: str, metric: str, pts: list[tuple[int, float]], runs: Sequence[Run],
                pvalue: float, newest_level: float, permutations: int, min_size: int,
                seed: int) -> list[Change]:
    """The change points of one series of (run index, slowness)."""
    xs = [v for _, v in pts]
    if len(xs) < 2 * min_size:
        return []
    cps = change_points(xs, pvalue, permutations, min_size, random.Random(f"{seed}:{label}"),
                        newest_level)
    bounds = [0] + [at for at, _ in cps] + [len(xs)]
    higher = direction(metric) == HIGHER
    out = []
    for k, (at, p) in enumerate(cps):
        before = sum(xs[bounds[k]:at]) / (at - bounds[k])
        after = sum(xs[at:bounds[k + 2]]) / (bounds[k + 2] - at)
        # Back from slowness to the metric: a time's ratio, a throughput's inverse.
        ratio = math.exp(before - after) if higher else math.exp(after - before)
        run = runs[pts[at][0]]
        lvl = (lambda s: math.exp(-s)) if higher else math.exp
        out.append(Change(label, metric, pts[at][0], run.rev, run.date.isoformat(),
                          lvl(before), lvl(after), (ratio - 1) * 100, p, after > before))
    return out


def find_changes(runs: Sequence[Run], pvalue: float = PVALUE,
                 permutations: int = PERMUTATIONS, min_size: int = MIN_SIZE,
                 seed: int = 1, raw: bool = False) -> list[Change]:
    """Every change point over runs (oldest first): of each benchmark, measured against its
    family's offsets unless raw, and of each family's offset itself (as FAMILY/*, in
    relative time: its level is 1 at the history's mean). The newest run is judged at
    pvalue over the number of series (Bonferroni)."""
    ser = series(runs)
    offs = {} if raw else family_offsets(ser)
    newest_level = pvalue / max(1, len(ser) + len(offs))
    out: list[Change] = []
    for name, (metric, byrun) in sorted(ser.items()):
        pts = (sorted(byrun.items()) if raw
               else against_family(byrun, offs.get(name.split("/", 1)[0], {})))
        out += _changes_of(name, metric, pts, runs, pvalue, newest_level, permutations,
                           min_size, seed)
    for fam, byrun in sorted(offs.items()):
        out += _changes_of(f"{fam}/*", "time", sorted(byrun.items()), runs, pvalue,
                           newest_level, permutations, min_size, seed)
    return out


def format_change(c: Change) -> str:
    return f"CHANGE {c.benchmark} at {c.revision}: {c.pct:+.1f}% (p={c.pvalue:.3g})"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Find the revisions at which each benchmark's level changed over a "
        "history of results (E-Divisive means with a permutation test).",
        epilog="Exit status: 0 no change point at the newest run, 1 one at the newest run, "
        "2 bad input.")
    p.add_argument("inputs", nargs="+", help="a machine's results directory "
                   "(results/<fingerprint>/) or result files")
    p.add_argument("--suite", help="only results of this suite")
    p.add_argument("--json", metavar="FILE", help="also write the change points as JSON")
    p.add_argument("--pvalue", type=float, default=PVALUE,
                   help=f"significance level of a split (default {PVALUE})")
    p.add_argument("--permutations", type=int, default=PERMUTATIONS,
                   help=f"permutations per test (default {PERMUTATIONS})")
    p.add_argument("--min-size", type=int, default=MIN_SIZE,
                   help=f"shortest segment between change points, in runs (default {MIN_SIZE})")
    p.add_argument("--seed", type=int, default=1, help="seed of the permutations (default 1)")
    p.add_argument("--raw", action="store_true",
                   help="judge each benchmark's own values, not against its family's offset "
                   "in each run (and report no family lines)")
    return p


@dataclass(frozen=True)
class ChangepointsArgs:
    inputs: list[str]
    suite: str | None
    json: str | None
    pvalue: float
    permutations: int
    min_size: int
    seed: int
    raw: bool


def main(argv: list[str] | None = None) -> int:
    ns = parser().parse_args(argv)
    args = ChangepointsArgs(ns.inputs, ns.suite, ns.json, ns.pvalue, ns.permutations,
                            ns.min_size, ns.seed, ns.raw)
    if not 0 < args.pvalue < 1 or args.permutations < 1 or args.min_size < 1:
        die(PROG, "--pvalue must be in (0, 1), --permutations and "
            "--min-size at least 1")
    try:
        paths = expand_inputs(args.inputs)
        runs = [r for r in load_runs(paths) if not args.suite or r.suite == args.suite]
    except (OSError, ValueError, InputError) as e:
        die(PROG, e)
    if len(runs) < 2:
        die(PROG, f"need at least 2 results, got {len(runs)}"
            + (f" of suite {args.suite}" if args.suite else ""))
    changes = find_changes(runs, args.pvalue, args.permutations, args.min_size, args.seed,
                           args.raw)
    for c in changes:
        print(format_change(c))
    newest = [c for c in changes if c.at == len(runs) - 1]
    print(f"changepoints: {len(runs)} runs, {len(changes)} change points, "
          f"{len(newest)} at the newest run ({runs[-1].rev})", file=sys.stderr)
    if args.json:
        doc = {"runs": [{"path": r.path, "revision": r.rev, "date": r.date.isoformat()}
                        for r in runs],
               "changes": [asdict(c) for c in changes],
               "at_newest_run": len(newest)}
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, args.json)
    return EXIT_FAIL if newest else EXIT_OK


def run() -> NoReturn:
    entry_point(main)


if __name__ == "__main__":
    run()
