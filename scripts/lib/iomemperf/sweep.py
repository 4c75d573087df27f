# SPDX-License-Identifier: MIT
"""scripts/sweep: runs a suite round-robin and files the result under results/."""
import argparse
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn, TextIO

from . import fingerprint, preflight
from . import suites as suites_mod
from .common import (EXIT_FAIL, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, SOURCE_DIR, SUITES_FILE, Doc,
                     InputError, default_build_dir, default_results_dir, entry_point, save_json,
                     tool_name)
from .runner import Build, PlanStep, cmake_source_dir, execute, sweep_context
from .suites import Suite, Unit

PROG = tool_name("sweep")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Run a benchmark suite (scripts/lib/iomemperf/suites.toml) over backends x locks x "
        "threads x tree sizes, repetitions interleaved round-robin, and write one Google "
        "Benchmark JSON result to results/<machine-fingerprint>/<rev>-<suite>-<time>.json.",
        epilog="The result's git_revision (and -dirty) is that of the source tree the build "
        "was configured from (CMAKE_HOME_DIRECTORY in the build's CMakeCache.txt, else this "
        "checkout) as it is when the sweep runs: a build not rebuilt since that tree changed "
        "is recorded under the tree's revision, not the one it was built from. The context "
        "also keeps iomem-bench's own iomem_git_rev, read when it was last built. "
        "Before it runs anything it runs `iomem preflight` (docs/measurement.md), prints "
        "what it found and records it in the context. "
        "Exit status: 0 done, 1 a benchmark run failed (the result is still written, "
        "its context lists the failures), 2 bad options or input, 3 refused by --strict.")
    p.add_argument("suite", nargs="?", help="quick, default, full (or smoke)")
    p.add_argument("--build-dir", default=default_build_dir(),
                   help="the build whose iomem-bench and iomem run (default: "
                   f"{'build' if SOURCE_DIR else default_build_dir()}); they "
                   "run in, and the revision recorded is that of, the source tree it was "
                   "configured from")
    p.add_argument("--results-dir", default=default_results_dir(),
                   help="the results history (default: results"
                   f"{'' if SOURCE_DIR else ' in the current directory'})")
    p.add_argument("-o", "--out", help="write the result to this file instead")
    p.add_argument("-r", "--repetitions", type=int, help="override the suite's repetitions")
    p.add_argument("--filter", help="only units or benchmarks whose name matches this regex")
    p.add_argument("--seed", type=int, help="seed of the per-repetition shuffles "
                   "(default: from the clock; recorded in the result)")
    p.add_argument("--dry-run", action="store_true", help="print the run order and exit")
    p.add_argument("--suites", default=SUITES_FILE, help=argparse.SUPPRESS)
    p.add_argument("--list", action="store_true", help="list the suites and exit")
    p.add_argument("--fingerprint", action="store_true",
                   help="print the machine fingerprint of the build (--build-dir) on this "
                   "machine, the directory under results/ its sweeps are filed in, and exit "
                   "(for a CI job that keeps each runner's history apart)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.add_argument("--strict", action="store_true",
                   help="refuse to run (exit 3) when the preflight finds anything")
    return p


def filter_units(units: Sequence[Unit], rx: re.Pattern[str]) -> list[Unit]:
    out: list[Unit] = []
    for u in units:
        if rx.search(u.id):
            out.append(u)
            continue
        names = [n for n in u.names if rx.search(n)]
        if names:
            u.names = names
            u.args = [a for a in u.args if not a.startswith("--benchmark_filter=")]
            u.args.insert(0, "--benchmark_filter=^(" + "|".join(
                suites_mod.ere_escape(n) for n in names) + ")$")
            out.append(u)
    return out


def prepare(args: "SweepArgs", p: argparse.ArgumentParser,
            build: Build) -> tuple[Suite, list[Unit], list[str], int]:
    """(suite, units, notes, repetitions)."""
    all_suites = suites_mod.load(args.suites)
    if args.suite not in all_suites:
        p.print_usage(sys.stderr)
        print(f"{PROG}: error: unknown suite '{args.suite}' (suites: "
              f"{', '.join(all_suites)})", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    suite = all_suites[args.suite]
    reps = args.repetitions or int(suite.get("repetitions", 1))
    build.probe()
    units, notes = suites_mod.expand(args.suite, suite, build.names, build.backends,
                                     build.locks, build.stress)
    if args.filter:
        units = filter_units(units, re.compile(args.filter))
    return suite, units, notes, reps


def print_plan(plan: Sequence[PlanStep], units: Sequence[Unit], reps: int, seed: int,
               notes: Sequence[str], suite_name: str, out: TextIO = sys.stdout) -> None:
    print(f"sweep: suite {suite_name}: {reps} repetitions x {len(units)} units = "
          f"{len(plan)} runs (seed {seed})", file=out)
    for n in notes:
        print(f"sweep: {n}", file=out)
    print("run order (round-robin: every unit once per repetition, shuffled within each):",
          file=out)
    for k, (rep, u, _) in enumerate(plan):
        what = f"({len(u.names)} benchmark{'s' if len(u.names) != 1 else ''})" if u.tool == "iomem-bench" else \
            "(iomem " + " ".join(u.args) + ")"
        print(f"{k + 1:5d} rep {rep + 1} {u.id} {what}", file=out)


@dataclass
class SweepArgs:
    """scripts/sweep's command line (the fields are parser()'s destinations)."""
    suite: str | None
    build_dir: str
    results_dir: str
    out: str | None
    repetitions: int | None
    filter: str | None
    seed: int | None
    dry_run: bool
    suites: str
    list: bool
    fingerprint: bool
    quiet: bool
    strict: bool


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = SweepArgs(**vars(p.parse_args(argv)))
    if args.list:
        for name, s in suites_mod.load(args.suites).items():
            print(f"{name:8s} {s.get('repetitions', 1):2d} reps  {s.get('description', '')}")
        return EXIT_OK
    if args.fingerprint:
        build = Build(args.build_dir)
        err = build.check()
        if err:
            print(err, file=sys.stderr)
            return EXIT_USAGE
        print(fingerprint.collect(build.dir)["machine_fingerprint"])
        return EXIT_OK
    if not args.suite:
        p.print_usage(sys.stderr)
        print(f"{PROG}: error: a SUITE is required (quick, default, full)",
              file=sys.stderr)
        return EXIT_USAGE
    if args.repetitions is not None and args.repetitions < 1:
        p.print_usage(sys.stderr)
        print(f"{PROG}: error: --repetitions must be >= 1", file=sys.stderr)
        return EXIT_USAGE
    build = Build(args.build_dir, src=cmake_source_dir(args.build_dir) or SOURCE_DIR)
    err = build.check()
    if err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    suite, units, notes, reps = prepare(args, p, build)
    if not units:
        for n in notes:
            print(f"sweep: {n}", file=sys.stderr)
        print(f"{PROG}: error: nothing to run", file=sys.stderr)
        return EXIT_USAGE
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    plan: list[PlanStep] = [(r, u, None) for r, u in suites_mod.plan(units, reps, seed)]
    if args.dry_run:
        print_plan(plan, units, reps, seed, notes, args.suite)
        return EXIT_OK
    for n in notes:
        print(f"sweep: {n}", file=sys.stderr)
    pf = preflight.run(build.iomem)
    if isinstance(pf, str):
        print(f"sweep: preflight: {pf}", file=sys.stderr)
        if args.strict:
            return EXIT_REFUSED
    else:
        for line in pf.lines("sweep"):
            print(line, file=sys.stderr)
        if args.strict and pf.findings:
            print("sweep: refusing to measure (--strict)", file=sys.stderr)
            return EXIT_REFUSED
    started = time.time()
    load0 = os.getloadavg()
    merges = execute(plan, {None: build}, reps, seed, log=None if args.quiet else sys.stderr)
    duration = time.time() - started
    ctx = sweep_context(build, args.suite, reps, seed, notes, merges[None].context)
    ctx.update(pf.context() if not isinstance(pf, str) else {"preflight": "not run",
                                                              "preflight_findings": pf})
    ctx.update({"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                "duration_s": round(duration, 1), "load_avg_start": list(load0),
                "load_avg_end": list(os.getloadavg())})
    doc = merges[None].document(ctx)
    path = args.out or result_path(args.results_dir, ctx, started)
    save_json(doc, path)
    if not args.out:
        note_legacy_directory(args.results_dir, ctx)
        write_machine_json(os.path.dirname(path), ctx)
    nb = len({b["name"] for b in doc["benchmarks"]})
    print(f"sweep: {args.suite}: {nb} benchmarks x {reps} repetitions in {duration:.1f} s "
          f"-> {os.path.relpath(path)}", file=sys.stderr)
    if doc["context"]["failures"]:
        for f in doc["context"]["failures"]:
            print(f"sweep: failed: {f}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def result_path(results_dir: str, ctx: Doc, started: float) -> str:
    rev = ctx["git_revision"] + ("-dirty" if ctx["git_dirty"] else "")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    return os.path.join(results_dir, ctx["machine_fingerprint"],
                        f"{rev}-{ctx['suite']}-{stamp}.json")


def write_machine_json(d: str, ctx: Doc) -> None:
    from .fingerprint import FINGERPRINT_KEYS, legacy_fingerprint_id
    m = {k: ctx.get(k) for k in ("machine_fingerprint", *FINGERPRINT_KEYS, "arch", "os",
                                 "host_name")}
    m["legacy_fingerprint"] = legacy_fingerprint_id(ctx)
    m["version"] = 2
    save_json(m, os.path.join(d, "machine.json"))


def note_legacy_directory(results_dir: str, ctx: Doc) -> None:
    """Says where this machine's results from before the topology was fingerprinted are,
    when that directory exists beside the new one (docs/perf-tooling.md#results-history)."""
    from .fingerprint import legacy_fingerprint_id
    old = legacy_fingerprint_id(ctx)
    if old != ctx.get("machine_fingerprint") and \
            os.path.isdir(os.path.join(results_dir, old)):
        print(f"sweep: note: {os.path.join(results_dir, old)} holds this machine's results "
              "from before its topology was part of the fingerprint; they compare with "
              "these (scripts/compare matches them on the other keys)", file=sys.stderr)


def _main() -> int:
    try:
        return main()
    except InputError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("sweep: interrupted", file=sys.stderr)
        return 130


def run() -> NoReturn:
    entry_point(_main)


if __name__ == "__main__":
    run()
