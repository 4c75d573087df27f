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
        # The Markdown summary a CI job publishes says so too.
        with open(self.path("build-ab", "ci-perf", "summary.md")) as f:
            md = f.read()
        self.assertRegex(md, r"^### Performance: infrastructure failure \(scripts/setup "
                             r"failed, status 5\)\n")

    def test_ci_perf_failed_run_summary(self):
        """When scripts/ab fails (status 3: a build broke), summary.md still renders: the
        verdict as its heading, and the end of the output as code, whatever it holds."""
        try:
            import markdown
        except ImportError:
            self.skipTest("python3-markdown is not installed (scripts/setup installs it)")
        import xml.etree.ElementTree as ET
        os.makedirs(self.path("scripts"))
        open(self.path("CMakeLists.txt"), "w").close()
        shutil.copy(os.path.join(perftest.SCRIPTS, "ci-perf"), self.path("scripts"))
        for tool, body in (("setup", "exit 0"),
                           ("ab", "printf 'cc: error: <b>x</b> & y\\n```\\n| a | b |\\n'\n"
                                  "echo 'ab: build of B failed' >&2\nexit 3")):
            with open(self.path("scripts", tool), "w") as f:
                f.write(f"#!/bin/sh\n{body}\n")
            os.chmod(self.path("scripts", tool), 0o755)
        r = subprocess.run([self.path("scripts", "ci-perf"), "--base", "HEAD~1",
                            "--repetitions", "5"], cwd=self.tmp, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        with open(self.path("build-ab", "ci-perf", "summary.md")) as f:
            md = f.read()
        root = ET.fromstring("<div>" + markdown.markdown(
            md, extensions=["tables", "md_in_html", "fenced_code"]) + "</div>")
        self.assertEqual("".join(root.find("h3").itertext()),
                         "Performance: infrastructure failure (a build or a benchmark run "
                         "failed, status 3)")
        code = root.find(".//pre/code")
        self.assertIsNotNone(code, md)
        text = "".join(code.itertext())
        # Output as it was, a fence in it defused: nothing escapes the code block.
        self.assertIn("cc: error: <b>x</b> & y", text)
        self.assertIn("ab: build of B failed", text)
        self.assertIn("| a | b |", text)
        self.assertIsNone(root.find(".//table"))
        self.assertIsNone(root.find(".//b"))

    @perftest.timed
    def test_small_aa_run(self):
        out = self.path("ab")
        md = self.path("summary.md")
        r = run("ab", "--build-a", BUILD, "--build-b", BUILD, "same", "same", "--suite",
                "smoke", "-r", "6", "--out", out, "-q", "--seed", "1", "--markdown", md)
        # This is a real timed run beside the other tests: its verdict (0 pass, 1 a
        # regression) is a timing and not checked here; the false-alarm rate is test_gate's.
        # What is checked is that the pipeline ran and produced a judged, paired result.
        self.assertIn(r.returncode, (0, 1), r.stdout + r.stderr)
        self.assertIn("B/A", r.stdout)
        self.assertRegex(r.stdout, r"tree/lookup/rwlock/n:100 +time \(cpu\) .* \d\.\d{3} +"
                                   r"\[\d\.\d{3}, \d\.\d{3}\]")
        for f in ("A.json", "B.json", "ab.json"):
            self.assertTrue(os.path.exists(os.path.join(out, f)), f)
        # The Markdown summary has the verdict ab printed, and names what it reported.
        with open(md) as f:
            text = f.read()
        self.assertTrue(text.startswith("### Performance: " +
                                        ("pass" if r.returncode == 0 else "FAIL")), text)
        self.assertIn("A = same (", text)
        for name in re.findall(r"^REGRESSION: (\S+)$", r.stdout, re.M):
            self.assertRegex(text, rf"\| `{re.escape(name)}` \|")
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
