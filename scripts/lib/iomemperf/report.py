# SPDX-License-Identifier: MIT
"""scripts/report: a static HTML report (plots + tables) of results."""
import argparse
import html
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import NoReturn, TextIO

from . import changepoints, stats
from .common import EXIT_OK, EXIT_USAGE, InputError, entry_point, load_json, tool_name
from .compare import compare_docs, drift_from_history, machine_check, summary_lines
from .fingerprint import FINGERPRINT_KEYS, same_machine
from .metrics import INFO, direction, primary_throughput
from .plot import HistoryMark, Latest, make_plots
from .runs import Run, expand_inputs, latest_benches, load_runs
from .verdict import Options, Verdict, fmt_pct, fmt_value

PROG = tool_name("report")

E = html.escape

CSS = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 2em auto; max-width: 1400px;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; }
th { background: #f3f3f3; } td.name, th.name { text-align: left; font-family: monospace; }
tr.regression td { background: #fde2e2; } tr.improved td { background: #e2f5e2; }
tr.error td { background: #f8c8c8; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; }
figure.plot { margin: 0; flex: 1 1 640px; max-width: 900px; }
figure.plot img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .85em; color: #555; }
#img-check { font-size: .8em; color: #777; }
pre { background: #f7f7f7; padding: .6em; overflow-x: auto; font-size: .85em; }
"""

CHECK_JS = """
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('figure.plot img'));
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var el = document.getElementById('img-check');
  el.setAttribute('data-loaded', String(ok));
  el.setAttribute('data-total', String(imgs.length));
  el.textContent = 'plots loaded: ' + ok + ' of ' + imgs.length;
});
"""

# The class of a comparison table row, by verdict.
ROW_CLASS = {Verdict.REGRESSION: "regression", Verdict.IMPROVED: "improved",
             Verdict.ERROR: "error"}

SECTIONS = [("throughput", "Throughput vs threads"), ("latency", "Latency percentiles"),
            ("scaling", "Time per operation vs tree size"),
            ("distribution", "Distributions over the repetitions"), ("history", "History")]


def table(tid: str, head: Sequence[str], rows: Sequence[Sequence[object]],
          classes: Sequence[str] | None = None) -> str:
    out = [f'<table id="{tid}"><thead><tr>']
    out += [f'<th class="name">{E(h)}</th>' if i == 0 else f"<th>{E(h)}</th>"
            for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for k, r in enumerate(rows):
        cls = f' class="{classes[k]}"' if classes and classes[k] else ""
        out.append(f"<tr{cls}>" + "".join(
            f'<td class="name">{E(str(c))}</td>' if i == 0 else f"<td>{E(str(c))}</td>"
            for i, c in enumerate(r)) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def results_rows(latest: Latest) -> list[list[object]]:
    rows: list[list[object]] = []
    for name, (b, run) in sorted(latest.items()):
        metric = primary_throughput(b) if b.time_boxed() else "time"
        if metric is None:
            metric = "time"
        vals = b.values(metric)
        cv = stats.robust_cv(vals)
        label = f"time ({b.time_field().split('_')[0]})" if metric == "time" else metric
        extra = []
        for c in b.counter_names():
            if c == metric or direction(c) == INFO or "per_reader" in c:
                continue
            v = b.values(c)
            if v:
                extra.append(f"{c}={fmt_value(median(v), c)}")
        rows.append([name, b.reps, label, fmt_value(median(vals), metric) if vals else "-",
                     "-" if cv is None else f"{100 * cv:.1f}%",
                     fmt_value(min(vals), metric) if vals else "-",
                     fmt_value(max(vals), metric) if vals else "-",
                     " ".join(extra[:5]), run.rev])
    return rows


def comparison_html(base: Run, cont: Run, threshold: float, alpha: float,
                    history: Sequence[Run] = ()) -> str:
    opts = Options(threshold=threshold / 100, alpha=alpha)
    same, mdesc = machine_check(base.ctx, cont.ctx)
    if not same:
        return (f'<section id="comparison"><h2>Comparison</h2><p>Not compared: {E(mdesc)}.'
                "</p></section>")
    paired = bool(base.ctx.get("ab_run_id")) and \
        base.ctx.get("ab_run_id") == cont.ctx.get("ab_run_id")
    hist = [base.doc] + [r.doc for r in history if r.path not in (base.path, cont.path) and
                         r.suite == cont.suite and not r.ctx.get("ab_run_id") and
                         same_machine(r.ctx, cont.ctx)]
    drift = drift_from_history(hist, opts) if not paired and len(hist) >= 3 else None
    results = compare_docs(base.doc, cont.doc, opts, drift, paired)
    rows: list[list[object]] = []
    classes: list[str] = []
    for r in results:
        gated = [m for m in r["metrics"] if m["gated"]]
        m = next((m for m in gated if m["verdict"] == r["verdict"]), gated[0] if gated else None)
        if m is None:
            rows.append([r["name"], "", "", "", "", "", "", r["verdict"]])
        else:
            ci = "-" if m["ci"][0] is None else f"[{fmt_pct(m['ci'][0])}, {fmt_pct(m['ci'][1])}]"
            mp = m["p"]
            rows.append([r["name"], m["label"], fmt_value(m["baseline"], m["metric"]),
                         fmt_value(m["contender"], m["metric"]), fmt_pct(m["change"]), ci,
                         "-" if mp is None else f"{mp:.3f}",
                         r["verdict"] + (f": {r['why']}" if r.get("why") and
                                         r["verdict"] == Verdict.ERROR else "")])
        classes.append(ROW_CLASS.get(r["verdict"], ""))
    lines = summary_lines(results, opts)
    if paired:
        lines.insert(0, "paired: the two sides of one interleaved scripts/ab run")
    elif drift is not None:
        lines.insert(0, f"between-run drift allowance measured over {len(hist)} runs of suite "
                        f"{cont.suite}")
    return (f'<section id="comparison"><h2>Comparison: {E(cont.label)} against '
            f'{E(base.label)}</h2>'
            f"<p>Baseline <code>{E(base.path)}</code>, contender <code>{E(cont.path)}</code>; "
            f"threshold {threshold:g}%, alpha {alpha:g} (scripts/compare; the metric shown is "
            "the one that decided the verdict).</p>"
            f"<pre>{E(chr(10).join(lines))}</pre>" +
            table("comparison-table", ["benchmark", "metric", "baseline", "contender",
                                       "change", "CI", "p", "verdict"], rows, classes) +
            "</section>")


def history_changes(runs: Sequence[Run]) -> tuple[list[tuple[int, changepoints.Change]],
                                                   list[str]]:
    """([(index into runs, change)], notes): the change points scripts/changepoints finds
    (with its defaults) over each machine's runs of one suite, and what was not searched."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(runs):
        fp = str(r.ctx.get("machine_fingerprint") or r.ctx.get("host_name") or "?")
        groups.setdefault((fp, r.suite), []).append(i)
    found: list[tuple[int, changepoints.Change]] = []
    notes: list[str] = []
    need = 2 * changepoints.MIN_SIZE
    for (fp, suite), idx in groups.items():
        if len(idx) < need:
            if len(groups) > 1 or len(idx) > 1:
                notes.append(f"{len(idx)} run(s) of suite {suite or '?'} on {fp}: "
                             f"change points need {need}")
            continue
        found += [(idx[c.at], c) for c in changepoints.find_changes([runs[i] for i in idx])]
    found.sort(key=lambda ic: (ic[0], ic[1].benchmark))
    return found, notes


def changes_html(runs: Sequence[Run], changes: Sequence[tuple[int, changepoints.Change]],
                 notes: Sequence[str]) -> str:
    """The change points behind the marks of the history figures, as a table."""
    rows: list[list[object]] = []
    for i, c in changes:
        r = runs[i]
        rows.append([c.benchmark, r.rev, r.date.strftime("%Y-%m-%d %H:%M"), r.suite or "-",
                     f"{c.pct:+.1f}%", "slower" if c.worse else "faster",
                     f"{c.pvalue:.3g}", "yes" if i == len(runs) - 1 else ""])
    text = ("<p>Change points: the runs at which a benchmark's level moved (or a whole "
            "family's, as <code>FAMILY/*</code>), as <code>scripts/changepoints</code> finds "
            "them over each machine's runs of one suite (E-Divisive means with a permutation "
            "test; see docs/perf-tooling.md). They are circled on the history figures.</p>")
    if notes:
        text += "<ul>" + "".join(f"<li>{E(n)}</li>" for n in notes) + "</ul>"
    if not rows:
        return text + '<p id="changes-none">No change point.</p>'
    return text + table("changes-table", ["benchmark", "revision", "run date", "suite",
                                          "change", "direction", "p", "newest run"], rows)


def build_report(runs: list[Run], out: str, baseline: str | None = None,
                 threshold: float = 10.0, alpha: float = 0.05,
                 title: str = "iomembench performance report",
                 log: TextIO | None = sys.stderr, find_changes: bool = True) -> str:
    plot_dir = os.path.join(out, "plots")
    changes, change_notes = history_changes(runs) if find_changes and len(runs) > 1 \
        else ([], [])
    marks = [HistoryMark(c.benchmark, i, c.pct, runs[i].rev) for i, c in changes]
    manifest = make_plots(runs, plot_dir, log=log, marks=marks)
    latest_run = runs[-1]
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{E(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{E(title)}</h1>",
             f'<p id="img-check" data-loaded="0" data-total="{len(manifest)}">plots: '
             "not checked (JavaScript off)</p>"]
    # Runs and machine.
    rows: list[list[object]] = []
    for r in runs:
        la = r.ctx.get("load_avg_start") or r.ctx.get("load_avg") or []
        rows.append([os.path.basename(r.path), r.rev, r.suite or "-",
                     r.date.strftime("%Y-%m-%d %H:%M:%S UTC"),
                     len([b for b in r.benches.values() if b.entries]),
                     r.ctx.get("repetitions", "-"), r.ctx.get("duration_s", "-"),
                     f"{la[0]:.2f}" if la else "-",
                     r.ctx.get("machine_fingerprint", "-")])
    parts.append('<section id="runs"><h2>Runs</h2>' + table(
        "runs-table", ["result", "revision", "suite", "started", "benchmarks", "repetitions",
                       "duration (s)", "load", "machine"], rows) + "</section>")
    ctx = latest_run.ctx
    mrows = [[k, ctx.get(k, "-")] for k in ("machine_fingerprint", *FINGERPRINT_KEYS, "arch",
                                            "os", "build_type", "host_name")
             if k in ctx]
    if not mrows:
        mrows = [[k, ctx.get(k)] for k in ("host_name", "num_cpus", "mhz_per_cpu") if k in ctx]
    notes = (ctx.get("skipped") or []) + [f"failed: {f}" for f in ctx.get("failures") or []]
    parts.append('<section id="machine"><h2>Machine (latest run)</h2>' +
                 table("machine-table", ["key", "value"], mrows) +
                 ("<ul>" + "".join(f"<li>{E(n)}</li>" for n in notes) + "</ul>" if notes
                  else "") + "</section>")
    # Comparison.
    base = None
    if baseline:
        base = Run(baseline, load_json(baseline))
    else:
        same_suite = [r for r in runs[:-1] if r.suite == latest_run.suite and
                      same_machine(r.ctx, ctx)]
        base = same_suite[-1] if same_suite else None
    if base is not None:
        parts.append(comparison_html(base, latest_run, threshold, alpha, runs))
    # Plots.
    for kind, heading in SECTIONS:
        figs = [m for m in manifest if m["kind"] == kind]
        if not figs:
            continue
        parts.append(f'<section id="plots-{kind}"><h2>{E(heading)}</h2><div class="plots">')
        for m in figs:
            marked = "".join(
                f' <span class="mark">{E(k["benchmark"])} {k["pct"]:+.1f}% at '
                f'{E(k["revision"])}</span>;' for k in m["marks"])
            parts.append(
                f'<figure class="plot" id="plot-{E(m["id"])}"><img src="plots/{E(m["svg"])}" '
                f'alt="{E(m["title"])}"><figcaption>{E(m["title"])}. {E(m["description"])}'
                f'{" Change points:" + marked if marked else ""} '
                f'<a href="plots/{E(m["png"])}">PNG</a> <a href="plots/{E(m["svg"])}">SVG</a> '
                f'<a href="plots/{E(m["data"])}">data</a></figcaption></figure>')
        parts.append("</div>")
        if kind == "history" and find_changes:
            parts.append(changes_html(runs, changes, change_notes))
        parts.append("</section>")
    # Results.
    latest = latest_benches(runs)
    parts.append('<section id="results"><h2>Results (latest run of each benchmark)</h2>'
                 "<p>Median over the repetitions; noise is the robust coefficient of variation "
                 "(1.4826 MAD / median) of the repetitions. Time-boxed runs are shown by their "
                 "throughput.</p>" +
                 table("results-table", ["benchmark", "reps", "metric", "median", "noise",
                                         "min", "max", "counters (median)", "revision"],
                       results_rows(latest)) + "</section>")
    parts.append(f"<script>{CHECK_JS}</script></body></html>")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "index.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")
    if log:
        print(f"report: {path} ({len(manifest)} plots, {len(latest)} benchmarks"
              f"{', compared with ' + base.path if base else ''})", file=log)
    return path


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Write a static HTML report of results: runs, machine, a comparison of "
        "the latest run with a baseline (--baseline, else the previous run of the same suite "
        "on the same machine among the inputs), the plots of scripts/plot with the change "
        "points of scripts/changepoints marked on the history figures, and a table of "
        "every benchmark.",
        epilog="Exit status: 0 done, 2 bad options or input.")
    p.add_argument("results", nargs="+", metavar="RESULTS",
                   help="result files or directories (e.g. results/<fingerprint>)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="where index.html and plots/ go")
    p.add_argument("--baseline", metavar="FILE", help="compare the latest run with this")
    p.add_argument("--threshold", type=float, default=10.0, metavar="PCT")
    p.add_argument("--alpha", type=float, default=0.05, metavar="A")
    p.add_argument("--title", default="iomembench performance report")
    p.add_argument("--no-changepoints", action="store_true",
                   help="do not search the history for change points (each machine's runs "
                   "of a suite, 6 or more, as scripts/changepoints does), which runs a "
                   "permutation test per benchmark and per family")
    return p


@dataclass
class ReportArgs:
    """scripts/report's command line (the fields are parser()'s destinations)."""
    results: list[str]
    out: str
    baseline: str | None
    threshold: float
    alpha: float
    title: str
    no_changepoints: bool


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = ReportArgs(**vars(p.parse_args(argv)))
    paths = expand_inputs(args.results)
    if not paths:
        p.print_usage(sys.stderr)
        print(f"{PROG}: error: no result files", file=sys.stderr)
        return EXIT_USAGE
    try:
        runs = load_runs(paths)
        build_report(runs, args.out, args.baseline, args.threshold, args.alpha, args.title,
                     find_changes=not args.no_changepoints)
    except InputError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def run() -> NoReturn:
    entry_point(main)


if __name__ == "__main__":
    run()
