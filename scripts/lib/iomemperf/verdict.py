# SPDX-License-Identifier: MIT
"""What a comparison decides and records: the verdicts, the options it judges by, the
results of a metric and of a benchmark (the records of compare's JSON), and how their
values are written. compare computes them; ab, report and the Markdown summary show
them."""
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NotRequired, TypedDict

from .metrics import Direction, TimeMode


class Verdict(StrEnum):
    """The verdict of one metric, and of a benchmark (its worst gated metric). The values
    are the words compare, ab and report print and write into their JSON."""
    REGRESSION = "REGRESSION"
    IMPROVED = "improved"
    WITHIN_THRESHOLD = "within-threshold"   # significant, but smaller than the threshold
    SAME = "same"
    TOO_FEW_REPS = "too-few-reps"           # the test cannot reach the significance level
    INFO = "info"                           # a metric without a direction: only shown
    ERROR = "ERROR"                         # the contender's repetitions failed
    NEW = "new"                             # only in the contender (or failed in the baseline)
    GONE = "gone"                           # only in the baseline


RANK = {Verdict.ERROR: 0, Verdict.REGRESSION: 1, Verdict.TOO_FEW_REPS: 2, Verdict.IMPROVED: 3,
        Verdict.WITHIN_THRESHOLD: 4, Verdict.SAME: 5, Verdict.INFO: 6, Verdict.NEW: 7,
        Verdict.GONE: 8}
FAILING = (Verdict.REGRESSION, Verdict.ERROR)       # the verdicts that fail the gate

Correction = Literal["holm", "none"]


@dataclass(frozen=True)
class Options:
    """How results are judged."""
    threshold: float = 0.10                 # smallest change that counts (0.1 = 10%)
    alpha: float = 0.05                     # significance level
    time_mode: TimeMode = "auto"            # which time decides
    gate_counters: bool = False             # every directional counter gates
    tail: float | None = None               # threshold of tail latencies (None: twice it)
    filter: re.Pattern[str] | None = None   # only benchmarks matching this
    correction: Correction = "holm"         # of the gated metrics' p-values

    @property
    def tail_threshold(self) -> float:
        return self.tail if self.tail is not None else 2 * self.threshold


class Drift(TypedDict):
    """The between-run allowance of a metric (separate runs)."""
    sd: float
    runs: int
    allowance: float


class MetricResult(TypedDict):
    """One metric of one benchmark, compared (a `metrics` entry of compare's JSON)."""
    metric: str
    label: str
    direction: Direction
    gated: bool
    n: list[int]
    baseline: float | None
    contender: float | None
    noise: list[float | None]
    threshold: float
    paired: bool
    normalized_by: float
    se_df: NotRequired[list[float | None]]
    pairs: NotRequired[int]
    change: NotRequired[float | None]
    ci: NotRequired[list[float | None]]
    confidence: NotRequired[float]
    p: NotRequired[float | None]
    p_mwu: NotRequired[float | None]
    pair_noise: NotRequired[float | None]
    drift: NotRequired[Drift]
    p_adj: NotRequired[float | None]
    verdict: NotRequired[Verdict]
    why: NotRequired[str]
    mdc: NotRequired[float | None]
    mdc95: NotRequired[float | None]
    resolution: NotRequired[float]
    noisy: NotRequired[bool]


class BenchResult(TypedDict):
    """One benchmark, compared (a `results` entry of compare's JSON)."""
    name: str
    metrics: list[MetricResult]
    verdict: NotRequired[Verdict]
    why: NotRequired[str]
    time_field: NotRequired[str]
    time_boxed: NotRequired[bool]
    family_shift: NotRequired[float]


def fmt_value(v: float | None, metric: str) -> str:
    if v is None:
        return "-"
    if metric == "time":
        for unit, div in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
            if abs(v) >= div:
                return f"{v / div:.3g} {unit}"
        return f"{v:.3g} ns"
    for suf, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= div:
            return f"{v / div:.3g}{suf}"
    return f"{v:.3g}"


def fmt_pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:+.1f}%"
