# SPDX-License-Identifier: MIT
"""Change points (scripts/changepoints) on real noise.

Histories of 30 runs are drawn, with replacement, from the real quick-suite runs of the
fixtures (11 runs: five sweeps and three A/A pairs, made on the 2-CPU development VM with
other builds beside them), so each run carries the machine's real noise, its load shared
by a family included. Goals:

  - a 10% step planted into one benchmark at a known run is found at that run in at least
    19 of 20 trials, for the benchmarks whose run-to-run noise a 10% step stands out of:
    the family-relative spread over the fixture runs under a third of the step (29 of the
    39: every tree/ benchmark but one; the time-boxed tree_rw/ runs vary by 4-20% from run
    to run, where a 10% step cannot be placed to the run -- the rate over every benchmark
    is printed);
  - on flat histories, a change point in at most 1 of 20 trials (every benchmark);
  - the newest run: a 10% step in it is flagged in at least 19 of 20 trials (the same
    benchmarks), and of 20 flat histories at most 2 flag any series of the suite at the
    newest run (the exit status a CI job sees);
  - a step of a whole family shows on its FAMILY/* line, not on each benchmark;
  - the command: its line format, --json, and its exit statuses (1 for a change at the
    newest run).
"""
import copy
import json
import math
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
from perftest import TmpCase, fixtures, run
from iomemperf import changepoints as cp
from iomemperf.metrics import HIGHER, direction
from iomemperf.runs import Run

TRIALS = 20
STEP = 1.10
RUNS = 30


def real_runs():
    return [Run(os.path.join(perftest.FIXTURES, f)) for f in fixtures("")
            if f.endswith(".json.gz")]


def scale(doc, name, metric, factor):
    """doc with benchmark name made factor times slower (its metric scaled)."""
    higher = direction(metric) == HIGHER
    for e in doc["benchmarks"]:
        if e.get("name") != name:
            continue
        if metric == "time":
            for k in ("real_time", "cpu_time"):
                if isinstance(e.get(k), (int, float)):
                    e[k] *= factor
        elif isinstance(e.get(metric), (int, float)):
            e[metric] = e[metric] / factor if higher else e[metric] * factor
    return doc


def history(real, rng, plant=None, at=None, factor=STEP):
    """RUNS runs drawn from real; plant (a benchmark name, or a family prefix ending in /)
    made factor times slower from run `at` on."""
    out = []
    for i in range(RUNS):
        src = rng.choice(real)
        doc = src.doc
        if plant and i >= at:
            doc = copy.deepcopy(doc)
            for name, b in src.benches.items():
                if name == plant or (plant.endswith("/") and name.startswith(plant)):
                    metric = cp.series([src]).get(name, ("time",))[0]
                    scale(doc, name, metric, factor)
        doc = dict(doc, context=dict(doc.get("context", {}), git_revision=f"r{i:02d}"))
        out.append(Run(f"run-{i:02d}.json", doc))
    return out


def normalized(runs, name):
    """name's series against its family's offsets, as find_changes judges it."""
    ser = cp.series(runs)
    off = cp.family_offsets(ser).get(name.split("/", 1)[0], {})
    return [v for _, v in cp.against_family(ser[name][1], off)]


def run_noise(real):
    """benchmark -> the spread (sd, in log terms) of its family-relative level over the
    real runs."""
    out = {}
    for name in cp.series(real):
        xs = normalized(real, name)
        if len(xs) == len(real):
            mu = sum(xs) / len(xs)
            out[name] = math.sqrt(sum((x - mu) ** 2 for x in xs) / len(xs))
    return out


class ChangePoints(TmpCase):
    @classmethod
    def setUpClass(cls):
        cls.real = real_runs()
        cls.noise = run_noise(cls.real)

    def test_q_matches_the_definition(self):
        rng = random.Random(1)
        xs = [rng.gauss(0, 1) for _ in range(17)]
        for t in range(1, len(xs)):
            a, b = xs[:t], xs[t:]
            cross = 2 * sum(abs(x - y) for x in a for y in b) / (len(a) * len(b))
            wl = (sum(abs(x - y) for i, x in enumerate(a) for y in a[i + 1:])
                  / (len(a) * (len(a) - 1) / 2)) if len(a) > 1 else 0
            wr = (sum(abs(x - y) for i, x in enumerate(b) for y in b[i + 1:])
                  / (len(b) * (len(b) - 1) / 2)) if len(b) > 1 else 0
            want = len(a) * len(b) / len(xs) * (cross - wl - wr)
            self.assertAlmostEqual(cp.q_stat(xs, t), want, places=9)

    def test_clear_steps_and_plain_noise(self):
        rng = random.Random(2)
        xs = [rng.gauss(0, 0.01) + (0.2 if i >= 12 else 0) + (0.4 if i >= 25 else 0)
              for i in range(40)]
        self.assertEqual([at for at, _ in cp.change_points(xs)], [12, 25])
        flat = [rng.gauss(0, 0.01) for _ in range(40)]
        self.assertEqual(cp.change_points(flat), [])
        # The newest point alone, against the level before it.
        last = [rng.gauss(0, 0.01) for _ in range(29)] + [0.3]
        self.assertEqual([at for at, _ in cp.change_points(last)], [29])

    def test_planted_step_found_at_its_run(self):
        quiet = sorted(n for n, sd in self.noise.items() if sd < math.log(STEP) / 3)
        self.assertGreaterEqual(len(quiet), 15, "too few benchmarks quiet enough to plant in")
        rng = random.Random(3)
        found = 0
        for trial in range(TRIALS):
            name = rng.choice(quiet)
            at = rng.randrange(8, RUNS - 7)
            runs = history(self.real, rng, name, at)
            cps = cp.change_points(normalized(runs, name), rng=random.Random(trial))
            found += any(k == at for k, _ in cps)
        # What the same trials give over every benchmark, noisy ones included.
        rng = random.Random(4)
        anywhere = 0
        names = sorted(self.noise)
        for trial in range(TRIALS):
            name = rng.choice(names)
            at = rng.randrange(8, RUNS - 7)
            runs = history(self.real, rng, name, at)
            cps = cp.change_points(normalized(runs, name), rng=random.Random(trial))
            anywhere += any(k == at for k, _ in cps)
        print(f"10% step found at its run: {found}/{TRIALS} (the {len(quiet)} benchmarks "
              f"with run-to-run spread under {100 * math.log(STEP) / 3:.1f}%), "
              f"{anywhere}/{TRIALS} over all {len(names)}")
        self.assertGreaterEqual(found, TRIALS - 1)

    def test_flat_histories_have_no_change_point(self):
        rng = random.Random(5)
        names = sorted(self.noise)
        false = 0
        for trial in range(TRIALS):
            name = rng.choice(names)
            runs = history(self.real, rng)
            false += bool(cp.change_points(normalized(runs, name), rng=random.Random(trial)))
        print(f"flat histories with a change point: {false}/{TRIALS}")
        self.assertLessEqual(false, 1)

    def test_newest_run(self):
        quiet = sorted(n for n, sd in self.noise.items() if sd < math.log(STEP) / 3)
        rng = random.Random(8)
        flagged = 0
        for trial in range(TRIALS):
            name = rng.choice(quiet)
            runs = history(self.real, rng, name, RUNS - 1)
            flagged += any(c.benchmark == name and c.at == RUNS - 1
                           for c in cp.find_changes(runs, seed=trial))
        rng = random.Random(9)
        false = 0
        for trial in range(TRIALS):
            false += any(c.at == RUNS - 1 for c in cp.find_changes(history(self.real, rng),
                                                                    seed=trial))
        print(f"10% step in the newest run flagged: {flagged}/{TRIALS}; flat histories "
              f"with a series flagged at the newest run: {false}/{TRIALS}")
        self.assertGreaterEqual(flagged, TRIALS - 1)
        self.assertLessEqual(false, 2)

    def test_a_family_step_shows_on_the_family_line(self):
        rng = random.Random(6)
        runs = history(self.real, rng, "tree/", 15, 1.3)
        changes = cp.find_changes(runs)
        fam = [c for c in changes if c.benchmark == "tree/*"]
        self.assertTrue(any(c.at == 15 and 20 < c.pct < 40 and c.worse for c in fam), fam)
        # Measured against the family, its benchmarks did not move.
        moved = [c for c in changes if c.benchmark.startswith("tree/") and c.at == 15
                 and c.benchmark != "tree/*"]
        self.assertLessEqual(len(moved), 2, moved)

    def mkdir(self, name):
        d = self.path(name)
        os.makedirs(d)
        return d

    def _write(self, runs, d):
        paths = []
        for i, r in enumerate(runs):
            ctx = {k: v for k, v in r.ctx.items() if k != "started"}
            doc = dict(r.doc, context=dict(ctx, date=f"2026-01-{i + 1:02d}T00:00:00+00:00"))
            p = os.path.join(d, f"r{i:02d}-quick-{i:02d}.json")
            with open(p, "w") as f:
                json.dump(doc, f)
            paths.append(p)
        return paths

    def test_command(self):
        rng = random.Random(7)
        name = min(self.noise, key=self.noise.get)     # the quietest benchmark
        flat = self._write(history(self.real, rng)[:24], self.mkdir("flat"))
        r = run("changepoints", *flat)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        step = history(self.real, rng, name, 12, 1.25)[:24]
        # ...and a second step at the newest run.
        last = step[-1]
        step[-1] = Run(last.path, scale(copy.deepcopy(last.doc), name,
                                        cp.series([last])[name][0], 1.25))
        d = self.mkdir("step")
        self._write(step, d)
        out = os.path.join(d, "..", "changes.json")
        r = run("changepoints", d, "--json", out)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        # (The noisiest time-boxed series may be flagged beside it.)
        lines = [ln for ln in r.stdout.splitlines() if ln.startswith(f"CHANGE {name} ")]
        self.assertEqual(len(lines), 2, r.stdout)
        self.assertRegex(lines[0], rf"^CHANGE {name} at r12: \+2\d\.\d% \(p=[0-9.e-]+\)$")
        self.assertRegex(lines[1], rf"^CHANGE {name} at r23: \+2\d\.\d% \(p=[0-9.e-]+\)$")
        with open(out) as f:
            doc = json.load(f)
        self.assertGreaterEqual(doc["at_newest_run"], 1)
        self.assertEqual([c["at"] for c in doc["changes"] if c["benchmark"] == name], [12, 23])
        for bad in ([os.path.join(d, "nope.json")], [flat[0]], [d, "--pvalue", "2"]):
            r = run("changepoints", *bad)
            self.assertEqual(r.returncode, 2, (bad, r.stdout, r.stderr))


if __name__ == "__main__":
    perftest.main()
