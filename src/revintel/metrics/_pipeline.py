"""Opportunity and touchpoint metrics: win rate, cycle, pipeline, coverage, velocity, digital share.

Like the funnel metrics, every function takes a :class:`KpiContext` and returns an Ibis table.
"""

from __future__ import annotations

from dataclasses import replace

import ibis
import ibis.expr.types as ir

from revintel.metrics._context import KpiContext, grouped, indicator, ratio, union_all
from revintel.metrics._funnel import mature_journeys
from revintel.metrics._query import MetricQuery, MetricQueryError, days_between
from revintel.metrics._targets import ORDER_INTAKE

_CLOSED = ["won", "lost"]
#: Breakdown dimension → column of the targets table.
TARGET_DIMENSIONS = {"team": "team", "rep": "rep_id", "segment": "segment"}


def _opportunities(ctx: KpiContext, amounts: bool = True) -> ir.Table:
    # Counts need no exchange rate: only reads of amounts are converted (or refused).
    o = ctx.sources.table("opportunities", amounts=amounts)
    base = o.select(
        "opportunity_id",
        "lead_id",
        "account_id",
        "rep_id",
        "product_id",
        *(["amount"] if amounts else []),
        "created_at",
        "closed_at",
        "expected_close_at",
        "status",
        "stage",
    )
    return ctx.rows(base)


def win_rate(ctx: KpiContext) -> ir.Table:
    """Won among closed opportunities of the period, by count or by value."""
    o = _opportunities(ctx, amounts=ctx.spec.params.basis != "count")
    closed = ctx.keyed(o.filter(o.status.isin(_CLOSED)), o.closed_at)
    won = closed.status == "won"
    if ctx.spec.params.basis == "count":
        num, den = indicator(won).sum(), closed.count()
    else:
        num = closed.amount.sum(where=won).fill_null(0.0)
        den = closed.amount.sum()
    out = grouped(closed, ctx.group_keys()).aggregate(numerator=num, denominator=den)
    return out.mutate(value=ratio(out.numerator, out.denominator))


def cycle_length(ctx: KpiContext) -> ir.Table:
    """Days from creation to winning, for opportunities won in the period (median, p75, p90)."""
    o = _opportunities(ctx, amounts=False)
    won = ctx.keyed(o.filter(o.status == "won"), o.closed_at)
    days = days_between(won.created_at, won.closed_at)
    return grouped(won, ctx.group_keys()).aggregate(
        numerator=won.count(),
        denominator=ibis.null().cast("int64"),
        value=days.median(),
        p75=days.quantile(0.75),
        p90=days.quantile(0.9),
    )


def _open(ctx: KpiContext) -> ir.Table:
    o = _opportunities(ctx)
    open_ = o.filter(o.status == "open")
    return ctx.keyed(open_, ibis.coalesce(open_.expected_close_at, open_.created_at))


def open_pipeline(ctx: KpiContext) -> ir.Table:
    """Amount of open opportunities by expected close period."""
    rows = _open(ctx)
    out = grouped(rows, ctx.group_keys()).aggregate(numerator=rows.count(), value=rows.amount.sum())
    return out.mutate(denominator=ibis.null().cast("int64"))


def measured_probabilities(ctx: KpiContext) -> ir.Table:
    """One row with ``p__<milestone>``: measured P(won | milestone) over all mature journeys."""
    plain = replace(ctx, query=MetricQuery(), grain="all")
    j = mature_journeys(plain)
    won = j[f"t_{ctx.sources.funnel.won.id}"].notnull()
    probs = {}
    for m in ctx.sources.funnel.path:
        reached = j[f"t_{m.id}"].notnull()
        measured = ratio(indicator(reached & won).sum(), indicator(reached).sum())
        probs[f"p__{m.id}"] = ibis.coalesce(measured, m.default_probability)
    return j.aggregate(**probs)


def weighted_pipeline(ctx: KpiContext) -> ir.Table:
    """Open amount weighted by P(won | current stage), default or measured."""
    rows = _open(ctx)
    funnel = ctx.sources.funnel
    if ctx.spec.params.probabilities == "default":
        cases = [(rows.stage == m.id, m.default_probability) for m in funnel.milestones]
        weighted = rows.mutate(w=ibis.cases(*cases, else_=0.0))
    else:
        probs = measured_probabilities(ctx)
        joined = rows.cross_join(probs)
        cases = [(joined.stage == m.id, joined[f"p__{m.id}"]) for m in funnel.path]
        cases.append((joined.stage == funnel.won.id, ibis.literal(1.0)))
        weighted = joined.mutate(w=ibis.cases(*cases, else_=0.0))
    out = grouped(weighted, ctx.group_keys()).aggregate(
        numerator=weighted.count(), value=(weighted.amount * weighted.w).sum()
    )
    return out.mutate(denominator=ibis.null().cast("int64"))


def _targets(ctx: KpiContext) -> ir.Table:
    unsupported = [d for d in ctx.query.dimensions if d not in TARGET_DIMENSIONS]
    if unsupported:
        raise MetricQueryError(
            f"KPI {ctx.spec.id!r} compares with targets, which exist per "
            f"{', '.join(TARGET_DIMENSIONS)}; not per {', '.join(unsupported)}"
        )
    t = ctx.sources.table("targets")
    t = t.filter(t.measure.isnull() | (t.measure == ORDER_INTAKE))
    t = t.mutate(**{d: t[c] for d, c in TARGET_DIMENSIONS.items() if d in ctx.query.dimensions})
    for flt in ctx.query.where:
        t = flt.apply(t)
    return ctx.keyed(t, t.period_start.cast("timestamp"))


def coverage(ctx: KpiContext) -> ir.Table:
    """Open pipeline expected in the period divided by the period's target amount."""
    pipe = open_pipeline(ctx).select(*ctx.group_keys(), pipeline=ibis._.value)
    t = _targets(ctx)
    target = grouped(t, ctx.group_keys()).aggregate(target=t.amount.sum())
    join_keys = [k for k in ctx.group_keys() if k != "period"]
    if not join_keys:
        joined = target.cross_join(pipe)
    else:
        right = pipe.select(*(pipe[k].name(f"k__{k}") for k in join_keys), pipeline=pipe.pipeline)
        cond = [target[k] == right[f"k__{k}"] for k in join_keys]
        joined = target.left_join(right, cond)
    return joined.select(
        *ctx.group_keys(),
        numerator=joined.pipeline.fill_null(0.0),
        denominator=joined.target,
        value=ratio(joined.pipeline.fill_null(0.0), joined.target),
    )


def velocity(ctx: KpiContext) -> ir.Table:
    """New opportunities × win rate × average won value ÷ average cycle days (amount per day)."""
    o = _opportunities(ctx)
    zero_i, zero_f = ibis.literal(0).cast("int64"), ibis.literal(0.0).cast("float64")
    created = ctx.keyed(o, o.created_at)
    created = created.select(
        *ctx.group_keys(),
        created=ibis.literal(1).cast("int64"),
        closed=zero_i,
        won=zero_i,
        won_amount=zero_f,
        cycle=zero_f,
    )
    closed = ctx.keyed(o.filter(o.status.isin(_CLOSED)), o.closed_at)
    is_won = closed.status == "won"
    closed = closed.select(
        *ctx.group_keys(),
        created=zero_i,
        closed=ibis.literal(1).cast("int64"),
        won=indicator(is_won),
        won_amount=ibis.ifelse(is_won, closed.amount.fill_null(0.0), 0.0),
        cycle=ibis.ifelse(is_won, days_between(closed.created_at, closed.closed_at), 0.0),
    )
    long = union_all([created, closed])
    s = grouped(long, ctx.group_keys()).aggregate(
        numerator=long.created.sum(),
        closed=long.closed.sum(),
        won=long.won.sum(),
        won_amount=long.won_amount.sum(),
        cycle=long.cycle.sum(),
    )
    win = ratio(s.won, s.closed)
    deal = ratio(s.won_amount, s.won)
    days = ratio(s.cycle, s.won)
    return s.select(
        *ctx.group_keys(),
        numerator=s.numerator,
        denominator=ibis.null().cast("int64"),
        value=ratio(s.numerator.cast("float64") * win * deal, days),
    )


def digital_share(ctx: KpiContext) -> ir.Table:
    """Touchpoints with the KPI's flag (digital by default) among those of the period whose flag
    is known; the mobile share counts digital touchpoints only (a period where no flag is known
    has no value)."""
    flag = ctx.spec.params.flag
    tp = ctx.sources.table("touchpoints", amounts=False)
    base = tp.select(
        "touchpoint_id",
        "lead_id",
        "account_id",
        "campaign_id",
        "channel",
        "digital",
        "occurred_at",
        flag=tp[flag],
    )
    prepared = ctx.rows(base)
    rows = ctx.keyed(prepared, prepared.occurred_at)
    known = rows.flag.notnull() & (rows.digital if flag == "mobile" else True)
    out = grouped(rows, ctx.group_keys()).aggregate(
        numerator=ibis.cases((known & rows.flag, 1), else_=0).cast("int64").sum(),
        denominator=ibis.cases((known, 1), else_=0).cast("int64").sum(),
    )
    return out.mutate(value=ratio(out.numerator, out.denominator))
