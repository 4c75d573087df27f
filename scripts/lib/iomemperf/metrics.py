# SPDX-License-Identifier: MIT
"""What the numbers in a result mean: benchmark names -> dimensions, counter names ->
direction (higher or lower is better), and per-benchmark series over repetitions."""
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from .common import TIME_UNITS_NS, Doc, Entry, counters_of


class Direction(StrEnum):
    """Which way a metric is better; the value is the word in compare's JSON."""
    HIGHER = "higher"
    LOWER = "lower"
    INFO = "info"


HIGHER, LOWER, INFO = Direction.HIGHER, Direction.LOWER, Direction.INFO
TimeMode = Literal["auto", "cpu", "real"]      # which time decides (compare --time)

# First match wins. Names are iomem-bench's and `iomem stress`'s counters; anything unknown
# is informational (its change is shown, it never decides a verdict).
DIRECTION_RULES: list[tuple[str, Direction]] = [
    # Descriptions of the configuration or of the measurement, not of performance.
    (r"^(n|live|threads|readers|writers?|lat_samples|samples|timer_ns|seed|interrupted|"
     r"iterations|free_areas|purges|unmaps_per_purge|kernel_struct_resource_bytes|"
     r"name_bytes|ratio|duration_s|warmup_s|regions|depth|cpus)$", INFO),
    # Throughput and fairness: higher is better.
    (r"(^|_)(per_s|per_sec|per_second)(_|$)|throughput|^ops$|^jain$|fairness", HIGHER),
    # Latency, time per operation, memory per object, starvation: lower is better.
    (r"^p\d+(\.\d+)?(_ns|_us|_ms)$|^(max|mean|avg|min)_(ns|us|ms)$|latency", LOWER),
    (r"(_ns|_us|_ms)$|^ns_|ns_per_|bytes_per_resource|over_kernel_bytes|^starved$|"
     r"spurious|failures|errors$", LOWER),
]
_RULES = [(re.compile(p), d) for p, d in DIRECTION_RULES]

# Tail latencies: directional, shown with a verdict, but gated only with --gate-counters
# (on a shared 2-CPU machine a p99.9 moves by tens of percent between identical runs).
TAIL_RE = re.compile(r"^(p(9\d|99\d*)(\.\d+)?|max)_(ns|us|ms)$")
PERCENTILE_RE = re.compile(r"^p(\d+(?:\.\d+)?)_(ns|us|ms)$")


def direction(metric: str) -> Direction:
    if metric in ("time", "real_time", "cpu_time"):
        return LOWER
    for rx, d in _RULES:
        if rx.search(metric):
            return d
    return INFO


def is_tail(metric: str) -> bool:
    return bool(TAIL_RE.match(metric))


# --- Names -> dimensions ------------------------------------------------------------------

DEFAULT_BACKENDS = ("rwlock", "rcu", "itree", "maple")
DEFAULT_LOCKS = ("pthread-rw", "pthread-mutex", "ticket", "mcs", "qrwlock", "pflock",
                 "brlock")
GB_NAME_SUFFIX_KEYS = {"iterations", "repeats", "min_time", "min_warmup_time"}
GB_NAME_FLAGS = {"real_time", "process_time", "manual_time"}


def parse_name(name: str, backends: tuple[str, ...] = DEFAULT_BACKENDS,
               locks: tuple[str, ...] = DEFAULT_LOCKS) -> tuple[str, dict[str, str], list[str]]:
    """'tree_rw/rcu/readers:2/writer:1/iterations:1/real_time' ->
    ('tree_rw', {'backend': 'rcu', 'readers': '2', 'writer': '1'}, [])
    'tree/lookup/rwlock/n:100' -> ('tree', {'backend': 'rwlock', 'n': '100'}, ['lookup'])"""
    segs = name.split("/")
    family = segs[0]
    dims: dict[str, str] = {}
    path: list[str] = []
    for s in segs[1:]:
        if s in GB_NAME_FLAGS:
            continue
        if ":" in s:
            k, v = s.split(":", 1)
            if k in GB_NAME_SUFFIX_KEYS:
                continue
            dims[k] = v
        elif s in backends:
            dims["backend"] = s
        elif s in locks:
            dims["lock"] = s
        else:
            path.append(s)
    return family, dims, path


def thread_count(dims: Mapping[str, str | int | float]) -> int | float | None:
    """Threads of a configuration: threads:T, or readers + writer(s) for tree_rw."""
    if "threads" in dims:
        return _num(dims["threads"])
    if "readers" in dims:
        return _num(dims["readers"]) + _num(dims.get("writer", dims.get("writers", "0")))
    return None


def _num(s: str | int | float) -> int | float:
    try:
        return int(s)
    except ValueError:
        try:
            return float(s)
        except ValueError:
            return 0


def backends_locks(ctx: Doc) -> tuple[tuple[str, ...], tuple[str, ...]]:
    b = ctx.get("iomem_backends")
    lk = ctx.get("iomem_locks")
    return (tuple(b.split()) if isinstance(b, str) and b else DEFAULT_BACKENDS,
            tuple(lk.split()) if isinstance(lk, str) and lk else DEFAULT_LOCKS)


# --- Series -------------------------------------------------------------------------------

@dataclass(eq=False)
class Bench:
    """One benchmark's repetitions in one result: metric -> list of values (times in ns)."""
    name: str
    entries: list[Entry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    aggregates: int = 0
    label: str = ""

    @property
    def reps(self) -> int:
        return len(self.entries)

    def time_boxed(self) -> bool:
        """A run of fixed wall time (time-boxed or one-shot: one iteration per repetition):
        its time says nothing; its counters carry the result."""
        return "/iterations:1" in self.name or (
            bool(self.entries) and all(e.get("iterations") == 1 for e in self.entries))

    def uses_real_time(self) -> bool:
        return any(self.name.endswith(s) or f"/{s}/" in self.name
                   for s in ("real_time", "manual_time"))

    def time_field(self, mode: TimeMode = "auto") -> str:
        """Which time decides: Google Benchmark's own convention by default (real time for
        UseRealTime benchmarks, CPU time otherwise), or as forced."""
        if mode == "real" or (mode == "auto" and self.uses_real_time()):
            return "real_time"
        if any(e.get("cpu_time") is None for e in self.entries) or \
                all(not e.get("cpu_time") for e in self.entries):
            return "real_time"      # no CPU time recorded (a harness of its own)
        return "cpu_time"

    def values(self, metric: str, time_mode: TimeMode = "auto") -> list[float]:
        if metric == "time":
            metric = self.time_field(time_mode)
        out = []
        for e in self.entries:
            if metric in ("real_time", "cpu_time"):
                v = e.get(metric)
                if v is None:
                    continue
                out.append(float(v) * TIME_UNITS_NS[e.get("time_unit", "ns")])
            else:
                v = e.get(metric)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.append(float(v))
        return out

    def values_by_rep(self, metric: str, time_mode: TimeMode = "auto") -> dict[int, float]:
        """{repetition_index: value}: for pairing the two sides of an interleaved run."""
        vals = self.values(metric, time_mode)
        if len(vals) != len(self.entries):
            return {}
        return {e.get("repetition_index", i): v for i, (e, v) in
                enumerate(zip(self.entries, vals))}

    def counter_names(self) -> list[str]:
        names: OrderedDict[str, bool] = OrderedDict()
        for e in self.entries:
            for k in counters_of(e):
                names[k] = True
        return list(names)


def collect(doc: Doc) -> OrderedDict[str, Bench]:
    """name -> Bench, in the order of first appearance. Aggregates (mean, median, stddev)
    are counted but not used: the statistics need the repetitions themselves."""
    out: OrderedDict[str, Bench] = OrderedDict()
    for e in doc.get("benchmarks", []):
        name = e.get("run_name") or e["name"]
        if e.get("run_type", "iteration") == "aggregate":
            out.setdefault(name, Bench(name)).aggregates += 1
            continue
        name = e["name"]
        b = out.setdefault(name, Bench(name))
        if e.get("error_occurred"):
            b.errors.append(e.get("error_message", "error"))
            continue
        b.entries.append(e)
        if e.get("label"):
            b.label = e["label"]
    return out


def primary_throughput(bench: Bench) -> str | None:
    """The counter that best says 'how fast' for throughput plots."""
    names = bench.counter_names()
    for pref in ("ops_per_second", "ops_per_s", "reads_per_s", "items_per_second"):
        if pref in names:
            return pref
    for n in names:
        if direction(n) == HIGHER and n != "jain" and "per_reader" not in n:
            return n
    return None


def percentiles(bench: Bench) -> list[tuple[float, str]]:
    """[(percentile, counter name)] of the latency percentile counters, sorted."""
    out: list[tuple[float, str]] = []
    for n in bench.counter_names():
        m = PERCENTILE_RE.match(n)
        if m:
            pct = float(m.group(1))
            # p999 is the 99.9th percentile, p9999 the 99.99th.
            if pct > 100:
                digits = m.group(1)
                pct = float(digits[:2] + "." + digits[2:])
            out.append((pct, n))
    return sorted(out)
