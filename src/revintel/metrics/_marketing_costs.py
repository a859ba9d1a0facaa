"""Marketing cost by period: touchpoint costs plus period costs spread over their days.

Two sources of spend meet here: the cost of single touchpoints (``touchpoints.cost``, on the day
of the touch) and the spend a marketing department books per month, channel or campaign
(``marketing_costs``, spread evenly over the days from ``period_start`` to ``period_end``). Both
are read in the store currency through :class:`MetricSources`.

Costs carry a channel and a campaign. Broken down or filtered by a dimension they do not carry
(segment, industry, region, country, rep, team, custom fields), the cost of each period (and
channel or campaign, when those are asked too) is allocated in proportion to the leads created
in that period; cost of a period without such leads stays unallocated (an empty group), and is
left out when such a dimension is filtered.

:func:`period_costs` is the seam every cost KPI (and a return-on-investment KPI) builds on.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics._context import KpiContext, grouped
from revintel.metrics._query import Filter, MetricQuery, days_between
from revintel.metrics._sources import MetricSources, prepared

#: Dimensions a cost row carries itself; every other one is allocated by leads.
COST_DIMENSIONS = ("channel", "campaign")
_DAY = ibis.interval(days=1)


def _campaign_channels(sources: MetricSources, table: ir.Table) -> ir.Table:
    """``table`` with an empty ``channel`` filled from its campaign's channel."""
    if "campaigns" not in sources.tables:
        return table
    c = sources.table("campaigns")
    right = c.select(k__campaign=c.campaign_id, k__channel=c.channel)
    joined = table.left_join(right, table.campaign_id == right.k__campaign)
    filled = joined.mutate(channel=ibis.coalesce(joined.channel, joined.k__channel))
    return filled.drop("k__campaign", "k__channel")


def _touch_costs(sources: MetricSources) -> ir.Table:
    tp = sources.table("touchpoints")
    # a touch without a recorded cost costs nothing: its period still shows (with 0)
    costed = tp.filter(tp.occurred_at.notnull())
    return costed.select(
        day=costed.occurred_at.cast("timestamp"),
        channel=costed.channel.cast("string"),
        campaign_id=costed.campaign_id.cast("string"),
        amount=costed.cost.cast("float64").fill_null(0.0),
    )


def _spread_costs(sources: MetricSources) -> ir.Table:
    """One row per day of every ``marketing_costs`` row, each carrying an equal share."""
    mc = sources.table("marketing_costs")
    start = mc.period_start.cast("timestamp")
    end = mc.period_end.cast("timestamp")
    valid = mc.filter(mc.amount.notnull() & start.notnull() & end.notnull() & (end >= start))
    first, last = valid.period_start.cast("timestamp"), valid.period_end.cast("timestamp")
    days = days_between(first, last) + 1.0
    daily = valid.select(
        day=ibis.range(first, last + _DAY, _DAY).unnest().cast("timestamp"),
        channel=valid.channel.cast("string"),
        campaign_id=valid.campaign_id.cast("string"),
        amount=valid.amount.cast("float64") / days,
    )
    return daily


def cost_rows(sources: MetricSources) -> ir.Table:
    """Every cost as dated rows in the store currency (nothing is executed).

    Columns: ``day`` (timestamp: the touch, or each day of a cost period), ``channel``
    (a period cost without one takes its campaign's), ``campaign_id`` and ``amount``.
    A store without the ``marketing_costs`` table gives the touchpoint costs alone.

    Examples
    --------
    A cost of 3,100 booked for 16.01.–15.02. gives 31 rows of 100 each: 1,600 fall in January
    and 1,500 in February.
    """
    parts = [_touch_costs(sources)]
    if "marketing_costs" in sources.tables:
        parts.append(_spread_costs(sources))
    rows = parts[0] if len(parts) == 1 else parts[0].union(parts[1], distinct=False)
    return _campaign_channels(sources, rows)


def _split(query: MetricQuery) -> tuple[MetricQuery, bool]:
    """The query restricted to cost dimensions, and whether it needs an allocation to leads."""
    own_by = tuple(d for d in query.by if d in COST_DIMENSIONS)
    own_where = tuple(f for f in query.where if f.dimension in COST_DIMENSIONS)
    allocate = any(d not in COST_DIMENSIONS for d in query.dimensions)
    return MetricQuery(by=own_by, where=own_where), allocate


def _period_keys(ctx: KpiContext) -> list[str]:
    return [] if ctx.grain == "all" else ["period_index"]


def _lead_shares(ctx: KpiContext, own: MetricQuery) -> ir.Table:
    """Per period and breakdown, the share of the leads created in the group among the leads
    created in its period (and cost channel or campaign): ``share`` and the group keys."""
    journeys = ctx.sources.journeys
    all_leads = prepared(ctx.sources, journeys, own)
    all_leads = ctx.keyed(all_leads, all_leads.created_at)
    outer = [*_period_keys(ctx), *own.by]
    totals = grouped(all_leads, outer).aggregate(k__total=all_leads.count())
    selected = ctx.rows(journeys)
    chosen = ctx.keyed(selected, selected.created_at)
    counts = grouped(chosen, ctx.group_keys()).aggregate(k__leads=chosen.count())
    if not outer:
        joined = counts.cross_join(totals)
    else:
        right = totals.rename({f"t__{k}": k for k in outer})
        joined = counts.inner_join(right, [counts[k].identical_to(right[f"t__{k}"]) for k in outer])
    share = joined.k__leads.cast("float64") / joined.k__total.cast("float64")
    return joined.select(*ctx.group_keys(), share=share)


def period_costs(ctx: KpiContext) -> ir.Table:
    """Marketing cost per period and breakdown of ``ctx``: the group keys and ``cost``.

    The seam for every KPI that divides or compares cost (cost per MQL, CAC, ROI): it honours
    the grain, the date range, breakdowns and filters of ``ctx.query``. Channel and campaign
    come with the costs; any other dimension allocates each period's cost in proportion to the
    leads created in it (see the module's description). Rows of periods or groups without cost
    are absent.
    """
    own, allocate = _split(ctx.query)
    rows = prepared(ctx.sources, cost_rows(ctx.sources), own)
    rows = ctx.keyed(rows, rows.day)
    keys = [*(["period", "period_index"] if ctx.grain != "all" else []), *own.by]
    costs = grouped(rows, keys).aggregate(cost=rows.amount.sum())
    if not allocate:
        return costs.select(*ctx.group_keys(), "cost")
    shares = _lead_shares(ctx, own)
    outer = [*_period_keys(ctx), *own.by]
    right = shares.rename({f"s__{k}": k for k in outer}).drop(
        *(["period"] if ctx.grain != "all" else [])
    )
    if outer:
        joined = costs.left_join(right, [costs[k].identical_to(right[f"s__{k}"]) for k in outer])
    else:
        joined = costs.left_join(right, ibis.literal(True))
    if _filters_allocated(ctx.query.where):
        joined = joined.filter(joined.share.notnull())
    allocated = joined.mutate(cost=joined.cost * ibis.coalesce(joined.share, 1.0))
    return allocated.select(*ctx.group_keys(), "cost")


def _filters_allocated(where: tuple[Filter, ...]) -> bool:
    return any(f.dimension not in COST_DIMENSIONS for f in where)


def marketing_cost(ctx: KpiContext) -> ir.Table:
    """Marketing cost of the period: touchpoint costs plus period costs spread by days."""
    costs = period_costs(ctx)
    out = grouped(costs, ctx.group_keys()).aggregate(value=costs.cost.sum())
    no_count = ibis.null().cast("int64")
    return out.select(
        *ctx.group_keys(),
        numerator=no_count,
        denominator=no_count,
        value=out.value.cast("float64"),
    )
