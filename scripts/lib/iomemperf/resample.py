# SPDX-License-Identifier: MIT
"""Result-file surgery for the tests of the gate: subsets of repetitions (A/A pairs out of
real runs) and planted slowdowns (a benchmark made slower by a factor, in its times and
in every directional counter)."""
import copy
import random
from collections.abc import Callable

from .common import Doc, Entry
from .metrics import HIGHER, LOWER, direction, is_tail


def reps_of(doc: Doc) -> dict[str, list[Entry]]:
    """name -> [entry] (per-repetition entries only)."""
    out: dict[str, list[Entry]] = {}
    for e in doc["benchmarks"]:
        if e.get("run_type", "iteration") == "iteration" and not e.get("error_occurred"):
            out.setdefault(e["name"], []).append(e)
    return out


def subset(doc: Doc, pick: Callable[[str, int], list[int]]) -> Doc:
    """A copy of doc keeping, for each benchmark, the repetitions pick(name, n) returns
    (indices into its repetitions in file order)."""
    benchmarks: list[Entry] = []
    out = {"context": copy.deepcopy(doc.get("context", {})), "benchmarks": benchmarks}
    for name, entries in reps_of(doc).items():
        idx = pick(name, len(entries))
        for k, i in enumerate(idx):
            e = copy.deepcopy(entries[i])
            e["repetition_index"] = k
            e["repetitions"] = len(idx)
            benchmarks.append(e)
    return out


def random_halves(doc: Doc, rng: random.Random, n: int) -> tuple[Doc, Doc]:
    """Two disjoint random subsets of n repetitions of every benchmark (within one run)."""
    choice: dict[str, list[int]] = {}

    def pick_first(name: str, total: int) -> list[int]:
        perm = list(range(total))
        rng.shuffle(perm)
        choice[name] = perm
        return sorted(perm[:n])

    def pick_second(name: str, total: int) -> list[int]:
        return sorted(choice[name][n:2 * n])

    return subset(doc, pick_first), subset(doc, pick_second)


def random_reps(doc: Doc, rng: random.Random, n: int) -> Doc:
    return subset(doc, lambda name, total: sorted(rng.sample(range(total), min(n, total))))


def slow_down(doc: Doc, name: str, factor: float) -> Doc:
    """A copy of doc where benchmark `name` is `factor` times slower: times and
    lower-is-better counters (latency, ns per op) times factor, throughput divided by it."""
    out = copy.deepcopy(doc)
    hit = False
    for e in out["benchmarks"]:
        if e["name"] != name:
            continue
        hit = True
        time_boxed = e.get("iterations") == 1 or "/iterations:1" in name
        if not time_boxed:
            for k in ("real_time", "cpu_time"):
                if isinstance(e.get(k), (int, float)):
                    e[k] *= factor
        for k, v in list(e.items()):
            if k in ("real_time", "cpu_time") or not isinstance(v, (int, float)) or \
                    isinstance(v, bool):
                continue
            d = direction(k)
            if d == HIGHER and k not in ("jain",):
                e[k] = v / factor
            elif d == LOWER and (k.endswith("_ns") or k.endswith("_us") or
                                 k.endswith("_ms") or k.startswith("ns_")) and \
                    not is_tail(k):
                e[k] = v * factor
    if not hit:
        raise KeyError(name)
    return out


def pick_benchmarks(doc: Doc, rng: random.Random, k: int) -> list[str]:
    names = sorted(reps_of(doc))
    return rng.sample(names, min(k, len(names)))
