# SPDX-License-Identifier: MIT
"""scripts/compare: is the contender slower than the baseline, beyond the noise?"""
import argparse
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median
from typing import NoReturn, TextIO, TypedDict

from . import fingerprint, stats
from .common import (EXIT_FAIL, EXIT_OK, EXIT_USAGE, Doc, InputError, entry_point,
                     line_latency_of, load_json, tool_name)
from .mdsummary import Heading, render, write
from .metrics import HIGHER, INFO, LOWER, Bench, TimeMode, collect, direction, is_tail
from .runs import expand_inputs, is_result_name
from .verdict import (FAILING, RANK, BenchResult, Correction, MetricResult, Options, Verdict,
                      fmt_pct, fmt_value)

PROG = tool_name("compare")


# {benchmark: {metric: (SD of the log of each run's median, runs)}}
DriftTable = dict[str, dict[str, tuple[float, int]]]


# Counters derived from another metric of the same benchmark: shown, never gated.
DERIVED_RE = re.compile(r"^(items_per_second|bytes_per_second)$|_per_s(ec(ond)?)?_per_")


def gated_metrics(bench: Bench, counters: Iterable[str], opts: Options) -> set[str]:
    """Which metrics decide a benchmark's verdict. By default one measure of speed: its time,
    or for a time-boxed run (fixed wall time, one iteration) its throughput counters. With
    --gate-counters, every counter with a direction (tail latencies at the tail
    threshold)."""
    if opts.gate_counters:
        g = {c for c in counters if direction(c) != INFO}
        if not bench.time_boxed():
            g.add("time")
        return g
    if not bench.time_boxed():
        return {"time"}
    g = {c for c in counters if direction(c) == HIGHER and not DERIVED_RE.search(c)
         and c not in ("jain", "fairness")}
    if not g:       # one-shot runs judged by a cost counter (bytes per resource...)
        g = {c for c in counters if direction(c) == LOWER and not is_tail(c)}
    return g


PAIRED_MIN = 5      # pairs the paired test wants (trimming needs a few to trim)
PAIRED_TRIM = 0.2


def metric_result(metric: str, label: str, x: Bench, y: Bench, opts: Options, gated: bool,
                  thr: float, paired: bool = False, shift: float = 0.0) -> MetricResult:
    a, b = x.values(metric, opts.time_mode), y.values(metric, opts.time_mode)
    d = direction(metric)
    raw_b = median(b) if b else None
    if shift and d != INFO:
        # Judge the benchmark against its family: the family-wide shift taken out.
        f = math.exp(shift if d == HIGHER else -shift)
        b = [v * f for v in b]
    r: MetricResult = {
        "metric": metric, "label": label, "direction": d, "gated": gated,
        "n": [len(a), len(b)], "baseline": median(a) if a else None,
        "contender": raw_b,
        "noise": [stats.robust_cv(a), stats.robust_cv(b)], "threshold": thr,
        "paired": False, "normalized_by": math.expm1(shift) if shift and d != INFO else 0.0}
    if paired:
        ra, rb = x.values_by_rep(metric, opts.time_mode), y.values_by_rep(metric, opts.time_mode)
        keys = sorted(k for k in ra if k in rb)
        pa, pb = [ra[k] for k in keys], [rb[k] for k in keys]
        if len(keys) >= 3:
            (est, lo, hi, conf, p), se, df = stats.paired_trimmed_t_se(pa, pb, opts.alpha,
                                                                      PAIRED_TRIM)
            r["se_df"] = [se, df]
            r.update({"paired": True, "pairs": len(keys), "change": est, "ci": [lo, hi],
                      "confidence": conf, "p": p,
                      "p_mwu": stats.utest_pvalue(a, b) if a and b else None})
            if min(pa + pb) > 0:
                lr = [math.log(v / u) for u, v in zip(pa, pb)]
                r["pair_noise"] = stats.robust_cv([math.exp(v) for v in lr])
            return r
    hl_est, hl_lo, hl_hi, hl_conf = stats.hodges_lehmann(a, b, opts.alpha)
    r.update({"change": hl_est, "ci": [hl_lo, hl_hi], "confidence": hl_conf,
              "p": stats.utest_pvalue(a, b) if a and b else None})
    return r


def decide(r: MetricResult, level: float, significant: bool, opts: Options, m: int) -> None:
    """Sets r['verdict'] (and 'why') given whether the test (Mann-Whitney U, or the paired
    test) rejected at this level."""
    d, a_n, b_n = r["direction"], r["n"][0], r["n"][1]
    change = r["change"]
    if d == INFO or not a_n or not b_n or change is None:
        r["verdict"] = Verdict.INFO
        return
    if r.get("paired"):
        if r["pairs"] < PAIRED_MIN:
            r["verdict"] = Verdict.TOO_FEW_REPS
            r["why"] = (f"{r['pairs']} pairs of repetitions: the paired test needs at least "
                        f"{PAIRED_MIN}")
            return
    elif stats.min_pvalue(a_n, b_n) > level:
        need = stats.reps_needed(level)
        multi = f" (alpha {opts.alpha:g} Holm-corrected over {m} gated metrics: " \
                f"{level:.2g})" if level < opts.alpha else ""
        r["verdict"] = Verdict.TOO_FEW_REPS
        r["why"] = (f"{a_n} vs {b_n} repetitions: the U test cannot reach significance level "
                    f"{opts.alpha:g}{multi} with fewer than {need} repetitions per side")
        return
    bad = change if d == LOWER else -change
    thr = r["threshold"]
    if significant and bad > thr:
        r["verdict"] = Verdict.REGRESSION
    elif significant and -bad > thr:
        r["verdict"] = Verdict.IMPROVED
    elif significant:
        r["verdict"] = Verdict.WITHIN_THRESHOLD
    else:
        r["verdict"] = Verdict.SAME


DRIFT_Z = 2.5     # allowance = DRIFT_Z * sqrt(2) * between-run SD of log medians


def drift_from_history(docs: Sequence[Doc], opts: Options,
                       normalize: bool = False) -> DriftTable:
    """Between-run noise per benchmark and metric from earlier runs of the same suite on
    the same machine: {name: {metric: SD of the log of each run's median}}, for metrics
    with at least 3 runs. Two separate runs on a shared machine differ by more than their
    repetitions suggest (the load differs from run to run); this measures by how much."""
    per: dict[str, dict[str, dict[int, float]]] = {}
    for doc in docs:
        for name, b in collect(doc).items():
            if not b.entries:
                continue
            counters = b.counter_names()
            for metric in ["time", *counters]:
                if direction(metric) == INFO:
                    continue
                v = b.values(metric, opts.time_mode)
                if v and median(v) > 0:
                    per.setdefault(name, {}).setdefault(metric, {})[id(doc)] = \
                        math.log(median(v))
    order = [id(d) for d in docs]
    rows: dict[str, dict[str, list[float | None]]]
    if normalize:
        rows = _remove_run_offsets(per, order)
    else:
        rows = {n: {m: [v.get(k) for k in order] for m, v in ms.items()}
                for n, ms in per.items()}
    out: DriftTable = {}
    for name, mrows in rows.items():
        for metric, row in mrows.items():
            logs = [x for x in row if x is not None]
            if len(logs) >= 3:
                mu = sum(logs) / len(logs)
                sd = math.sqrt(sum((x - mu) ** 2 for x in logs) / (len(logs) - 1))
                out.setdefault(name, {})[metric] = (sd, len(logs))
    return out


def _slowness(metric: str, logv: float) -> float:
    return -logv if direction(metric) == HIGHER else logv


def _remove_run_offsets(per: dict[str, dict[str, dict[int, float]]],
                        order: list[int]) -> dict[str, dict[str, list[float | None]]]:
    """Each run's family-wide offset (median over the family's metrics of its deviation
    from their mean over runs, in the slower-is-positive sense) taken out, as compare does
    for the contender: {name: {metric: [log median per run or None]}}."""
    dev: dict[tuple[str, int], list[float]] = {}
    for name, ms in per.items():
        fam = name.split("/", 1)[0]
        for metric, byrun in ms.items():
            if len(byrun) < 2:
                continue
            mu = sum(byrun.values()) / len(byrun)
            for k, v in byrun.items():
                dev.setdefault((fam, k), []).append(_slowness(metric, v - mu))
    off = {key: median(v) for key, v in dev.items() if len(v) >= 5}
    out: dict[str, dict[str, list[float | None]]] = {}
    for name, ms in per.items():
        fam = name.split("/", 1)[0]
        for metric, byrun in ms.items():
            row: list[float | None] = []
            for k in order:
                if k not in byrun:
                    row.append(None)
                    continue
                o = off.get((fam, k), 0.0)
                row.append(byrun[k] - (-o if direction(metric) == HIGHER else o))
            out.setdefault(name, {})[metric] = row
    return out


FAMILY_MIN = 5      # gated metrics a family needs before its shift is estimated


def family_shifts(ba: dict[str, Bench], bb: dict[str, Bench], opts: Options,
                  names: Iterable[str]) -> dict[str, float]:
    """{family: shift}: the median over the family's gated metrics of the contender's log
    change in the slower-is-positive sense (the machine's share of every change, when two
    separate runs saw different loads)."""
    per: dict[str, list[float]] = {}
    for name in names:
        x, y = ba.get(name), bb.get(name)
        if not x or not y or not x.entries or not y.entries:
            continue
        counters = [c for c in x.counter_names() if c in set(y.counter_names())]
        for metric in gated_metrics(x, counters, opts):
            a, b = x.values(metric, opts.time_mode), y.values(metric, opts.time_mode)
            if a and b and median(a) > 0 and median(b) > 0:
                per.setdefault(name.split("/", 1)[0], []).append(
                    _slowness(metric, math.log(median(b) / median(a))))
    return {f: median(v) for f, v in per.items() if len(v) >= FAMILY_MIN}


def compare_docs(base: Doc, cont: Doc, opts: Options, drift: DriftTable | None = None,
                 paired: bool = False, normalize: bool = False) -> list[BenchResult]:
    """Every benchmark of the two results compared, with its verdict."""
    return compare_docs_shifts(base, cont, opts, drift, paired, normalize)[0]


def compare_docs_shifts(base: Doc, cont: Doc, opts: Options, drift: DriftTable | None = None,
                        paired: bool = False, normalize: bool = False
                        ) -> tuple[list[BenchResult], dict[str, float]]:
    """compare_docs(), and the family shifts taken out ({} unless normalize)."""
    ba, bb = collect(base), collect(cont)
    out: list[BenchResult] = []
    names = list(ba) + [n for n in bb if n not in ba]
    shifts = family_shifts(ba, bb, opts, names) if normalize and not paired else {}
    for name in names:
        if opts.filter and not opts.filter.search(name):
            continue
        x, y = ba.get(name), bb.get(name)
        res: BenchResult = {"name": name, "metrics": []}
        out.append(res)
        if x is None or not x.entries and not x.errors:
            res["verdict"] = Verdict.NEW
            continue
        if y is None or not y.entries and not y.errors:
            res["verdict"] = Verdict.GONE
            continue
        if y.errors and not y.entries:
            res["verdict"] = Verdict.ERROR
            res["why"] = f"every contender repetition failed: {y.errors[0]}"
            continue
        if x.errors and not x.entries:
            res["verdict"] = Verdict.NEW
            res["why"] = f"the baseline failed: {x.errors[0]}"
            continue
        counters = [c for c in x.counter_names() if c in set(y.counter_names())]
        gated = gated_metrics(x, counters, opts)
        time_field = y.time_field(opts.time_mode)
        res["time_field"] = time_field
        res["time_boxed"] = x.time_boxed()
        shift = shifts.get(name.split("/", 1)[0], 0.0)
        res["family_shift"] = shift
        res["metrics"].append(metric_result(
            "time", f"time ({time_field.split('_')[0]})", x, y, opts, "time" in gated,
            opts.threshold, paired, shift))
        for c in counters:
            thr = opts.tail_threshold if is_tail(c) else opts.threshold
            res["metrics"].append(metric_result(c, c, x, y, opts, c in gated, thr, paired,
                                                shift))
        for m in res["metrics"]:
            sd = (drift or {}).get(name, {}).get(m["metric"])
            if sd:
                allow = math.expm1(DRIFT_Z * math.sqrt(2) * sd[0])
                m["drift"] = {"sd": sd[0], "runs": sd[1], "allowance": allow}
                m["threshold"] = max(m["threshold"], allow)
        if y.errors:
            res["verdict"] = Verdict.ERROR
            res["why"] = f"{len(y.errors)} contender repetition(s) failed: {y.errors[0]}"
    # Significance: gated metrics Holm-corrected over the whole comparison, so that the
    # chance of any false alarm in an A/A comparison stays at alpha; the others per metric.
    gated_p: dict[tuple[int, int], float | None] = {
        (i, j): m["p"] for i, r in enumerate(out) for j, m in enumerate(r["metrics"])
        if m["gated"] and m["p"] is not None and m["direction"] != INFO}
    n_gated = len(gated_p)
    rejected: set[tuple[int, int]]
    adj: dict[tuple[int, int], float | None]
    if opts.correction == "holm" and n_gated:
        rejected, holm_adj = stats.holm(gated_p, opts.alpha)
        adj = dict(holm_adj)
        level = opts.alpha / n_gated
    else:
        rejected = {k for k, p in gated_p.items() if p is not None and p < opts.alpha}
        adj, level = dict(gated_p), opts.alpha
    for i, r in enumerate(out):
        for j, m in enumerate(r["metrics"]):
            if m["gated"]:
                m["p_adj"] = adj.get((i, j))
                decide(m, level, (i, j) in rejected, opts, n_gated)
                lv = level
            else:
                mp = m["p"]
                decide(m, opts.alpha, mp is not None and mp < opts.alpha, opts, 1)
                lv = opts.alpha
            a_n, b_n = m["n"]
            if m["direction"] == INFO:
                m["mdc"] = m["mdc95"] = None
            elif m.get("paired"):
                se, df = m["se_df"]
                m["mdc"] = stats.mdc_paired(se, df, lv)
                m["mdc95"] = stats.mdc_paired(se, df, lv, 0.95)
            else:
                m["mdc"] = stats.mdc(m["noise"][0], m["noise"][1], a_n, b_n, lv)
                m["mdc95"] = stats.mdc(m["noise"][0], m["noise"][1], a_n, b_n, lv, 0.95)
                mdc80, mdc95 = m["mdc"], m["mdc95"]
                if m.get("drift") and mdc80 is not None and mdc95 is not None:
                    # Separate runs: the change itself moves with the between-run drift,
                    # and must clear the widened threshold.
                    sd2 = m["drift"]["sd"] * math.sqrt(2)
                    thr = m["threshold"]
                    m["mdc"] = math.expm1(math.log1p(max(mdc80, thr)) + 0.8416 * sd2)
                    m["mdc95"] = math.expm1(math.log1p(max(mdc95, thr)) + 1.6449 * sd2)
            ci = m["ci"]
            if ci[0] is not None and ci[1] is not None:
                m["resolution"] = (ci[1] - ci[0]) / 2
            mdc_v = m["mdc"]
            m["noisy"] = mdc_v is not None and mdc_v > m["threshold"] and \
                m["verdict"] in (Verdict.SAME, Verdict.WITHIN_THRESHOLD)
        if "verdict" not in r:
            gv = [m["verdict"] for m in r["metrics"] if m["gated"]]
            r["verdict"] = min(gv, key=lambda v: RANK[v]) if gv else Verdict.INFO
            if r["verdict"] == Verdict.TOO_FEW_REPS:
                r["why"] = next(m["why"] for m in r["metrics"] if m.get("why"))
    return out, shifts


class Spread(TypedDict):
    median: float
    p90: float
    max: float
    count: int


class NoiseSummary(TypedDict):
    """The `noise` object of compare's JSON."""
    baseline: Spread | None
    contender: Spread | None
    noisiest: list[tuple[float, str]]
    pairs: Spread | None


def _quantile(xs: list[float], q: float) -> float:
    """stats.quantile of a sample known not to be empty."""
    v = stats.quantile(xs, q)
    assert v is not None
    return v


def _spread(xs: list[float]) -> Spread | None:
    return None if not xs else {"median": _quantile(xs, 0.5), "p90": _quantile(xs, 0.9),
                                "max": max(xs), "count": len(xs)}


def noise_summary(results: list[BenchResult]) -> NoiseSummary:
    """The A/A noise measured inside each file: robust CV of every gated metric."""
    per_side: list[list[float]] = [[], []]
    worst: list[tuple[float, str]] = []
    for r in results:
        for m in r["metrics"]:
            if not m["gated"]:
                continue
            for i in (0, 1):
                ni = m["noise"][i]
                if ni is not None:
                    per_side[i].append(ni)
            nz = [v for v in m["noise"] if v is not None]
            if nz:
                worst.append((max(nz), f"{r['name']} {m['label']}"))
    worst.sort(reverse=True)
    pn = [pv for r in results for m in r["metrics"]
          if m["gated"] and (pv := m.get("pair_noise")) is not None]
    return {"baseline": _spread(per_side[0]), "contender": _spread(per_side[1]),
            "noisiest": worst[:3], "pairs": _spread(pn)}


def suite_shift(results: list[BenchResult]) -> tuple[float | None, int]:
    """Geometric mean of the time changes of the gated time metrics: a shift of the whole
    suite points at the machine (load, frequency), not at one change of code."""
    logs = []
    for r in results:
        for m in r["metrics"]:
            change = m["change"]
            if m["metric"] == "time" and m["gated"] and change is not None and change > -1:
                logs.append(math.log1p(change))
    return (math.expm1(sum(logs) / len(logs)), len(logs)) if logs else (None, 0)


# --- Machine check ------------------------------------------------------------------------

WEAK_KEYS = ("host_name", "num_cpus", "mhz_per_cpu")


def machine_check(ca: Doc, cb: Doc) -> tuple[bool, str]:
    """(same, description)."""
    fa = ca.get("machine_fingerprint") or _strong(ca)
    fb = cb.get("machine_fingerprint") or _strong(cb)
    if fa and fb:
        if fa == fb:
            return True, f"machine {fa}"
        if fingerprint.same_machine(dict(ca, machine_fingerprint=fa),
                                    dict(cb, machine_fingerprint=fb)):
            return True, (f"machine {fa} / {fb}: one result has no topology; the other "
                          "fingerprint keys match")
        why = fingerprint.describe_difference(ca, cb)
        return False, f"machine fingerprints differ: {fa} vs {fb}" + (f" ({why})" if why
                                                                      else "")
    diffs = [f"{k}: {ca.get(k)!r} vs {cb.get(k)!r}" for k in WEAK_KEYS
             if k in ca and k in cb and ca[k] != cb[k]]
    if diffs:
        return False, "machines differ: " + "; ".join(diffs)
    return True, "machine: no fingerprint in " + ("both files" if not fa and not fb else
                                                  "one file") + \
        " (plain Google Benchmark output); host and CPU count match"


# Two runs whose CPUs passed a cache line at latencies further apart than this do not
# compare where threads share lines (line_latency_ns, recorded by iomem-bench and iomem
# stress; a sweep's or A/B run's result also keeps the range its processes saw).
LINE_LATENCY_RATIO = 1.5


def line_latency_warnings(ca: Doc, cb: Doc) -> list[str]:
    """WARNING lines: a result whose own processes saw latencies further apart than the
    ratio (a sweep or A/B run records their range), and two results apart by more."""
    out = []
    for side, ctx in (("baseline", ca), ("contender", cb)):
        rng = ctx.get("line_latency_ns_range")
        if isinstance(rng, list) and len(rng) == 2 and all(
                isinstance(v, (int, float)) and v > 0 for v in rng) and \
                rng[1] / rng[0] > LINE_LATENCY_RATIO:
            out.append(f"WARNING: during the {side}'s run the CPUs passed a cache line in "
                       f"{rng[0]:.0f} to {rng[1]:.0f} ns: its threaded results mix two "
                       "machines' worth of sharing costs")
    a, b = line_latency_of(ca), line_latency_of(cb)
    if a is not None and b is not None and max(a, b) / min(a, b) > LINE_LATENCY_RATIO:
        out.append(f"WARNING: the CPUs passed a cache line in {a:.0f} ns for the baseline "
                   f"and {b:.0f} ns for the contender (more than {LINE_LATENCY_RATIO:g}x "
                   "apart): results of threads that share data do not compare")
    return out


def _strong(ctx: Doc) -> str | None:
    if all(k in ctx for k in fingerprint.keys_of(ctx)):
        return fingerprint.fingerprint_id(dict(ctx, arch=ctx.get("arch", "")))
    return None


# --- Formatting ---------------------------------------------------------------------------

def fmt_noise(n: Sequence[float | None]) -> str:
    return "/".join("-" if v is None else f"{100 * v:.1f}%" for v in n)


def format_report(results: list[BenchResult], opts: Options, header: list[str],
                  verbose: bool = False, out: TextIO = sys.stdout) -> None:
    w = max([len(r["name"]) for r in results] + [9])
    mw = max([len(m["label"]) for r in results for m in r["metrics"]] + [6])
    cols = (f"{'Benchmark':<{w}}  {'metric':<{mw}}  {'baseline':>9}  {'contender':>9}  "
            f"{'change':>7}  {f'{100 * (1 - opts.alpha):g}% CI':>17}  {'p':>7}  "
            f"{'p adj':>7}  {'noise A/B':>11}  {'MDC':>6}  verdict")
    for h in header:
        print(h, file=out)
    print(file=out)
    print(cols, file=out)
    print("-" * len(cols), file=out)
    for r in results:
        shown = [m for m in r["metrics"] if verbose or m["gated"]]
        if not shown:
            why = f"  ({r['why']})" if r.get("why") else ""
            print(f"{r['name']:<{w}}  {'':<{mw}}  {'':>9}  {'':>9}  {'':>7}  {'':>17}  "
                  f"{'':>7}  {'':>7}  {'':>11}  {'':>6}  {r['verdict']}{why}", file=out)
            continue
        for i, m in enumerate(shown):
            ci = "-" if m["ci"][0] is None else \
                f"[{fmt_pct(m['ci'][0])}, {fmt_pct(m['ci'][1])}]"
            mp, mpa, mmdc, mpn = m["p"], m.get("p_adj"), m.get("mdc"), m.get("pair_noise")
            p = "-" if mp is None else f"{mp:.2g}"
            pa = "-" if mpa is None else f"{mpa:.2g}"
            mdc = "-" if mmdc is None else f"{100 * mmdc:.0f}%"
            noise = fmt_noise(m["noise"]) if not m.get("paired") else \
                ("pair " + ("-" if mpn is None else f"{100 * mpn:.1f}%"))
            v: str = m["verdict"] if m["gated"] else f"({m['verdict']})"
            if m.get("noisy") and m["gated"]:
                v += " (noisy)"
            if i == 0 and r["verdict"] == Verdict.ERROR:
                v = f"ERROR: {r.get('why')}"
            name = r["name"] if i == 0 else ""
            print(f"{name:<{w}}  {m['label']:<{mw}}  {fmt_value(m['baseline'], m['metric']):>9}"
                  f"  {fmt_value(m['contender'], m['metric']):>9}  {fmt_pct(m['change']):>7}  "
                  f"{ci:>17}  {p:>7}  {pa:>7}  {noise:>11}  {mdc:>6}  {v}",
                  file=out)
    print(file=out)


# Benchmarks that were judged, and the order of the verdict counts in the summary.
JUDGED = (Verdict.REGRESSION, Verdict.ERROR, Verdict.IMPROVED, Verdict.WITHIN_THRESHOLD,
          Verdict.SAME)
SUMMARY_ORDER = (Verdict.REGRESSION, Verdict.ERROR, Verdict.IMPROVED, Verdict.WITHIN_THRESHOLD,
                 Verdict.SAME, Verdict.TOO_FEW_REPS, Verdict.INFO, Verdict.NEW, Verdict.GONE)


def summary_lines(results: list[BenchResult], opts: Options) -> list[str]:
    counts: dict[Verdict, int] = {}
    for r in results:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    lines: list[str] = []
    noise = noise_summary(results)
    for side, s in (("baseline", noise["baseline"]), ("contender", noise["contender"])):
        if s:
            lines.append(f"A/A noise in the {side} (robust CV of the repetitions, over "
                         f"{s['count']} gated metrics): median {100 * s['median']:.1f}%, "
                         f"90th percentile {100 * s['p90']:.1f}%, max {100 * s['max']:.1f}%")
    s = noise["pairs"]
    if s:
        lines.append(f"A/A noise of the back-to-back pairs (robust CV of the B/A ratios, over "
                     f"{s['count']} gated metrics): median {100 * s['median']:.1f}%, "
                     f"90th percentile {100 * s['p90']:.1f}%, max {100 * s['max']:.1f}% "
                     "(what the paired test works against)")
    if noise["noisiest"]:
        lines.append("noisiest: " + "; ".join(f"{n} {100 * v:.0f}%"
                                              for v, n in noise["noisiest"]))
    mdcs = [v for r in results for m in r["metrics"] if m["gated"] and
            (v := m.get("mdc")) is not None]
    if mdcs:
        ok = sum(1 for v in mdcs if v <= opts.threshold)
        lines.append(f"detectable change (80% power, at this noise and these repetitions): "
                     f"median {100 * _quantile(mdcs, 0.5):.0f}%; {ok} of {len(mdcs)} "
                     f"gated metrics resolve the {100 * opts.threshold:g}% threshold "
                     "(the others are marked noisy: more repetitions or a quieter machine)")
    shift, k = suite_shift(results)
    if shift is not None and k >= 5:
        lines.append(f"suite-wide time shift (geometric mean over {k} benchmarks): "
                     f"{fmt_pct(shift)}" + ("  <- the whole machine ran slower or faster: "
                                            "load or frequency, rather than code?"
                                            if abs(shift) > opts.threshold / 2 else ""))
    undecided = [r for r in results if r["verdict"] == Verdict.TOO_FEW_REPS]
    judged = [r for r in results if r["verdict"] in JUDGED]
    if undecided and not judged:
        lines.append(f"NOTHING JUDGED: all {len(undecided)} benchmarks are "
                     f"{Verdict.TOO_FEW_REPS} "
                     f"({undecided[0]['why']}): no regression could be detected, so passing "
                     "here says nothing about performance; rerun with more repetitions")
    elif undecided:
        lines.append(f"not judged: {len(undecided)} of {len(undecided) + len(judged)} "
                     f"benchmarks ({Verdict.TOO_FEW_REPS}: {undecided[0]['why']}): the "
                     f"verdict covers only the other {len(judged)}")
    lines.append("verdict: " + ", ".join(f"{counts[v]} {v}" for v in SUMMARY_ORDER
                                         if v in counts))
    return lines


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Compare two Google Benchmark JSON results (iomem-bench, iomem stress, "
        "scripts/sweep or scripts/ab output): per benchmark the change of each gated "
        "metric (its time; for a time-boxed run, its throughput) with its confidence "
        "interval, a significance test over the repetitions, and a verdict; -v shows the "
        "other metrics too (the remaining counters, and the time of time-boxed runs: their "
        "verdicts are in parentheses and never fail the gate). A benchmark regresses when a "
        "gated metric is significantly worse by more than the threshold. Separate runs: "
        "Mann-Whitney U (gbench.report.calc_utest, as Google Benchmark's compare.py), "
        "Hodges-Lehmann change and CI, and thresholds widened by the between-run drift "
        "measured over earlier runs (--history). The two sides of one scripts/ab run: Yuen's "
        "trimmed t test on the back-to-back pairs (change and CI from it). p-values are "
        "Holm-corrected over all gated metrics, so an A/A comparison raises a false alarm "
        "with probability at most alpha; with too few repetitions for that, compare says "
        "how many it needs instead of judging. Time is CPU time, or real time for "
        "benchmarks that use it (Google Benchmark's convention). Counter directions come "
        "from their names (..._per_s up is good, ..._ns up is bad; unknown counters are "
        "only shown). The A/A noise of each side and what it can resolve are reported.",
        epilog="Exit status: 0 no significant regression beyond the threshold (also when "
        "too few repetitions let nothing be judged: the summary then says NOTHING JUDGED), "
        "1 a benchmark "
        "regressed (or failed in the contender), 2 bad options or input, or results from "
        "different machines without --force.")
    p.add_argument("baseline")
    p.add_argument("contender")
    p.add_argument("--threshold", type=float, default=10.0, metavar="PCT",
                   help="smallest change that counts, in percent (default 10)")
    p.add_argument("--alpha", type=float, default=0.05, metavar="A",
                   help="significance level of the test that decides (default 0.05): "
                   "Mann-Whitney U for separate runs, Yuen's paired trimmed t test for the two "
                   "sides of one scripts/ab run; Holm-corrected over the gated metrics (see "
                   "--correction); the confidence intervals are at 1 - A")
    p.add_argument("--force", action="store_true",
                   help="compare results from different machine fingerprints")
    p.add_argument("--time", choices=("auto", "cpu", "real"), default="auto",
                   help="which time decides (default auto: Google Benchmark's convention)")
    p.add_argument("--gate-counters", action="store_true",
                   help="let every counter with a direction fail the gate (throughput, p50, "
                   "tail latencies at the tail threshold...), not only the time or, for "
                   "time-boxed runs, the throughput")
    p.add_argument("--correction", choices=("holm", "none"), default="holm",
                   help="multiple-comparison correction of the gated metrics' p-values "
                   "(default holm: at most alpha chance of any false alarm in the suite)")
    p.add_argument("--tail-threshold", type=float, metavar="PCT",
                   help="threshold for tail latencies (default twice --threshold)")
    p.add_argument("--history", action="append", metavar="PATH",
                   help="earlier results (files or directories) of the same suite on this "
                   "machine, to measure how much separate runs differ; repeatable (default: "
                   "the other results of the baseline's suite in the baseline's directory). "
                   "Directories are searched for *.json and *.json.gz; files found there that "
                   "are not Google Benchmark results are skipped with a note")
    p.add_argument("--family-relative", action="store_true",
                   help="for separate runs: judge each benchmark against its family's overall "
                   "shift (median over the family), taking out a machine that ran slower as a "
                   "whole; helps when all benchmarks react alike to load, hurts the ones that "
                   "do not (off by default)")
    p.add_argument("--unpaired", action="store_true",
                   help="for the two sides of one scripts/ab run: Mann-Whitney U as for "
                   "separate runs, instead of the paired test")
    p.add_argument("--no-history", action="store_true",
                   help="no between-run allowance, only the repetitions' own noise")
    p.add_argument("--filter", metavar="REGEX", help="only benchmarks matching REGEX")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also show the metrics that do not gate (every other counter, "
                   "and the time of time-boxed runs); without -v only gated metrics are "
                   "shown")
    p.add_argument("--json", metavar="FILE", help="also write the comparison as JSON")
    p.add_argument("--markdown", metavar="FILE",
                   help="also write a Markdown summary for a pull request comment or a CI "
                   "job summary (e.g. $GITHUB_STEP_SUMMARY): the verdict, the regressions "
                   "and improvements beyond the threshold, then every benchmark in a "
                   "folded table; 1 KiB under 65536 characters, GitHub's limit for a "
                   "comment; - for standard output")
    p.add_argument("-q", "--quiet", action="store_true", help="only the summary")
    return p


def usage_error(p: argparse.ArgumentParser, msg: str) -> int:
    p.print_usage(sys.stderr)
    print(f"{PROG}: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


def run_compare(args: "CompareArgs", p: argparse.ArgumentParser,
                out: TextIO = sys.stdout) -> int:
    if not 0 < args.alpha < 1:
        return usage_error(p, "--alpha must be between 0 and 1")
    if args.threshold < 0:
        return usage_error(p, "--threshold must be >= 0")
    if args.filter:
        try:
            re.compile(args.filter)
        except re.error as e:
            return usage_error(p, f"bad --filter regex: {e}")
    opts = Options(threshold=args.threshold / 100, alpha=args.alpha, time_mode=args.time,
                   gate_counters=args.gate_counters,
                   tail=None if args.tail_threshold is None else args.tail_threshold / 100,
                   filter=re.compile(args.filter) if args.filter else None,
                   correction=args.correction)
    try:
        base = load_json(args.baseline)
        cont = load_json(args.contender)
    except InputError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    ca, cb = base.get("context", {}), cont.get("context", {})
    same, mdesc = machine_check(ca, cb)
    if not same and not args.force:
        print(f"{PROG}: error: {mdesc}: timings from different machines do not "
              "compare; --force to compare anyway", file=sys.stderr)
        return EXIT_USAGE
    drift: DriftTable | None = None
    hdocs: list[Doc] | None = None
    hdesc: str | None = None
    interleaved = bool(ca.get("ab_run_id") and ca.get("ab_run_id") == cb.get("ab_run_id"))
    if interleaved:
        hdesc = ("the two sides of one interleaved scripts/ab run: no between-run drift to "
                 "allow for")
    elif not args.no_history:
        try:
            hdocs, hdesc = history_docs(args, ca, base)
        except InputError as e:
            print(str(e), file=sys.stderr)
            return EXIT_USAGE
        if hdocs is not None:
            drift = drift_from_history(hdocs, opts, normalize=False)
    paired = interleaved and not args.unpaired
    normalize = not interleaved and args.family_relative
    if hdocs is not None and normalize:
        drift = drift_from_history(hdocs, opts, normalize=True)
    results, normalized_shifts = compare_docs_shifts(base, cont, opts, drift, paired, normalize)
    shifts = normalized_shifts if normalize else \
        family_shifts(collect(base), collect(cont), opts,
                      [r["name"] for r in results]) if not interleaved else {}
    if not any(r["verdict"] not in (Verdict.NEW, Verdict.GONE) for r in results):
        print(f"{PROG}: error: no benchmarks in common between {args.baseline} and "
              f"{args.contender}", file=sys.stderr)
        return EXIT_USAGE
    header = [f"baseline:  {args.baseline}  ({describe(ca, base)})",
              f"contender: {args.contender}  ({describe(cb, cont)})",
              mdesc if same else f"WARNING (--force): {mdesc}",
              f"threshold {args.threshold:g}% (tail latencies {100 * opts.tail_threshold:g}%), "
              f"alpha {args.alpha:g} ({'Holm-corrected over the gated metrics' if opts.correction == 'holm' else 'uncorrected'}), "
              + ("paired test (below)" if paired else
                 "two-sided Mann-Whitney U over the repetitions (gbench.report.calc_utest)") + "; "
              f"gated: {'every directional counter' if opts.gate_counters else 'time, or throughput of time-boxed runs'}; "
              + ("" if paired else "change = Hodges-Lehmann estimate with its "
                 "distribution-free CI; ") + "MDC = change detectable with 80% power"]
    if hdesc:
        header.append(hdesc)
    if normalize:
        header.append("--family-relative: each family's overall shift (median over its "
                      "benchmarks) is taken out before a benchmark is judged")
    if paired:
        header.append(f"paired: repetition i of both sides ran back to back, so the test is "
                      f"Yuen's {PAIRED_TRIM:.0%}-trimmed t test on the pair ratios (change = "
                      "trimmed mean ratio, CI from it); 'p' is that test's")
    header.extend(line_latency_warnings(ca, cb))
    if ca.get("build_type") and cb.get("build_type") and ca["build_type"] != cb["build_type"]:
        header.append(f"WARNING: build types differ: {ca['build_type']} vs {cb['build_type']}")
    if not args.quiet:
        format_report(results, opts, header, args.verbose, out)
    else:
        for h in header:
            print(h, file=out)
    lines = summary_lines(results, opts)
    if shifts:
        lines.insert(0, "family shifts" + (", taken out" if normalize else "") +
                     " (median change over each family, contender vs baseline, slower is +): " +
                     ", ".join(f"{f} {fmt_pct(math.expm1(v))}" for f, v in shifts.items()))
        for f, v in shifts.items():
            if math.expm1(v) > opts.threshold:
                lines.insert(1, f"WARNING: {f} as a whole ran {fmt_pct(math.expm1(v))} slower: "
                             "the machine (load) or a change to code every benchmark shares? "
                             "Separate runs cannot tell: confirm with scripts/ab")
    for ln in lines:
        print(ln, file=out)
    failed = [r for r in results if r["verdict"] in FAILING]
    for r in failed:
        ms = [m for m in r["metrics"] if m["verdict"] == Verdict.REGRESSION and m["gated"]]
        what = ", ".join(f"{m['label']} {fmt_pct(m['change'])} (p={_p(m):.3g})" for m in ms) \
            or r.get("why", "")
        print(f"{r['verdict']}: {r['name']}: {what}", file=out)
    if args.markdown:
        warnings = [h for h in header if h.startswith("WARNING")]
        facts = [mdesc if same else f"WARNING (--force): {mdesc}",
                 "paired test: Yuen's trimmed t on the back-to-back pairs of one "
                 "interleaved scripts/ab run" if paired else
                 "Mann-Whitney U over the repetitions of two separate runs; change: "
                 "Hodges-Lehmann estimate"]
        if hdesc:
            facts.append(hdesc)
        write(args.markdown, render(
            results, opts, Heading(
                f"{args.baseline} ({describe(ca, base)})",
                f"{args.contender} ({describe(cb, cont)})", facts),
            [*warnings, *lines]))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"baseline": args.baseline, "contender": args.contender,
                       "threshold": opts.threshold, "alpha": opts.alpha,
                       "machine": mdesc, "results": results, "summary": lines,
                       "noise": noise_summary(results)}, fh, indent=1)
    return EXIT_FAIL if failed else EXIT_OK


def history_docs(args: "CompareArgs", ca: Doc, base: Doc) -> tuple[list[Doc] | None, str]:
    """(docs, description): the runs that measure between-run drift (the baseline and the
    history), or (None, description) when there are fewer than 3."""
    named: set[str] = set()  # files named on the command line: bad input there is an error
    if args.history:
        paths = expand_inputs(args.history)
        named = {os.path.realpath(h) for h in args.history if not os.path.isdir(h)}
        where = ", ".join(args.history)
    elif args.baseline != "-" and os.path.dirname(os.path.abspath(args.baseline)):
        d = os.path.dirname(os.path.abspath(args.baseline))
        paths = [os.path.join(d, f) for f in sorted(os.listdir(d))
                 if is_result_name(f) and os.path.isfile(os.path.join(d, f))]
        where = os.path.relpath(d)
    else:
        paths, where = [], "-"
    skip = {os.path.realpath(args.contender), os.path.realpath(args.baseline)}
    docs = [base]
    for pth in paths:
        if os.path.realpath(pth) in skip:
            continue
        try:
            doc = load_json(pth)
        except InputError as e:
            if os.path.realpath(pth) in named:
                raise
            print(f"{PROG}: note: history: skipped {pth}: {e.args[0]}",
                  file=sys.stderr)
            continue
        c = doc.get("context", {})
        if c.get("suite") != ca.get("suite") or not fingerprint.same_machine(c, ca) or \
                c.get("ab_run_id"):
            continue
        docs.append(doc)
    if len(docs) < 3:
        return None, (f"between-run drift: not measured ({len(docs)} run(s) of suite "
                      f"{ca.get('suite') or '?'} on this machine with the baseline, in {where}; "
                      "3 needed): separate runs on a shared machine can differ by more than "
                      "their repetitions show; scripts/ab interleaves to avoid that")
    return docs, (f"between-run drift measured over {len(docs)} runs of suite "
                  f"{ca.get('suite') or '?'} (baseline + {where}): each metric's threshold "
                  f"is at least {DRIFT_Z:g} x sqrt(2) x the SD of its per-run medians")


def describe(ctx: Doc, doc: Doc) -> str:
    reps: dict[int, int] = {}
    for b in collect(doc).values():
        reps[b.reps] = reps.get(b.reps, 0) + 1
    r = max(reps, key=lambda k: reps[k]) if reps else 0
    bits: list[str] = []
    if ctx.get("git_revision"):
        bits.append("rev " + ctx["git_revision"] + ("-dirty" if ctx.get("git_dirty") else ""))
    if ctx.get("suite"):
        bits.append(f"suite {ctx['suite']}")
    bits.append(f"{r} repetitions")
    la = ctx.get("load_avg_start") or ctx.get("load_avg")
    if isinstance(la, list) and la:
        bits.append(f"load {la[0]:.1f}")
    line = line_latency_of(ctx)
    if line is not None:
        bits.append(f"cache line {line:.0f} ns")
    if ctx.get("date"):
        bits.append(str(ctx.get("started") or ctx["date"]))
    return ", ".join(bits)


def _p(m: MetricResult) -> float:
    """The p-value of a metric that has a verdict from a test."""
    p = m["p"]
    assert p is not None
    return p


@dataclass
class CompareArgs:
    """scripts/compare's command line (the fields are parser()'s destinations)."""
    baseline: str
    contender: str
    threshold: float
    alpha: float
    force: bool
    time: TimeMode
    gate_counters: bool
    correction: Correction
    tail_threshold: float | None
    history: list[str] | None
    family_relative: bool
    unpaired: bool
    no_history: bool
    filter: str | None
    verbose: bool
    json: str | None
    markdown: str | None
    quiet: bool


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = CompareArgs(**vars(p.parse_args(argv)))
    return run_compare(args, p)


def run() -> NoReturn:
    entry_point(main)


if __name__ == "__main__":
    run()
