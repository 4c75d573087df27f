# SPDX-License-Identifier: MIT
"""Statistics over repetitions: Google Benchmark's Mann-Whitney U test (gbench.report),
the repetitions a significance level needs, Hodges-Lehmann change estimates with their
distribution-free confidence intervals, and robust noise measures."""
import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import lru_cache
from statistics import NormalDist, median
from typing import TypeVar

from .common import import_gbench

K = TypeVar("K", bound=Hashable)
# (change, CI low, CI high, confidence, p) of the paired test; None where it cannot say.
PairedT = tuple[float | None, float | None, float | None, float, float | None]


def utest_pvalue(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Two-sided Mann-Whitney U p-value of two samples, as Google Benchmark's compare.py
    computes it (gbench.report.calc_utest: scipy's mannwhitneyu, exact for small samples
    without ties). None with fewer than gbench's UTEST_MIN_REPETITIONS per side."""
    report = import_gbench()
    if min(len(a), len(b)) < report.UTEST_MIN_REPETITIONS:
        return None
    if len(set(a) | set(b)) == 1:
        return 1.0          # all equal: scipy's asymptotic form would divide by zero
    # calc_utest tests CPU and real times; we pass the series we test as both.
    _, p, _ = report.calc_utest([list(a), list(b)], [list(a), list(b)])
    return float(p)


def min_pvalue(n: int, m: int) -> float:
    """The smallest two-sided p-value an exact U test can give with n and m repetitions
    (the two samples completely separated)."""
    return min(1.0, 2.0 / math.comb(n + m, n))


def reps_needed(alpha: float, other: int | None = None) -> int | None:
    """Repetitions per side (or, given the other side's count, on this side) for the U test
    to be able to reach significance level alpha."""
    for n in range(2, 200):
        if min_pvalue(n, other if other else n) <= alpha:
            return n
    return None


@lru_cache(maxsize=None)
def _u_counts(n: int, m: int) -> tuple[int, ...]:
    """Number of orderings of n X's and m Y's with each value of U (pairs with X > Y);
    tuple indexed by U in 0..n*m. N(u;n,m) = N(u-m;n-1,m) + N(u;n,m-1)."""
    if n == 0 or m == 0:
        return (1,)
    a = _u_counts(n - 1, m)
    b = _u_counts(n, m - 1)
    out = [0] * (n * m + 1)
    for u, c in enumerate(a):
        out[u + m] += c
    for u, c in enumerate(b):
        out[u] += c
    return tuple(out)


def u_critical(n: int, m: int, alpha: float) -> tuple[int, float]:
    """The largest C with P(U < C) <= alpha/2 under the null hypothesis (exact for
    n*m <= 1600, else the normal approximation), and the confidence it gives."""
    if n * m <= 1600:
        counts = _u_counts(n, m)
        total = math.comb(n + m, n)
        cum, c = 0, 0
        while c < len(counts) and (cum + counts[c]) / total <= alpha / 2:
            cum += counts[c]
            c += 1
        return c, 1 - 2 * cum / total
    z = NormalDist().inv_cdf(1 - alpha / 2)
    c = math.floor(n * m / 2 - z * math.sqrt(n * m * (n + m + 1) / 12))
    return max(c, 0), 1 - alpha


def hodges_lehmann(a: Sequence[float], b: Sequence[float], alpha: float = 0.05
                   ) -> tuple[float | None, float | None, float | None, float]:
    """Change of b relative to a, with a (1-alpha) distribution-free confidence interval
    (Lehmann): on log values (a ratio) when everything is positive, else on raw values
    relative to a's median. Returns (change, lo, hi, confidence) as fractions (+0.2 = 20%
    more), lo/hi None when the repetitions cannot bound it."""
    if not a or not b:
        return None, None, None, 0.0
    if min(a) > 0 and min(b) > 0:
        la = [math.log(x) for x in a]
        lb = [math.log(y) for y in b]
        d = sorted(y - x for x in la for y in lb)
        conv: Callable[[float], float] = lambda v: math.exp(v) - 1  # noqa: E731
    else:
        base = abs(median(a))
        if base == 0:
            base = abs(median(b)) or 1.0
        d = sorted((y - x) / base for x in a for y in b)
        conv = lambda v: v  # noqa: E731
    est = conv(median(d))
    c, conf = u_critical(len(a), len(b), alpha)
    if c < 1:
        return est, None, None, 0.0
    return est, conv(d[c - 1]), conv(d[len(d) - c]), conf


def robust_cv(xs: Sequence[float]) -> float | None:
    """Spread within one side: 1.4826 * MAD / median (a standard deviation for normal
    data, in units of the median), or None with fewer than 3 values."""
    if len(xs) < 3:
        return None
    m = median(xs)
    if m == 0:
        return None
    mad = median(abs(x - m) for x in xs)
    return 1.4826 * mad / abs(m)


def rel_range(xs: Sequence[float]) -> float | None:
    if len(xs) < 2:
        return None
    m = median(xs)
    return (max(xs) - min(xs)) / abs(m) if m else None


def quantile(xs: Iterable[float], q: float) -> float | None:
    s = sorted(xs)
    if not s:
        return None
    k = (len(s) - 1) * q
    f = math.floor(k)
    c = min(f + 1, len(s) - 1)
    return s[f] + (s[c] - s[f]) * (k - f)


def holm(pvalues: dict[K, float | None], alpha: float) -> tuple[set[K], dict[K, float]]:
    """Holm-Bonferroni step-down over {key: p}: (rejected keys, {key: adjusted p}). Keeps
    the chance of any false 'significant' over the whole suite at or below alpha."""
    items = sorted((p, k) for k, p in pvalues.items() if p is not None)
    m = len(items)
    adj: dict[K, float] = {}
    rejected: set[K] = set()
    running, stop = 0.0, False
    for i, (p, k) in enumerate(items):
        running = max(running, min(1.0, (m - i) * p))
        adj[k] = running
        if not stop and p <= alpha / (m - i):
            rejected.add(k)
        else:
            stop = True
    return rejected, adj


def mdc(cv_a: float | None, cv_b: float | None, n: int, m: int, alpha: float,
        power: float = 0.8) -> float | None:
    """Minimum detectable change: the relative shift the two-sided U test at level alpha
    finds with the given power, for this noise (robust CVs of the two sides, about the
    standard deviation of log values) and these repetition counts (normal approximation,
    with the U test's efficiency 3/pi relative to the t test)."""
    cvs = [c for c in (cv_a, cv_b) if c is not None]
    if not cvs or n < 2 or m < 2:
        return None
    sigma = math.sqrt(sum(c * c for c in cvs) / len(cvs))
    nd = NormalDist()
    z = nd.inv_cdf(1 - alpha / 2) + nd.inv_cdf(power)
    return math.expm1(z * sigma * math.sqrt(1 / n + 1 / m) * math.sqrt(math.pi / 3))


def paired_trimmed_t(a: Sequence[float], b: Sequence[float], alpha: float = 0.05,
                     trim: float = 0.1) -> PairedT:
    """Paired comparison of b against a, repetition by repetition (the two sides of one
    interleaved run, each pair run back to back): Yuen's trimmed one-sample t test on the
    log ratios b/a (or on differences relative to a's median when a value is not
    positive). Trimming keeps a pair hit by a burst of load from deciding alone; unlike a
    rank test it has no floor on its p-value, so the Holm correction over a whole suite
    stays reachable with ten pairs. Returns (change, lo, hi, confidence, p)."""
    return paired_trimmed_t_se(a, b, alpha, trim)[0]


def paired_trimmed_t_se(a: Sequence[float], b: Sequence[float], alpha: float = 0.05,
                        trim: float = 0.1) -> tuple[PairedT, float | None, int | None]:
    """paired_trimmed_t(), and the standard error and degrees of freedom of its t test
    (None, None when the test did not run: fewer than 3 pairs, or no spread at all)."""
    from scipy.stats import t as student_t
    n = len(a)
    if n != len(b) or n < 3:
        return (None, None, None, 0.0, None), None, None
    conv: Callable[[float], float]
    if min(a) > 0 and min(b) > 0:
        d = sorted(math.log(y / x) for x, y in zip(a, b))
        conv = math.expm1
    else:
        base = abs(median(a)) or abs(median(b)) or 1.0
        d = sorted((y - x) / base for x, y in zip(a, b))
        conv = lambda v: v  # noqa: E731
    g = int(math.floor(trim * n))
    h = n - 2 * g
    tm = sum(d[g:n - g]) / h
    w = [d[g]] * g + d[g:n - g] + [d[n - g - 1]] * g       # winsorized
    wm = sum(w) / n
    sw2 = sum((x - wm) ** 2 for x in w) / (n - 1)
    se = math.sqrt(sw2) / ((1 - 2 * g / n) * math.sqrt(n))
    df = h - 1
    if se == 0:
        p = 1.0 if tm == 0 else 0.0
        return (conv(tm), conv(tm), conv(tm), 1 - alpha, p), None, None
    tval = tm / se
    p = float(2 * student_t.sf(abs(tval), df))
    q = float(student_t.ppf(1 - alpha / 2, df))
    return (conv(tm), conv(tm - q * se), conv(tm + q * se), 1 - alpha, p), se, df


def mdc_paired(se: float | None, df: float | None, alpha: float,
               power: float = 0.8) -> float | None:
    """Minimum detectable change of the paired trimmed t test, from the standard error and
    degrees of freedom it had on these pairs."""
    from scipy.stats import t as student_t
    if se is None or df is None or df < 1:
        return None
    q = float(student_t.ppf(1 - alpha / 2, df)) + float(student_t.ppf(power, df))
    return math.expm1(q * se)
