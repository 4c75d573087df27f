# SPDX-License-Identifier: MIT
"""Result files as runs: loaded, dated, labelled, ordered."""
import datetime
import os
from collections.abc import Iterable

from .common import Doc, load_json
from .metrics import Bench, backends_locks, collect


class Run:
    """One result file."""

    def __init__(self, path: str, doc: Doc | None = None) -> None:
        self.path = path
        self.doc = doc if doc is not None else load_json(path)
        self.ctx: Doc = self.doc.get("context", {})
        self.benches = collect(self.doc)
        self.backends, self.locks = backends_locks(self.ctx)

    @property
    def date(self) -> datetime.datetime:
        for k in ("started", "date"):
            v = self.ctx.get(k)
            if isinstance(v, str):
                try:
                    d = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
                    if d.tzinfo is None:
                        d = d.replace(tzinfo=datetime.timezone.utc)
                    return d
                except ValueError:
                    pass
        return datetime.datetime.fromtimestamp(os.path.getmtime(self.path),
                                               datetime.timezone.utc) \
            if os.path.exists(self.path) else datetime.datetime.min.replace(
                tzinfo=datetime.timezone.utc)

    @property
    def rev(self) -> str:
        r = str(self.ctx.get("git_revision") or self.ctx.get("iomem_git_rev") or "?")
        return r + ("-dirty" if self.ctx.get("git_dirty") else "")

    @property
    def suite(self) -> str:
        suite: str = self.ctx.get("suite", "")
        return suite

    @property
    def label(self) -> str:
        return f"{self.rev} {self.date.strftime('%m-%d %H:%M')}"


def load_runs(paths: Iterable[str]) -> list[Run]:
    runs = [Run(p) for p in paths]
    runs.sort(key=lambda r: r.date)
    return runs


def latest_benches(runs: Iterable[Run]) -> dict[str, tuple[Bench, Run]]:
    """name -> (Bench, Run): each benchmark from the latest run that has it."""
    out: dict[str, tuple[Bench, Run]] = {}
    for r in runs:
        for n, b in r.benches.items():
            if b.entries:
                out[n] = (b, r)
    return out


def is_result_name(name: str) -> bool:
    """Whether a file in a results directory is a run (not machine.json or plots.json)."""
    return name.endswith((".json", ".json.gz")) and name not in ("machine.json", "plots.json")


def expand_inputs(paths: Iterable[str]) -> list[str]:
    """The result files named: files as they are, directories for every run in them,
    recursively."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                out += [os.path.join(root, f) for f in sorted(files) if is_result_name(f)]
        else:
            out.append(p)
    return out
