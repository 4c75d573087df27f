# SPDX-License-Identifier: MIT
"""Runs a plan of units (scripts/sweep: one build; scripts/ab: two builds, interleaved) and
merges everything into Google Benchmark JSON documents."""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from . import fingerprint
from .common import SOURCE_DIR, Doc, Entry, git_revision, line_latency_of
from .metrics import DEFAULT_BACKENDS, DEFAULT_LOCKS
from .suites import Dims, Unit, iomem_lists, list_benchmarks, stress_available

Side = str | None       # "A" or "B" in scripts/ab; None in scripts/sweep
PlanStep = tuple[int, Unit, Side]       # (repetition, unit, side)


@dataclass(eq=False)
class Build:
    """A build directory and what its binaries offer (known once probed)."""
    dir: str
    label: str | None = None
    src: str | None = SOURCE_DIR    # the source tree its runs run in (None: the current
    #                                 directory) and whose revision a sweep records
    names: list[str] = field(default_factory=list)
    backends: tuple[str, ...] = DEFAULT_BACKENDS
    locks: tuple[str, ...] = DEFAULT_LOCKS
    stress: bool = False

    def __post_init__(self) -> None:
        self.dir = os.path.abspath(self.dir)

    @property
    def bench(self) -> str:
        return os.path.join(self.dir, "iomem-bench")

    @property
    def iomem(self) -> str:
        return os.path.join(self.dir, "iomem")

    def check(self) -> str | None:
        if not os.access(self.bench, os.X_OK):
            if SOURCE_DIR is None:
                return (f"{self.bench}: error: no iomem-bench here; pass the directory of "
                        "an iomembench build (or of its installed binaries)")
            return (f"{self.bench}: error: no iomem-bench here; build first: "
                    f"cmake -S . -B {os.path.relpath(self.dir, SOURCE_DIR)} && "
                    f"cmake --build {os.path.relpath(self.dir, SOURCE_DIR)}")
        return None

    def probe(self) -> "Build":
        self.names = list_benchmarks(self.bench)
        b, lk = iomem_lists(self.iomem) if os.access(self.iomem, os.X_OK) else (None, None)
        self.backends = b or DEFAULT_BACKENDS
        self.locks = lk or DEFAULT_LOCKS
        self.stress = stress_available(self.iomem)
        return self


def cmake_source_dir(build_dir: str) -> str | None:
    """The source tree a CMake build directory was configured from (CMAKE_HOME_DIRECTORY in
    its CMakeCache.txt), or None."""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8",
                  errors="replace") as f:
            for line in f:
                if line.startswith("CMAKE_HOME_DIRECTORY:"):
                    d = line.split("=", 1)[1].strip()
                    return d if os.path.isdir(d) else None
    except OSError:
        pass
    return None


def cpu_busy() -> tuple[float, float] | None:
    """(busy seconds of all CPUs, wall seconds) from /proc/stat, or None."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    hz = os.sysconf("SC_CLK_TCK")
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / hz, time.monotonic()


def foreign_cpus(before: tuple[float, float] | None, after: tuple[float, float] | None,
                 child_cpu: float) -> float | None:
    """CPUs' worth of other work that ran beside one of our runs: all busy time minus the
    benchmark's own CPU time, per second of wall time."""
    if not before or not after or after[1] <= before[1]:
        return None
    return max(0.0, (after[0] - before[0] - child_cpu) / (after[1] - before[1]))


def run_unit(build: Build, unit: Unit, workdir: str, seed: int,
             timeout: float) -> tuple[list[Entry], Doc | None, str | None]:
    """(entries, context, error) of one process."""
    out = os.path.join(workdir, f"unit-{os.getpid()}-{time.monotonic_ns()}.json")
    env = dict(os.environ)
    env.update({k: str(v) for k, v in unit.env.items()})
    if unit.tool == "iomem-bench":
        cmd = [build.bench, *unit.args, "--benchmark_repetitions=1",
               f"--benchmark_out={out}", "--benchmark_out_format=json",
               "--benchmark_format=console"]
    else:
        cmd = [build.iomem, *[a.replace("{json}", out).replace("{seed}", str(seed))
                              for a in unit.args]]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0 = cpu_busy()
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                           cwd=build.src)
    except subprocess.TimeoutExpired:
        return [], None, f"timed out after {timeout} s: {' '.join(cmd)}"
    except OSError as e:
        return [], None, f"cannot run {cmd[0]}: {e.strerror}"
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    foreign = foreign_cpus(busy0, cpu_busy(), (ru1.ru_utime - ru0.ru_utime) +
                           (ru1.ru_stime - ru0.ru_stime))
    doc: Doc | None = None
    err = ""
    try:
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        doc = None
        err = f"no JSON result ({e.__class__.__name__})"
    finally:
        if os.path.exists(out):
            os.unlink(out)
    if r.returncode != 0:
        tail = " | ".join((r.stderr or r.stdout).strip().splitlines()[-3:])
        return (doc or {}).get("benchmarks", []), (doc or {}).get("context"), \
            f"exit {r.returncode}: {tail}"
    if doc is None:
        return [], None, err
    entries: list[Entry] = doc.get("benchmarks", [])
    if foreign is not None:
        entries = [dict(e, iomembench={"foreign_cpus": round(foreign, 3)}) for e in entries]
    if unit.tool == "stress":
        entries = [dict(e, name=stress_name(e.get("name", "?"), unit.dims)) for e in entries]
    return entries, doc.get("context", {}), None


def stress_name(name: str, dims: Dims) -> str:
    """Makes a stress entry's name unique per unit: 'stress/...' with the unit's backend,
    lock and threads as segments when the name does not say them."""
    segs = name.split("/")
    if segs[0] != "stress":
        segs.insert(0, "stress")
    if "backend" in dims and dims["backend"] not in segs:
        segs.insert(1, str(dims["backend"]))
    for k in ("lock", "threads"):
        if k in dims and not any(s.startswith(f"{k}:") for s in segs) and \
                str(dims[k]) not in segs:
            segs.append(f"{k}:{dims[k]}")
    return "/".join(segs)


def execute(plan: Sequence[PlanStep], builds: Mapping[Side, Build], repetitions: int,
            seed: int, log: TextIO | None = sys.stderr,
            timeout: float = 900) -> dict[Side, "Merge"]:
    """Runs [(rep, unit, side)] in order. Returns {side: Merge}."""
    merges = {side: Merge(repetitions) for side in builds}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="iomem-sweep-") as tmp:
        for k, (rep, unit, side) in enumerate(plan):
            t = time.monotonic()
            entries, ctx, err = run_unit(builds[side], unit, tmp, seed + rep, timeout)
            merges[side].add(rep, unit, entries, ctx, err, seq=k)
            if log:
                tag = f" {side}" if side is not None and len(builds) > 1 else ""
                status = f"FAILED: {err}" if err else f"{time.monotonic() - t:.1f} s"
                print(f"[{k + 1}/{len(plan)} {time.monotonic() - t0:5.0f} s] rep "
                      f"{rep + 1}/{repetitions}{tag} {unit.id}: {status}", file=log,
                      flush=True)
    return merges


@dataclass(eq=False)
class Merge:
    """Accumulates the runs of one side into one Google Benchmark document."""
    repetitions: int
    entries: list[Entry] = field(default_factory=list)
    context: Doc | None = None
    failures: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    foreign: list[float] = field(default_factory=list)
    line_latencies: list[float] = field(default_factory=list)

    def add(self, rep: int, unit: Unit, entries: list[Entry], ctx: Doc | None,
            err: str | None, seq: int) -> None:
        self.order.append(f"{rep + 1}:{unit.id}")
        if ctx and self.context is None and unit.tool == "iomem-bench":
            self.context = ctx
        line = line_latency_of(ctx or {})
        if line is not None:        # every process measured it before it ran
            self.line_latencies.append(line)
        if err:
            self.failures.append(f"rep {rep + 1} {unit.id}: {err}")
        for e in entries:
            e = dict(e)
            e["repetitions"] = self.repetitions
            e["repetition_index"] = rep
            e["iomembench"] = dict(e.get("iomembench") or {}, unit=unit.id, seq=seq)
            if "foreign_cpus" in e["iomembench"]:
                self.foreign.append(e["iomembench"]["foreign_cpus"])
            self.entries.append(e)

    def document(self, extra_context: Doc) -> Doc:
        # Group by benchmark (first-seen order), repetitions in order; renumber indexes.
        order: list[str] = []
        by_name: dict[str, list[Entry]] = {}
        for e in self.entries:
            if e.get("run_type", "iteration") != "iteration":
                continue        # no per-process aggregates: we ran one repetition each
            if e["name"] not in by_name:
                by_name[e["name"]] = []
                order.append(e["name"])
            by_name[e["name"]].append(e)
        benchmarks = []
        for fi, name in enumerate(order):
            for e in sorted(by_name[name], key=lambda x: int(x["repetition_index"])):
                e["family_index"] = fi
                e["per_family_instance_index"] = 0
                benchmarks.append(e)
        ctx = dict(self.context or {})
        ctx.update(extra_context)
        if self.foreign:
            ctx["foreign_cpus_mean"] = round(sum(self.foreign) / len(self.foreign), 3)
        ctx.pop("line_latency_ns", None)    # the first process's, replaced by all of them
        ctx.pop("line_latency_cpus", None)
        if self.line_latencies:
            ctx["line_latency_ns"] = f"{statistics.median(self.line_latencies):.1f}"
            ctx["line_latency_ns_range"] = [min(self.line_latencies), max(self.line_latencies)]
        ctx["run_order"] = self.order
        ctx["failures"] = self.failures
        return {"context": ctx, "benchmarks": benchmarks}


def sweep_context(build: Build, suite_name: str, repetitions: int, seed: int,
                  notes: list[str], bench_context: Doc | None = None) -> Doc:
    """The context of a sweep's result: the machine, the build, the revision, the plan.
    The revision is that of the build's source tree; without one (installed binaries),
    the one iomem-bench was built from (bench_context: the context iomem-bench wrote)."""
    info = fingerprint.collect(build.dir)
    if build.src is not None:
        rev, dirty = git_revision(build.src)
    else:
        rev, dirty = str((bench_context or {}).get("iomem_git_rev") or "unknown"), False
    ctx = dict(info)
    ctx.update({
        "git_revision": rev,
        "git_dirty": dirty,
        "suite": suite_name,
        "repetitions": repetitions,
        "sweep_seed": seed,
        "iomem_backends": " ".join(build.backends),
        "iomem_locks": " ".join(build.locks),
        "skipped": notes,
        "host_name": os.uname().nodename,
    })
    return ctx
