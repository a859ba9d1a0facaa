"""The funnel report: per cohort period and breakdown, each milestone's count, step conversion and
median days since the first milestone, in one pass over the milestone events."""

from __future__ import annotations

import itertools

import ibis
import ibis.expr.types as ir
import pandas as pd

from revintel.metrics._catalogue import Grain
from revintel.metrics._context import ratio
from revintel.metrics._query import MetricQuery, days_between, in_range, period_start
from revintel.metrics._sources import MetricSources, journey_events, with_dimensions


def milestone_times(sources: MetricSources) -> ir.Table:
    """Per lead, when it first reached each milestone of the path and ``won``.

    A milestone without its own event takes the time of the next one reached, as in
    :attr:`MetricSources.journeys`, but nothing else is computed.
    """
    funnel = sources.funnel
    chain = (*funnel.path_ids, funnel.won.id)
    m = journey_events(sources)
    m = m.filter(m.milestone.isin(list(chain)))
    raw = m.group_by("lead_id").aggregate(
        **{f"r_{mid}": m.occurred_at.min(where=m.milestone == mid) for mid in chain}
    )
    return raw.select(
        "lead_id",
        **{
            f"t_{mid}": ibis.coalesce(*(raw[f"r_{later}"] for later in chain[i:]))
            if i < len(chain) - 1
            else raw[f"r_{mid}"]
            for i, mid in enumerate(chain)
        },
    )


def funnel_report(
    sources: MetricSources,
    grain: Grain = "month",
    by: tuple[str, ...] = ("channel",),
    query: MetricQuery | None = None,
) -> ir.Table:
    """Cohort (period of the first milestone) × ``by``: ``n_<m>``, ``conv_<m>`` and ``days_<m>``.

    ``conv_<m>`` is the share of the previous milestone's entries reaching ``m``; ``days_<m>`` the
    median days from the first milestone to ``m``. ``query`` contributes filters and a date range
    on the first milestone.
    """
    query = query or MetricQuery()
    chain = (*sources.funnel.path_ids, sources.funnel.won.id)
    first = f"t_{chain[0]}"
    dims = tuple(dict.fromkeys((*by, *(f.dimension for f in query.where))))
    times = with_dimensions(sources, milestone_times(sources), dims)
    for flt in query.where:
        times = flt.apply(times)
    times = times.filter(times[first].notnull() & in_range(times[first], query))
    keys = [*by]
    if grain != "all":
        times = times.mutate(cohort=period_start(times[first], grain))
        keys = ["cohort", *by]
    counts = {f"n_{mid}": times[f"t_{mid}"].count() for mid in chain}
    days = {
        f"days_{mid}": days_between(times[first], times[f"t_{mid}"]).median() for mid in chain[1:]
    }
    agg = times.group_by(keys).aggregate(**counts, **days)
    conv = {f"conv_{b}": ratio(agg[f"n_{b}"], agg[f"n_{a}"]) for a, b in itertools.pairwise(chain)}
    return agg.mutate(**conv).order_by(keys)


def funnel_report_long(wide: pd.DataFrame, sources: MetricSources) -> pd.DataFrame:
    """The executed wide report as one row per group and milestone."""
    chain = (*sources.funnel.path_ids, sources.funnel.won.id)
    keys = [c for c in wide.columns if not c.startswith(("n_", "conv_", "days_"))]
    if "cohort" in wide:
        wide = wide.assign(cohort=pd.to_datetime(wide["cohort"]).dt.date)
    parts = []
    for mid in chain:
        part = wide[keys].copy()
        part["milestone"] = mid
        part["reached"] = wide[f"n_{mid}"]
        part["conversion"] = wide.get(f"conv_{mid}")
        part["median_days"] = wide.get(f"days_{mid}")
        parts.append(part)
    return pd.concat(parts, ignore_index=True).sort_values(keys, kind="stable")
