"""Cost KPIs: cost per lead reaching a milestone (MQL, SQL, won) and customer acquisition cost.

Each divides the marketing cost of a period (:func:`period_costs`) by what the period brought:
leads first reaching the milestone in it, or accounts winning their first deal in it. Broken
down by channel or campaign, a lead counts for the channel and campaign it came from (its origin),
so cost and leads of one channel meet. A group with leads but no recorded cost has a cost of 0;
a group with cost but no leads has no value (``denominator`` 0).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics._context import KpiContext, grouped, ratio, union_all
from revintel.metrics._marketing_costs import period_costs


def _per_unit(ctx: KpiContext, units: ir.Table) -> ir.Table:
    """Cost of each group divided by the ``units`` rows (keyed by period) of the same group."""
    costs = period_costs(ctx)
    zero_i, zero_f = ibis.literal(0).cast("int64"), ibis.literal(0.0).cast("float64")
    spent = costs.select(*ctx.group_keys(), cost=costs.cost.cast("float64"), units=zero_i)
    counted = units.select(*ctx.group_keys(), cost=zero_f, units=ibis.literal(1).cast("int64"))
    long = union_all([spent, counted])
    out = grouped(long, ctx.group_keys()).aggregate(
        numerator=long.cost.sum(), denominator=long.units.sum()
    )
    return out.mutate(value=ratio(out.numerator, out.denominator))


def cost_per_milestone(ctx: KpiContext) -> ir.Table:
    """Marketing cost of the period per lead first reaching ``params.milestone`` in it.

    ``numerator`` is the cost, ``denominator`` the leads (MQLs, SQLs, won deals…).
    """
    j = ctx.rows(ctx.sources.journeys)
    reached = ctx.keyed(j, j[f"t_{ctx.spec.params.milestone}"])
    return _per_unit(ctx, reached)


def first_wins(ctx: KpiContext) -> ir.Table:
    """One journey per account: the one that won the account's first deal, over all history.

    Columns of the journeys; accounts without a won journey are absent. Ties in time go to the
    smaller lead id, the same on every engine.
    """
    won_at = f"t_{ctx.sources.funnel.won.id}"
    j = ctx.sources.journeys
    won = j.filter(j[won_at].notnull() & j.account_id.notnull())
    order = ibis.window(group_by=won.account_id, order_by=[won[won_at], won.lead_id])
    ranked = won.mutate(k__rank=ibis.row_number().over(order))
    return ranked.filter(ranked.k__rank == 0).drop("k__rank")


def customer_acquisition_cost(ctx: KpiContext) -> ir.Table:
    """Marketing cost of the period per new customer: accounts winning their first deal in it.

    ``numerator`` is the cost, ``denominator`` the new customers. By channel or campaign, a new
    customer counts for the origin of the lead that won the first deal.
    """
    firsts = ctx.rows(first_wins(ctx))
    won = ctx.keyed(firsts, firsts[f"t_{ctx.sources.funnel.won.id}"])
    return _per_unit(ctx, won)
