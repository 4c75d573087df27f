# SPDX-License-Identifier: MIT
"""A comparison as a Markdown summary, for a pull request's comment or a CI job's summary
(GitHub's $GITHUB_STEP_SUMMARY, a GitLab merge request note): the verdict in the heading,
then the regressions and improvements beyond the threshold, the benchmarks that failed in
the contender and any warning that the comparison judged little, and last every
benchmark's row in a table folded away in a <details> block.

The Markdown is what GitHub and GitLab render (tables, code spans, a <details> block with
a blank line after its <summary>); the <details> tag carries markdown="1" so that Python-
Markdown's md_in_html renders its content too (the renderers of GitHub and GitLab drop
the attribute). Benchmark names go in code spans, every other text is escaped. A summary
stays within SUMMARY_LIMIT characters, 1 KiB under the most GitHub takes in a comment
(COMMENT_LIMIT), which leaves room for what a CI job adds (a marker to find its comment
again): when the whole table would not fit, its rows of unchanged benchmarks are left
out, with a note; the regressions, failures and improvements are always listed whole."""
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .metrics import HIGHER
from .verdict import BenchResult, MetricResult, Options, Verdict, fmt_pct, fmt_value

COMMENT_LIMIT = 65536       # characters: GitHub refuses a longer comment body
SUMMARY_LIMIT = COMMENT_LIMIT - 1024

# Verdicts of the rows the whole table may leave out to fit the limit.
QUIET = (Verdict.SAME, Verdict.WITHIN_THRESHOLD, Verdict.INFO)


@dataclass(frozen=True)
class Heading:
    """What was compared: one line each for the two sides, and facts about the
    comparison (suite, repetitions, machine, test), each a line of plain text."""
    baseline: str
    contender: str
    facts: list[str] = field(default_factory=list)
    tool: str = "scripts/compare"


# Characters that mean something anywhere in a line (emphasis, code, a table's cell
# border, strikethrough), and at its start (a heading, list item or quote).
_TEXT_SPECIAL = re.compile(r"([\\`*_|~])")
_LEAD_SPECIAL = re.compile(r"^([-+#>=])")


def text(s: object) -> str:
    """Plain text, safe in a paragraph or a table cell: Markdown's punctuation escaped,
    HTML's characters as entities, on one line."""
    t = " ".join(str(s).split())
    t = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LEAD_SPECIAL.sub(r"\\\1", _TEXT_SPECIAL.sub(r"\\\1", t))


def code(s: str) -> str:
    """s as a code span, safe in a table cell; with a pipe, as escaped text instead (in a
    code span GitHub needs the pipe escaped and Python-Markdown shows the escape)."""
    s = " ".join(s.split())
    if "|" in s:
        return text(s)
    ticks = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (ticks + 1)
    pad = " " if ticks or s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(head: Sequence[str], align: str, rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub Flavored Markdown table; align has one letter per column: l or r."""
    rule = "|" + "|".join(":--" if a == "l" else "--:" for a in align) + "|"
    return [_row([text(h) for h in head]), rule, *(_row(r) for r in rows)]


def _metric_label(m: MetricResult) -> str:
    label = code(m["label"]) if m["metric"] != "time" else text(m["label"])
    return label + (" (higher is better)" if m["direction"] == HIGHER else "")


def _ci(m: MetricResult) -> str:
    lo, hi = m["ci"][0], m["ci"][1]
    return "-" if lo is None or hi is None else text(f"[{fmt_pct(lo)}, {fmt_pct(hi)}]")


def _p(m: MetricResult) -> str:
    p = m.get("p_adj", m["p"]) if m["gated"] else m["p"]
    return "-" if p is None else f"{p:.2g}"


def _metric_cells(m: MetricResult) -> list[str]:
    return [_metric_label(m), text(fmt_value(m["baseline"], m["metric"])),
            text(fmt_value(m["contender"], m["metric"])), text(fmt_pct(m["change"])),
            _ci(m), _p(m)]


def _deciding(r: BenchResult) -> MetricResult | None:
    """The metric that decided a benchmark's verdict: its gated metric with that verdict,
    else its first gated metric (None when nothing is gated)."""
    gated = [m for m in r["metrics"] if m["gated"]]
    return next((m for m in gated if m.get("verdict") == r["verdict"]),
                gated[0] if gated else None)


def _changed(results: Sequence[BenchResult], verdict: Verdict) -> list[list[str]]:
    """A row per gated metric with this verdict (REGRESSION or IMPROVED)."""
    return [[code(r["name"]), *_metric_cells(m)] for r in results for m in r["metrics"]
            if m["gated"] and m.get("verdict") == verdict]


def _full_rows(results: Sequence[BenchResult], leave_out: tuple[Verdict, ...]
               ) -> list[list[str]]:
    rows: list[list[str]] = []
    for r in results:
        if r["verdict"] in leave_out:
            continue
        verdict = text(r["verdict"] + (f": {r['why']}" if r.get("why") else ""))
        m = _deciding(r)
        if m is None:
            rows.append([code(r["name"]), "", "", "", "", "", "", verdict])
        else:
            noisy = " (noisy)" if m.get("noisy") else ""
            rows.append([code(r["name"]), *_metric_cells(m), verdict + noisy])
    return rows


def counts(results: Sequence[BenchResult]) -> dict[Verdict, int]:
    out: dict[Verdict, int] = {}
    for r in results:
        out[r["verdict"]] = out.get(r["verdict"], 0) + 1
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def title(results: Sequence[BenchResult], opts: Options) -> str:
    c = counts(results)
    reg, err = c.get(Verdict.REGRESSION, 0), c.get(Verdict.ERROR, 0)
    thr = f"{100 * opts.threshold:g}%"
    judged = sum(c.get(v, 0) for v in (Verdict.REGRESSION, Verdict.ERROR, Verdict.IMPROVED,
                                       Verdict.WITHIN_THRESHOLD, Verdict.SAME))
    if reg or err:
        what = ", ".join(([_plural(reg, "regression") + f" beyond {thr}"] if reg else []) +
                         ([f"{err} failed in the contender"] if err else []))
        return f"Performance: FAIL: {what}"
    if not judged:
        return "Performance: NOTHING JUDGED: too few repetitions to detect a regression"
    imp = c.get(Verdict.IMPROVED, 0)
    return (f"Performance: pass: no regression beyond {thr}" +
            (f" ({_plural(imp, 'improvement')})" if imp else ""))


# Summary lines (compare.summary_lines and the tools' own) shown outside the fold: the
# verdict counts and what says the comparison judged little or may mislead.
VISIBLE = re.compile(r"^(verdict:|NOTHING JUDGED|not judged:|WARNING)")


def render(results: Sequence[BenchResult], opts: Options, head: Heading,
           lines: Sequence[str], limit: int = SUMMARY_LIMIT) -> str:
    """The summary (see the module), at most limit characters when the lists of changes
    fit in that."""
    top: list[str] = [f"### {text(title(results, opts))}", "",
                      f"**Baseline** {text(head.baseline)}  ",
                      f"**Contender** {text(head.contender)}"]
    if head.facts:
        top += ["", "  \n".join(text(f) for f in head.facts)]
    cols = ["benchmark", "metric", "baseline", "contender", "change",
            f"{100 * (1 - opts.alpha):g}% CI", "p adj"]
    for verdict, heading in ((Verdict.REGRESSION, "Regressions"),
                             (Verdict.IMPROVED, "Improvements")):
        rows = _changed(results, verdict)
        if rows:
            nb = len({r["name"] for r in results for m in r["metrics"]
                      if m["gated"] and m.get("verdict") == verdict})
            top += ["", f"#### {heading} beyond the threshold ({_plural(nb, 'benchmark')})",
                    ""]
            top += _table(cols, "llrrrlr", rows)
    failed = [r for r in results if r["verdict"] == Verdict.ERROR]
    if failed:
        top += ["", f"#### Failed in the contender ({len(failed)})", ""]
        top += [f"- {code(r['name'])}: {text(r.get('why', 'failed'))}" for r in failed]
    folded = [ln for ln in lines if not VISIBLE.match(ln)]
    for ln in lines:
        if VISIBLE.match(ln) and not ln.startswith("verdict:"):
            top += ["", "> " + text(ln)]
    top += [""] + [text(ln) for ln in lines if ln.startswith("verdict:")]
    corrected = "Holm-corrected over the gated metrics" if opts.correction == "holm" \
        else "uncorrected"
    note = (f"Compared by {head.tool}: a metric regresses when it is significantly worse "
            f"(alpha {opts.alpha:g}, {corrected}) by more than its threshold "
            f"({100 * opts.threshold:g}%, or wider where the between-run drift demands); "
            "p adj is the p-value of the metric shown, adjusted so.")

    def document(leave_out: tuple[Verdict, ...], with_table: bool) -> str:
        rows = _full_rows(results, leave_out)
        out = list(top)
        out += ["", '<details markdown="1">',
                f"<summary>All {len(results)} benchmarks: the deciding metric of each, "
                "the noise, the test</summary>", ""]
        if with_table:
            if len(rows) < len(results):
                out += [text(f"{len(results) - len(rows)} benchmarks whose verdict is "
                             f"{', '.join(str(v) for v in leave_out)} are left out to keep "
                             f"this summary under {limit} characters; every benchmark is "
                             "in the comparison's text and JSON output."), ""]
            out += _table([*cols, "verdict"], "llrrrlrl", rows)
        else:
            out += [text(f"The table of every benchmark would not fit in {limit} "
                         "characters; it is in the comparison's text and JSON output.")]
        out += [""] + [f"- {text(ln)}" for ln in folded] + ["", text(note), "", "</details>",
                                                            ""]
        return "\n".join(out)

    doc = document((), True)
    if len(doc) > limit:
        doc = document(QUIET, True)
    if len(doc) > limit:
        doc = document(QUIET, False)
    return doc


def write(path: str, doc: str) -> None:
    """The summary to path ('-': standard output)."""
    if path == "-":
        print(doc, end="")
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc)
