"""Funnel metrics on journeys: counts, growth, stage conversion, win probability and durations.

Every function takes a :class:`KpiContext` and returns an Ibis table expression with the
grouping keys and ``numerator``, ``denominator``, ``value``; nothing here runs a query except
the one-off lookup of the as-of date (:attr:`MetricSources.as_of`) when it was not given.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import ibis
import ibis.expr.types as ir

from revintel.metrics._context import (
    KpiContext,
    grouped,
    indicator,
    milestone_pairs,
    ratio,
    union_all,
)
from revintel.metrics._query import MetricQueryError, days_between, in_range, period_overlaps

_QUANTILES = {"p75": 0.75, "p90": 0.9}


def milestone_count(ctx: KpiContext) -> ir.Table:
    """Entries first reaching the milestone, by the period they reached it."""
    j = ctx.rows(ctx.sources.journeys)
    t = j[f"t_{ctx.spec.params.milestone}"]
    rows = ctx.keyed(j, t)
    out = grouped(rows, ctx.group_keys()).aggregate(numerator=rows.count())
    return out.mutate(denominator=ibis.null().cast("int64"), value=out.numerator.cast("float64"))


def growth(ctx: KpiContext) -> ir.Table:
    """Growth of the milestone count over the previous period (LVR for ``mql``)."""
    if ctx.grain == "all":
        raise MetricQueryError(
            f"KPI {ctx.spec.id!r} compares periods; use a grain other than 'all'"
        )
    # Count over all time so the first period in range still finds its predecessor.
    unbounded = replace(ctx, query=replace(ctx.query, start=None, end=None))
    counts = milestone_count(unbounded).select(*ctx.group_keys(), n=ibis._.numerator)
    prev = counts.select(
        *(counts[c].name(f"k__{c}") for c in ctx.by),
        k__index=counts.period_index + 1,
        previous=counts.n,
    )
    cond = [counts.period_index == prev.k__index] + [counts[c] == prev[f"k__{c}"] for c in ctx.by]
    joined = counts.left_join(prev, cond)
    joined = joined.filter(period_overlaps(joined.period, ctx.query, ctx.grain))
    return joined.select(
        *ctx.group_keys(),
        numerator=joined.n,
        denominator=joined.previous,
        value=ratio(joined.n - joined.previous, joined.previous),
    )


def step_rate(ctx: KpiContext) -> ir.Table:
    """Share of ``source`` entries reaching ``target`` among those decided (reached or rejected)."""
    p = ctx.spec.params
    j = ctx.rows(ctx.sources.journeys)
    rows = ctx.keyed(j, j[f"t_{p.source}"])
    accepted = rows[f"t_{p.target}"].notnull()
    rejected = _reached(ctx, rows, p.rejected) & ~accepted
    out = grouped(rows, ctx.group_keys()).aggregate(
        numerator=indicator(accepted).sum(),
        rejected=indicator(rejected).sum(),
        entries=rows.count(),
    )
    decided = out.numerator + out.rejected
    return out.mutate(denominator=decided, value=ratio(out.numerator, decided))


def _reached(ctx: KpiContext, rows: ir.Table, milestone: str) -> ir.BooleanValue:
    outcome = ctx.sources.funnel.get(milestone).outcome
    column = f"t_{outcome}" if outcome in ("lost", "disqualified") else f"t_{milestone}"
    return rows[column].notnull()


def cohort_conversion(ctx: KpiContext) -> ir.Table:
    """Of the entries reaching A in a period, the share reaching B within the window."""
    window = float(ctx.window_days)
    j = ctx.rows(ctx.sources.journeys)
    parts = []
    for a, b in milestone_pairs(ctx.sources, ctx.spec.params.steps):
        rows = ctx.keyed(j, j[f"t_{a}"])
        hit = rows[f"t_{b}"].notnull() & (days_between(rows[f"t_{a}"], rows[f"t_{b}"]) <= window)
        out = grouped(rows, ctx.group_keys()).aggregate(
            denominator=rows.count(), numerator=indicator(hit).sum()
        )
        parts.append(out.mutate(step=ibis.literal(f"{a}->{b}")))
    out = union_all(parts)
    return out.mutate(value=ratio(out.numerator, out.denominator))


def period_conversion(ctx: KpiContext) -> ir.Table:
    """Entries reaching B in the period divided by entries reaching A in the same period."""
    j = ctx.rows(ctx.sources.journeys)
    parts = []
    for a, b in milestone_pairs(ctx.sources, ctx.spec.params.steps):
        for col, is_a in ((f"t_{a}", 1), (f"t_{b}", 0)):
            rows = ctx.keyed(j, j[col])
            parts.append(
                rows.select(
                    *ctx.group_keys(),
                    step=ibis.literal(f"{a}->{b}"),
                    a=ibis.literal(is_a).cast("int64"),
                    b=ibis.literal(1 - is_a).cast("int64"),
                )
            )
    long = union_all(parts)
    out = grouped(long, ctx.group_keys("step")).aggregate(
        denominator=long.a.sum(), numerator=long.b.sum()
    )
    return out.mutate(value=ratio(out.numerator, out.denominator))


def mature_journeys(ctx: KpiContext) -> ir.Table:
    """Journeys whose lead was created at least ``maturity_days`` before the as-of date."""
    j = ctx.rows(ctx.sources.journeys)
    cutoff = ctx.sources.as_of - timedelta(days=ctx.settings.maturity_days)
    keep = (j.created_at < ibis.timestamp(cutoff.isoformat())) & in_range(j.created_at, ctx.query)
    return j.filter(keep)


def win_probability(ctx: KpiContext) -> ir.Table:
    """P(won | reached milestone) among mature journeys, per milestone of the path."""
    j = mature_journeys(ctx)
    won = j[f"t_{ctx.sources.funnel.won.id}"].notnull()
    parts = []
    for mid in ctx.sources.funnel.path_ids:
        reached = j[f"t_{mid}"].notnull()
        out = grouped(j, ctx.group_keys()).aggregate(
            denominator=indicator(reached).sum(),
            numerator=indicator(reached & won).sum(),
        )
        parts.append(out.mutate(step=ibis.literal(mid)))
    out = union_all(parts)
    return out.mutate(value=ratio(out.numerator, out.denominator))


def _distribution(rows: ir.Table, days: ir.FloatingValue, keys: list[str]) -> ir.Table:
    return grouped(rows, keys).aggregate(
        numerator=rows.count(),
        value=days.median(),
        **{name: days.quantile(q) for name, q in _QUANTILES.items()},
    )


def duration(ctx: KpiContext) -> ir.Table:
    """Days from reaching A to reaching B: median (``value``), p75 and p90."""
    j = ctx.rows(ctx.sources.journeys)
    parts = []
    for a, b in milestone_pairs(ctx.sources, ctx.spec.params.steps):
        rows = ctx.keyed(j.filter(j[f"t_{b}"].notnull()), j[f"t_{a}"])
        rows = rows.mutate(days=days_between(rows[f"t_{a}"], rows[f"t_{b}"]))
        out = _distribution(rows, rows.days, ctx.group_keys())
        parts.append(out.mutate(step=ibis.literal(f"{a}->{b}")))
    out = union_all(parts)
    return out.mutate(denominator=ibis.null().cast("int64"))


def stage_age(ctx: KpiContext) -> ir.Table:
    """Days open journeys have spent in their current stage up to the as-of date."""
    j = ctx.rows(ctx.sources.journeys)
    rows = j.filter((j.outcome == "open") & j.stage_at.notnull())
    rows = rows.mutate(days=days_between(rows.stage_at, ctx.sources.as_of_timestamp()))
    out = _distribution(rows, rows.days, [*ctx.by, "stage"]).rename(step="stage")
    return out.mutate(denominator=ibis.null().cast("int64"))


def leakage(ctx: KpiContext) -> ir.Table:
    """Entries ending lost or disqualified, by last milestone reached and reason."""
    j = ctx.rows(ctx.sources.journeys)
    ended = j.filter(j.outcome.isin(["lost", "disqualified"]))
    if ctx.spec.params.milestones:
        ended = ended.filter(ended.stage.isin(list(ctx.spec.params.milestones)))
    rows = ctx.keyed(ended, ended.t_end).mutate(
        step=ibis.coalesce(ended.stage, "none"), reason=ended.reason.fill_null("unknown")
    )
    out = grouped(rows, ctx.group_keys("step", "reason")).aggregate(numerator=rows.count())
    total = out.numerator.sum().over(group_by=[out[k] for k in ctx.group_keys("step")])
    return out.mutate(denominator=total, value=ratio(out.numerator, total))


def response_time(ctx: KpiContext) -> ir.Table:
    """Hours from MQL to the first sales touch after it, by MQL period (median in ``value``)."""
    first = ctx.sources.funnel.path_ids[0]
    j = ctx.rows(ctx.sources.journeys)
    rows = ctx.keyed(j, j[f"t_{first}"])
    tp = ctx.sources.table("touchpoints", amounts=False)
    touches = tp.filter(tp.kind.isin(list(ctx.spec.params.touch_kinds)) & tp.lead_id.notnull())
    left = rows.select(k__lead=rows.lead_id, k__at=rows[f"t_{first}"])
    right = touches.select(tp_lead=touches.lead_id, tp_at=touches.occurred_at)
    pairs = left.join(right, left.k__lead == right.tp_lead)
    pairs = pairs.filter(pairs.tp_at >= pairs.k__at)
    firsts = pairs.group_by("k__lead").aggregate(touch_at=pairs.tp_at.min())
    joined = rows.left_join(firsts, rows.lead_id == firsts.k__lead)
    hours = days_between(joined[f"t_{first}"], joined.touch_at) * 24.0
    out = grouped(joined, ctx.group_keys()).aggregate(
        denominator=joined.count(),
        numerator=indicator(joined.touch_at.notnull()).sum(),
        value=hours.median(),
        p90=hours.quantile(0.9),
    )
    return out
