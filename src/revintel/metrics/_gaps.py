"""Why an analysis has nothing to show: the gap in the data, found once for every surface.

An empty table tells a user nothing. Each check here looks at what an analysis needs (leads,
stage history, mature leads, complete periods, enough of them, rows in the range asked for)
and returns a :class:`DataGap` naming the first thing missing, with the dates that explain it;
the surfaces turn it into one sentence (``revintel.views.gap_sentence``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from revintel.metrics._attributed import credits_missing
from revintel.metrics._catalogue import KpiSpec, MetricCatalogue
from revintel.metrics._pricing_kpis import bands_missing
from revintel.metrics._query import MetricQuery
from revintel.metrics._sources import MetricSources

#: Gap codes, in the order analyses check them.
GAP_CODES = (
    "no_leads",
    "no_stage_history",
    "no_mature_lead",
    "no_rows_in_range",
    "no_complete_period",
    "short_history",
    "no_alert",
    "no_forecast_data",
    "undated_history",
    "no_forecast_basis",
    "no_opportunities",
    "no_open_pipeline",
    "no_attribution_credits",
    "no_price_bands",
)
#: Dated columns whose range is "the range of the data".
_DATED = (("leads", "created_at"), ("milestones", "occurred_at"), ("orders", "ordered_at"))


@dataclass(frozen=True)
class DataGap:
    """What an analysis lacks: a code of :data:`GAP_CODES` and the numbers that explain it.

    ``first``/``last`` are the dates the data covers (``None`` for an empty store), ``as_of``
    the evaluation date, ``needed``/``found`` counts (days, periods) where the code needs them,
    ``start``/``end`` the range asked for.
    """

    code: str
    first: date | None = None
    last: date | None = None
    as_of: date | None = None
    needed: int | None = None
    found: int | None = None
    start: date | None = None
    end: date | None = None


def data_span(sources: MetricSources) -> tuple[date, date] | None:
    """First and last date of the leads, milestones and orders; ``None`` when all are empty."""
    found: list[date] = []
    for name, column in _DATED:
        if name not in sources.tables:
            continue
        col = sources.tables[name][column]
        row = col.as_table().aggregate(lo=col.min(), hi=col.max()).to_pandas().iloc[0]
        found += [pd.Timestamp(v).date() for v in (row["lo"], row["hi"]) if pd.notna(v)]
    return (min(found), max(found)) if found else None


def _count(sources: MetricSources, name: str) -> int:
    return int(sources.tables[name].count().execute()) if name in sources.tables else 0


def _spanned(sources: MetricSources, code: str, **values: object) -> DataGap:
    span = data_span(sources)
    first, last = span if span is not None else (None, None)
    return DataGap(code, first, last, sources.as_of, **values)  # type: ignore[arg-type]


def funnel_gap(
    sources: MetricSources, catalogue: MetricCatalogue, query: MetricQuery | None = None
) -> DataGap | None:
    """Why the funnel (overview, P(won), conversions) has no lead to count, or ``None``."""
    query = query or MetricQuery()
    if _count(sources, "leads") == 0:
        return _spanned(sources, "no_leads")
    journeys = sources.journeys
    if int(journeys.count().execute()) == 0:
        return _spanned(sources, "no_stage_history")
    maturity = (
        query.maturity_days if query.maturity_days is not None else catalogue.settings.maturity_days
    )
    cutoff = pd.Timestamp(sources.as_of - timedelta(days=maturity))
    created = journeys.created_at
    mature = journeys.filter(created < cutoff.to_pydatetime())
    if int(mature.count().execute()) == 0:
        return _spanned(sources, "no_mature_lead", needed=maturity)
    return kpi_gap(sources, query)


def kpi_gap(
    sources: MetricSources, query: MetricQuery | None = None, kpis: Sequence[KpiSpec] = ()
) -> DataGap | None:
    """Why KPI values are empty: no data at all, none in the range asked for, or (for the
    attributed KPIs among ``kpis``) no attribution credits stored, or (for the band KPIs) no
    price bands."""
    query = query or MetricQuery()
    span = data_span(sources)
    if span is None:
        return DataGap("no_leads", as_of=sources.as_of)
    first, last = span
    end = query.end - timedelta(days=1) if query.end is not None else None
    outside = (query.start is not None and query.start > last) or (end is not None and end < first)
    if outside:
        return DataGap("no_rows_in_range", first, last, sources.as_of, start=query.start, end=end)
    if _count(sources, "milestones") == 0:
        return DataGap("no_stage_history", first, last, sources.as_of)
    if any(credits_missing(sources, spec, query) for spec in kpis):
        return DataGap("no_attribution_credits", first, last, sources.as_of)
    if any(bands_missing(sources, spec) for spec in kpis):
        return DataGap("no_price_bands", first, last, sources.as_of)
    return None


def complete_periods(first: date, as_of: date) -> int:
    """Whole calendar months from ``first``'s month that ended by ``as_of``.

    Examples
    --------
    >>> complete_periods(date(2024, 1, 12), date(2024, 1, 28))
    0
    >>> complete_periods(date(2024, 1, 12), date(2024, 3, 31))
    3
    """
    months = (as_of.year - first.year) * 12 + as_of.month - first.month
    ends_month = (as_of + timedelta(days=1)).month != as_of.month
    return max(0, months + (1 if ends_month else 0))


def periods_needed(catalogue: MetricCatalogue) -> int:
    """Complete periods the alerts of ``catalogue`` compare at most (a trailing baseline and the
    period tested, a streak, or a look-back)."""
    needed = 1
    for spec in catalogue.kpis:
        rule = spec.alert
        if rule is None:
            continue
        trailing = getattr(rule, "trailing_periods", None)
        streak = getattr(rule, "periods", None)
        lookback = getattr(rule, "lookback_periods", None)
        for count, extra in ((trailing, 1), (streak, 1 if spec.kind == "growth" else 0),
                             (lookback, 0)):  # fmt: skip
            if isinstance(count, int):
                needed = max(needed, count + extra)
    return needed


def alerts_gap(sources: MetricSources, catalogue: MetricCatalogue) -> DataGap:
    """Why no alert fired: no data, no complete period, too few of them, or none fired."""
    span = data_span(sources)
    if span is None:
        return DataGap("no_leads", as_of=sources.as_of)
    first, last = span
    found = complete_periods(first, sources.as_of)
    needed = periods_needed(catalogue)
    if found == 0:
        return DataGap("no_complete_period", first, last, sources.as_of)
    if _count(sources, "milestones") == 0:
        return DataGap("no_stage_history", first, last, sources.as_of)
    if found < needed:
        return DataGap("short_history", first, last, sources.as_of, needed=needed, found=found)
    return DataGap("no_alert", first, last, sources.as_of, found=found)
