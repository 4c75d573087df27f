# SPDX-License-Identifier: MIT
"""The Markdown summary of scripts/compare --markdown (and of scripts/ab and ci-perf,
which write the same), rendered by a real Markdown parser (Debian's python3-markdown,
with the table and md_in_html extensions that GitHub's and GitLab's renderers match) and
read back as a document tree: the verdict in the heading, exactly the regressions,
failures and improvements compare reports in their tables, every benchmark in the folded
table, names that survive Markdown's special characters, and the size limit of a GitHub
comment. The comparisons are of real runs (the fixtures) with slowdowns, speedups and a
failure planted at seeded random."""
import json
import os
import random
import re
import xml.etree.ElementTree as ET

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
from perftest import TmpCase, run, write
from iomemperf import mdsummary
from iomemperf.verdict import Options
from iomemperf.mdsummary import COMMENT_LIMIT, SUMMARY_LIMIT
from iomemperf.resample import random_reps, reps_of, slow_down

try:
    import markdown
except ImportError:
    perftest.skip_whole_test("python3-markdown is not installed (scripts/setup installs it)")

EXTENSIONS = ["tables", "md_in_html"]


def render(md):
    """The rendered summary as an element tree (it must be well-formed XHTML)."""
    return ET.fromstring("<div>" + markdown.markdown(md, extensions=EXTENSIONS) + "</div>")


def flat(el):
    return "".join(el.itertext())


def section_after(root, heading_prefix):
    """The element right after the h4 whose text starts with heading_prefix, or None."""
    kids = list(root)
    for i, el in enumerate(kids):
        if el.tag == "h4" and flat(el).startswith(heading_prefix):
            return kids[i + 1]
    return None


def first_cells(table):
    return [flat(tr.find("td")) for tr in table.find("tbody").findall("tr")]


def reported(stdout, verdict):
    """The benchmarks compare's stdout names on its `VERDICT: name: ...` lines."""
    return {m.group(1) for m in re.finditer(rf"^{verdict}: (.+?): ", stdout, re.M)}


class Markdown(TmpCase):
    def planted(self, base, cont, seed):
        """cont with slowdowns, speedups and a failed benchmark planted at random."""
        rng = random.Random(seed)
        names = sorted(reps_of(cont))
        picks = rng.sample(names, 7)
        for name in picks[:3]:
            cont = slow_down(cont, name, rng.uniform(1.3, 1.8))
        for name in picks[3:6]:
            cont = slow_down(cont, name, rng.uniform(0.5, 0.7))
        cont["benchmarks"] = [
            e if e["name"] != picks[6] else
            {"name": e["name"], "run_type": "iteration", "error_occurred": True,
             "error_message": "SIGSEGV in | the <worker> thread"}
            for e in cont["benchmarks"]]
        return cont, picks

    def compare(self, base, cont, *args):
        a = write(base, self.path("base.json"))
        b = write(cont, self.path("cont.json"))
        md, js = self.path("summary.md"), self.path("cmp.json")
        r = run("compare", a, b, "--markdown", md, "--json", js, *args)
        with open(md) as f:
            text = f.read()
        with open(js) as f:
            doc = json.load(f)
        return r, text, doc

    def test_names_exactly_what_compare_reports(self):
        pairs = [("ab-aa-1-A.json.gz", "ab-aa-1-B.json.gz"),    # one interleaved run
                 ("ab-aa-3-A.json.gz", "ab-aa-3-B.json.gz"),
                 ("sweep-quick-1.json.gz", "sweep-quick-2.json.gz")]   # separate runs
        for k, (fa, fb) in enumerate(pairs):
            base = perftest.fixture(fa)
            cont, picks = self.planted(base, perftest.fixture(fb), seed=k)
            r, text, doc = self.compare(base, cont)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            regressions, errors = reported(r.stdout, "REGRESSION"), reported(r.stdout, "ERROR")
            # Not vacuous: a planted slowdown and the planted failure are among them.
            self.assertTrue(regressions & set(picks[:3]), (fa, regressions, picks))
            self.assertEqual(errors, {picks[6]})
            root = render(text)
            h3 = root.find("h3")
            self.assertIsNotNone(h3)
            self.assertTrue(flat(h3).startswith("Performance: FAIL"), flat(h3))
            self.assertIn(f"{len(regressions)} regression", flat(h3))
            # The regressions table: one row per regressed gated metric, nothing else.
            table = section_after(root, "Regressions beyond the threshold")
            self.assertEqual(table.tag, "table")
            want = sorted((res["name"], m["label"]) for res in doc["results"]
                          for m in res["metrics"] if m["gated"] and m["verdict"] == "REGRESSION")
            rows = [[flat(td) for td in tr.findall("td")]
                    for tr in table.find("tbody").findall("tr")]
            got = sorted((c[0], c[1].replace(" (higher is better)", "")) for c in rows)
            self.assertEqual(got, want)
            self.assertEqual({c[0] for c in rows}, regressions)
            for c in rows:      # each change is the one compare found, and worse
                self.assertRegex(c[4], r"^[+-]\d+\.\d%$")
            # Failed in the contender: a list, with why.
            lst = section_after(root, "Failed in the contender")
            self.assertEqual(lst.tag, "ul")
            self.assertEqual([flat(li).split(": ", 1)[0] for li in lst.findall("li")],
                             [picks[6]])
            self.assertIn("SIGSEGV in | the <worker> thread", flat(lst))
            # Improvements: every benchmark with an improved gated metric.
            improved = {res["name"] for res in doc["results"] for m in res["metrics"]
                        if m["gated"] and m["verdict"] == "improved"}
            table = section_after(root, "Improvements beyond the threshold")
            if improved:
                self.assertEqual(set(first_cells(table)), improved)
            else:
                self.assertIsNone(table)
            # Folded away: every benchmark compared, each with its verdict.
            details = root.find("details")
            self.assertIsNotNone(details)
            self.assertTrue(flat(details.find("summary")).startswith(
                f"All {len(doc['results'])} benchmarks"))
            rows = [[flat(td) for td in tr.findall("td")]
                    for tr in details.find("table").find("tbody").findall("tr")]
            self.assertEqual([c[0] for c in rows], [res["name"] for res in doc["results"]])
            for c, res in zip(rows, doc["results"]):
                self.assertTrue(c[-1].startswith(res["verdict"]), (c, res["verdict"]))
            # The summary lines of compare are in it, under the fold or above it.
            for ln in doc["summary"]:
                self.assertIn(" ".join(ln.split()), " ".join(flat(root).split()))
            # Nothing fell out of a table into a paragraph of pipes.
            for p in root.iter("p"):
                self.assertNotIn("| ", flat(p))
            self.assertLessEqual(len(text), SUMMARY_LIMIT)

    def test_pass_and_nothing_judged(self):
        base = perftest.fixture("ab-aa-2-A.json.gz")
        cont = perftest.fixture("ab-aa-2-B.json.gz")
        r, text, doc = self.compare(base, cont)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        root = render(text)
        self.assertTrue(flat(root.find("h3")).startswith("Performance: pass"),
                        flat(root.find("h3")))
        self.assertIsNone(section_after(root, "Regressions"))
        self.assertIsNotNone(root.find("details").find("table"))
        # Three repetitions a side judge nothing: said above the fold, not only in it.
        rng = random.Random(1)
        r, text, doc = self.compare(random_reps(base, rng, 3), random_reps(cont, rng, 3))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("NOTHING JUDGED", r.stdout)
        root = render(text)
        self.assertIn("NOTHING JUDGED", flat(root.find("h3")))
        quotes = [flat(q).strip() for q in root.findall("blockquote")]
        self.assertTrue(any(q.startswith("NOTHING JUDGED") for q in quotes), quotes)

    def synthetic(self, names, slower=(), reps=10, seed=1):
        rng = random.Random(seed)
        ents = []
        for name in names:
            f = 1.5 if name in slower else 1.0
            for r in range(reps):
                t = 100.0 * f * (1 + rng.gauss(0, 0.01))
                ents.append({"name": name, "run_type": "iteration", "repetition_index": r,
                             "iterations": 1000, "real_time": t, "cpu_time": t,
                             "time_unit": "ns"})
        return {"context": {"host_name": "vm", "num_cpus": 2}, "benchmarks": ents}

    def test_names_with_markdown_characters(self):
        odd = ["tree/a|b/n:1", "tree/*star*/n:2", "tree/_under_/n:3", "tree/<b>x</b>/n:4",
               "tree/back`tick/n:5", "tree/plain/n:6"]
        r, text, _ = self.compare(self.synthetic(odd), self.synthetic(odd, odd[:5], seed=2))
        self.assertEqual(reported(r.stdout, "REGRESSION"), set(odd[:5]), r.stdout)
        root = render(text)
        table = section_after(root, "Regressions beyond the threshold")
        self.assertEqual(sorted(first_cells(table)), sorted(odd[:5]))
        self.assertEqual(first_cells(root.find("details").find("table")), odd)

    def test_fits_a_comment(self):
        # 15 repetitions, so that the U test resolves a slowdown at alpha Holm-corrected
        # over 600 metrics.
        names = [f"tree/op{i:04d}/some-long-configuration-name/n:{i}" for i in range(600)]
        slow = names[::40]
        r, text, doc = self.compare(self.synthetic(names, reps=15),
                                    self.synthetic(names, slow, reps=15, seed=2))
        # Whole, the summary would not fit.
        whole = mdsummary.render(doc["results"], Options(), mdsummary.Heading("a", "b"),
                                 doc["summary"], limit=10 ** 9)
        self.assertGreater(len(whole), COMMENT_LIMIT)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(reported(r.stdout, "REGRESSION"), set(slow))
        self.assertLessEqual(len(text), SUMMARY_LIMIT)
        self.assertLess(SUMMARY_LIMIT, COMMENT_LIMIT)
        root = render(text)
        table = section_after(root, "Regressions beyond the threshold")
        self.assertEqual(set(first_cells(table)), set(slow))
        details = root.find("details")
        self.assertIn(f"{len(names) - len(slow)} benchmarks whose verdict is same",
                      flat(details))
        rows = details.find("table").find("tbody").findall("tr")
        self.assertEqual(len(rows), len(slow))


if __name__ == "__main__":
    perftest.main()
