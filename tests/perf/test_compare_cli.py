# SPDX-License-Identifier: MIT
"""scripts/compare: exit codes, input errors, the fingerprint refusal, the repetitions it
needs, counter directions, on synthetic Google Benchmark JSON and on real fixtures."""
import gzip
import hashlib
import json
import math
import os
import random

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
from perftest import TmpCase, run, write
from iomemperf import fingerprint

FP_CTX = {"machine_fingerprint": "x86_64-2c-aaaaaaaaaa", "cpu_model": "Test CPU",
          "num_cores": 2, "kernel": "6.1.0", "compiler": "GNU 12.2.0",
          "allocator": "jemalloc 5.3.0", "liburcu_version": "0.13.2", "suite": "quick",
          "host_name": "vm", "num_cpus": 2}


def doc(benches, ctx=None, reps=10, seed=1, noise=0.01):
    """benches: {name: (time_ns or None, {counter: value}, time_boxed)}: reps entries each,
    with multiplicative noise."""
    rng = random.Random(seed)
    out = {"context": dict(FP_CTX if ctx is None else ctx), "benchmarks": []}
    for name, (t, counters, boxed) in benches.items():
        for r in range(reps):
            f = math.exp(rng.gauss(0, noise))
            e = {"name": name, "run_name": name, "run_type": "iteration",
                 "repetitions": reps, "repetition_index": r, "threads": 1,
                 "iterations": 1 if boxed else 1000,
                 "real_time": 1e9 * f if boxed else t * f, "cpu_time": 1e6 if boxed else t * f,
                 "time_unit": "ns"}
            for c, v in counters.items():
                e[c] = v / f if c.endswith("_per_s") or c.endswith("_per_second") else v * f
            out["benchmarks"].append(e)
    return out


BASE = {
    "tree/lookup/rwlock/n:100": (70.0, {"items_per_second": 1.4e7, "n": 100}, False),
    "tree/lookup/rcu/n:100": (60.0, {"items_per_second": 1.6e7, "n": 100}, False),
    "tree_rw/rcu/readers:2/writer:1/iterations:1/real_time":
        (None, {"reads_per_s": 8e6, "writes_per_s": 5e5, "p50_ns": 40.0, "p99_ns": 400.0,
                "readers": 2, "writer": 1}, True),
}


def slower(name, factor, benches=BASE):
    b = dict(benches)
    t, c, boxed = b[name]
    c = {k: (v / factor if k.endswith("_per_s") else v * factor if k.endswith("_ns") else v)
         for k, v in c.items()}
    b[name] = (t * factor if t else t, c, boxed)
    return b


class CompareCli(TmpCase):
    def files(self, a, b):
        return write(a, self.path("base.json")), write(b, self.path("cont.json"))

    def test_identical_passes(self):
        a, b = self.files(doc(BASE), doc(BASE, seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("verdict: 3 same", r.stdout)
        self.assertIn("A/A noise in the baseline", r.stdout)

    def test_time_regression_fails(self):
        a, b = self.files(doc(BASE), doc(slower("tree/lookup/rcu/n:100", 1.2), seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"REGRESSION: tree/lookup/rcu/n:100: time \(cpu\) \+(19|20)\.")

    def test_improvement_passes(self):
        a, b = self.files(doc(BASE), doc(slower("tree/lookup/rcu/n:100", 0.7), seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("1 improved", r.stdout)

    def test_threshold_decides(self):
        a, b = self.files(doc(BASE), doc(slower("tree/lookup/rcu/n:100", 1.08), seed=2))
        self.assertEqual(run("compare", a, b).returncode, 0)          # significant, < 10%
        self.assertEqual(run("compare", a, b, "--threshold", "5").returncode, 1)

    def test_throughput_of_time_boxed_run(self):
        name = "tree_rw/rcu/readers:2/writer:1/iterations:1/real_time"
        a, b = self.files(doc(BASE), doc(slower(name, 1.25), seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertRegex(r.stdout, f"REGRESSION: {name}: reads_per_s -(19|20)\\.")
        # Its wall time is fixed by the time box: never a verdict.
        self.assertNotIn("time (real)", [ln.split()[1] for ln in r.stdout.splitlines()
                                         if ln.startswith(name)])

    def test_latency_gates_only_when_asked(self):
        name = "tree_rw/rcu/readers:2/writer:1/iterations:1/real_time"
        bb = dict(BASE)
        t, c, boxed = bb[name]
        bb[name] = (t, dict(c, p99_ns=c["p99_ns"] * 2, p50_ns=c["p50_ns"] * 1.3), boxed)
        a, b = self.files(doc(BASE), doc(bb, seed=2))
        r = run("compare", a, b, "-v")
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertRegex(r.stdout, r"p99_ns .*\(REGRESSION\)")      # shown, not gating
        r = run("compare", a, b, "--gate-counters")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertRegex(r.stdout, r"REGRESSION: .*p50_ns \+(29|30)\.")

    def test_too_few_repetitions_refuses(self):
        a, b = self.files(doc(BASE, reps=3), doc(slower("tree/lookup/rcu/n:100", 2.0),
                                                  reps=3, seed=2))
        r = run("compare", a, b, "--alpha", "0.05")
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("too-few-reps", r.stdout)
        self.assertIn("NOTHING JUDGED: all 3 benchmarks are too-few-reps", r.stdout)
        # Holm over 4 gated metrics: 0.0125 -> 5 per side (2/252 < 0.0125 < 2/70).
        self.assertIn("fewer than 5 repetitions per side", r.stdout)
        a, b = self.files(doc(BASE, reps=3), doc(slower("tree/lookup/rcu/n:100", 2.0),
                                                  reps=3, seed=2))
        r = run("compare", a, b, "--correction", "none", "--alpha", "0.2")
        self.assertEqual(r.returncode, 1, r.stdout)   # 3 vs 3 reaches p = 0.1 < 0.2

    def test_ci_level_follows_alpha(self):
        a, b = self.files(doc(BASE), doc(BASE, seed=2))
        r = run("compare", a, b, "--alpha", "0.1")
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("90% CI", r.stdout)
        self.assertNotIn("95% CI", r.stdout)

    def test_default_history_skips_other_files(self):
        a, b = self.files(doc(BASE), doc(BASE, seed=2))
        write(doc(BASE, seed=3), self.path("run-3.json"))
        with gzip.open(self.path("run-4.json.gz"), "wt") as f:
            json.dump(doc(BASE, seed=4), f)
        write({"results": [], "summary": []}, self.path("ab.json"))      # not a result
        write({"plots": []}, self.path("plots.json"))                      # ignored silently
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"history: skipped {self.path('ab.json')}: not a Google Benchmark "
                      "result", r.stderr)
        self.assertNotIn("plots.json", r.stderr)
        self.assertIn("between-run drift measured over 3 runs", r.stdout)
        # A file named with --history is still an error when it is not a result.
        r = run("compare", a, b, "--history", self.path("ab.json"))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)

    def test_error_in_contender_fails(self):
        b = doc(BASE, seed=2)
        for e in b["benchmarks"]:
            if e["name"] == "tree/lookup/rcu/n:100":
                e.update(error_occurred=True, error_message="iomem_lookup: EIO")
        a, b = self.files(doc(BASE), b)
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("ERROR: tree/lookup/rcu/n:100", r.stdout)

    def test_new_and_gone_benchmarks(self):
        bb = dict(BASE)
        del bb["tree/lookup/rcu/n:100"]
        bb["tree/lookup/itree/n:100"] = (20.0, {}, False)
        a, b = self.files(doc(BASE), doc(bb, seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("1 new", r.stdout)
        self.assertIn("1 gone", r.stdout)

    def test_json_output(self):
        a, b = self.files(doc(BASE), doc(slower("tree/lookup/rcu/n:100", 1.3), seed=2))
        out = self.path("cmp.json")
        self.assertEqual(run("compare", a, b, "--json", out).returncode, 1)
        with open(out) as f:
            j = json.load(f)
        v = {r["name"]: r["verdict"] for r in j["results"]}
        self.assertEqual(v["tree/lookup/rcu/n:100"], "REGRESSION")
        self.assertEqual(v["tree/lookup/rwlock/n:100"], "same")

    # --- Bad input: exit 2, `FILE: error: ...`.

    def test_missing_file(self):
        a = write(doc(BASE), self.path("base.json"))
        r = run("compare", a, self.path("nope.json"))
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.strip(), f"{self.path('nope.json')}: error: no such file")

    def test_malformed_json(self):
        a = write(doc(BASE), self.path("base.json"))
        bad = self.path("bad.json")
        with open(bad, "w") as f:
            f.write('{"benchmarks": [ {"name": "x", ')
        r = run("compare", a, bad)
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith(f"{bad}: error: malformed JSON"), r.stderr)

    def test_not_a_benchmark_result(self):
        a = write(doc(BASE), self.path("base.json"))
        for content, msg in (("[]", "top level is not an object"),
                             ("{}", "no 'benchmarks' list"),
                             ('{"benchmarks": [{"real_time": 1}]}', "has no 'name'"),
                             ('{"benchmarks": [{"name": "x", "real_time": -1, "cpu_time": 1}]}',
                              "'real_time' is not a non-negative number"),
                             ('{"benchmarks": [{"name": "x", "real_time": 1, "cpu_time": 1, '
                              '"time_unit": "fortnights"}]}', "unknown time_unit")):
            bad = write(json.loads(content), self.path("bad.json"))
            r = run("compare", a, bad)
            self.assertEqual(r.returncode, 2, content)
            self.assertIn(f"{bad}: error: ", r.stderr)
            self.assertIn(msg, r.stderr)

    def test_bad_options(self):
        a, b = self.files(doc(BASE), doc(BASE))
        for args in (["--threshold", "abc", a, b], ["--alpha", "2", a, b], ["--bogus", a, b],
                     [a], ["--threshold", "-5", a, b], ["--filter", "(", a, b]):
            r = run("compare", *args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage: scripts/compare", r.stderr, args)

    def test_no_common_benchmarks(self):
        a, b = self.files(doc(BASE), doc({"other/x": (1.0, {}, False)}))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no benchmarks in common", r.stderr)

    # --- Machines.

    def test_refuses_other_machine(self):
        other = dict(FP_CTX, machine_fingerprint="x86_64-2c-bbbbbbbbbb", kernel="6.12.0")
        a, b = self.files(doc(BASE), doc(slower("tree/lookup/rcu/n:100", 1.3), ctx=other))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 2)
        self.assertIn("machine fingerprints differ", r.stderr)
        self.assertIn("kernel: '6.1.0' vs '6.12.0'", r.stderr)
        self.assertIn("--force", r.stderr)
        r = run("compare", a, b, "--force")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("WARNING (--force)", r.stdout)

    def test_cache_line_latency(self):
        # iomem-bench records the latency of a line between two CPUs; on a virtual machine
        # it can change between runs, and threaded results with it: said, not refused.
        fast, slow = dict(FP_CTX, line_latency_ns="75.2"), dict(FP_CTX, line_latency_ns="284")
        a, b = self.files(doc(BASE, ctx=slow), doc(BASE, ctx=fast, seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("cache line 284 ns", r.stdout)
        self.assertIn("WARNING: the CPUs passed a cache line in 284 ns for the baseline and "
                      "75 ns for the contender", r.stdout)
        near = dict(FP_CTX, line_latency_ns="90")
        for ctx_b in (near, FP_CTX, dict(FP_CTX, line_latency_ns="not a number")):
            a, b = self.files(doc(BASE, ctx=fast), doc(BASE, ctx=ctx_b, seed=2))
            r = run("compare", a, b)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertNotIn("passed a cache line", r.stdout)
        # A sweep's result keeps the range its processes saw: a wide one is said too.
        mixed = dict(fast, line_latency_ns_range=[70.0, 290.0])
        a, b = self.files(doc(BASE, ctx=fast), doc(BASE, ctx=mixed, seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("WARNING: during the contender's run the CPUs passed a cache line in "
                      "70 to 290 ns", r.stdout)
        self.assertNotIn("for the baseline and", r.stdout)

    def test_topology_in_the_fingerprint(self):
        # A result filed before the topology was recorded keeps its fingerprint (the hash
        # of the other keys, byte for byte as it was computed then) and compares with one
        # that has a topology; two topologies differ; so do the other keys still.
        legacy = {k: FP_CTX[k] for k in fingerprint.LEGACY_FINGERPRINT_KEYS}
        old_id = "x86_64-2c-" + hashlib.sha256("\n".join(
            f"{k}={legacy[k]}" for k in fingerprint.LEGACY_FINGERPRINT_KEYS).encode()
        ).hexdigest()[:10]
        self.assertEqual(fingerprint.fingerprint_id(dict(legacy, arch="x86_64")), old_id)
        new = dict(legacy, arch="x86_64", topology="package:1 core:2 pu:1")
        new_id = fingerprint.fingerprint_id(new)
        self.assertNotEqual(new_id, old_id)
        self.assertEqual(fingerprint.legacy_fingerprint_id(new), old_id)
        other_topo = dict(new, topology="package:2 core:8 pu:2")
        self.assertNotEqual(fingerprint.fingerprint_id(other_topo), new_id)
        old_ctx = dict(FP_CTX, machine_fingerprint=old_id)
        new_ctx = dict(FP_CTX, machine_fingerprint=new_id, topology=new["topology"])
        self.assertTrue(fingerprint.same_machine(old_ctx, new_ctx))
        a, b = self.files(doc(BASE, ctx=old_ctx), doc(BASE, ctx=new_ctx, seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("one result has no topology", r.stdout)
        other = dict(new_ctx, topology="package:2 core:8 pu:2",
                     machine_fingerprint=fingerprint.fingerprint_id(other_topo))
        self.assertFalse(fingerprint.same_machine(other, new_ctx))
        a, b = self.files(doc(BASE, ctx=new_ctx), doc(BASE, ctx=other, seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 2)
        self.assertIn("topology: 'package:1 core:2 pu:1' vs 'package:2 core:8 pu:2'", r.stderr)
        changed = dict(old_ctx, kernel="6.12.0", machine_fingerprint="x86_64-2c-cccccccccc")
        self.assertFalse(fingerprint.same_machine(changed, new_ctx))

    def test_plain_gbench_output(self):
        # No fingerprint (plain iomem-bench --benchmark_out): host and CPUs must match.
        plain = {"host_name": "vm", "num_cpus": 2, "mhz_per_cpu": 2596}
        a, b = self.files(doc(BASE, ctx=plain), doc(BASE, ctx=plain, seed=2))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("no fingerprint", r.stdout)
        a, b = self.files(doc(BASE, ctx=plain), doc(BASE, ctx=dict(plain, host_name="other")))
        r = run("compare", a, b)
        self.assertEqual(r.returncode, 2)
        self.assertIn("host_name: 'vm' vs 'other'", r.stderr)

    # --- Real data.

    def test_real_fixture_against_itself_and_gz(self):
        names = perftest.fixtures("sweep-quick-")
        self.assertTrue(names, "fixtures missing")
        f = os.path.join(perftest.FIXTURES, names[0])
        r = run("compare", f, f, "--no-history")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("tree/lookup/rwlock/n:100", r.stdout)


if __name__ == "__main__":
    perftest.main()
