# SPDX-License-Identifier: MIT
"""Unit tests of iomemperf.stats and iomemperf.metrics: the numbers the gate rests on; and
of iomemperf.lockrank's options and table (scripts/lock-ranking)."""
import math
import random
import unittest

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest  # noqa: F401  (checks that iomemperf comes from this tree)
from iomemperf import lockrank, metrics, stats


class UTest(unittest.TestCase):
    def test_reps_needed_for_alpha(self):
        # Exact two-sided U test: the smallest p with n vs n is 2 / C(2n, n).
        self.assertEqual(stats.reps_needed(0.05), 4)    # 2/70 = 0.029
        self.assertEqual(stats.reps_needed(0.01), 5)    # 2/252 = 0.0079
        self.assertEqual(stats.reps_needed(0.001), 7)   # 2/3432
        self.assertAlmostEqual(stats.min_pvalue(3, 3), 0.1)

    def test_pvalue_matches_gbench(self):
        a = [10, 11, 12, 13, 14]
        b = [20, 21, 22, 23, 24]
        self.assertAlmostEqual(stats.utest_pvalue(a, b), 2 / 252)
        self.assertEqual(stats.utest_pvalue(a, a), 1.0)
        self.assertIsNone(stats.utest_pvalue([1], [2, 3]))

    def test_u_critical_known_values(self):
        # Tables: n = m = 5 -> 2, n = m = 9 -> 17 (two-sided 0.05); C = critical + 1.
        self.assertEqual(stats.u_critical(5, 5, 0.05)[0], 3)
        self.assertEqual(stats.u_critical(9, 9, 0.05)[0], 18)
        self.assertEqual(stats.u_critical(3, 3, 0.05)[0], 0)

    def test_hodges_lehmann_ratio(self):
        rng = random.Random(1)
        a = [100 * math.exp(rng.gauss(0, 0.01)) for _ in range(15)]
        b = [x * 1.25 for x in a]
        est, lo, hi, conf = stats.hodges_lehmann(a, b)
        self.assertAlmostEqual(est, 0.25, places=6)
        self.assertLessEqual(lo, 0.25)
        self.assertGreaterEqual(hi, 0.25)
        self.assertGreater(conf, 0.95)
        # Too few to bound: no interval.
        self.assertEqual(stats.hodges_lehmann([1, 2], [3, 4])[1:3], (None, None))
        # Zeros: changes relative to the baseline median.
        est, *_ = stats.hodges_lehmann([0, 0, 0, 0], [1, 1, 1, 1])
        self.assertEqual(est, 1.0)

    def test_holm(self):
        rej, adj = stats.holm({"a": 0.001, "b": 0.03, "c": 0.04}, 0.05)
        self.assertEqual(rej, {"a"})           # 0.03 > 0.05/2: stop
        self.assertAlmostEqual(adj["a"], 0.003)
        self.assertAlmostEqual(adj["b"], 0.06)
        self.assertAlmostEqual(adj["c"], 0.06)
        rej, _ = stats.holm({"a": 0.001, "b": 0.02, "c": 0.024}, 0.05)
        self.assertEqual(rej, {"a", "b", "c"})

    def test_paired_trimmed_t(self):
        rng = random.Random(2)
        a = [100 * math.exp(rng.gauss(0, 0.2)) for _ in range(10)]     # very noisy...
        b = [x * 1.2 * math.exp(rng.gauss(0, 0.02)) for x in a]        # ...but paired
        est, lo, hi, conf, p = stats.paired_trimmed_t(a, b)
        self.assertAlmostEqual(est, 0.2, delta=0.02)
        self.assertLess(lo, est)
        self.assertGreater(hi, est)
        self.assertLess(p, 1e-6)
        # One wild pair does not decide (20% trimming).
        b2 = list(a)
        b2[3] *= 3
        self.assertGreater(stats.paired_trimmed_t(a, b2)[4], 0.05)

    def test_mdc_grows_with_noise_and_shrinks_with_reps(self):
        self.assertLess(stats.mdc(0.02, 0.02, 10, 10, 0.001), stats.mdc(0.1, 0.1, 10, 10, 0.001))
        self.assertLess(stats.mdc(0.05, 0.05, 20, 20, 0.001), stats.mdc(0.05, 0.05, 5, 5, 0.001))
        self.assertLess(stats.mdc_paired(0.01, 5, 0.001), stats.mdc_paired(0.05, 5, 0.001))
        self.assertIsNone(stats.mdc_paired(None, None, 0.001))


class Directions(unittest.TestCase):
    def test_counter_directions(self):
        H, L, I = metrics.HIGHER, metrics.LOWER, metrics.INFO
        cases = {
            "ops_per_second": H, "ops_per_s": H, "reads_per_s": H, "writes_per_s": H,
            "reads_per_s_per_reader": H, "items_per_second": H, "bytes_per_second": H,
            "jain": H,
            "p50_ns": L, "p90_ns": L, "p99_ns": L, "p999_ns": L, "max_ns": L,
            "ns_per_item": L, "ns_4k": L, "bytes_per_resource": L, "over_kernel_bytes": L,
            "starved": L,
            "n": I, "live": I, "readers": I, "writer": I, "timer_ns": I, "lat_samples": I,
            "ratio": I, "purges": I, "unmaps_per_purge": I, "free_areas": I,
            "something_unknown": I,
        }
        for name, d in cases.items():
            self.assertEqual(metrics.direction(name), d, name)
        self.assertTrue(metrics.is_tail("p99_ns"))
        self.assertTrue(metrics.is_tail("p999_ns"))
        self.assertTrue(metrics.is_tail("max_ns"))
        self.assertFalse(metrics.is_tail("p50_ns"))

    def test_parse_names(self):
        f, d, p = metrics.parse_name("tree_rw/rcu/readers:2/writer:1/iterations:1/real_time")
        self.assertEqual((f, d, p), ("tree_rw", {"backend": "rcu", "readers": "2",
                                                 "writer": "1"}, []))
        self.assertEqual(metrics.thread_count(d), 3)
        f, d, p = metrics.parse_name("lock/qrwlock/read-mostly/threads:4/iterations:1/real_time")
        self.assertEqual((f, d, p), ("lock", {"lock": "qrwlock", "threads": "4"},
                                     ["read-mostly"]))
        f, d, p = metrics.parse_name("tree/walk/itree/n:1000")
        self.assertEqual((f, d, p), ("tree", {"backend": "itree", "n": "1000"}, ["walk"]))

    def test_percentiles(self):
        b = metrics.Bench("x")
        b.entries = [{"p50_ns": 1, "p99_ns": 2, "p999_ns": 3, "p90_ns": 1.5}]
        self.assertEqual([p for p, _ in metrics.percentiles(b)], [50, 90, 99, 99.9])


class LockRanking(unittest.TestCase):
    def test_options(self):
        P = lockrank.parse_args
        self.assertEqual(P([]), lockrank.LockRankArgs("", "3"))
        self.assertEqual(P(["5"]), lockrank.LockRankArgs("", "5"))
        self.assertEqual(P([""]), lockrank.LockRankArgs("", "3"))
        self.assertEqual(P(["--wait", "yield"]), lockrank.LockRankArgs("", "3"))
        self.assertEqual(P(["--wait", "park", "2"]), lockrank.LockRankArgs("/park", "2"))
        self.assertEqual(P(["--wait", "pure-spin", "4", "x"]),
                         lockrank.LockRankArgs("/pure-spin", "4"))    # the rest is ignored
        for bad in (["--wait"], ["--wait", "spin"], ["0"], ["-1"], ["2x"], ["--help"],
                    ["--wait", "park", "--wait", "yield"]):
            self.assertIsNone(P(bad), bad)

    def test_table(self):
        ents = []
        for lock, base, variant in (("ticket", 2e7, ""), ("ticket", 1e7, "/park"),
                                    ("pthread-mutex", 3e7, "")):
            for mix in ("read-only", "read-mostly", "write-heavy"):
                for t in (1, 2):
                    for r in range(3):
                        ents.append({"name": f"lock/{lock}/{mix}/threads:{t}{variant}/"
                                     "iterations:1/real_time", "run_type": "iteration",
                                     "ops_per_s": base * t * (1 + r / 10),
                                     "jain": 0.9 + r / 100,
                                     "starved": int(r == 0 and lock == "ticket")})
        lines = lockrank.ranking({"benchmarks": ents}, "/park")
        self.assertEqual(lines[0], "lock strategies, contended throughput (M acquisitions/s, "
                         "median of 3 runs), spinning ones waiting by park")
        self.assertEqual(lines[1:6], [
            "", "read-only",
            "| rank | strategy | 1 thr | 2 thr | geomean | Jain @2 | starved @2 |",
            "|---|---|---|---|---|---|---|",
            "| 1 | pthread-mutex | 33.00 | 66.00 | 46.67 | 0.910 | no |"])
        self.assertEqual(lines[6], "| 2 | ticket | 11.00 | 22.00 | 15.56 | 0.910 | 1/3 runs |")
        self.assertEqual(len(lines), 1 + 3 * 6)
        # Side by side from the same run: only ticket was measured both ways.
        versus = lockrank.versus_yield({"benchmarks": ents}, "/park")
        self.assertEqual(versus[1], "park against yield, same run (M acquisitions/s "
                         "yield -> park, and the ratio)")
        self.assertEqual(versus[4], "| ticket | read-only | 22.00 -> 11.00 (0.50x) | "
                         "44.00 -> 22.00 (0.50x) |")
        self.assertEqual(len(versus), 4 + 3)
        self.assertEqual(lockrank.versus_yield({"benchmarks": ents}, "/pure-spin"), [])

    def test_context_switches(self):
        ents = []
        for lock, per_acq, variant in (("ticket", 2.0, ""), ("ticket", 0.5, "/park"),
                                       ("pthread-mutex", 0.001, "")):
            for mix in ("read-only", "read-mostly", "write-heavy"):
                for t in (1, 2):
                    for r in range(3):
                        ents.append({"name": f"lock/{lock}/{mix}/threads:{t}{variant}/"
                                     "iterations:1/real_time", "run_type": "iteration",
                                     "ops_per_s": 1e6,
                                     "ctx_switches_per_op": per_acq * t * (1 + r)})
        kinds = {"ticket": "spinning", "pthread-mutex": "sleeping"}
        lines = lockrank.context_switches({"benchmarks": ents}, "/park", kinds)
        self.assertEqual(lines[2], "| strategy | kind | mix | 1 thr | 2 thr |")
        # sleeping strategies first; the parking variant of ticket, as ranked
        self.assertEqual(lines[4], "| pthread-mutex | sleeping | read-only | 0.002 | 0.004 |")
        self.assertEqual(lines[7], "| ticket | spinning | read-only | 1 | 2 |")
        self.assertEqual(len(lines), 4 + 2 * 3)
        # Never a zero that was not counted: without the counter, the reason instead.
        for e in ents:
            del e["ctx_switches_per_op"]
        lines = lockrank.context_switches(
            {"context": {"counters_unavailable": "context-switches (not permitted)"},
             "benchmarks": ents}, "", kinds)
        self.assertEqual(lines, ["", "context switches per acquisition: not counted here: "
                                 "context-switches (not permitted)"])


if __name__ == "__main__":
    perftest.main()
