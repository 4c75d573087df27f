# SPDX-License-Identifier: MIT
"""scripts/export --bmf: Bencher Metric Format JSON of real results (the fixtures), checked
with python3-jsonschema against the format's JSON schema as Bencher publishes it, against
Bencher's limits on names, and against the repetitions themselves: each benchmark, with the
median, minimum and maximum of the metric that decides it."""
import json
import math
import os
import statistics

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
from perftest import TmpCase, run, write

try:
    import jsonschema
except ImportError:
    perftest.skip_whole_test("python3-jsonschema is not installed (scripts/setup installs it)")

TIME_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


# Bencher's JSON schema for BMF (draft 7, published at https://bencher.dev/bmf.json): an
# object of benchmarks, each an object of measures, each an object whose `value` is
# required and whose three values are numbers.
_MEASURE = {"type": "object", "required": ["value"],
            "properties": {k: {"type": "number"}
                           for k in ("value", "lower_value", "upper_value")}}
BMF_SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema", "type": "object",
              "patternProperties": {".+": {"type": "object",
                                           "patternProperties": {".+": _MEASURE}}}}
BENCHMARK_NAME_MAX, MEASURE_NAME_MAX = 1024, 64     # Bencher's limits on names


def check_schema(test, doc):
    """doc is valid against BMF_SCHEMA (jsonschema), and beyond what the schema says:
    names within Bencher's limits, every measure with its bounds, finite, in order."""
    jsonschema.Draft7Validator.check_schema(BMF_SCHEMA)
    errors = [e.message for e in jsonschema.Draft7Validator(BMF_SCHEMA).iter_errors(doc)]
    test.assertEqual(errors, [])
    test.assertTrue(doc)
    for bench, ms in doc.items():
        test.assertTrue(0 < len(bench) <= BENCHMARK_NAME_MAX, bench)
        test.assertTrue(ms, bench)
        for measure, m in ms.items():
            test.assertTrue(0 < len(measure) <= MEASURE_NAME_MAX, measure)
            test.assertEqual(set(m), {"value", "lower_value", "upper_value"})
            for k, v in m.items():
                test.assertNotIsInstance(v, bool)
                test.assertTrue(math.isfinite(v), (bench, measure, k))
            test.assertLessEqual(m["lower_value"], m["value"])
            test.assertLessEqual(m["value"], m["upper_value"])


def by_name(doc):
    out = {}
    for e in doc["benchmarks"]:
        if e.get("run_type", "iteration") == "iteration" and not e.get("error_occurred"):
            out.setdefault(e["name"], []).append(e)
    return out


def close(test, got, want):
    test.assertAlmostEqual(got, want, delta=1e-9 * abs(want))


class Export(TmpCase):
    def export(self, *args):
        out = self.path("bmf.json")
        r = run("export", "--bmf", *args, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            return json.load(f), r

    def test_fixtures(self):
        for name in ("sweep-quick-1.json.gz", "sweep-quick-5.json.gz", "ab-aa-1-B.json.gz"):
            src = os.path.join(perftest.FIXTURES, name)
            bmf, _ = self.export(src)
            check_schema(self, bmf)
            reps = by_name(perftest.fixture(name))
            self.assertEqual(set(bmf), set(reps))
            for bench, ents in reps.items():
                boxed = "/iterations:1/" in bench
                if boxed:
                    # Time-boxed: the wall time says nothing; the throughput counters
                    # decide, the main one as Bencher's built-in `throughput`.
                    self.assertNotIn("latency", bmf[bench])
                    pairs = [("throughput", "reads_per_s"), ("writes_per_s", "writes_per_s")]
                else:
                    self.assertEqual(set(bmf[bench]), {"latency"})
                    pairs = [("latency", "cpu_time")]
                for measure, key in pairs:
                    vals = [e[key] * (TIME_NS[e["time_unit"]] if key == "cpu_time" else 1)
                            for e in ents]
                    m = bmf[bench][measure]
                    close(self, m["value"], statistics.median(vals))
                    close(self, m["lower_value"], min(vals))
                    close(self, m["upper_value"], max(vals))

    def test_schema_catches_what_bencher_refuses(self):
        """The check is not vacuous: what Bencher's schema refuses fails it."""
        good = {"b": {"latency": {"value": 2.0, "lower_value": 1.0, "upper_value": 3.0}}}
        check_schema(self, good)
        for bad in ({"b": {"latency": {"lower_value": 1.0}}},
                    {"b": {"latency": {"value": "2", "lower_value": 1.0, "upper_value": 3.0}}},
                    {"b": {"latency": 2.0}}, {"b": []}, []):
            with self.assertRaises(AssertionError, msg=bad):
                check_schema(self, bad)

    def test_counters_and_units(self):
        name = "tree_rw/rcu/readers:2/writer:1/iterations:1/real_time"
        doc = perftest.fixture("sweep-quick-5.json.gz")
        # The time in microseconds: latency stays in nanoseconds.
        for e in doc["benchmarks"]:
            if e["name"] == "tree/lookup/rcu/n:100":
                e["cpu_time"] /= 1e3
                e["real_time"] /= 1e3
                e["time_unit"] = "us"
        src = write(doc, self.path("in.json"))
        plain, _ = self.export(src)
        bmf, _ = self.export(src, "--counters")
        check_schema(self, bmf)
        self.assertLess(set(plain[name]), set(bmf[name]))
        self.assertTrue({"p50_ns", "p99_ns", "p999_ns"} <= set(bmf[name]), bmf[name])
        for info in ("readers", "writer", "lat_samples", "timer_ns"):
            self.assertNotIn(info, bmf[name])           # descriptions, not measures
        p99 = [e["p99_ns"] for e in by_name(doc)[name]]
        close(self, bmf[name]["p99_ns"]["value"], statistics.median(p99))
        t = [e["cpu_time"] * 1e3 for e in by_name(doc)["tree/lookup/rcu/n:100"]]
        close(self, plain["tree/lookup/rcu/n:100"]["latency"]["value"], statistics.median(t))
        self.assertGreater(plain["tree/lookup/rcu/n:100"]["latency"]["value"], 10)

    def test_failures_and_bad_input(self):
        doc = perftest.fixture("sweep-quick-5.json.gz")
        failed = "tree/walk/rcu/n:100"
        doc["benchmarks"] = [e if e["name"] != failed else
                             {"name": failed, "run_type": "iteration", "error_occurred": True,
                              "error_message": "crashed"} for e in doc["benchmarks"]]
        bmf, r = self.export(write(doc, self.path("in.json")))
        self.assertNotIn(failed, bmf)
        self.assertIn(f"{failed}: left out: every repetition failed (crashed)", r.stderr)
        self.assertEqual(len(bmf), len(by_name(doc)))
        # Standard output without --out.
        r = run("export", "--bmf", self.path("in.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), bmf)
        bad = self.path("bad.json")
        with open(bad, "w") as f:
            f.write("{")
        for args, msg in (([self.path("in.json")], "--bmf is required"),
                          (["--bmf", bad], "malformed JSON"),
                          (["--bmf", self.path("none.json")], "no such file"),
                          (["--bmf", write({"benchmarks": [{"name": failed,
                                                            "error_occurred": True}]},
                                           self.path("all-failed.json"))],
                           "nothing to export"),
                          (["--bmf", self.path("in.json"), "--out",
                            self.path("no", "such", "dir.json")], "cannot write")):
            r = run("export", *args)
            self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
            self.assertIn(msg, r.stderr)
            self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    perftest.main()
