# SPDX-License-Identifier: MIT
"""Shared plumbing: where things are, input errors, loading and saving Google Benchmark
JSON, git, and the entry point every tool goes through."""
import gzip
import json
import math
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any, NoReturn, TextIO

# A Google Benchmark result document (or any JSON object), and one of its benchmark entries.
Doc = dict[str, Any]
Entry = dict[str, Any]

# --- Where things are ---------------------------------------------------------------------
# The package lives in scripts/lib/iomemperf: in a source tree (TOP is the checkout, with
# its CMakeLists.txt), or in an install whose scripts/ directory was copied to
# PREFIX/share/iomembench/scripts (TOP is PREFIX/share/iomembench, the binaries are in
# PREFIX/bin).
PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))
LIB_DIR = os.path.dirname(PACKAGE_DIR)
SCRIPTS_DIR = os.path.dirname(LIB_DIR)
TOP = os.path.dirname(SCRIPTS_DIR)
SOURCE_DIR: str | None = TOP if os.path.isfile(os.path.join(TOP, "CMakeLists.txt")) else None
INSTALL_BIN_DIR = os.path.normpath(os.path.join(TOP, "..", "..", "bin"))
SUITES_FILE = os.path.join(PACKAGE_DIR, "suites.toml")
GBENCH_DIR = "/usr/share/benchmark"


def default_build_dir() -> str:
    """Where iomem-bench and iomem are: the source tree's build/, else the install's bin/."""
    return os.path.join(SOURCE_DIR, "build") if SOURCE_DIR else INSTALL_BIN_DIR


def default_results_dir() -> str:
    """The results history: the source tree's results/, else results/ here."""
    return os.path.join(SOURCE_DIR, "results") if SOURCE_DIR else os.path.abspath("results")


def not_a_source_tree() -> str:
    """Why a tool that builds revisions cannot run here."""
    return (f"{TOP} is not an iomembench source tree (no CMakeLists.txt): this copy of the "
            "tools is installed")


# Exit codes shared by the tools.
EXIT_OK = 0
EXIT_FAIL = 1        # a regression (compare, ab, ci-perf) or a failed benchmark run (sweep)
EXIT_USAGE = 2       # bad options or bad input
EXIT_INFRA = 3       # ci-perf/ab: a revision did not build, a benchmark crashed
EXIT_REFUSED = 3     # sweep --strict: the preflight found the machine unfit to measure on


class InputError(Exception):
    """Bad input: printed as `FILE: error: MSG` (or `error: MSG`), exit 2."""

    def __init__(self, msg: str, path: str | None = None) -> None:
        super().__init__(msg)
        self.path = path

    def __str__(self) -> str:
        msg = self.args[0]
        return f"{self.path}: error: {msg}" if self.path else f"error: {msg}"


def tool_name(tool: str) -> str:
    """What a tool calls itself in usage and error messages: the installed command
    (iomem-TOOL) when run as one, else scripts/TOOL. The launchers in scripts/ pass the
    name they were started by in IOMEM_TOOL_NAME."""
    started_as = os.path.basename(os.environ.get("IOMEM_TOOL_NAME", ""))
    return started_as if started_as == f"iomem-{tool}" else f"scripts/{tool}"


def die(prog: str, err: str | Exception, code: int = EXIT_USAGE) -> NoReturn:
    print(f"{prog}: {err}" if not isinstance(err, InputError) or not err.path else str(err),
          file=sys.stderr)
    sys.exit(code)


def entry_point(main: Callable[[], int]) -> NoReturn:
    """What every tool's run() does: quiet under `| head` (the default SIGPIPE action ends
    the process instead of a BrokenPipeError traceback), then exit with main()'s status."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())


def import_gbench() -> ModuleType:
    """Google Benchmark's own tooling (report.py: U test, partitions), from
    libbenchmark-tools."""
    # Debian's libbenchmark-tools ships gbench as plain files under /usr/share/benchmark,
    # not as a package on the interpreter's path: that directory has to be added to
    # sys.path to import it. Only this third-party directory is added, and only when the
    # U test is first needed; our own package is found through PYTHONPATH.
    if GBENCH_DIR not in sys.path:
        sys.path.insert(0, GBENCH_DIR)
    try:
        import gbench.report  # noqa: F401  (registers gbench.report in sys.modules)
    except ImportError as e:
        raise SystemExit(f"error: cannot import gbench from {GBENCH_DIR} ({e}); "
                         "run scripts/setup (libbenchmark-tools, python3-scipy)")
    return sys.modules["gbench.report"]


# --- Result files -------------------------------------------------------------------------

TIME_UNITS_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# Keys of a benchmark entry that are not counters.
STANDARD_KEYS = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type",
    "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
    "time_unit", "label", "error_occurred", "error_message", "aggregate_name",
    "aggregate_unit", "big_o", "rms", "complexity_n", "unit", "iomembench",
}


def open_text(path: str) -> TextIO:
    """A text stream of a file, gunzipped when its name ends in .gz."""
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def load_json(path: str) -> Doc:
    """A Google Benchmark result (plain or .gz); InputError on anything unusable."""
    if path == "-":
        text = sys.stdin.read()
    else:
        if not os.path.exists(path):
            raise InputError("no such file", path)
        if os.path.isdir(path):
            raise InputError("is a directory, not a result file", path)
        try:
            with open_text(path) as f:
                text = f.read()
        except (OSError, UnicodeDecodeError, EOFError) as e:
            raise InputError(f"cannot read: {e}", path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"malformed JSON: {e.msg} at line {e.lineno} column {e.colno}",
                         path)
    validate(doc, path)
    checked: Doc = doc
    return checked


def validate(doc: Any, path: str) -> None:
    if not isinstance(doc, dict):
        raise InputError("not a Google Benchmark result: the top level is not an object", path)
    if "benchmarks" not in doc:
        raise InputError("not a Google Benchmark result: no 'benchmarks' list", path)
    if not isinstance(doc["benchmarks"], list):
        raise InputError("'benchmarks' is not a list", path)
    ctx = doc.get("context", {})
    if not isinstance(ctx, dict):
        raise InputError("'context' is not an object", path)
    for i, b in enumerate(doc["benchmarks"]):
        where = f"benchmarks[{i}]"
        if not isinstance(b, dict):
            raise InputError(f"{where} is not an object", path)
        if not isinstance(b.get("name"), str):
            raise InputError(f"{where} has no 'name'", path)
        if b.get("error_occurred"):
            continue
        if b.get("run_type", "iteration") != "iteration":
            continue
        for k in ("real_time", "cpu_time"):
            v = b.get(k)
            if k == "cpu_time" and v is None:
                continue
            if not isinstance(v, (int, float)) or isinstance(v, bool) or \
                    not math.isfinite(v) or v < 0:
                raise InputError(f"{where} ({b['name']}): '{k}' is not a non-negative "
                                 "number", path)
        unit = b.get("time_unit", "ns")
        if unit not in TIME_UNITS_NS:
            raise InputError(f"{where} ({b['name']}): unknown time_unit '{unit}'", path)


def save_json(doc: Doc, path: str) -> None:
    """Written atomically (temp file + rename)."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = f"{path}.tmp.{os.getpid()}"
    if path.endswith(".gz"):
        with gzip.open(tmp, "wt", encoding="utf-8") as f:
            json.dump(doc, f, separators=(",", ":"))
    elif "benchmarks" in doc:
        # The context indented, one benchmark entry per line: readable, diffable, compact.
        with open(tmp, "w", encoding="utf-8") as f:
            rest = {k: v for k, v in doc.items() if k not in ("context", "benchmarks")}
            f.write('{"context": ')
            f.write(json.dumps(doc.get("context", {}), indent=1))
            for k, v in rest.items():
                f.write(f",\n{json.dumps(k)}: {json.dumps(v)}")
            f.write(',\n"benchmarks": [\n')
            f.write(",\n".join(json.dumps(e, separators=(",", ":"))
                                for e in doc["benchmarks"]))
            f.write("\n]}\n")
    else:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    os.replace(tmp, path)


def line_latency_of(ctx: Doc) -> float | None:
    """The cache-line latency between two CPUs a result's context records (line_latency_ns,
    written by iomem-bench and iomem stress as text), or None."""
    try:
        v = float(ctx["line_latency_ns"])
    except (KeyError, TypeError, ValueError):
        return None
    return v if v > 0 and math.isfinite(v) else None


def counters_of(entry: Entry) -> dict[str, float]:
    """The flat numeric counters of a benchmark entry."""
    return {k: v for k, v in entry.items()
            if k not in STANDARD_KEYS and isinstance(v, (int, float))
            and not isinstance(v, bool)}


# --- git ----------------------------------------------------------------------------------

def git(args: list[str], cwd: str | None, check: bool = True) -> str | None:
    """git's stripped stdout in cwd (None: the current directory), or None when it failed
    and check is off."""
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip() if r.returncode == 0 else None


def git_revision(cwd: str) -> tuple[str, bool]:
    """(short revision, dirty): 'nocommit' before the first commit; dirty when tracked or
    untracked source files differ (results/ and build dirs aside)."""
    rev = git(["rev-parse", "--short=10", "HEAD"], cwd=cwd, check=False)
    status = git(["status", "--porcelain", "--untracked-files=normal", "--", ".",
                  ":(exclude)results"], cwd=cwd, check=False)
    dirty = bool(status)
    return (rev or "nocommit"), dirty
