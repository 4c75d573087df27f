# SPDX-License-Identifier: MIT
"""scripts/scenario-table: a scenario's results block, one row per backend.

On a real short run of the build's iomem (the cxl scenario, bounded by --ops):
  - the block carries its markers, the run's command with its result file left out, a
    row for every backend the run had, and a line per figure of merit;
  - --update replaces the block of a page and nothing else, and running it again gives
    the same page; a page without the markers is refused (exit 2);
  - a result of another scenario is refused (exit 2); a run whose checks failed gives
    exit 1 and says so in the block;
  - without --json the tool runs the documented command itself (extra arguments after
    --, here to keep it short).
"""
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
from perftest import BUILD, TmpCase, run, write
from iomemperf import scenariotable as st

IOMEM = os.path.join(BUILD, "iomem")
RESULT = None


def setUpModule():
    global RESULT
    if not os.access(IOMEM, os.X_OK):
        perftest.skip_whole_test(f"no {IOMEM}: build first")
    RESULT = os.path.join(perftest.tempfile.mkdtemp(prefix="iomem-scenario-table-"),
                          "cxl.json")
    subprocess.run([IOMEM, "stress", "--scenario", "cxl", "--ops", "200", "--seed", "2",
                    "--warmup", "0", "--no-progress", "--json", RESULT], check=True,
                   stdout=subprocess.DEVNULL)


def tearDownModule():
    if RESULT:
        perftest.shutil.rmtree(os.path.dirname(RESULT), ignore_errors=True)


class ScenarioTable(TmpCase):
    def table(self, *args):
        return run("scenario-table", "--build-dir", BUILD, *args)

    def test_block(self):
        r = self.table("cxl", "--json", RESULT)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertTrue(out.startswith(st.BEGIN) and out.rstrip().endswith(st.END), out)
        with open(RESULT) as f:
            ctx = json.load(f)["context"]
        for b in ctx["backend"].split(","):
            self.assertRegex(out, rf"\n\| {b} \| [0-9.]+[mun]?s \| ")
        self.assertIn("--scenario cxl", out)
        self.assertIn("--json FILE", out)
        self.assertNotIn(RESULT, out)
        for op in ctx["scenario_headline"].split(","):
            self.assertIn(f"- `{op}` p99: lowest on ", out)
        self.assertIn("Every check held", out)

    def test_update(self):
        page = self.path("cxl.md")
        with open(page, "w") as f:
            f.write(f"# cxl\n\nbefore\n\n{st.BEGIN}\nold\n{st.END}\n\nafter\n")
        r = self.table("cxl", "--json", RESULT, "--update", "--page", page)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(page) as f:
            once = f.read()
        self.assertTrue(once.startswith("# cxl\n\nbefore\n\n" + st.BEGIN), once)
        self.assertTrue(once.endswith(st.END + "\n\nafter\n"), once)
        self.assertNotIn("\nold\n", once)
        self.table("cxl", "--json", RESULT, "--update", "--page", page)
        with open(page) as f:
            self.assertEqual(f.read(), once)
        bare = self.path("bare.md")
        with open(bare, "w") as f:
            f.write("# no markers\n")
        r = self.table("cxl", "--json", RESULT, "--update", "--page", bare)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no block between", r.stderr)

    def test_refusals(self):
        r = self.table("hotplug", "--json", RESULT)
        self.assertEqual(r.returncode, 2)
        self.assertIn("not a run of the scenario hotplug", r.stderr)
        with open(RESULT) as f:
            doc = json.load(f)
        doc["context"]["failure"] = "double grant: planted"
        doc["context"]["failure_seed"] = 2
        r = self.table("cxl", "--json", write(doc, self.path("failed.json")))
        self.assertEqual(r.returncode, 1)
        self.assertIn("**The checks failed**: double grant: planted (seed 2)", r.stdout)

    def test_runs_the_command(self):
        r = self.table("probe", "--", "--ops", "100", "--warmup", "0")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("--scenario probe --backend all --repetitions 3 --no-progress --ops 100",
                      r.stdout)
        self.assertIn("| rwlock |", r.stdout)


if __name__ == "__main__":
    perftest.main()
