# SPDX-License-Identifier: MIT
"""The preflight before a sweep: `iomem preflight --json`, whose C implementation is the
only one of the rules (docs/measurement.md#preflight), read and recorded in the result's
context."""
import json
import subprocess
from dataclasses import dataclass

from .common import Doc


@dataclass(frozen=True)
class Preflight:
    """What `iomem preflight` found: the summary ("clean" or "load,vm"), each finding as
    (check, detail), and what it could not check."""
    summary: str
    findings: tuple[tuple[str, str], ...]
    notes: str

    def context(self) -> Doc:
        """The context keys, as iomem stress writes them."""
        return {"preflight": self.summary,
                "preflight_findings": "; ".join(f"{c}: {d}" for c, d in self.findings)}

    def lines(self, prog: str) -> list[str]:
        out = [f"{prog}: preflight: {c}: {d}" for c, d in self.findings] or \
            [f"{prog}: preflight: clean"]
        return out + ([f"{prog}: preflight: note: {self.notes}"] if self.notes else [])


def run(iomem: str) -> Preflight | str:
    """The preflight of this machine now, or why it could not be run."""
    try:
        r = subprocess.run([iomem, "preflight", "--json"], capture_output=True, text=True,
                           timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot run {iomem} preflight: {e}"
    if r.returncode != 0:
        return f"{iomem} preflight: exit {r.returncode}: {r.stderr.strip()}"
    try:
        doc = json.loads(r.stdout)
        return Preflight(str(doc["summary"]),
                         tuple((str(f["check"]), str(f["detail"])) for f in doc["findings"]),
                         str(doc["notes"]))
    except (ValueError, KeyError, TypeError) as e:
        return f"{iomem} preflight: unreadable output: {e}"
