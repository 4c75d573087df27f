# SPDX-License-Identifier: MIT
"""scripts/lock-ranking: ranks the lock strategies per mix from one run of the lock/ family
(docs/locks.md): contended throughput at 1, 2, 4 and 8 threads, interleaved over
repetitions, ranked by the geometric mean over thread counts; fairness at 8 threads.
With --wait park (or pure-spin), the spinning strategies wait that way instead of
yielding; the sleeping ones are ranked beside them as they are. The yielding runs are
made in the same interleaved run, and a last table sets the two side by side for each
spinning strategy (the ratio of medians), so that the comparison is not one of two runs
at different times. The runs count context switches (iomem-bench --counters software),
and a table gives each strategy's context switches per acquisition, which tell how its
waiters wait; where they cannot be counted, it says why.

usage: scripts/lock-ranking [--wait yield|park|pure-spin] [REPETITIONS]
       (default yield, 3 repetitions; about 20 s each)

In a source tree, iomem-bench is build/iomem-bench (configured and built first when it is
missing); in an install, the iomem-bench beside the tools in bin/. IOMEM_LOCK_BENCH_MS
sets each run's length (default 200).
"""
import json
import math
import os
import re
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from .common import EXIT_USAGE, SOURCE_DIR, Doc, Entry, default_build_dir, entry_point, tool_name

PROG = tool_name("lock-ranking")

USAGE = f"usage: {PROG} [--wait yield|park|pure-spin] [REPETITIONS]"
MIXES = ("read-only", "read-mostly", "write-heavy")
NAME_RE = re.compile(r"lock/([^/]+)/([^/]+)/threads:(\d+)(/park|/pure-spin)?/")


@dataclass(frozen=True)
class LockRankArgs:
    """The command line: how the spinning strategies wait, and the repetitions."""
    wait: str           # "" (yield), "/park" or "/pure-spin": the benchmark name's suffix
    repetitions: str    # digits, as given (--benchmark_repetitions)


def parse_args(argv: Sequence[str]) -> LockRankArgs | None:
    """The options, or None on a usage error. Arguments after REPETITIONS are ignored."""
    args = list(argv)
    wait = ""
    if args[:1] == ["--wait"]:
        how = args[1] if len(args) > 1 else ""
        if how in ("park", "pure-spin"):
            wait = f"/{how}"
        elif how != "yield":
            return None
        args = args[2:]
    reps = args[0] if args and args[0] else "3"
    if any(c not in "0123456789" for c in reps) or reps == "0":
        return None
    return LockRankArgs(wait, reps)


def _status(rc: int) -> int:
    """A child's exit status as a shell reports it (128 + N when killed by signal N)."""
    return rc if rc >= 0 else 128 - rc


def ensure_built(bench: str) -> int:
    """0 when iomem-bench is there; in a source tree, it is configured and built first
    (scripts/setup, cmake) when missing. Else the failing step's status."""
    if os.access(bench, os.X_OK):
        return 0
    if SOURCE_DIR is None:
        print(f"{PROG}: error: no iomem-bench at {bench}", file=sys.stderr)
        return EXIT_USAGE
    jobs = str(len(os.sched_getaffinity(0)))
    for cmd, quiet in ((["scripts/setup"], False),
                       (["cmake", "-S", ".", "-B", "build"], True),
                       (["cmake", "--build", "build", f"-j{jobs}"], True)):
        r = subprocess.run(cmd, cwd=SOURCE_DIR,
                           stdout=subprocess.DEVNULL if quiet else None)
        if r.returncode != 0:
            return _status(r.returncode)
    return 0


def run_benchmarks(bench: str, args: LockRankArgs) -> tuple[int, str]:
    """(status, JSON output) of one run of the lock/ family's contended benchmarks."""
    env = dict(os.environ)
    env["IOMEM_LOCK_BENCH_MS"] = env.get("IOMEM_LOCK_BENCH_MS") or "200"
    r = subprocess.run(
        [bench, "--counters=software",
         "--benchmark_filter=^lock/[^/]+/(read-only|read-mostly|write-heavy)/"
         f"threads:[0-9]+({args.wait})?/iterations",
         f"--benchmark_repetitions={args.repetitions}",
         "--benchmark_enable_random_interleaving=true", "--benchmark_format=json"],
        cwd=SOURCE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)
    return _status(r.returncode), r.stdout


def ranking(doc: Doc, wait: str) -> list[str]:
    """The ranking tables, as lines."""
    found: list[tuple[re.Match[str], Entry]] = []
    for b in doc["benchmarks"]:
        if b.get("run_type") == "iteration" and not b.get("error_occurred"):
            m = NAME_RE.match(b["name"])
            if m:
                found.append((m, b))
    # Spinning strategies have the chosen variant: rank that one; the others as they are.
    has_variant = {m[1] for m, _ in found if (m[4] or "") == wait}
    runs: dict[tuple[str, str, int], list[Entry]] = {}
    for m, b in found:
        if (m[4] or "") == (wait if m[1] in has_variant else ""):
            runs.setdefault((m[1], m[2], int(m[3])), []).append(b)
    threads = sorted({k[2] for k in runs})
    out = ["lock strategies, contended throughput (M acquisitions/s, median of %d runs)%s"
           % (max(len(v) for v in runs.values()),
              ", spinning ones waiting by %s" % wait[1:] if wait else "")]
    for mix in MIXES:
        rows: list[tuple[float, str, list[float], float, int, int]] = []
        for lock in sorted({k[0] for k in runs}):
            med = [statistics.median(r["ops_per_s"] for r in runs[(lock, mix, t)])
                   for t in threads]
            last = runs[(lock, mix, threads[-1])]
            jain = statistics.median(r["jain"] for r in last)
            starved = sum(r["starved"] for r in last)
            rows.append((math.exp(sum(math.log(v) for v in med) / len(med)), lock, med, jain,
                         starved, len(last)))
        rows.sort(reverse=True)
        out += ["", mix, "| rank | strategy | %s | geomean | Jain @%d | starved @%d |" % (
            " | ".join("%d thr" % t for t in threads), threads[-1], threads[-1])]
        out.append("|---|---|%s---|---|---|" % ("---|" * len(threads)))
        for i, (g, lock, med, jain, starved, n) in enumerate(rows, 1):
            out.append("| %d | %s | %s | %.2f | %.3f | %s |" % (
                i, lock, " | ".join("%.2f" % (v / 1e6) for v in med), g / 1e6, jain,
                "%d/%d runs" % (starved, n) if starved else "no"))
    return out


def lock_kinds(iomem: str) -> dict[str, str]:
    """lock -> "sleeping" or "spinning", from `iomem list` ({} when it cannot run)."""
    try:
        out = subprocess.run([iomem, "list"], capture_output=True, text=True, timeout=60,
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    kinds = {}
    for line in out.splitlines():
        m = re.match(r"^  (\S+)\s+(sleeping|spinning),", line)
        if m:
            kinds[m[1]] = m[2]
    return kinds


def context_switches(doc: Doc, wait: str, kinds: dict[str, str]) -> list[str]:
    """Context switches per acquisition, median per strategy, mix and thread count, of the
    variant ranked (as lines); or why they were not counted."""
    med: dict[tuple[str, str, int], list[float]] = {}
    has_variant = set()
    for b in doc["benchmarks"]:
        m = NAME_RE.match(b["name"])
        if m and (m[4] or "") == wait:
            has_variant.add(m[1])
    for b in doc["benchmarks"]:
        m = NAME_RE.match(b["name"])
        if not m or b.get("run_type") != "iteration" or b.get("error_occurred") or \
                (m[4] or "") != (wait if m[1] in has_variant else ""):
            continue
        if "ctx_switches_per_op" in b:
            med.setdefault((m[1], m[2], int(m[3])), []).append(b["ctx_switches_per_op"])
    if not med:
        why = doc.get("context", {}).get("counters_unavailable") or "not counted"
        return ["", f"context switches per acquisition: not counted here: {why}"]
    threads = sorted({k[2] for k in med})
    order = sorted({k[0] for k in med}, key=lambda lk: (kinds.get(lk, "?"), lk))
    out = ["", "context switches per acquisition (median of the runs; sleeping strategies "
           "wait in the kernel, spinning ones %s)" % ("by " + wait[1:] if wait else
                                                     "by yielding"),
           "| strategy | kind | mix | %s |" % " | ".join("%d thr" % t for t in threads),
           "|---|---|---|%s" % ("---|" * len(threads))]
    for lock in order:
        for mix in MIXES:
            cells = ["%.3g" % statistics.median(med[(lock, mix, t)])
                     if (lock, mix, t) in med else "-" for t in threads]
            out.append("| %s | %s | %s | %s |" % (lock, kinds.get(lock, "?"), mix,
                                                  " | ".join(cells)))
    return out


def versus_yield(doc: Doc, wait: str) -> list[str]:
    """For each strategy measured both ways in doc: its median throughput yielding and
    waiting by wait, side by side per mix and thread count, as lines."""
    med: dict[tuple[str, str, int, str], list[float]] = {}
    for b in doc["benchmarks"]:
        m = NAME_RE.match(b["name"])
        if m and b.get("run_type") == "iteration" and not b.get("error_occurred"):
            med.setdefault((m[1], m[2], int(m[3]), m[4] or ""), []).append(b["ops_per_s"])
    locks = sorted({k[0] for k in med if k[3] == wait})
    threads = sorted({k[2] for k in med})
    if not locks:
        return []
    out = ["", "%s against yield, same run (M acquisitions/s yield -> %s, and the ratio)"
           % (wait[1:], wait[1:]),
           "| strategy | mix | %s |" % " | ".join("%d thr" % t for t in threads),
           "|---|---|%s" % ("---|" * len(threads))]
    for lock in locks:
        for mix in MIXES:
            cells = []
            for t in threads:
                y, w = med.get((lock, mix, t, "")), med.get((lock, mix, t, wait))
                if not y or not w:
                    cells.append("-")
                    continue
                my, mw = statistics.median(y), statistics.median(w)
                cells.append("%.2f -> %.2f (%.2fx)" % (my / 1e6, mw / 1e6, mw / my))
            out.append("| %s | %s | %s |" % (lock, mix, " | ".join(cells)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args is None:
        print(USAGE, file=sys.stderr)
        return EXIT_USAGE
    bench = os.path.join(default_build_dir(), "iomem-bench")
    rc = ensure_built(bench)
    if rc:
        return rc
    rc, output = run_benchmarks(bench, args)
    if rc:
        return rc
    doc = json.loads(output)
    kinds = lock_kinds(os.path.join(os.path.dirname(bench), "iomem"))
    for line in ranking(doc, args.wait) + (versus_yield(doc, args.wait) if args.wait else []) \
            + context_switches(doc, args.wait, kinds):
        print(line)
    return 0


def run() -> NoReturn:
    entry_point(main)


if __name__ == "__main__":
    run()
