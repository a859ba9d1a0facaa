"""Discount drift: a rep's or segment's discounts in the last complete period above their own
past, beyond noise.

The rule ``discount_drift`` of a ``deal_price`` KPI compares, over all deals and per group of
each dimension in ``alert.by``, the discounts of the deals won in the last complete period with
those won in the ``trailing_periods`` periods before it. The test is Welch's two-sample t-test,
one-sided (a rise), on the deals' discounts, in the style of the conversion alerts' z-test; as
one rule tests every rep and segment at once, the p-values are adjusted with Holm's step-down
procedure before they are held against ``alpha``. A group needs ``min_count`` won deals in the
period and in its past to be tested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import stdtr  # Student's t cdf, without importing scipy.stats

from revintel.metrics._catalogue import AlertRule, Grain, KpiSpec, MetricCatalogue
from revintel.metrics._engine import kpi_context, period_end
from revintel.metrics._pricing_kpis import won_deals
from revintel.metrics._query import MetricQuery
from revintel.metrics._sources import MetricSources

_TEST_DE, _TEST_EN = "Welch-t-Test", "Welch's t-test"
_PLURAL = {
    "week": ("Wochen", "weeks"),
    "month": ("Monaten", "months"),
    "quarter": ("Quartalen", "quarters"),
    "year": ("Jahren", "years"),
}
_SINGULAR = {
    "week": ("in der Woche", "week"),
    "month": ("im Monat", "month"),
    "quarter": ("im Quartal", "quarter"),
    "year": ("im Jahr", "year"),
}


@dataclass(frozen=True)
class Drift:
    """One discount drift found: the fields of :class:`revintel.metrics.Alert`."""

    kpi: str
    rule: str
    period: date
    group: dict[str, str]
    value: float
    reference: float
    numbers: dict[str, Any] = field(default_factory=dict)
    reason_de: str = ""
    reason_en: str = ""


@dataclass(frozen=True)
class WelchTest:
    """One-sided Welch test of ``mean1 > mean2``: statistic, Welch–Satterthwaite degrees of
    freedom and p-value."""

    mean1: float
    mean2: float
    t: float
    df: float
    p_value: float


def welch_t_test(first: np.ndarray, second: np.ndarray) -> WelchTest:
    """Welch's t-test that the mean of ``first`` exceeds that of ``second`` (unequal variances).

    Welch (1947), "The generalization of Student's problem when several different population
    variances are involved", Biometrika 34; degrees of freedom after Satterthwaite (1946).
    Both samples need two values or more; equal constant samples give p = 0.5.

    Examples
    --------
    >>> test = welch_t_test(np.array([0.20, 0.22, 0.19, 0.21]), np.array([0.10, 0.12, 0.11, 0.13]))
    >>> round(test.t, 3), round(test.df, 2), test.p_value < 1e-4
    (9.859, 6.0, True)
    """
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        raise ValueError(f"Welch's t-test needs two values per sample, got {n1} and {n2}")
    m1, m2 = float(a.mean()), float(b.mean())
    q1, q2 = float(a.var(ddof=1)) / n1, float(b.var(ddof=1)) / n2
    se2 = q1 + q2
    if se2 == 0.0:
        return WelchTest(m1, m2, 0.0, float(n1 + n2 - 2), 0.5 if m1 == m2 else float(m1 < m2))
    t = (m1 - m2) / math.sqrt(se2)
    df = se2**2 / (q1**2 / (n1 - 1) + q2**2 / (n2 - 1))
    return WelchTest(m1, m2, t, df, float(stdtr(df, -t)))


def holm_adjusted(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given.

    Holm (1979), "A simple sequentially rejective multiple test procedure", Scand. J. Statist. 6:
    the k-th smallest of m p-values is multiplied by m − k + 1, then made monotone.

    Examples
    --------
    >>> holm_adjusted([0.01, 0.04, 0.03])
    [0.03, 0.06, 0.06]
    """
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = round(running, 12)
    return adjusted


def won_discounts(
    sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue, by: tuple[str, ...]
) -> pd.DataFrame:
    """One row per won deal: ``period``, ``period_index``, the ``by`` columns and ``discount``,
    in the alert's grain; ``complete`` marks periods finished by the as-of date."""
    rule = spec.alert
    assert rule is not None
    ctx = kpi_context(sources, spec, MetricQuery(grain=rule.grain, by=by), cat.settings)
    if ctx.grain == "all":
        raise ValueError(f"KPI {spec.id!r}: discount_drift compares periods; set alert.grain")
    rows = ctx.rows(won_deals(sources))
    rows = ctx.keyed(rows, rows.closed_at)
    frame = rows.select("period", "period_index", *by, "discount").to_pandas()
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    as_of = pd.Timestamp(sources.as_of + timedelta(days=1))
    frame["complete"] = period_end(frame["period"], ctx.grain) <= as_of
    return frame


@dataclass(frozen=True)
class _Candidate:
    group: dict[str, str]
    period: date
    current: pd.Series
    trailing: pd.Series
    test: WelchTest


def discount_drifts(sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue) -> list[Drift]:
    """All deals, and each group of the dimensions in ``alert.by`` (reps, segments), whose
    discount in the last complete period rose beyond noise above their ``trailing_periods``
    periods before."""
    rule = spec.alert
    assert rule is not None
    candidates: list[_Candidate] = []
    for by in [(), *((d,) for d in rule.by)]:
        candidates.extend(_tested(won_discounts(sources, spec, cat, by), by, rule))
    adjusted = holm_adjusted([c.test.p_value for c in candidates])
    grain: Grain = rule.grain or spec.grain
    return [
        _alert(spec, rule, grain, c, p, len(candidates))
        for c, p in zip(candidates, adjusted, strict=True)
        if p < rule.alpha
    ]


def _tested(frame: pd.DataFrame, by: tuple[str, ...], rule: AlertRule) -> list[_Candidate]:
    complete = frame[frame["complete"].astype(bool)]
    if complete.empty:
        return []
    last = int(complete["period_index"].max())
    period = complete.loc[complete["period_index"] == last, "period"].iloc[0]
    past = complete["period_index"].between(last - rule.trailing_periods, last - 1)
    window = complete[past | (complete["period_index"] == last)]
    found = []
    for key, part in window.groupby(list(by)) if by else [((), window)]:
        current = part.loc[part["period_index"] == last, "discount"]
        trailing = part.loc[part["period_index"] < last, "discount"]
        if min(len(current), len(trailing)) < max(rule.min_count, 2):
            continue
        values = key if isinstance(key, tuple) else (key,)
        group = dict(zip(by, map(str, values), strict=True))
        test = welch_t_test(current.to_numpy(), trailing.to_numpy())
        found.append(_Candidate(group, period, current, trailing, test))
    return found


def _alert(
    spec: KpiSpec, rule: AlertRule, grain: Grain, found: _Candidate, p_adjusted: float, tests: int
) -> Drift:
    test = found.test
    numbers = {
        "deals": len(found.current),
        "trailing_deals": len(found.trailing),
        "trailing_periods": rule.trailing_periods,
        "t": round(test.t, 3),
        "df": round(test.df, 1),
        "p_value": test.p_value,
        "p_adjusted": p_adjusted,
        "tests": tests,
        "test": "Welch's t-test (one-sided), Holm-adjusted",
    }
    n, past = len(found.current), len(found.trailing)
    (who_de, who_en), (when_de, when_en) = _who(found.group), _when(found.period, grain)
    before_de, before_en = _before(grain, rule.trailing_periods)
    return Drift(
        spec.id,
        rule.rule,
        found.period,
        found.group,
        test.mean1,
        test.mean2,
        numbers,
        f"Rabatt{who_de} {when_de}: {_pct(test.mean1, 'de')} gegenüber "
        f"{_pct(test.mean2, 'de')} {before_de} (Mittel je gewonnenem Geschäft, {n} gegenüber "
        f"{past} Geschäften; {_TEST_DE}, p = {_p(p_adjusted, 'de')} nach Holm-Korrektur über "
        f"{tests} Tests).",
        f"Discount{who_en} {when_en}: {_pct(test.mean1, 'en')} against "
        f"{_pct(test.mean2, 'en')} {before_en} (mean per won deal, {n} against {past} deals; "
        f"{_TEST_EN}, p = {_p(p_adjusted, 'en')} after Holm's correction over {tests} tests).",
    )


def _who(group: dict[str, str]) -> tuple[str, str]:
    if not group:
        return "", ""
    (dim, value), *_ = group.items()
    if dim == "rep":
        return f" von {value}", f" of {value}"
    if dim == "segment":
        return f" im Segment {value}", f" in segment {value}"
    return f" ({dim} {value})", f" ({dim} {value})"


def _when(period: date, grain: Grain) -> tuple[str, str]:
    if grain == "quarter":
        label = f"Q{(period.month - 1) // 3 + 1} {period.year}"
        return f"im {label}", f"in {label}"
    if grain == "month":
        return f"im Monat {period:%m.%Y}", f"in {period:%Y-%m}"
    if grain == "year":
        return f"im Jahr {period.year}", f"in {period.year}"
    return f"in der Woche ab {period:%d.%m.%Y}", f"in the week of {period:%Y-%m-%d}"


def _before(grain: Grain, periods: int) -> tuple[str, str]:
    unit = "quarter" if grain == "all" else grain
    if periods == 1:
        de, en = _SINGULAR[unit]
        return f"{de} davor", f"in the {en} before"
    de, en = _PLURAL[unit]
    return f"in den {periods} {de} davor", f"in the {periods} {en} before"


def _pct(value: float, language: str) -> str:
    text = f"{value * 100:.1f} %"
    return text.replace(".", ",") if language == "de" else text


def _p(value: float, language: str) -> str:
    text = f"{value:.2g}"
    return text.replace(".", ",") if language == "de" else text
