"""Shared plumbing: input errors, loading and saving Google Benchmark JSON, git, paths."""
import gzip
import json
import math
import os
import subprocess
import sys

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GBENCH_DIR = "/usr/share/benchmark"

# Exit codes shared by the tools.
EXIT_OK = 0
EXIT_FAIL = 1        # a regression (compare, ab, ci-perf) or a failed benchmark run (sweep)
EXIT_USAGE = 2       # bad options or bad input
EXIT_INFRA = 3       # ci-perf/ab: a revision did not build, a benchmark crashed


class InputError(Exception):
    """Bad input: printed as `FILE: error: MSG` (or `error: MSG`), exit 2."""

    def __init__(self, msg, path=None):
        super().__init__(msg)
        self.path = path

    def __str__(self):
        msg = self.args[0]
        return f"{self.path}: error: {msg}" if self.path else f"error: {msg}"


def die(prog, err, code=EXIT_USAGE):
    print(f"{prog}: {err}" if not isinstance(err, InputError) or not err.path else str(err),
          file=sys.stderr)
    sys.exit(code)


def import_gbench():
    """Google Benchmark's own tooling (report.py: U test, partitions), from
    libbenchmark-tools."""
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


def open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def load_json(path):
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
    return doc


def validate(doc, path):
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


def save_json(doc, path):
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


def counters_of(entry):
    """The flat numeric counters of a benchmark entry."""
    return {k: v for k, v in entry.items()
            if k not in STANDARD_KEYS and isinstance(v, (int, float))
            and not isinstance(v, bool)}


# --- git ----------------------------------------------------------------------------------

def git(args, cwd=REPO, check=True):
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip() if r.returncode == 0 else None


def git_revision(cwd=REPO):
    """(short revision, dirty): 'nocommit' before the first commit; dirty when tracked or
    untracked source files differ (results/ and build dirs aside)."""
    rev = git(["rev-parse", "--short=10", "HEAD"], cwd=cwd, check=False)
    status = git(["status", "--porcelain", "--untracked-files=normal", "--", ".",
                  ":(exclude)results"], cwd=cwd, check=False)
    dirty = bool(status)
    return (rev or "nocommit"), dirty
