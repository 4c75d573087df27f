# SPDX-License-Identifier: MIT
"""Shared helpers of the perf tooling tests (tests/perf/test_*.py).

The tests import the package iomemperf: run them with PYTHONPATH=<source>/scripts/lib
(ctest sets it). The tools themselves run through their launchers in scripts/, which find
the package on their own."""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("IOMEM_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("IOMEM_BUILD_DIR") or os.path.join(SRC, "build")
SCRIPTS = os.path.join(SRC, "scripts")
FIXTURES = os.path.join(HERE, "fixtures")
sys.dont_write_bytecode = True
# The Python tools of scripts/ (ci-perf is a shell script of its own).
TOOLS = ("compare", "sweep", "ab", "plot", "report", "changepoints", "export", "test-times",
         "lock-ranking", "scenario-table")

SKIP = 77


def _check_package():
    """The iomemperf under test is the one of this source tree, found through PYTHONPATH."""
    lib = os.path.realpath(os.path.join(SCRIPTS, "lib"))
    try:
        import iomemperf
    except ImportError:
        print(f"perftest: cannot import iomemperf: run with PYTHONPATH={lib} (ctest sets it)")
        sys.exit(1)
    found = os.path.realpath(os.path.dirname(os.path.dirname(iomemperf.__file__)))
    if found != lib:
        print(f"perftest: iomemperf comes from {found}, not from this tree's {lib}: "
              f"run with PYTHONPATH={lib}")
        sys.exit(1)


_check_package()


def skip_whole_test(msg):
    print(f"SKIP: {msg}")
    sys.exit(SKIP)


def need(tool, package):
    if not shutil.which(tool):
        skip_whole_test(f"{tool} not found: install {package} (scripts/setup does)")


def run(tool, *args, cwd=SRC, env=None, timeout=900):
    """A scripts/ tool: CompletedProcess with text stdout/stderr."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([os.path.join(SCRIPTS, tool), *args], cwd=cwd, env=e,
                          capture_output=True, text=True, timeout=timeout)


def install_copy(prefix):
    """An install as a package lays it out, under prefix: scripts/ copied whole to
    share/iomembench/scripts, each tool symlinked (relatively) as bin/iomem-TOOL, and the
    build's iomem and iomem-bench in bin/. Returns the bin directory."""
    scripts = os.path.join(prefix, "share", "iomembench", "scripts")
    shutil.copytree(SCRIPTS, scripts,
                    ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache"))
    bindir = os.path.join(prefix, "bin")
    os.makedirs(bindir)
    for tool in (*TOOLS, "ci-perf"):
        os.symlink(os.path.join("..", "share", "iomembench", "scripts", tool),
                   os.path.join(bindir, f"iomem-{tool}"))
    for b in ("iomem", "iomem-bench"):
        if os.path.exists(os.path.join(BUILD, b)):
            shutil.copy2(os.path.join(BUILD, b), bindir)
    return bindir


def run_installed(bindir, tool, *args, cwd, timeout=900):
    """bin/iomem-TOOL of an install_copy(), run from cwd with no PYTHONPATH of ours."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([os.path.join(bindir, f"iomem-{tool}"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def fixture(name):
    path = os.path.join(FIXTURES, name)
    with (gzip.open(path, "rt") if name.endswith(".gz") else open(path)) as f:
        return json.load(f)


def fixtures(prefix):
    return sorted(f for f in os.listdir(FIXTURES) if f.startswith(prefix))


def write(doc, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return path


class TmpCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="iomem-perf-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *p):
        return os.path.join(self.tmp, *p)


# Tests that make real timed runs (benchmarks) run apart, in ctest's perf.NAME.timed with
# the label `slow` (IOMEM_PERF_TIMED=1), so that the quick test command stays quick and
# deterministic; every other test runs in perf.NAME.
TIMED = os.environ.get("IOMEM_PERF_TIMED") == "1"


def timed(test):
    """Marks a test that makes real timed runs."""
    test.iomem_timed = True
    return test


class _Loader(unittest.TestLoader):
    """The tests of this run: the timed ones in a timed run, the others otherwise."""

    def getTestCaseNames(self, case):
        return [n for n in super().getTestCaseNames(case)
                if getattr(getattr(case, n), "iomem_timed", False) == TIMED]


def main():
    r = unittest.main(exit=False, verbosity=2, testLoader=_Loader()).result
    if r.testsRun == 0:
        print("perftest: no test of this kind here")
        sys.exit(1)
    sys.exit(0 if r.wasSuccessful() else 1)
