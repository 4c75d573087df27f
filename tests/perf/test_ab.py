# SPDX-License-Identifier: MIT
"""scripts/ab and scripts/ci-perf without building: the interleaved order (A B, then B A
for the next repetition of the same unit), usage errors, and a small real A/A run with one
build on both sides (its output: B/A ratios with confidence intervals)."""
import json
import os
import re
import shutil
import subprocess

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
from perftest import BUILD, TmpCase, run


class Ab(TmpCase):
    def test_dry_run_interleaves(self):
        r = run("ab", "--build-a", BUILD, "--build-b", BUILD, "A", "B", "--suite", "quick",
                "--dry-run", "--seed", "5")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [re.match(r"\s*(\d+) rep (\d+) ([AB]) (\S+)", ln) for ln in r.stdout.splitlines()]
        rows = [(int(m.group(2)), m.group(3), m.group(4)) for m in rows if m]
        self.assertTrue(rows)
        # Back to back: runs 2k and 2k+1 are the same unit and repetition on both sides.
        seen = {}
        for k in range(0, len(rows), 2):
            (r1, s1, u1), (r2, s2, u2) = rows[k], rows[k + 1]
            self.assertEqual((r1, u1), (r2, u2))
            self.assertEqual({s1, s2}, {"A", "B"})
            seen.setdefault(u1, []).append(s1)
        # Which side goes first alternates over a unit's repetitions: A, B, A, B...
        for u, firsts in seen.items():
            self.assertEqual(firsts, ["A", "B"] * (len(firsts) // 2) + ["A"] * (len(firsts) % 2),
                             u)
        reps = max(r_ for r_, _, _ in rows)
        self.assertEqual(reps, 10)

    def test_usage_errors(self):
        for args in (["only-one"], ["A", "B", "--suite", "nosuch", "--build-a", BUILD,
                                    "--build-b", BUILD],
                     ["A", "B", "--repetitions", "0"], ["A", "B", "--bogus"],
                     ["no-such-rev-xyz", "HEAD"]):
            r = run("ab", *args)
            self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))

    def test_ci_perf_usage(self):
        r = run("ci-perf", "--bogus")
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: scripts/ci-perf", r.stderr)
        r = run("ci-perf", "--help")
        self.assertEqual(r.returncode, 0)
        for code in ("0  pass", "1  fail", "2  usage", "3  infrastructure"):
            self.assertIn(code, r.stdout)
        self.assertIn("--repetitions N", r.stdout)
        # Fewer than 5 pairs would pass the gate without judging anything: refused.
        for reps in ("4", "0", "x", "-5"):
            r = run("ci-perf", "--repetitions", reps, "--base", "HEAD")
            self.assertEqual(r.returncode, 2, (reps, r.stdout, r.stderr))
            self.assertIn("--repetitions must be", r.stderr)
            self.assertIn("usage: scripts/ci-perf", r.stderr)
        # So is a suite whose own repetitions are fewer (smoke: 3), unless overridden.
        r = run("ci-perf", "--suite", "smoke", "--base", "HEAD")
        self.assertEqual(r.returncode, 2, (r.stdout, r.stderr))
        self.assertIn("suite smoke runs 3 repetitions", r.stderr)

    def test_ci_perf_setup_failure_is_infrastructure(self):
        # A copy of ci-perf in a (source) tree whose scripts/setup fails (status 5): exit 3.
        os.makedirs(self.path("scripts"))
        open(self.path("CMakeLists.txt"), "w").close()
        shutil.copy(os.path.join(perftest.SCRIPTS, "ci-perf"), self.path("scripts"))
        with open(self.path("scripts", "setup"), "w") as f:
            f.write("#!/bin/sh\nexit 5\n")
        os.chmod(self.path("scripts", "setup"), 0o755)
        r = subprocess.run([self.path("scripts", "ci-perf"), "--base", "HEAD"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("infrastructure failure (scripts/setup failed, status 5)", r.stdout)

    @perftest.timed
    def test_small_aa_run(self):
        out = self.path("ab")
        r = run("ab", "--build-a", BUILD, "--build-b", BUILD, "same", "same", "--suite",
                "smoke", "-r", "6", "--out", out, "-q", "--seed", "1")
        # This is a real timed run beside the other tests: its verdict (0 pass, 1 a
        # regression) is a timing and not checked here; the false-alarm rate is test_gate's.
        # What is checked is that the pipeline ran and produced a judged, paired result.
        self.assertIn(r.returncode, (0, 1), r.stdout + r.stderr)
        self.assertIn("B/A", r.stdout)
        self.assertRegex(r.stdout, r"tree/lookup/rwlock/n:100 +time \(cpu\) .* \d\.\d{3} +"
                                   r"\[\d\.\d{3}, \d\.\d{3}\]")
        for f in ("A.json", "B.json", "ab.json"):
            self.assertTrue(os.path.exists(os.path.join(out, f)), f)
        with open(os.path.join(out, "A.json")) as f:
            a = json.load(f)
        with open(os.path.join(out, "B.json")) as f:
            b = json.load(f)
        self.assertEqual(a["context"]["ab_run_id"], b["context"]["ab_run_id"])
        self.assertEqual((a["context"]["ab_side"], b["context"]["ab_side"]), ("A", "B"))
        # compare recognizes the two sides of one run and pairs them.
        r = run("compare", os.path.join(out, "A.json"), os.path.join(out, "B.json"))
        self.assertIn(r.returncode, (0, 1), r.stdout + r.stderr)
        self.assertIn("paired:", r.stdout)


if __name__ == "__main__":
    perftest.main()
