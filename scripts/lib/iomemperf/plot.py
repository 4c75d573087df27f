# SPDX-License-Identifier: MIT
"""scripts/plot: gnuplot figures (PNG and SVG) of results: throughput vs threads, latency
percentile curves, time vs tree size, the distribution over the repetitions of every
benchmark none of those draws, and history across revisions."""
import argparse
import json
import math
import os
import re
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import NoReturn, TextIO, TypedDict

from .common import EXIT_OK, EXIT_USAGE, InputError, entry_point, tool_name
from .compare import gated_metrics
from .metrics import (HIGHER, Bench, direction, parse_name, percentiles, primary_throughput,
                      thread_count)
from .runs import Run, expand_inputs, latest_benches, load_runs
from .verdict import Options

PROG = tool_name("plot")

GNUPLOT = "gnuplot"
SIZE = (900, 540)

# A point of a series: (x, median, min, max); the y values None where there is no data.
Point = tuple[float, float | None, float | None, float | None]


class Figure(TypedDict):
    """A plot as plots.json lists it."""
    id: str
    title: str
    kind: str
    png: str
    svg: str
    data: str
    description: str
    series: list[str]
    benchmarks: list[str]
    marks: list["MarkDict"]


class MarkDict(TypedDict):
    """A change point marked on a figure, as plots.json lists it."""
    benchmark: str
    at: int
    revision: str
    pct: float


@dataclass(frozen=True)
class HistoryMark:
    """A change point to mark on the history figures: the level of `benchmark` (or of a
    whole family, `FAMILY/*`) moved at runs[at], by pct percent (scripts/changepoints)."""
    benchmark: str
    at: int
    pct: float
    revision: str

    def as_dict(self) -> MarkDict:
        return {"benchmark": self.benchmark, "at": self.at, "revision": self.revision,
                "pct": self.pct}


MARK_COLOUR = "#d62728"
CHANGE_SERIES = "change points"


def slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", s).strip("-") or "x"


def gp_str(s: object) -> str:
    return "'" + str(s).replace("'", "''") + "'"


@dataclass(eq=False)
class Plot:
    """One figure: its series, axes and how gnuplot draws it."""
    id: str
    title: str
    kind: str
    xlabel: str
    ylabel: str
    description: str = ""
    series: list[tuple[str, list[Point]]] = field(default_factory=list)
    logx: bool = False
    logy: bool = False
    xtics: list[tuple[str, float]] | None = None        # [(label, x)]
    xrange: tuple[float, float] | None = None
    yrange: tuple[float, float] | None = None
    style: str = "yerrorlines"      # or "yerrorbars": points with bars, nothing joined
    # The benchmarks whose deciding metric (time, or throughput) the figure draws.
    covers: set[str] = field(default_factory=set)
    # Change points: drawn as points (the CHANGE_SERIES series) labelled with their
    # change, and a dotted vertical line at each run where a whole family moved.
    marks: list[HistoryMark] = field(default_factory=list)
    labels: list[tuple[float, float, str]] = field(default_factory=list)    # (x, y, text)
    vlines: list[float] = field(default_factory=list)

    def add(self, title: str, points: Iterable[Point]) -> None:
        pts = sorted(p for p in points if p[1] is not None)
        if pts:
            self.series.append((title, pts))

    def script(self, dat: str, png: str, svg: str) -> str:
        lines = [
            f"set terminal pngcairo size {SIZE[0]},{SIZE[1]} noenhanced font 'DejaVu Sans,10'",
            f"set output {gp_str(png)}",
            f"set title {gp_str(self.title)}",
            f"set xlabel {gp_str(self.xlabel)}",
            f"set ylabel {gp_str(self.ylabel)}",
            "set grid",
            "set key outside right top",
            "set datafile separator '\\t'",
            "set bars small",
            "set format y '%.3g'",
        ]
        if self.logx:
            lines.append("set logscale x")
        if self.logy:
            lines.append("set logscale y")
        if self.xtics:
            lines.append("set xtics (" + ", ".join(f"{gp_str(lab)} {x}"
                                                   for lab, x in self.xtics) + ")")
            if any(len(lab) > 6 for lab, _ in self.xtics) and len(self.xtics) > 3:
                lines.append("set xtics rotate by -30")
        else:
            xs = sorted({p[0] for _, pts in self.series for p in pts})
            if xs and len(xs) <= 8 and all(float(x).is_integer() for x in xs):
                lines.append("set xtics (" + ", ".join(f"'{x:g}' {x}" for x in xs) + ")")
        xs = [p[0] for _, pts in self.series for p in pts]
        if self.xrange:
            lines.append(f"set xrange [{self.xrange[0]}:{self.xrange[1]}]")
        elif xs and min(xs) == max(xs):
            pad = abs(xs[0]) * 0.5 or 1
            lines.append(f"set xrange [{xs[0] - pad}:{xs[0] + pad}]")
        elif xs and self.logx and min(xs) > 0:
            lines.append(f"set xrange [{min(xs) / 2}:{max(xs) * 2}]")
        elif xs and not self.logx:
            span = max(xs) - min(xs)
            lines.append(f"set xrange [{min(xs) - span * 0.05}:{max(xs) + span * 0.05}]")
        if self.yrange:
            lines.append(f"set yrange [{self.yrange[0]}:{self.yrange[1]}]")
        for x in self.vlines:
            lines.append(f"set arrow from {x}, graph 0 to {x}, graph 1 nohead dt 3 lw 1.5 "
                         f"lc rgb '{MARK_COLOUR}'")
        for x, y, text in self.labels:
            lines.append(f"set label {gp_str(text)} at {x}, {y} offset 0.8, 0.8 "
                         f"font ',9' tc rgb '{MARK_COLOUR}'")
        # One colour per backend/lock (the title's first word), one dash and point type per
        # rest of the configuration (writer:1...): the same backend reads as one family.
        firsts, rests = [], []
        for title, _ in self.series:
            if title == CHANGE_SERIES:
                continue
            head, _, rest = title.partition(" ")
            firsts += [head] if head not in firsts else []
            rests += [rest] if rest not in rests else []
        plots = []
        for i, (title, _) in enumerate(self.series):
            if title == CHANGE_SERIES:
                plots.append(f"{gp_str(dat)} index {i} using 1:2 with points pt 6 ps 2.2 "
                             f"lw 2 lc rgb '{MARK_COLOUR}' title {gp_str(title)}")
                continue
            head, _, rest = title.partition(" ")
            c, d = firsts.index(head) + 1, rests.index(rest)
            style = f"lc {c} dt {d + 1} pt {(7, 5, 9, 11, 13)[d % 5]}"
            plots.append(f"{gp_str(dat)} index {i} using 1:2:3:4 with {self.style} "
                         f"lw 2 {style} ps 0.8 title {gp_str(title)}")
        lines.append("plot " + ", \\\n     ".join(plots))
        lines += [f"set terminal svg size {SIZE[0]},{SIZE[1]} fixed noenhanced "
                  "font 'DejaVu Sans,10'", f"set output {gp_str(svg)}", "replot",
                  "set output"]
        return "\n".join(lines) + "\n"

    def data(self) -> str:
        blocks = []
        for title, pts in self.series:
            rows = [f"# {title}"] + ["\t".join(f"{v:.9g}" for v in p) for p in pts]
            blocks.append("\n".join(rows))
        return "\n\n\n".join(blocks) + "\n"

    def render(self, out: str) -> Figure:
        os.makedirs(os.path.join(out, "data"), exist_ok=True)
        dat = os.path.join(out, "data", f"{self.id}.dat")
        gp = os.path.join(out, "data", f"{self.id}.gp")
        png = os.path.join(out, f"{self.id}.png")
        svg = os.path.join(out, f"{self.id}.svg")
        with open(dat, "w", encoding="utf-8") as f:
            f.write(self.data())
        with open(gp, "w", encoding="utf-8") as f:
            # Paths relative to the output directory: the scripts replay from there.
            f.write(self.script(os.path.relpath(dat, out), os.path.basename(png),
                                os.path.basename(svg)))
        r = subprocess.run([GNUPLOT, os.path.relpath(gp, out)], capture_output=True,
                           text=True, cwd=out)
        if r.returncode != 0:
            raise RuntimeError(f"gnuplot failed on {gp}: {r.stderr.strip()}")
        return {"id": self.id, "title": self.title, "kind": self.kind,
                "png": os.path.basename(png), "svg": os.path.basename(svg),
                "data": os.path.join("data", os.path.basename(dat)),
                "description": self.description,
                "series": [t for t, _ in self.series],
                "benchmarks": sorted(self.covers),
                "marks": [m.as_dict() for m in self.marks]}


def spread(vals: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    if not vals:
        return None, None, None
    return median(vals), min(vals), max(vals)


def pretty_counter(c: str) -> str:
    return {"reads_per_s": "reads/s (all readers)", "ops_per_s": "acquisitions/s",
            "ops_per_second": "ops/s", "items_per_second": "ops/s (per CPU second)"}.get(c, c)


Latest = dict[str, tuple[Bench, Run]]
Group = list[tuple[Bench, Run, dict[str, str]]]


def _groups(latest: Latest, want: Callable[[Bench, dict[str, str]], bool]
            ) -> OrderedDict[tuple[str, str], Group]:
    """Benchmarks grouped for one kind of plot: {(family, subgroup): [(bench, run, dims)]}."""
    groups: OrderedDict[tuple[str, str], Group] = OrderedDict()
    for name, (b, run) in sorted(latest.items()):
        fam, dims, path = parse_name(name, run.backends, run.locks)
        if not want(b, dims):
            continue
        groups.setdefault((fam, "/".join(path)), []).append((b, run, dims))
    return groups


def throughput_plots(latest: Latest) -> list[Plot]:
    plots: list[Plot] = []
    groups = _groups(latest, lambda b, d: thread_count(d) is not None and
                     primary_throughput(b) is not None)
    for (fam, sub), items in groups.items():
        xdim = "threads" if any("threads" in d for _, _, d in items) else "readers"
        counter = primary_throughput(items[0][0])
        assert counter is not None          # the groups were chosen for having one
        series: OrderedDict[str, list[Point]] = OrderedDict()
        drawn: set[str] = set()
        for b, _, dims in items:
            key = " ".join(f"{k}:{v}" if k not in ("backend", "lock") else v
                           for k, v in sorted(dims.items(), key=lambda kv: (
                               kv[0] not in ("backend", "lock"), kv[0]))
                           if k != xdim)
            try:
                x = float(dims.get(xdim, "0"))
            except ValueError:
                continue
            series.setdefault(key or fam, []).append((x, *spread(b.values(counter))))
            if b.values(counter):
                drawn.add(b.name)
        if not any(len(p) > 1 for p in series.values()) and len(series) < 2:
            continue
        title = f"{fam}{'/' + sub if sub else ''}: {pretty_counter(counter)} vs {xdim}"
        p = Plot(slug(f"throughput-{fam}{'-' + sub if sub else ''}"), title, "throughput",
                 "reader threads" if xdim == "readers" else "threads",
                 pretty_counter(counter),
                 "Median over the repetitions; bars span min to max.")
        for k, pts in series.items():
            p.add(k, pts)
        p.covers = drawn
        ys = [pt[1] for _, pts in p.series for pt in pts if pt[1]]
        p.logy = bool(ys) and min(ys) > 0 and max(ys) / min(ys) > 30
        plots.append(p)
    return plots


def NINES(pct: float) -> float:
    """The x of a percentile on a latency plot: its number of nines (p99 -> 2)."""
    return -math.log10(1 - pct / 100) if pct < 100 else 4.0


def latency_plots(latest: Latest) -> list[Plot]:
    plots: list[Plot] = []
    groups: OrderedDict[tuple[str, str], list[tuple[str, Bench, list[tuple[float, str]]]]] = \
        OrderedDict()
    for name, (b, run) in sorted(latest.items()):
        pc = percentiles(b)
        if len(pc) < 2:
            continue
        fam, dims, path = parse_name(name, run.backends, run.locks)
        cfg = [f"{k}:{v}" for k, v in sorted(dims.items()) if k not in ("backend", "lock")]
        key = (fam, "/".join(path + cfg))
        series = " ".join(v for k, v in sorted(dims.items()) if k in ("backend", "lock")) \
            or name
        groups.setdefault(key, []).append((series, b, pc))
    for (fam, config), items in groups.items():
        title = f"{fam} {config}: latency percentiles".replace("  ", " ")
        p = Plot(slug(f"latency-{fam}-{config}"), title, "latency", "percentile",
                 "latency (ns)", "Per-operation latency percentiles (median over the "
                 "repetitions; bars span min to max).")
        ticks: dict[float, str] = {}
        for series, b, pc in items:
            pts: list[Point] = []
            for pct, c in pc:
                x = NINES(pct)
                ticks[x] = f"p{pct:g}"
                scale = {"_us": 1e3, "_ms": 1e6}.get(c[-3:], 1)
                med, lo, hi = (v * scale if v is not None else None
                               for v in spread(b.values(c)))
                pts.append((x, med, lo, hi))
            p.add(series, pts)
        p.xtics = sorted(((lab, x) for x, lab in ticks.items()), key=lambda t: t[1])
        p.logy = True
        plots.append(p)
    return plots


def scaling_plots(latest: Latest) -> list[Plot]:
    plots: list[Plot] = []
    groups = _groups(latest, lambda b, d: "n" in d and not b.time_boxed())
    for (fam, sub), items in groups.items():
        series: OrderedDict[str, list[Point]] = OrderedDict()
        drawn: set[str] = set()
        for b, _, dims in items:
            if thread_count(dims) not in (None, 1):
                continue
            key = " ".join(v for k, v in sorted(dims.items()) if k in ("backend", "lock")) \
                or fam
            try:
                n = float(dims["n"])
            except ValueError:
                continue
            series.setdefault(key, []).append((n, *spread(b.values("time"))))
            drawn.add(b.name)
        if not any(len(v) > 1 for v in series.values()):
            continue
        field = items[0][0].time_field()
        p = Plot(slug(f"scaling-{fam}-{sub}"), f"{fam}/{sub}: time per op vs tree size",
                 "scaling", "regions in the tree (n)",
                 f"{'CPU' if field == 'cpu_time' else 'wall'} time per op (ns)",
                 "Median over the repetitions; bars span min to max.")
        for k, pts in series.items():
            p.add(k, pts)
        p.covers = drawn
        p.logx = p.logy = True
        plots.append(p)
    return plots


DISTRIBUTION_MAX = 12     # benchmarks side by side in one distribution figure
HISTORY_LINES = 12        # benchmarks drawn in one family's history figure
JITTER = (-0.3, 0.05)     # where a benchmark's repetitions are spread, around its x
MEDIAN_DX = 0.2           # and where its median is drawn, beside them


def metric_axis(b: Bench, metric: str) -> str:
    """The y label of a benchmark's metric."""
    if metric == "time":
        return f"{'CPU' if b.time_field() == 'cpu_time' else 'wall'} time per op (ns)"
    return pretty_counter(metric)


def distribution_plots(latest: Latest, covered: set[str]) -> list[Plot]:
    """The benchmarks no other current figure draws, having no size or thread axis to be
    drawn along (one benchmark alone, or several unrelated ones): each repetition of the
    metrics that decide them (compare's gated metrics: the time, or for a time-boxed run
    its throughput), side by side per family and metric, with the median and min-max."""
    groups: OrderedDict[tuple[str, str], list[Bench]] = OrderedDict()
    for name, (b, _) in sorted(latest.items()):
        if name in covered:
            continue
        for metric in sorted(gated_metrics(b, b.counter_names(), Options())):
            if b.values(metric):
                groups.setdefault((name.split("/", 1)[0], metric), []).append(b)
    plots: list[Plot] = []
    for (fam, metric), benches in groups.items():
        chunks = [benches[i:i + DISTRIBUTION_MAX]
                  for i in range(0, len(benches), DISTRIBUTION_MAX)]
        for k, chunk in enumerate(chunks):
            part = f" ({k + 1} of {len(chunks)})" if len(chunks) > 1 else ""
            label = "time" if metric == "time" else pretty_counter(metric)
            p = Plot(slug(f"distribution-{fam}-{metric}" + (f"-{k + 1}" if part else "")),
                     f"{fam}: {label} over the repetitions{part}", "distribution",
                     "benchmark", metric_axis(chunk[0], metric),
                     "Every repetition (points, spread sideways), and the median with a bar "
                     "from min to max.", style="yerrorbars")
            reps: list[Point] = []
            meds: list[Point] = []
            ticks: list[tuple[str, float]] = []
            for x, b in enumerate(chunk, 1):
                vals = b.values(metric)
                n = len(vals)
                lo, hi = JITTER
                reps += [(x + lo + (hi - lo) * i / (n - 1) if n > 1 else x, v, v, v)
                         for i, v in enumerate(vals)]
                meds.append((x + MEDIAN_DX, *spread(vals)))
                ticks.append((b.name.split("/", 1)[1] if "/" in b.name else b.name, x))
                p.covers.add(b.name)
            p.add("repetitions", reps)
            p.add("median", meds)
            p.xtics = ticks
            p.xrange = (0.5, len(chunk) + 0.5)
            ys = [m[1] for m in meds if m[1] is not None]
            lows = [v for _, _, v, _ in meds if v is not None]
            p.logy = bool(ys) and min(lows) > 0 and max(ys) / min(ys) > 30
            plots.append(p)
    return plots


def mark(p: Plot, m: HistoryMark, y: float) -> None:
    """A change point on p, at its run and at y on its line."""
    p.marks.append(m)
    p.labels.append((m.at, y, f"{m.pct:+.1f}%"))
    pts = next((pts for t, pts in p.series if t == CHANGE_SERIES), None)
    if pts is None:
        pts = []
        p.series.append((CHANGE_SERIES, pts))
    pts.append((m.at, y, y, y))


def history_plots(runs: list[Run], marks: Sequence[HistoryMark] = ()) -> list[Plot]:
    """Relative time per family across runs (lower is better): geometric mean over the
    family's benchmarks of each run's median over the first run's; throughput-judged
    benchmarks enter as inverse throughput. marks (change points, `at` an index into
    runs) are marked: a family's (FAMILY/*) on its line of the overview and by a vertical
    line on its own figure, a benchmark's on its line of its family's figure, which draws
    the benchmarks with a change point first."""
    if len({r.path for r in runs}) < 2:
        return []
    fams: OrderedDict[str, dict[str, dict[str, float]]] = OrderedDict()
    for r in runs:
        for name, b in r.benches.items():
            if not b.entries:
                continue
            fam = name.split("/", 1)[0]
            metric = primary_throughput(b) if b.time_boxed() else "time"
            if metric is None:
                continue
            v = median(b.values(metric)) if b.values(metric) else None
            if not v:
                continue
            rel = 1 / v if direction(metric) == HIGHER else v
            fams.setdefault(fam, {}).setdefault(name, {})[r.path] = rel
    ticks: list[tuple[str, float]] = [(r.label, i) for i, r in enumerate(runs)]
    p = Plot("history", "history: relative time per family (first run = 1, lower is better)",
             "history", "run (revision, date)", "relative time (geometric mean)",
             "Each point: the geometric mean over the family's benchmarks of the median "
             "time (or inverse throughput for time-boxed runs) relative to the earliest run "
             "that has the benchmark.")
    out = [p]
    for fam, per in fams.items():
        pts: list[Point] = []
        for i, r in enumerate(runs):
            logs = []
            for name, vals in per.items():
                base = next((vals[x.path] for x in runs if x.path in vals), None)
                if r.path in vals and base:
                    logs.append(math.log(vals[r.path] / base))
            if logs:
                g = math.exp(sum(logs) / len(logs))
                pts.append((i, g, g, g))
        fam_marks = [m for m in marks if m.benchmark == f"{fam}/*"]
        if len(pts) > 1:
            p.add(fam, pts)
            level = {int(x): y for x, y, _, _ in pts if y is not None}
            for m in fam_marks:
                if m.at in level:
                    mark(p, m, level[m.at])
        # Per family: one line per benchmark (at most 12: those with a change point, then
        # the ones that moved most).
        fp = Plot(slug(f"history-{fam}"), f"history: {fam} (relative time, first run = 1)",
                  "history", "run (revision, date)", "relative time",
                  "Median time (or inverse throughput) relative to the earliest run." +
                  (" Circled: change points (scripts/changepoints), with the change of "
                   "the benchmark's level; dotted lines: runs where the whole family "
                   "moved." if marks else ""))
        moved: list[tuple[bool, float, str, list[Point]]] = []
        changed = {m.benchmark for m in marks}
        for name, vals in per.items():
            base = next((vals[x.path] for x in runs if x.path in vals), None)
            assert base is not None             # every benchmark here is in some run
            ratios = [(i, vals[r.path] / base) for i, r in enumerate(runs) if r.path in vals]
            if len(ratios) > 1:
                moved.append((name in changed, max(abs(math.log(v)) for _, v in ratios),
                              name, [(i, v, v, v) for i, v in ratios]))
        moved.sort(reverse=True)
        for _, _, name, bpts in moved[:HISTORY_LINES]:
            fp.add(name.split("/", 1)[1] if "/" in name else name, bpts)
            fp.covers.add(name)
        for _, _, name, bpts in moved[:HISTORY_LINES]:
            level = {int(x): y for x, y, _, _ in bpts if y is not None}
            for m in marks:
                if m.benchmark == name and m.at in level:
                    mark(fp, m, level[m.at])
        for m in fam_marks:
            fp.marks.append(m)
            fp.vlines.append(m.at)
        fp.xtics = ticks
        if fp.series:
            out.append(fp)
    p.xtics = ticks
    return [q for q in out if q.series]


# The kinds of figure, in the order they are made and listed.
KINDS = ("throughput", "latency", "scaling", "distribution", "history")


def make_plots(runs: list[Run], out: str, log: TextIO | None = sys.stderr,
               marks: Sequence[HistoryMark] = ()) -> list[Figure]:
    """Every figure of runs (ordered by date) into out, with plots.json; marks are change
    points to mark on the history figures (see history_plots)."""
    latest = latest_benches(runs)
    along = throughput_plots(latest) + scaling_plots(latest)
    covered = {n for p in along for n in p.covers}
    plots = (along + latency_plots(latest) + distribution_plots(latest, covered) +
             history_plots(runs, marks))
    plots.sort(key=lambda p: KINDS.index(p.kind))
    os.makedirs(out, exist_ok=True)
    manifest = []
    for p in plots:
        manifest.append(p.render(out))
    with open(os.path.join(out, "plots.json"), "w", encoding="utf-8") as f:
        json.dump({"inputs": [r.path for r in runs], "plots": manifest}, f, indent=1)
    if log:
        kinds: OrderedDict[str, int] = OrderedDict()
        for m in manifest:
            kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
        print(f"plot: {len(manifest)} plots (" + ", ".join(f"{v} {k}" for k, v in
                                                          kinds.items()) +
              f") in {out}, PNG and SVG", file=log)
        if len(runs) < 2:
            print("plot: one result: no history plot (give several results for trends)",
                  file=log)
    return manifest


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Plot Google Benchmark JSON results with gnuplot, as PNG and SVG: "
        "throughput vs threads per backend/lock, latency percentile curves, time per op vs "
        "tree size, the distribution over the repetitions of every benchmark none of those "
        "draws (no size or thread axis: one benchmark, or several unrelated ones), and "
        "history trends across the given results (ordered by date). Current figures use "
        "each benchmark's latest result. Writes plots.json, a manifest.",
        epilog="Exit status: 0 done, 2 bad options or input (nothing to plot included).")
    p.add_argument("results", nargs="+", metavar="RESULTS",
                   help="result files, or directories (all *.json in them, recursively)")
    p.add_argument("--out", required=True, metavar="DIR", help="where the figures go")
    return p


@dataclass
class PlotArgs:
    """scripts/plot's command line (the fields are parser()'s destinations)."""
    results: list[str]
    out: str


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = PlotArgs(**vars(p.parse_args(argv)))
    paths = expand_inputs(args.results)
    if not paths:
        p.print_usage(sys.stderr)
        print(f"{PROG}: error: no result files", file=sys.stderr)
        return EXIT_USAGE
    try:
        runs = load_runs(paths)
    except InputError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    if not latest_benches(runs):
        print(f"{PROG}: error: nothing to plot: no benchmark in "
              f"{', '.join(args.results)} has a repetition that ran (empty, or every run "
              "failed)", file=sys.stderr)
        return EXIT_USAGE
    if not make_plots(runs, args.out):
        print(f"{PROG}: error: nothing to plot: no benchmark has a value of the "
              "metric that decides it", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def run() -> NoReturn:
    entry_point(main)


if __name__ == "__main__":
    run()
