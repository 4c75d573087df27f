"""Shared helpers of the perf tooling tests (tests/perf/test_*.py)."""
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
sys.path.insert(0, os.path.join(SCRIPTS, "lib"))

SKIP = 77


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


def main():
    r = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if r.wasSuccessful() else 1)
