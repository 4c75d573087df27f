# SPDX-License-Identifier: MIT
"""scripts/plot and scripts/report on real results (the sweep fixtures): PNG and SVG
figures of every kind, and an HTML report whose DOM, once headless Chromium has loaded it,
holds every plot (loaded: naturalWidth > 0) and the tables."""
import html
import json
import math
import os
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
import test_changepoints as cpt     # histories of real runs with planted steps
from perftest import FIXTURES, TmpCase, fixtures, run

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                  "--virtual-time-budget=15000"]


def chromium():
    for c in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(c):
            return c
    return None


def as_written(v):
    """A value as the plot data writes it (9 significant digits)."""
    return float(f"{v:.9g}")


class PlotReport(TmpCase):
    def inputs(self):
        names = fixtures("sweep-quick-")
        self.assertGreaterEqual(len(names), 2)
        return [os.path.join(FIXTURES, n) for n in names]

    def plot(self, *inputs):
        """scripts/plot of inputs, which must succeed: (its stderr, plots.json's figures)."""
        r = run("plot", *inputs, "--out", self.path("plots"))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.path("plots", "plots.json")) as f:
            return r.stderr, json.load(f)["plots"]

    def test_plot_kinds_png_svg(self):
        perftest.need("gnuplot", "gnuplot-nox")
        out = self.path("plots")
        _, manifest = self.plot(*self.inputs())
        kinds = {m["kind"] for m in manifest}
        self.assertTrue({"throughput", "latency", "scaling", "history"} <= kinds, kinds)
        for m in manifest:
            with open(os.path.join(out, m["png"]), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", m["png"])
            root = ET.parse(os.path.join(out, m["svg"])).getroot()
            self.assertTrue(root.tag.endswith("svg"), m["svg"])
            self.assertGreater(os.path.getsize(os.path.join(out, m["png"])), 5000)
            # Every series of the manifest is drawn (its title is in the SVG's key).
            with open(os.path.join(out, m["svg"])) as f:
                svg = f.read()
            for s in m["series"]:
                self.assertIn(s.replace("&", "&amp;"), svg, (m["id"], s))
        tp = [m for m in manifest if m["id"] == "throughput-tree_rw"]
        self.assertEqual(len(tp), 1)
        self.assertIn("rcu writer:0", tp[0]["series"])

    def test_plot_families_to_come(self):
        """lock/ and `iomem stress` output (synthetic, in their documented schema)."""
        perftest.need("gnuplot", "gnuplot-nox")
        ents = []
        for lock, base in (("ticket", 2e7), ("qrwlock", 3e7)):
            for t in (1, 2, 4):
                for r in range(3):
                    ents.append({"name": f"lock/{lock}/read-mostly/threads:{t}/iterations:1/"
                                 "real_time", "run_type": "iteration", "repetition_index": r,
                                 "iterations": 1, "real_time": 100, "cpu_time": 1,
                                 "time_unit": "ms", "ops_per_s": base * t ** 0.5 * (1 + r / 50),
                                 "jain": 0.99, "starved": 0})
        for b in ("rwlock", "rcu"):
            for r in range(3):
                ents.append({"name": f"stress/{b}/read_mix/threads:2", "run_type": "iteration",
                             "repetition_index": r, "iterations": 1000, "real_time": 50,
                             "cpu_time": 50, "time_unit": "ns", "ops_per_second": 2e7,
                             "p50_ns": 40, "p90_ns": 60, "p99_ns": 300, "p999_ns": 2000,
                             "max_ns": 90000})
        src = perftest.write({"context": {"iomem_locks": "ticket qrwlock"}, "benchmarks": ents},
                             self.path("synthetic.json"))
        out = self.path("plots")
        r = run("plot", src, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "plots.json")) as f:
            ids = {m["id"]: m for m in json.load(f)["plots"]}
        self.assertIn("throughput-lock-read-mostly", ids)
        self.assertEqual(sorted(ids["throughput-lock-read-mostly"]["series"]),
                         ["qrwlock", "ticket"])
        lat = [m for i, m in ids.items() if i.startswith("latency-stress")]
        self.assertEqual(len(lat), 1)
        self.assertEqual(sorted(lat[0]["series"]), ["rcu", "rwlock"])

    def test_every_benchmark_is_drawn(self):
        """On the fixtures every benchmark lies on a size or thread axis: each is in a
        current throughput or scaling figure, and none needs a distribution."""
        perftest.need("gnuplot", "gnuplot-nox")
        _, manifest = self.plot(*self.inputs())
        names = {e["name"] for p in self.inputs() for e in perftest.fixture(
            os.path.basename(p))["benchmarks"]}
        drawn = {n for m in manifest if m["kind"] != "history" for n in m["benchmarks"]}
        self.assertEqual(drawn, names)
        self.assertFalse([m for m in manifest if m["kind"] == "distribution"])

    def one_result(self, names, fixture="sweep-quick-5.json.gz"):
        doc = perftest.fixture(fixture)
        doc["benchmarks"] = [e for e in doc["benchmarks"] if e["name"] in names]
        self.assertEqual({e["name"] for e in doc["benchmarks"]}, set(names))
        return doc

    def distribution_data(self, out, m):
        """[(x, y)] of the repetitions series and of the median series of a figure."""
        with open(os.path.join(out, m["data"])) as f:
            blocks = f.read().strip().split("\n\n\n")
        series = {}
        for block in blocks:
            lines = block.splitlines()
            series[lines[0][2:]] = [tuple(float(v) for v in ln.split("\t")) for ln in lines[1:]]
        return series

    def test_plot_one_benchmark_draws_its_repetitions(self):
        perftest.need("gnuplot", "gnuplot-nox")
        name = "tree/lookup/rcu/n:100"
        doc = self.one_result([name])
        src = perftest.write(doc, self.path("one.json"))
        out = self.path("plots")
        stderr, manifest = self.plot(src)
        self.assertNotIn(" 0 plots", stderr)
        self.assertEqual([m["kind"] for m in manifest], ["distribution"])
        m = manifest[0]
        self.assertEqual(m["benchmarks"], [name])
        series = self.distribution_data(out, m)
        # Every repetition's CPU time is a point (ns), and the median is theirs.
        want = sorted(e["cpu_time"] for e in doc["benchmarks"])
        self.assertEqual(len(want), 10)
        got = sorted(p[1] for p in series["repetitions"])
        for g, w in zip(got, want):
            self.assertAlmostEqual(g, w, delta=1e-6 * w)
        self.assertEqual(len(got), len(want))
        (med,) = series["median"]
        self.assertAlmostEqual(med[1], (want[4] + want[5]) / 2, delta=1e-6 * want[4])
        self.assertEqual((med[2], med[3]), (as_written(want[0]), as_written(want[-1])))
        with open(os.path.join(out, m["png"]), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        with open(os.path.join(out, m["svg"])) as f:
            svg = f.read()
        for s in m["series"] + ["lookup/rcu/n:100"]:
            self.assertIn(s, svg)

    def test_plot_unrelated_benchmarks_each_drawn(self):
        """A lone benchmark of each family, a time-boxed one among them: each is drawn
        by the metric that decides it (its time, or its throughput counters)."""
        perftest.need("gnuplot", "gnuplot-nox")
        rw = "tree_rw/rcu/readers:2/writer:1/iterations:1/real_time"
        names = ["tree/lookup/rcu/n:100", "tree/walk/itree/n:10000", rw]
        doc = self.one_result(names)
        src = perftest.write(doc, self.path("some.json"))
        out = self.path("plots")
        _, manifest = self.plot(src)
        dist = {m["id"]: m for m in manifest if m["kind"] == "distribution"}
        self.assertEqual(set(dist), {"distribution-tree-time",
                                     "distribution-tree_rw-reads_per_s",
                                     "distribution-tree_rw-writes_per_s"})
        self.assertEqual(dist["distribution-tree-time"]["benchmarks"], names[:2])
        series = self.distribution_data(out, dist["distribution-tree_rw-reads_per_s"])
        want = sorted(e["reads_per_s"] for e in doc["benchmarks"] if e["name"] == rw)
        got = sorted(p[1] for p in series["repetitions"])
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            self.assertAlmostEqual(g, w, delta=1e-6 * w)

    def test_plot_nothing_to_draw_is_an_error(self):
        doc = perftest.fixture("sweep-quick-5.json.gz")
        failed = {"context": doc["context"], "benchmarks": [
            {"name": "tree/lookup/rcu/n:100", "run_type": "iteration",
             "error_occurred": True, "error_message": "crashed"}]}
        for d, what in ((failed, "failed"), (dict(failed, benchmarks=[]), "empty")):
            src = perftest.write(d, self.path(f"{what}.json"))
            r = run("plot", src, "--out", self.path(f"p-{what}"))
            self.assertEqual(r.returncode, 2, (what, r.stderr))
            self.assertIn("nothing to plot", r.stderr)
            self.assertNotIn("Traceback", r.stderr)

    def write_history(self, runs, name):
        """runs as result files of one machine's history, dated a day apart."""
        d = self.path(name)
        os.makedirs(d)
        for i, r in enumerate(runs):
            ctx = {k: v for k, v in r.ctx.items() if k != "started"}
            perftest.write(dict(r.doc, context=dict(
                ctx, date=f"2026-01-{i + 1:02d}T00:00:00+00:00")),
                os.path.join(d, f"r{i:02d}-quick-{i:02d}.json"))
        return d

    def history_data(self, out, m):
        with open(os.path.join(out, "plots", m["data"])) as f:
            blocks = f.read().strip().split("\n\n\n")
        return {b.splitlines()[0][2:]: [tuple(float(v) for v in ln.split("\t"))
                                        for ln in b.splitlines()[1:]] for b in blocks}

    def test_report_marks_change_points(self):
        """The report marks what scripts/changepoints finds, where it finds it: a step
        planted into one benchmark on its line of its family's history figure, a step of
        a whole family on the overview and by a line across the family's figure."""
        perftest.need("gnuplot", "gnuplot-nox")
        real = cpt.real_runs()
        noise = cpt.run_noise(real)
        name = min(noise, key=noise.get)       # the quietest benchmark
        fam = name.split("/", 1)[0]
        d = self.write_history(cpt.history(real, random.Random(7), name, 12, 1.25)[:24],
                               "step")
        out = self.path("report")
        r = run("report", d, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        cli = run("changepoints", d)
        self.assertIn(cli.returncode, (0, 1), cli.stderr)
        want = sorted(cli.stdout.splitlines())
        self.assertIn(f"CHANGE {name} at r12", "\n".join(want))
        # The report's table lists exactly what the command prints.
        with open(os.path.join(out, "index.html")) as f:
            page = f.read()
        table = re.search(r'<table id="changes-table">(.*?)</table>', page, re.S)
        self.assertTrue(table, "no change point table")
        rows = re.findall(r"<tr><td class=\"name\">([^<]*)</td><td>([^<]*)</td><td>[^<]*"
                          r"</td><td>[^<]*</td><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td>",
                          table.group(1))
        got = sorted(f"CHANGE {b} at {rev}: {pct} (p={html.unescape(p)})"
                     for b, rev, pct, p in rows)
        self.assertEqual(got, want)
        with open(os.path.join(out, "plots", "plots.json")) as f:
            figs = {m["id"]: m for m in json.load(f)["plots"]}
        fig = figs[f"history-{fam}"]
        mk = [k for k in fig["marks"] if k["benchmark"] == name]
        self.assertEqual([(k["at"], k["revision"]) for k in mk], [(12, "r12")])
        self.assertIn("change points", fig["series"])
        # The circle sits on the benchmark's own line at that run.
        data = self.history_data(out, fig)
        line = dict((x, y) for x, y, _, _ in data[name.split("/", 1)[1]])
        self.assertIn((12.0, line[12.0]), [(x, y) for x, y, _, _ in data["change points"]])
        before = [math.log(y) for x, y in line.items() if x < 12]
        after = [math.log(y) for x, y in line.items() if x >= 12]
        self.assertGreater(sum(after) / len(after) - sum(before) / len(before),
                           math.log(1.1))
        with open(os.path.join(out, "plots", fig["svg"])) as f:
            svg = f.read()
        self.assertIn(f"{mk[0]['pct']:+.1f}%", svg)
        self.assertIn("change points", svg)
        # A whole family's step: marked on the overview's family line, and across the
        # family's figure.
        d = self.write_history(cpt.history(real, random.Random(6), f"{fam}/", 15, 1.3)[:24],
                               "family")
        out = self.path("report-family")
        r = run("report", d, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "plots", "plots.json")) as f:
            figs = {m["id"]: m for m in json.load(f)["plots"]}
        self.assertIn((f"{fam}/*", 15), [(k["benchmark"], k["at"])
                                         for k in figs["history"]["marks"]])
        data = self.history_data(out, figs["history"])
        self.assertIn(15.0, [x for x, _, _, _ in data["change points"]])
        with open(os.path.join(out, "plots", f"data/history-{fam}.gp")) as f:
            self.assertIn("set arrow from 15, graph 0 to 15, graph 1", f.read())
        # Turned off: no search, no marks.
        out = self.path("report-off")
        r = run("report", d, "--out", out, "--no-changepoints")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "plots", "plots.json")) as f:
            self.assertFalse([m for m in json.load(f)["plots"] if m["marks"]])
        with open(os.path.join(out, "index.html")) as f:
            self.assertNotIn("changes-table", f.read())

    def test_plot_bad_input(self):
        bad = self.path("bad.json")
        with open(bad, "w") as f:
            f.write("{")
        r = run("plot", bad, "--out", self.path("p"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"{bad}: error: malformed JSON", r.stderr)
        r = run("plot", bad)
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: scripts/plot", r.stderr)

    def test_report_in_headless_chromium(self):
        perftest.need("gnuplot", "gnuplot-nox")
        browser = chromium()
        if not browser:
            perftest.skip_whole_test("chromium not found: install chromium (scripts/setup)")
        out = self.path("report")
        r = run("report", *self.inputs(), "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        index = os.path.join(out, "index.html")
        with open(os.path.join(out, "plots", "plots.json")) as f:
            nplots = len(json.load(f)["plots"])
        profile = self.path("chromium-profile")
        res = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                              "--dump-dom", "file://" + index], capture_output=True,
                             text=True, timeout=180)
        dom = res.stdout
        self.assertIn("</html>", dom, res.stderr[-2000:])
        m = re.search(r'id="img-check"[^>]*data-loaded="(\d+)"[^>]*data-total="(\d+)"', dom)
        self.assertTrue(m, "the load check did not run")
        self.assertEqual((int(m.group(1)), int(m.group(2))), (nplots, nplots),
                         "every plot must load")
        self.assertEqual(len(re.findall(r'<figure class="plot"', dom)), nplots)
        for tid in ("runs-table", "machine-table", "comparison-table", "results-table"):
            self.assertIn(f'<table id="{tid}">', dom)
        for sec in ("plots-throughput", "plots-latency", "plots-scaling", "plots-history"):
            self.assertIn(f'id="{sec}"', dom)
        rows = re.findall(r"<tr[^>]*><td class=\"name\">tree/lookup/rwlock/n:100</td>", dom)
        self.assertGreaterEqual(len(rows), 2)          # results and comparison tables
        # A missing image would be caught: break one and look again.
        os.unlink(os.path.join(out, "plots", "history.svg"))
        res = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}-2",
                              "--dump-dom", "file://" + index], capture_output=True,
                             text=True, timeout=180)
        m = re.search(r'data-loaded="(\d+)"', res.stdout)
        self.assertEqual(int(m.group(1)), nplots - 1)


if __name__ == "__main__":
    perftest.main()
