"""Stalled opportunities: open entries whose time in stage exceeds what their segment shows.

A stay in a stage ends when the entry reaches any later milestone or its outcome; the limit of a
(segment, stage) is a quantile of the completed stays there.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from revintel.metrics._context import union_all
from revintel.metrics._query import days_between
from revintel.metrics._sources import MetricSources, with_dimensions


def _journeys(sources: MetricSources, by: tuple[str, ...]) -> ir.Table:
    dims = tuple(dict.fromkeys(("segment", *by)))
    j = with_dimensions(sources, sources.journeys, dims)
    return j.mutate(segment=j.segment.fill_null("unknown"))


def opportunity_stages(sources: MetricSources) -> list[str]:
    """Path milestones reached by opportunities (where a deal can stall)."""
    return [m.id for m in sources.funnel.path if m.entity == "opportunity"]


def stay_limits(sources: MetricSources, quantile: float) -> ir.Table:
    """Per segment and opportunity stage: the ``quantile`` of completed stays in days."""
    j = _journeys(sources, ())
    chain = (*sources.funnel.path_ids, sources.funnel.won.id)
    parts = []
    for mid in opportunity_stages(sources):
        entered = j[f"t_{mid}"]
        exit_at = ibis.coalesce(j[f"t_{chain[chain.index(mid) + 1]}"], j.t_end)
        rows = j.filter(entered.notnull() & exit_at.notnull())
        parts.append(
            rows.select(
                k__segment=rows.segment,
                k__stage=ibis.literal(mid),
                days=days_between(rows[f"t_{mid}"], exit_at),
            )
        )
    stays = union_all(parts)
    return stays.group_by(["k__segment", "k__stage"]).aggregate(
        limit_days=stays.days.quantile(quantile), completed=stays.count()
    )


def stalled_expression(
    sources: MetricSources, quantile: float, by: tuple[str, ...] = ()
) -> ir.Table:
    """Open opportunities past their segment's limit, with their days in stage and the limit."""
    j = _journeys(sources, by)
    open_ = j.filter((j.outcome == "open") & j.stage.isin(opportunity_stages(sources)))
    open_ = open_.mutate(days=days_between(open_.stage_at, sources.as_of_timestamp()))
    limits = stay_limits(sources, quantile)
    joined = open_.join(
        limits, [open_.segment == limits.k__segment, open_.stage == limits.k__stage]
    )
    out = joined.filter(joined.days > joined.limit_days)
    return out.select(
        "lead_id",
        "stage",
        "segment",
        *(d for d in by if d != "segment"),
        "days",
        "limit_days",
        "completed",
    )


def stalled_entries(
    sources: MetricSources, quantile: float, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Executed :func:`stalled_expression`, sorted by stage and days (longest first)."""
    frame = stalled_expression(sources, quantile, by).to_pandas()
    return frame.sort_values(["stage", "days"], ascending=[True, False]).reset_index(drop=True)
