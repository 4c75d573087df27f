# SPDX-License-Identifier: MIT
"""test-times: run a ctest selection N times and report each test's runtime spread.

Each round is one `ctest --output-junit` run of the whole selection (in parallel with
--jobs, as CI runs it), so the figures include what the tests do to each other. Exit 0
when every run of every test passed, 1 otherwise (the failures are listed), 2 on bad
usage or a ctest that could not run.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from .common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, SOURCE_DIR, entry_point, tool_name

PROG = tool_name("test-times")


@dataclass
class TestRuns:
    name: str
    seconds: list[float] = field(default_factory=list)
    failures: int = 0


def run_round(build: Path, label: str | None, regex: str | None, jobs: int) -> list[tuple[str, float, bool]]:
    """One ctest run: (test, seconds, passed) per test."""
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = ["ctest", "--test-dir", str(build), "-j", str(jobs), "--output-junit", str(junit)]
        if label:
            cmd += ["-L", label]
        if regex:
            cmd += ["-R", regex]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if not junit.exists():
            raise RuntimeError(f"ctest wrote no report: {' '.join(cmd)}")
        out = []
        for case in ET.parse(junit).getroot().iter("testcase"):
            passed = case.find("failure") is None and case.get("status") == "run"
            out.append((case.get("name", "?"), float(case.get("time", "0")), passed))
        return out


def quantile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def table(runs: dict[str, TestRuns]) -> str:
    lines = ["| test | runs | failed | median s | min s | p90 s | max s |",
             "|---|---|---|---|---|---|---|"]
    for r in sorted(runs.values(), key=lambda r: r.name):
        xs = r.seconds
        lines.append(f"| `{r.name}` | {len(xs)} | {r.failures} | {statistics.median(xs):.2f} | "
                     f"{min(xs):.2f} | {quantile(xs, 0.9):.2f} | {max(xs):.2f} |")
    return "\n".join(lines)


@dataclass
class TestTimesArgs:
    """test-times' command line (the fields are the parser's destinations)."""
    build: Path
    label: str | None
    regex: str | None
    repeat: int
    jobs: int


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path,
                    default=Path(SOURCE_DIR) / "build" if SOURCE_DIR else Path("build"),
                    help="the build tree (default: build"
                    f"{'' if SOURCE_DIR else ' in the current directory'})")
    ap.add_argument("--label", "-L", help="ctest label to select (e.g. locks)")
    ap.add_argument("--regex", "-R", help="ctest name regex to select")
    ap.add_argument("--repeat", "-n", type=int, default=30, help="rounds (default 30)")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="ctest -j (default 2)")
    args = TestTimesArgs(**vars(ap.parse_args(argv)))
    if args.repeat < 1 or args.jobs < 1:
        ap.error("--repeat and --jobs take a positive number")
    runs: dict[str, TestRuns] = {}
    try:
        for i in range(args.repeat):
            for name, secs, passed in run_round(args.build, args.label, args.regex, args.jobs):
                r = runs.setdefault(name, TestRuns(name))
                r.seconds.append(secs)
                r.failures += not passed
            print(f"test-times: round {i + 1}/{args.repeat}", file=sys.stderr)
    except (OSError, RuntimeError, ET.ParseError) as e:
        print(f"test-times: {e}", file=sys.stderr)
        return EXIT_USAGE
    if not runs:
        print("test-times: no test selected", file=sys.stderr)
        return EXIT_USAGE
    print(table(runs))
    failed = [r for r in runs.values() if r.failures]
    for r in failed:
        print(f"FAILED {r.name}: {r.failures} of {len(r.seconds)} runs", file=sys.stderr)
    return EXIT_FAIL if failed else EXIT_OK


def run() -> NoReturn:
    entry_point(main)


if __name__ == "__main__":
    run()
