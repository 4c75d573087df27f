# SPDX-License-Identifier: MIT
"""Suites (scripts/lib/iomemperf/suites.toml) -> units -> a round-robin run plan."""
import os
import random
import re
import subprocess
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .common import SUITES_FILE, InputError
from .metrics import parse_name, thread_count

Suite = dict[str, Any]          # a [suite.NAME] table of suites.toml
SuiteEntry = dict[str, Any]     # one of its [[suite.NAME.entry]] tables
Dims = dict[str, str | int | float]
ENTRY_KEYS = {"tool", "family", "include", "exclude", "backends", "locks", "threads",
              "sizes", "group", "args", "env", "name"}
TOOLS = ("iomem-bench", "stress")


def load(path: str = SUITES_FILE) -> dict[str, Suite]:
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"malformed TOML: {e}", path)
    suites = doc.get("suite")
    if not isinstance(suites, dict) or not suites:
        raise InputError("no [suite.NAME] tables", path)
    checked: dict[str, Suite] = suites
    for name, s in suites.items():
        if not isinstance(s.get("repetitions", 1), int) or s.get("repetitions", 1) < 1:
            raise InputError(f"suite {name}: repetitions must be a positive integer", path)
        entries = s.get("entry", [])
        if not entries:
            raise InputError(f"suite {name}: no entries", path)
        for i, entry in enumerate(entries):
            where = f"suite {name} entry {i + 1}"
            unknown = set(entry) - ENTRY_KEYS
            if unknown:
                raise InputError(f"{where}: unknown keys {sorted(unknown)}", path)
            if entry.get("tool") not in TOOLS:
                raise InputError(f"{where}: tool must be one of {TOOLS}", path)
            if entry["tool"] == "iomem-bench" and not entry.get("family"):
                raise InputError(f"{where}: an iomem-bench entry needs a family", path)
            if entry["tool"] == "stress" and \
                    not any("{json}" in a for a in entry.get("args", [])):
                raise InputError(f"{where}: a stress entry's args must write {{json}}", path)
            for k in ("include", "exclude"):
                if k in entry:
                    try:
                        re.compile(entry[k])
                    except re.error as err:
                        raise InputError(f"{where}: bad {k} regex: {err}", path)
    return checked


def entry_label(e: SuiteEntry) -> str:
    label: str = e.get("name") or (e["family"] if e["tool"] == "iomem-bench" else "stress")
    return label


@dataclass(eq=False, repr=False)
class Unit:
    """One process to run per repetition."""
    id: str
    entry: str                  # the label of the suite entry it comes from
    tool: str                   # "iomem-bench" or "stress"
    args: list[str]             # stress: the templated command after `iomem`
    env: dict[str, str]
    names: list[str] = field(default_factory=list)  # iomem-bench: the benchmarks it runs
    dims: Dims = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Copies: units of one suite entry share nothing.
        self.args = list(self.args)
        self.env = dict(self.env)
        self.names = list(self.names)

    def __repr__(self) -> str:
        return f"Unit({self.id})"


def _dims(name: str, backends: tuple[str, ...], locks: tuple[str, ...]) -> Dims:
    family, parsed, path = parse_name(name, backends, locks)
    dims: Dims = dict(parsed)
    dims["family"] = family
    dims["op"] = path[0] if path else ""
    dims["path"] = "/".join(path)
    dims["name"] = name
    t = thread_count(dims)
    if t is not None:
        dims["_threads"] = t
    for k in ("n", "live", "size"):
        if k in dims:
            dims["_size"] = dims[k]
            break
    return dims


def _keep(e: SuiteEntry, dims: Dims) -> bool:
    if "backends" in e and "backend" in dims and dims["backend"] not in e["backends"]:
        return False
    if "locks" in e and "lock" in dims and dims["lock"] not in e["locks"]:
        return False
    if "threads" in e and "_threads" in dims and dims["_threads"] not in e["threads"]:
        return False
    if "sizes" in e and "_size" in dims and \
            int(dims["_size"]) not in [int(x) for x in e["sizes"]]:
        return False
    name = str(dims["name"])
    if "include" in e and not re.search(e["include"], name):
        return False
    if "exclude" in e and re.search(e["exclude"], name):
        return False
    return True


def ere_escape(name: str) -> str:
    """Escapes a benchmark name for Google Benchmark's POSIX extended regex filter."""
    return re.sub(r"([.\[\]{}()*+?^$|\\])", r"\\\1", name)


def expand(suite_name: str, suite: Suite, bench_names: Sequence[str],
           backends: tuple[str, ...], locks: tuple[str, ...],
           stress_available: bool) -> tuple[list[Unit], list[str]]:
    """(units, notes): the units of a suite, given what the built binaries offer; notes are
    human-readable lines about skipped entries."""
    units: list[Unit] = []
    notes: list[str] = []
    for e in suite["entry"]:
        label = entry_label(e)
        if e["tool"] == "stress":
            if not stress_available:
                notes.append(f"{label}: skipped: the build's iomem has no 'stress' "
                             "subcommand (or is not built)")
                continue
            for b in e.get("backends", ["rwlock"]):
                for lk in e.get("locks", [None]):
                    for t in e.get("threads", [1]):
                        dims: Dims = {"backend": b, "threads": t}
                        if lk:
                            dims["lock"] = lk
                        uid = "stress[" + ",".join(f"{k}={v}" for k, v in dims.items()) + "]"
                        args = [a.replace("{backend}", b).replace("{lock}", lk or "")
                                .replace("{threads}", str(t)) for a in e.get("args", [])]
                        if lk is None:
                            args = _drop_empty_option(args, "--lock")
                        units.append(Unit(uid, label, "stress", args, e.get("env", {}),
                                          dims=dims))
            continue
        fam = e["family"]
        matched = [n for n in bench_names if n.split("/", 1)[0] == fam]
        if not matched:
            notes.append(f"{label}: skipped: this iomem-bench has no '{fam}/' benchmarks "
                         "(not built in yet?)")
            continue
        kept = [(n, _dims(n, backends, locks)) for n in matched]
        kept = [(n, d) for n, d in kept if _keep(e, d)]
        if not kept:
            notes.append(f"{label}: skipped: no '{fam}/' benchmark matches the suite's grid")
            continue
        groups: dict[tuple[tuple[str, Any], ...], list[str]] = {}
        order: list[tuple[tuple[str, Any], ...]] = []
        for n, d in kept:
            key = tuple((g, d.get(g, "")) for g in e.get("group", ["name"]))
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(n)
        for key in order:
            names = groups[key]
            desc = ",".join(f"{g}={v}" for g, v in key) if e.get("group") else names[0]
            uid = f"{fam}[{desc}]" if e.get("group") else names[0]
            filt = "^(" + "|".join(ere_escape(n) for n in names) + ")$"
            args = [f"--benchmark_filter={filt}", *e.get("args", [])]
            units.append(Unit(uid, label, "iomem-bench", args, e.get("env", {}), names,
                              dims=dict(key)))
    return units, notes


def _drop_empty_option(args: list[str], opt: str) -> list[str]:
    out: list[str] = []
    skip = False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a == opt and i + 1 < len(args) and args[i + 1] == "":
            skip = True
            continue
        out.append(a)
    return out


def plan(units: Sequence[Unit], repetitions: int, seed: int) -> list[tuple[int, Unit]]:
    """Round-robin: [(rep, unit)], every unit once per repetition, each repetition in its
    own shuffled order (seeded, so a plan can be replayed)."""
    rng = random.Random(seed)
    out: list[tuple[int, Unit]] = []
    for r in range(repetitions):
        order = list(units)
        rng.shuffle(order)
        out.extend((r, u) for u in order)
    return out


# --- What the built binaries offer --------------------------------------------------------

def list_benchmarks(bench: str) -> list[str]:
    try:
        r = subprocess.run([bench, "--benchmark_list_tests"], capture_output=True, text=True,
                           timeout=120)
    except OSError as e:
        raise InputError(f"cannot run: {e.strerror}", bench)
    if r.returncode != 0:
        raise InputError(f"--benchmark_list_tests failed: {r.stderr.strip()}", bench)
    return [ln.strip() for ln in r.stdout.splitlines() if ln.strip()]


def iomem_lists(iomem: str) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """(backends, locks) from `iomem list`, or None each when unavailable."""
    try:
        r = subprocess.run([iomem, "list"], capture_output=True, text=True, timeout=30)
    except OSError:
        return None, None
    b: tuple[str, ...] | None = None
    lk: tuple[str, ...] | None = None
    for line in r.stdout.splitlines():
        k, _, v = line.partition(":")
        if k.strip() == "backends":
            b = tuple(v.split())
        elif k.strip() == "locks":
            lk = tuple(v.split())
    return b, lk


def stress_available(iomem: str) -> bool:
    if not os.access(iomem, os.X_OK):
        return False
    try:
        r = subprocess.run([iomem, "help"], capture_output=True, text=True, timeout=30)
        if re.search(r"^\s+stress\b", r.stdout + r.stderr, re.M):
            return True
        r = subprocess.run([iomem, "stress", "--help"], capture_output=True, text=True,
                           timeout=30)
        return r.returncode == 0
    except OSError:
        return False
