# SPDX-License-Identifier: MIT
"""scripts/sweep: suites expand over backends x locks x threads x sizes, the run order is
round-robin (every unit once per repetition, shuffled within), missing families and the
missing `iomem stress` are skipped with a message, and a real (smoke) run is filed as
results/<fingerprint>/<rev>-<suite>-<time>.json with a machine.json, in Google Benchmark's
schema with the fingerprint (this machine's topology among its keys) and the preflight's
findings in its context; --strict refuses to run when the preflight finds anything."""
import json
import os
import re
import subprocess

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
from perftest import BUILD, TmpCase, run
from iomemperf import fingerprint, suites

# What iomem-bench lists once the lock and pgtable families are wired in (names as their
# bench/*.c register them).
SYNTHETIC = [
    "tree/lookup/rwlock/n:100", "tree/lookup/rwlock/n:10000", "tree/lookup/rcu/n:100",
    "tree/lookup/rcu/n:10000", "tree/walk/itree/n:100", "tree/walk/itree/n:1000000",
    "tree_rw/rcu/readers:1/writer:0/iterations:1/real_time",
    "tree_rw/rcu/readers:2/writer:1/mix:point/iterations:1/real_time",
    "lock/ticket/uncontended/read", "lock/ticket/read-mostly/threads:2/iterations:1/real_time",
    "lock/ticket/read-mostly/threads:8/iterations:1/real_time",
    "lock/ticket/write-heavy/threads:2/iterations:1/real_time",
    "lock/mcs/read-mostly/threads:2/iterations:1/real_time",
    "lock/ticket/read-mostly/threads:2/pure-spin/iterations:1/real_time",
    "pgtable/translate/pte", "pgtable/map_unmap/4k", "pgtable/map_unmap/1g",
    "pgtable/va_alloc_free/global/pages:1-16/live:10000",
    "pgtable/va_alloc_free/global/pages:1/live:10000",
    "pgtable/va_alloc_free/global/pages:1-16/live:100",
    "pgtable/churn/sharded/real_time/threads:2", "pgtable/churn/sharded/real_time/threads:4",
]
BACKENDS = ("rwlock", "rcu", "itree", "maple")
LOCKS = ("pthread-rw", "pthread-mutex", "ticket", "mcs", "qrwlock", "pflock", "brlock")


class Expand(perftest.unittest.TestCase):
    def test_quick_grid_on_all_families(self):
        s = suites.load()["quick"]
        units, notes = suites.expand("quick", s, SYNTHETIC, BACKENDS, LOCKS, False)
        names = {n for u in units for n in u.names}
        self.assertIn("tree/lookup/rwlock/n:100", names)
        self.assertNotIn("tree/walk/itree/n:1000000", names)            # size grid
        self.assertIn("tree_rw/rcu/readers:1/writer:0/iterations:1/real_time", names)
        self.assertNotIn("tree_rw/rcu/readers:2/writer:1/mix:point/iterations:1/real_time",
                         names)                                           # exclude
        self.assertIn("lock/ticket/uncontended/read", names)
        self.assertIn("lock/ticket/read-mostly/threads:2/iterations:1/real_time", names)
        self.assertNotIn("lock/ticket/read-mostly/threads:8/iterations:1/real_time", names)
        self.assertNotIn("lock/mcs/read-mostly/threads:2/iterations:1/real_time", names)
        self.assertNotIn("lock/ticket/write-heavy/threads:2/iterations:1/real_time", names)
        self.assertNotIn("lock/ticket/read-mostly/threads:2/pure-spin/iterations:1/real_time",
                         names)
        self.assertIn("pgtable/translate/pte", names)
        self.assertIn("pgtable/va_alloc_free/global/pages:1-16/live:10000", names)
        self.assertNotIn("pgtable/va_alloc_free/global/pages:1/live:10000", names)
        self.assertNotIn("pgtable/va_alloc_free/global/pages:1-16/live:100", names)
        self.assertNotIn("pgtable/map_unmap/1g", names)
        self.assertIn("pgtable/churn/sharded/real_time/threads:2", names)
        self.assertNotIn("pgtable/churn/sharded/real_time/threads:4", names)
        # Lock benchmarks of one lock share a process; tree benchmarks get one each.
        lock_units = [u for u in units if u.id.startswith("lock[")]
        self.assertEqual([u.id for u in lock_units], ["lock[lock=ticket]"])
        self.assertEqual(len(lock_units[0].names), 2)
        self.assertEqual(lock_units[0].env, {"IOMEM_LOCK_BENCH_MS": "100"})
        self.assertTrue(any("stress: skipped" in n and "no 'stress' subcommand" in n
                            for n in notes), notes)

    def test_stress_entry_when_available(self):
        s = suites.load()["default"]
        units, notes = suites.expand("default", s, SYNTHETIC, BACKENDS, LOCKS, True)
        st = [u for u in units if u.tool == "stress"]
        self.assertEqual(len(st), 4 * 2 * 3)                  # backends x locks x threads
        u = st[0]
        self.assertEqual(u.args[:3], ["stress", "--backend", "rwlock"])
        self.assertIn("--json", u.args)
        self.assertIn("{json}", u.args)

    def test_missing_family_is_a_note(self):
        s = suites.load()["quick"]
        units, notes = suites.expand("quick", s, SYNTHETIC[:7], BACKENDS, LOCKS, False)
        self.assertTrue(any(n.startswith("lock: skipped: this iomem-bench has no 'lock/'")
                            for n in notes), notes)

    def test_plan_is_round_robin(self):
        s = suites.load()["quick"]
        units, _ = suites.expand("quick", s, SYNTHETIC, BACKENDS, LOCKS, False)
        plan = suites.plan(units, 4, seed=3)
        self.assertEqual(len(plan), 4 * len(units))
        orders = []
        for r in range(4):
            chunk = plan[r * len(units):(r + 1) * len(units)]
            self.assertTrue(all(rep == r for rep, _ in chunk))
            self.assertEqual(sorted(u.id for _, u in chunk), sorted(u.id for u in units))
            orders.append([u.id for _, u in chunk])
        self.assertGreater(len({tuple(o) for o in orders}), 1)       # shuffled per rep
        self.assertEqual(plan, suites.plan(units, 4, seed=3))        # replayable

    def test_ere_escape(self):
        self.assertEqual(suites.ere_escape("a/b:1.5(x)"), r"a/b:1\.5\(x\)")


class BuildSource(TmpCase):
    def test_source_tree_from_cmake_cache(self):
        # The revision recorded is that of the tree the build was configured from.
        from iomemperf.runner import cmake_source_dir
        src, bdir = self.path("src"), self.path("b")
        os.makedirs(src)
        os.makedirs(bdir)
        self.assertIsNone(cmake_source_dir(bdir))
        with open(os.path.join(bdir, "CMakeCache.txt"), "w") as f:
            f.write(f"FOO:BOOL=ON\nCMAKE_HOME_DIRECTORY:INTERNAL={src}\n")
        self.assertEqual(cmake_source_dir(bdir), src)


class SweepCli(TmpCase):
    def setUp(self):
        super().setUp()
        if not os.access(os.path.join(BUILD, "iomem-bench"), os.X_OK):
            self.fail(f"{BUILD}/iomem-bench missing: build first")

    def test_dry_run_order(self):
        r = run("sweep", "quick", "--build-dir", BUILD, "--dry-run", "--seed", "4")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        m = re.match(r"sweep: suite quick: (\d+) repetitions x (\d+) units = (\d+) runs",
                     lines[0])
        self.assertTrue(m, lines[0])
        reps, nunits, nruns = map(int, m.groups())
        self.assertEqual(reps * nunits, nruns)
        runs = [re.match(r"\s*(\d+) rep (\d+) (\S+)", ln) for ln in lines]
        runs = [(int(x.group(2)), x.group(3)) for x in runs if x]
        self.assertEqual(len(runs), nruns)
        for rep in range(1, reps + 1):
            ids = [u for r_, u in runs if r_ == rep]
            self.assertEqual(len(ids), nunits)
            self.assertEqual(len(set(ids)), nunits)
        # Repetition r+1 starts only after every unit ran r times.
        self.assertEqual([r_ for r_, _ in runs], sorted(r_ for r_, _ in runs))
        if not re.search(r"^\s+stress\b", self._iomem_help(), re.M):
            self.assertIn("stress: skipped: the build's iomem has no 'stress' subcommand",
                          r.stdout)

    def _iomem_help(self):
        import subprocess
        try:
            return subprocess.run([os.path.join(BUILD, "iomem"), "help"], capture_output=True,
                                  text=True).stdout
        except OSError:
            return ""

    def test_bad_usage(self):
        for args in (["nosuchsuite"], [], ["quick", "--repetitions", "0"],
                     ["quick", "--bogus"], ["quick", "--repetitions", "x"]):
            r = run("sweep", *args, "--build-dir", BUILD, "--dry-run")
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage: scripts/sweep", r.stderr, args)
        r = run("sweep", "quick", "--build-dir", self.path("nobuild"), "--dry-run")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no iomem-bench here", r.stderr)

    def test_strict_refuses_an_unfit_machine(self):
        pf = json.loads(subprocess.run([os.path.join(BUILD, "iomem"), "preflight", "--json"],
                                       capture_output=True, text=True, check=True).stdout)
        if "vm" not in pf["summary"]:
            self.skipTest("not a VM: whether load or busy processes will be found is chance")
        results = self.path("results")
        r = run("sweep", "smoke", "--build-dir", BUILD, "--results-dir", results, "-q",
                "--strict")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("sweep: preflight: vm: ", r.stderr)
        self.assertIn("sweep: refusing to measure (--strict)", r.stderr)
        self.assertFalse(os.path.exists(results))

    @perftest.timed
    def test_smoke_run_is_filed(self):
        results = self.path("results")
        r = run("sweep", "smoke", "--build-dir", BUILD, "--results-dir", results, "-q",
                "--seed", "9")
        self.assertEqual(r.returncode, 0, r.stderr)
        (fp,) = os.listdir(results)
        self.assertRegex(fp, r"^[a-z0-9_]+-\d+c-[0-9a-f]{10}$")
        files = sorted(os.listdir(os.path.join(results, fp)))
        self.assertIn("machine.json", files)
        (res,) = [f for f in files if f != "machine.json"]
        self.assertRegex(res, r"^[0-9a-f]+(-dirty)?-smoke-\d{8}T\d{6}Z\.json$|"
                              r"^nocommit(-dirty)?-smoke-\d{8}T\d{6}Z\.json$")
        with open(os.path.join(results, fp, res)) as f:
            doc = json.load(f)
        ctx = doc["context"]
        for k in ("machine_fingerprint", "cpu_model", "num_cores", "kernel", "compiler",
                  "allocator", "liburcu_version", "git_revision", "suite", "repetitions",
                  "run_order", "date", "num_cpus"):
            self.assertIn(k, ctx)
        self.assertEqual(ctx["machine_fingerprint"], fp)
        self.assertEqual(ctx["suite"], "smoke")
        # What a CI job names the runner's history by, before it runs anything.
        fpr = run("sweep", "--fingerprint", "--build-dir", BUILD)
        self.assertEqual((fpr.returncode, fpr.stdout), (0, fp + "\n"), fpr.stderr)
        fpr = run("sweep", "--fingerprint", "--build-dir", self.path("nobuild"))
        self.assertEqual(fpr.returncode, 2)
        self.assertIn("no iomem-bench here", fpr.stderr)
        by = {}
        for e in doc["benchmarks"]:
            for k in ("name", "real_time", "cpu_time", "time_unit", "repetition_index"):
                self.assertIn(k, e)
            by.setdefault(e["name"], []).append(e["repetition_index"])
        self.assertEqual(sorted(by), ["tree/lookup/rcu/n:100", "tree/lookup/rwlock/n:100"])
        for reps in by.values():
            self.assertEqual(reps, [0, 1, 2])
        with open(os.path.join(results, fp, "machine.json")) as f:
            m = json.load(f)
        self.assertEqual(m["machine_fingerprint"], fp)
        # The topology is fingerprinted; the fingerprint without it is kept beside.
        summary = subprocess.run([os.path.join(BUILD, "iomem"), "placement", "--summary"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(ctx["topology"], summary)
        self.assertEqual(m["topology"], summary)
        self.assertEqual(m["legacy_fingerprint"], fingerprint.legacy_fingerprint_id(ctx))
        self.assertNotEqual(m["legacy_fingerprint"], fp)
        # The preflight ran first: said on stderr, recorded in the context.
        self.assertRegex(r.stderr, r"(?m)^sweep: preflight: (clean|[a-z]+: .+)$")
        self.assertEqual(ctx["preflight"] == "clean", ctx["preflight_findings"] == "")
        # Each process measured the cache-line latency: the median, and the range they saw.
        if len(os.sched_getaffinity(0)) >= 2:
            lo, hi = ctx["line_latency_ns_range"]
            self.assertTrue(0 < lo <= float(ctx["line_latency_ns"]) <= hi, ctx)
            self.assertNotIn("line_latency_cpus", ctx)
        # The run order recorded alternates the units within each repetition.
        self.assertEqual(len(ctx["run_order"]), 6)
        self.assertEqual([o.split(":")[0] for o in ctx["run_order"]], list("112233"))
        # Its own output compares with itself.
        p = os.path.join(results, fp, res)
        r = run("compare", p, p)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class Installed(TmpCase):
    """The tools from an install (scripts/ copied to PREFIX/share/iomembench/scripts, the
    tools symlinked into PREFIX/bin beside iomem and iomem-bench), run from elsewhere:
    they find their package, default to the binaries in PREFIX/bin and to results/ in
    the current directory, and write no bytecode."""

    def setUp(self):
        super().setUp()
        if not os.access(os.path.join(BUILD, "iomem-bench"), os.X_OK):
            self.fail(f"{BUILD}/iomem-bench missing: build first")
        self.bin = perftest.install_copy(self.path("prefix"))
        self.cwd = self.path("work")
        os.makedirs(self.cwd)

    def run_tool(self, tool, *args):
        return perftest.run_installed(self.bin, tool, *args, cwd=self.cwd)

    @perftest.timed
    def test_sweep_uses_installed_binaries(self):
        r = self.run_tool("sweep", "smoke", "--dry-run", "--seed", "4")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("sweep: suite smoke: 3 repetitions x 2 units = 6 runs", r.stdout)
        r = self.run_tool("sweep", "--help")
        self.assertIn(os.path.join(self.path("prefix"), "bin"), r.stdout)
        r = self.run_tool("sweep", "smoke", "-q", "--seed", "9")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        results = os.path.join(self.cwd, "results")
        (fp,) = os.listdir(results)
        (res,) = [f for f in os.listdir(os.path.join(results, fp)) if f != "machine.json"]
        # No source tree: the revision is the one iomem-bench was built from.
        with open(os.path.join(results, fp, res)) as f:
            ctx = json.load(f)["context"]
        self.assertEqual(ctx["git_revision"], ctx["iomem_git_rev"])
        self.assertFalse(ctx["git_dirty"])
        self.assertTrue(res.startswith(ctx["iomem_git_rev"] + "-smoke-"), res)
        r = self.run_tool("compare", os.path.join(results, fp, res),
                          os.path.join(results, fp, res))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("verdict: 2 too-few-reps", r.stdout)      # 3 repetitions: no verdict
        for root, dirs, _ in os.walk(self.path("prefix")):
            self.assertNotIn("__pycache__", dirs, root)

    def test_sweep_without_binaries(self):
        os.unlink(os.path.join(self.bin, "iomem-bench"))
        r = self.run_tool("sweep", "smoke", "--dry-run")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("no iomem-bench here", r.stderr)
        self.assertNotIn("cmake", r.stderr)
        r = self.run_tool("sweep", "smoke", "--dry-run", "--build-dir", BUILD)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_tools_that_build_revisions_refuse(self):
        r = self.run_tool("ab", "HEAD~1", "HEAD", "--dry-run")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("is not an iomembench source tree", r.stderr)
        self.assertIn("usage: iomem-ab", r.stderr)     # the installed command's name
        self.assertIn("iomem-ab: error:", r.stderr)
        r = self.run_tool("ab", "A", "B", "--build-a", self.bin, "--build-b", self.bin,
                          "--suite", "smoke", "--dry-run", "--seed", "1")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("3 repetitions x 2 units x 2 sides = 12 runs", r.stdout)
        r = self.run_tool("ci-perf", "--base", "HEAD")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("is not an iomembench source tree", r.stderr)
        self.assertTrue(r.stderr.startswith("iomem-ci-perf: "), r.stderr)
        r = self.run_tool("ci-perf", "--help")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_lock_ranking_usage(self):
        for args in (["--wait"], ["--wait", "spin"], ["0"], ["x"], ["--help"]):
            r = self.run_tool("lock-ranking", *args)
            self.assertEqual(r.returncode, 2, args)
            self.assertEqual(r.stderr, "usage: iomem-lock-ranking [--wait yield|park|"
                             "pure-spin] [REPETITIONS]\n", args)


if __name__ == "__main__":
    perftest.main()
