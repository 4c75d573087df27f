# SPDX-License-Identifier: MIT
"""scenario-table: a scenario's results table, one row per backend, for its docs page.

Runs `iomem stress --scenario NAME --backend all --repetitions 3` (every backend the build
registers, repetitions interleaved so that they share the machine's state), or reads the
JSON of such a run (--json), and prints a Markdown block: when, where and how it was
measured (date, commit, machine fingerprint, load average, the exact command), a row per
backend with the starting tree's build time and each op's p50, p99 and throughput, and
each figure of merit's best backend against rwlock. With --update it replaces the block
between the markers of docs/scenarios/NAME.md (or --page), so that a backend added to the
engine gains its row by running the command again.

Usage: scripts/scenario-table NAME [--build-dir DIR] [--json FILE] [--update]
         [--page FILE] [-- IOMEM-STRESS-ARGS...]
Exit status: 0, 1 when the run's checks failed (the block says so), 2 on bad input.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, NoReturn

from . import fingerprint
from .common import EXIT_FAIL, EXIT_OK, InputError, die, entry_point, load_json, tool_name

BEGIN = "<!-- scenario-table: begin (scripts/scenario-table writes this block) -->"
END = "<!-- scenario-table: end -->"
PROG = tool_name("scenario-table")


@dataclass
class OpFigures:
    per_second: float
    p50_ns: float
    p99_ns: float


def human_ns(ns: float) -> str:
    """As the stress summary prints latencies: 850ns, 3.4us, 1.2ms, 2.00s."""
    if ns < 1e3:
        return f"{ns:.0f}ns"
    if ns < 1e6:
        return f"{ns / 1e3:.1f}us"
    if ns < 1e9:
        return f"{ns / 1e6:.1f}ms"
    return f"{ns / 1e9:.2f}s"


def human_rate(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e3:
        return f"{v / 1e3:.1f}k"
    return f"{v:.0f}"


def figures(doc: dict[str, Any]) -> tuple[list[str], list[str], dict[tuple[str, str], OpFigures]]:
    """The backends in run order, the ops in first-seen order, and each (backend, op)."""
    ctx = doc["context"]
    backends = [b for b in str(ctx.get("backend", "")).split(",") if b]
    ops: list[str] = []
    out: dict[tuple[str, str], OpFigures] = {}
    for e in doc["benchmarks"]:
        parts = str(e["name"]).split("/")
        if len(parts) != 3 or parts[0] != "stress":
            continue
        backend, op = parts[1], parts[2]
        if op not in ops:
            ops.append(op)
        out[(backend, op)] = OpFigures(float(e.get("ops_per_second", 0)),
                                       float(e.get("p50_ns", 0)), float(e.get("p99_ns", 0)))
    return backends, ops, out


def merit_lines(ctx: dict[str, Any], backends: list[str],
                figs: dict[tuple[str, str], OpFigures]) -> list[str]:
    """Each figure of merit's lowest p99 and its ratio to rwlock's."""
    lines = []
    for op in [o for o in str(ctx.get("scenario_headline", "")).split(",") if o]:
        have = [(figs[(b, op)].p99_ns, b) for b in backends
                if (b, op) in figs and figs[(b, op)].p99_ns > 0]
        if not have:
            continue
        best, at = min(have)
        base = figs.get(("rwlock", op))
        ratio = (f", {base.p99_ns / best:.1f}x below rwlock's {human_ns(base.p99_ns)}"
                 if base and base.p99_ns > 0 and at != "rwlock" else "")
        lines.append(f"- `{op}` p99: lowest on {at}, {human_ns(best)}{ratio}")
    return lines


def block(doc: dict[str, Any], command: str, machine: str) -> str:
    ctx = doc["context"]
    backends, ops, figs = figures(doc)
    load = ctx.get("load_avg") or []
    head = ["backend", "build"]
    align = ["---", "---:"]
    for op in ops:
        head += [f"{op} p50", f"{op} p99", f"{op}/s"]
        align += ["---:"] * 3
    rows = []
    for b in backends:
        build = ctx.get(f"starting_tree_build_s/{b}")
        row = [b, human_ns(float(build) * 1e9) if build is not None else "-"]
        for op in ops:
            f = figs.get((b, op))
            row += ([human_ns(f.p50_ns), human_ns(f.p99_ns), human_rate(f.per_second)]
                    if f else ["-", "-", "-"])
        rows.append(row)
    out = [BEGIN,
           f"Measured {str(ctx.get('date', '?'))[:10]} (commit "
           f"`{str(ctx.get('git_revision', '?'))[:7]}`) on machine `{machine}`, load average "
           f"{float(load[0]) if load else float('nan'):.2f} when it started; "
           f"{ctx.get('starting_resources', '?')} resources in the starting tree:",
           "",
           "```sh",
           command,
           "```",
           "",
           "| " + " | ".join(head) + " |",
           "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    out.append("")
    out += merit_lines(ctx, backends, figs)
    if ctx.get("failure"):
        out.append(f"- **The checks failed**: {ctx['failure']} (seed {ctx.get('failure_seed')})")
    else:
        out.append("- Every check held on every backend.")
    out.append(END)
    return "\n".join(out) + "\n"


def update_page(path: str, text: str) -> None:
    """Replaces the block between the markers (which must be there, once each)."""
    with open(path, encoding="utf-8") as f:
        page = f.read()
    if page.count(BEGIN) != 1 or page.count(END) != 1 or page.index(BEGIN) > page.index(END):
        raise ValueError(f"{path}: no block between '{BEGIN}' and '{END}'")
    before, rest = page.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(before + text.rstrip("\n") + after)
    os.replace(tmp, path)


def run_stress(build_dir: str, scenario: str, extra: list[str], out: str) -> tuple[str, int]:
    """The documented command, its exit status."""
    iomem = os.path.join(build_dir, "iomem")
    args = ["stress", "--scenario", scenario, "--backend", "all", "--repetitions", "3",
            "--no-progress"] + extra
    shown = " ".join([os.path.relpath(iomem)] + args + ["--json", "FILE"])
    r = subprocess.run([iomem] + args + ["--json", out], stdout=subprocess.DEVNULL)
    return shown, r.returncode


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("scenario")
    p.add_argument("--build-dir", default="build", help="the build whose iomem runs")
    p.add_argument("--json", help="the JSON of a run made already: no run")
    p.add_argument("--update", action="store_true",
                   help="rewrite the block in the scenario's page")
    p.add_argument("--page", help="the page to update (default docs/scenarios/NAME.md)")
    p.add_argument("extra", nargs="*", help="more `iomem stress` arguments, after --")
    return p


def main(argv: list[str] | None = None) -> int:
    ns = parser().parse_args(argv)
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = ns.json
        command = ""
        if not path:
            path = os.path.join(tmp, "run.json")
            command, status = run_stress(ns.build_dir, ns.scenario, ns.extra, path)
            if status not in (0, 1):
                die(PROG, f"iomem stress exited {status}")
        try:
            doc = load_json(path)
        except (OSError, InputError) as e:
            die(PROG, e)
        if doc["context"].get("scenario") != ns.scenario:
            die(PROG, f"{path} is not a run of the scenario {ns.scenario}")
        if not command:	# the run's own command line, its result file left out
            words = str(doc["context"].get("command_line", "")).split()
            command = " ".join("FILE" if i and words[i - 1] == "--json" else w
                               for i, w in enumerate(words))
        machine = fingerprint.fingerprint_id(fingerprint.collect(ns.build_dir))
        text = block(doc, command, machine)
    if ns.update:
        page = ns.page or os.path.join("docs", "scenarios", ns.scenario + ".md")
        try:
            update_page(page, text)
        except (OSError, ValueError) as e:
            die(PROG, e)
        print(f"{PROG}: updated {page}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_FAIL if status == 1 or doc["context"].get("failure") else EXIT_OK


def run() -> NoReturn:
    entry_point(main)


if __name__ == "__main__":
    run()
