# SPDX-License-Identifier: MIT
"""scripts/ab: builds two revisions and runs them interleaved (A B, B A, ...) in one run."""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import NoReturn, TextIO

from . import mdsummary
from . import suites as suites_mod
from .common import (EXIT_FAIL, EXIT_INFRA, EXIT_OK, EXIT_USAGE, SOURCE_DIR, SUITES_FILE, Doc,
                     InputError, entry_point, git, not_a_source_tree, save_json, tool_name)
from .compare import compare_docs, summary_lines
from .verdict import FAILING, BenchResult, Options, fmt_value
from .metrics import HIGHER
from .runner import Build, Side, cmake_source_dir, execute, sweep_context

PROG = tool_name("ab")

WORKTREE = "WORKTREE"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Build two revisions (git worktrees under build-ab/) and run a suite on "
        "both, interleaved in one run: every repetition runs each unit on A and on B back to "
        "back, alternating which goes first (A B, B A, ...), so load and drift hit both "
        "alike. Prints B/A per benchmark (the trimmed mean of the back-to-back pair "
        "ratios) with its (1 - alpha) confidence interval, and the verdict of "
        "scripts/compare's paired test: Yuen's 20%-trimmed t test on the pair ratios, "
        "Holm-corrected over the suite.",
        epilog="REV is anything git rev-parse takes, or WORKTREE: the checked-out tree with "
        "its uncommitted changes. Exit status: 0 no significant regression of B beyond the "
        "threshold, 1 B regressed (or a benchmark failed on B only), 2 bad options or input, "
        "3 a revision failed to build or a benchmark run failed.")
    p.add_argument("rev_a", metavar="REV_A")
    p.add_argument("rev_b", metavar="REV_B")
    p.add_argument("--suite", default="quick", help="suite to run (default quick)")
    p.add_argument("-r", "--repetitions", type=int, help="override the suite's repetitions")
    p.add_argument("--filter", help="only units or benchmarks matching this regex")
    p.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="smallest change that counts, percent (default 5: interleaving "
                   "cancels drift, so A/B resolves less than two separate sweeps)")
    p.add_argument("--alpha", type=float, default=0.05, metavar="A",
                   help="significance level of the paired test, Holm-corrected over the "
                   "suite; the confidence intervals are at 1 - A (default 0.05)")
    p.add_argument("--workdir", default=os.path.join(SOURCE_DIR or os.getcwd(), "build-ab"),
                   help="worktrees and builds (default build-ab/, reused across runs)")
    p.add_argument("--out", metavar="DIR", help="where A.json, B.json and ab.json go "
                   "(default WORKDIR/runs/<time>)")
    p.add_argument("--build-a", metavar="DIR", help="use this build for A instead of building")
    p.add_argument("--build-b", metavar="DIR", help="use this build for B instead of building")
    p.add_argument("--build-type", default="Release", help="CMAKE_BUILD_TYPE (default Release)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int)
    p.add_argument("--dry-run", action="store_true", help="print the run order and exit "
                   "(builds what it needs to list the benchmarks)")
    p.add_argument("--suites", default=SUITES_FILE, help=argparse.SUPPRESS)
    p.add_argument("--markdown", metavar="FILE",
                   help="also write a Markdown summary (scripts/compare --markdown) for a "
                   "pull request comment or a CI job summary")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


@dataclass
class AbArgs:
    """scripts/ab's command line (the fields are parser()'s destinations)."""
    rev_a: str
    rev_b: str
    suite: str
    repetitions: int | None
    filter: str | None
    threshold: float
    alpha: float
    workdir: str
    out: str | None
    build_a: str | None
    build_b: str | None
    build_type: str
    jobs: int
    seed: int | None
    dry_run: bool
    suites: str
    markdown: str | None
    quiet: bool


class BuildFailed(Exception):
    pass


def resolve(rev: str, repo: str) -> str:
    if rev == WORKTREE:
        return WORKTREE
    sha = git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=repo, check=False)
    if not sha:
        raise InputError(f"unknown revision '{rev}'")
    return sha


def prepare_build(sha: str, args: AbArgs, log: TextIO, repo: str) -> Build:
    """The build directory of a revision of the source tree repo, configured and built
    (incrementally)."""
    os.makedirs(args.workdir, exist_ok=True)
    if sha == WORKTREE:
        src, bdir = repo, os.path.join(args.workdir, "build-worktree")
    else:
        src = os.path.join(args.workdir, f"src-{sha[:12]}")
        bdir = os.path.join(args.workdir, f"build-{sha[:12]}")
        if not os.path.isdir(src):
            print(f"ab: git worktree add {os.path.relpath(src, repo)} {sha[:12]}", file=log)
            r = subprocess.run(["git", "worktree", "add", "--detach", src, sha], cwd=repo,
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise BuildFailed(f"git worktree add {sha[:12]}: {r.stderr.strip()}")
    print(f"ab: building {sha[:12] if sha != WORKTREE else 'the worktree'} in "
          f"{os.path.relpath(bdir, repo)}", file=log, flush=True)
    for cmd in (["cmake", "-S", src, "-B", bdir, f"-DCMAKE_BUILD_TYPE={args.build_type}"],
                ["cmake", "--build", bdir, "-j", str(args.jobs), "--target", "iomem-bench"]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            tail = "\n".join((r.stdout + r.stderr).strip().splitlines()[-15:])
            raise BuildFailed(f"{' '.join(cmd)} failed:\n{tail}")
    # iomem (for `iomem list` and stress) is optional: older revisions may not have it.
    subprocess.run(["cmake", "--build", bdir, "-j", str(args.jobs), "--target", "iomem"],
                   capture_output=True, text=True)
    return Build(bdir, src=src)


def interleave(units_plan: list[tuple[int, suites_mod.Unit]]
               ) -> list[tuple[int, suites_mod.Unit, Side]]:
    """[(rep, unit)] -> [(rep, unit, side)]: each unit on both sides back to back; which
    side goes first alternates from one repetition of a unit to the next (A B, B A, A B...),
    so neither side always runs in the other's wake."""
    out: list[tuple[int, suites_mod.Unit, Side]] = []
    seen: dict[str, int] = {}
    for rep, u in units_plan:
        k = seen.get(u.id, 0)
        seen[u.id] = k + 1
        first, second = ("A", "B") if k % 2 == 0 else ("B", "A")
        out += [(rep, u, first), (rep, u, second)]
    return out


def ratio_table(results: list[BenchResult], alpha: float = 0.05,
                out: TextIO = sys.stdout) -> None:
    w = max([len(r["name"]) for r in results] + [9])
    head = (f"{'Benchmark':<{w}}  {'metric':<22}  {'A':>9}  {'B':>9}  {'B/A':>6}  "
            f"{f'{100 * (1 - alpha):g}% CI of B/A':>15}  {'p':>7}  verdict")
    print(head, file=out)
    print("-" * len(head), file=out)
    for r in results:
        gated = [m for m in r["metrics"] if m["gated"]]
        m = next((m for m in gated if m["verdict"] == r["verdict"]), gated[0] if gated else None)
        if m is None:
            print(f"{r['name']:<{w}}  {'':<22}  {'':>9}  {'':>9}  {'':>6}  {'':>15}  {'':>6}  "
                  f"{r['verdict']}{': ' + r['why'] if r.get('why') else ''}", file=out)
            continue
        change, (lo, hi), p = m["change"], m["ci"], m["p"]
        ratio = "-" if change is None else f"{1 + change:.3f}"
        ci = "-" if lo is None or hi is None else f"[{1 + lo:.3f}, {1 + hi:.3f}]"
        arrow = " (higher is better)" if m["direction"] == HIGHER else ""
        print(f"{r['name']:<{w}}  {m['label']:<22}  {fmt_value(m['baseline'], m['metric']):>9}"
              f"  {fmt_value(m['contender'], m['metric']):>9}  {ratio:>6}  {ci:>15}  "
              f"{'-' if p is None else format(p, '.2g'):>7}  {r['verdict']}{arrow}",
              file=out)


def _checkout(repo: str | None) -> str:
    """The source tree revisions are built from: main() refused to go on without one."""
    assert repo is not None
    return repo


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = AbArgs(**vars(p.parse_args(argv)))
    log = sys.stderr
    if args.repetitions is not None and args.repetitions < 1:
        p.print_usage(log)
        print(f"{PROG}: error: --repetitions must be >= 1", file=log)
        return EXIT_USAGE
    if not 0 < args.alpha < 1 or args.threshold < 0:
        p.print_usage(log)
        print(f"{PROG}: error: --alpha must be in (0, 1) and --threshold >= 0", file=log)
        return EXIT_USAGE
    all_suites = suites_mod.load(args.suites)
    if args.suite not in all_suites:
        p.print_usage(log)
        print(f"{PROG}: error: unknown suite '{args.suite}' ({', '.join(all_suites)})",
              file=log)
        return EXIT_USAGE
    repo = SOURCE_DIR
    if repo is None and not (args.build_a and args.build_b):
        p.print_usage(log)
        print(f"{PROG}: error: {not_a_source_tree()}; building revisions needs a git "
              "checkout of iomembench: run its scripts/ab, or pass --build-a DIR and "
              "--build-b DIR to run two existing builds", file=log)
        return EXIT_USAGE
    # A side is a given build (run in this source tree, if any), or a revision to build.
    try:
        sha_a = args.rev_a if args.build_a else resolve(args.rev_a, _checkout(repo))
        sha_b = args.rev_b if args.build_b else resolve(args.rev_b, _checkout(repo))
    except InputError as e:
        print(f"{PROG}: {e}", file=log)
        return EXIT_USAGE
    try:
        ba = Build(args.build_a, src=repo or cmake_source_dir(args.build_a)) \
            if args.build_a else prepare_build(sha_a, args, log, _checkout(repo))
        bb = Build(args.build_b, src=repo or cmake_source_dir(args.build_b)) \
            if args.build_b else prepare_build(sha_b, args, log, _checkout(repo)) \
            if sha_b != sha_a else ba
    except BuildFailed as e:
        print(f"{PROG}: error: {e}", file=log)
        return EXIT_INFRA
    for b in (ba, bb):
        err = b.check()
        if err:
            print(err, file=log)
            return EXIT_INFRA if not (args.build_a or args.build_b) else EXIT_USAGE
    ba.probe()
    bb.probe() if bb is not ba else None
    common = [n for n in ba.names if n in set(bb.names)]
    only_a = [n for n in ba.names if n not in set(bb.names)]
    only_b = [n for n in bb.names if n not in set(ba.names)]
    suite = all_suites[args.suite]
    reps = args.repetitions or int(suite.get("repetitions", 1))
    units, notes = suites_mod.expand(args.suite, suite, common, ba.backends, ba.locks,
                                     ba.stress and bb.stress)
    if args.filter:
        from .sweep import filter_units
        units = filter_units(units, re.compile(args.filter))
    if only_a or only_b:
        notes.append(f"benchmarks only in A: {len(only_a)}, only in B: {len(only_b)} "
                     "(not run)")
    if not units:
        for n in notes:
            print(f"ab: {n}", file=log)
        print(f"{PROG}: error: nothing to run", file=log)
        return EXIT_USAGE
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    plan = interleave(suites_mod.plan(units, reps, seed))
    label = {"A": f"{args.rev_a} ({sha_a[:12]})", "B": f"{args.rev_b} ({sha_b[:12]})"}
    if args.dry_run:
        print(f"ab: A = {label['A']}, B = {label['B']}; suite {args.suite}: {reps} repetitions "
              f"x {len(units)} units x 2 sides = {len(plan)} runs (seed {seed})")
        for n in notes:
            print(f"ab: {n}")
        for k, (rep, u, side) in enumerate(plan):
            print(f"{k + 1:5d} rep {rep + 1} {side} {u.id}")
        return EXIT_OK
    for n in notes:
        print(f"ab: {n}", file=log)
    started = time.time()
    merges = execute(plan, {"A": ba, "B": bb}, reps, seed, log=None if args.quiet else log)
    out = args.out or os.path.join(args.workdir, "runs",
                                   time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started)))
    docs: dict[str, Doc] = {}
    for side, b, rev, sha in (("A", ba, args.rev_a, sha_a), ("B", bb, args.rev_b, sha_b)):
        ctx = sweep_context(b, args.suite, reps, seed, notes, merges[side].context)
        ctx.update({"ab_side": side, "ab_rev": rev, "ab_commit": sha,
                    "ab_run_id": f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(started))}-{seed}",
                    "git_revision": sha[:10] if sha != WORKTREE else ctx["git_revision"],
                    "git_dirty": ctx["git_dirty"] if sha == WORKTREE else False,
                    "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                    "duration_s": round(time.time() - started, 1)})
        docs[side] = merges[side].document(ctx)
        save_json(docs[side], os.path.join(out, f"{side}.json"))
    opts = Options(threshold=args.threshold / 100, alpha=args.alpha)
    results = compare_docs(docs["A"], docs["B"], opts, paired=True)
    print(f"A = {label['A']}\nB = {label['B']}\nsuite {args.suite}, {reps} repetitions, "
          f"interleaved; threshold {args.threshold:g}%, alpha {args.alpha:g} (Holm-corrected "
          "over the suite); B/A of the deciding metric (time: > 1 is slower; throughput: > 1 "
          "is faster): the trimmed mean of the back-to-back pair ratios, with its "
          f"{100 * (1 - args.alpha):g}% confidence interval (Yuen's paired trimmed t)\n")
    ratio_table(results, args.alpha)
    print()
    lines = summary_lines(results, opts)
    for ln in lines:
        print(ln)
    failures = merges["A"].failures + merges["B"].failures
    with open(os.path.join(out, "ab.json"), "w", encoding="utf-8") as fh:
        json.dump({"A": label["A"], "B": label["B"], "suite": args.suite, "repetitions": reps,
                   "threshold": opts.threshold, "alpha": opts.alpha, "results": results,
                   "summary": lines, "failures": failures}, fh, indent=1)
    print(f"\nab: results in {os.path.relpath(out)} (A.json, B.json, ab.json); "
          f"scripts/compare {os.path.relpath(out)}/A.json {os.path.relpath(out)}/B.json "
          "shows every metric", file=log)
    if args.markdown:
        ctx = docs["B"]["context"]
        facts = [f"suite {args.suite}, {reps} repetitions per side, interleaved (each unit "
                 "on A and B back to back, alternating which goes first); paired test: "
                 "Yuen's 20%-trimmed t on the pair ratios",
                 f"machine {ctx.get('machine_fingerprint', '?')}"]
        mdsummary.write(args.markdown, mdsummary.render(
            results, opts, mdsummary.Heading(f"A = {label['A']}", f"B = {label['B']}", facts,
                                             PROG),
            [f"WARNING: a benchmark run failed: {f}" for f in failures] + lines))
    bad = [r for r in results if r["verdict"] in FAILING]
    for r in bad:
        print(f"{r['verdict']}: {r['name']}" + (f": {r['why']}" if r.get("why") else ""))
    if failures:
        for f in failures:
            print(f"ab: failed: {f}", file=log)
        if not bad:
            return EXIT_INFRA
    return EXIT_FAIL if bad else EXIT_OK


def _main() -> int:
    try:
        return main()
    except InputError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ab: interrupted", file=sys.stderr)
        return 130


def run() -> NoReturn:
    entry_point(_main)


if __name__ == "__main__":
    run()
