"""Order metrics: gross revenue, returns, net revenue, return rate and order counts.

Read from the ``orders`` table by order date. A return (``kind = 'return'``: a cancellation or
credit note) counts with its absolute amount whatever sign its source wrote, so net revenue is
gross revenue minus returns. Orders of guests (placeholder accounts) count like any other.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics._context import KpiContext, grouped, indicator, ratio


def _orders(ctx: KpiContext) -> ir.Table:
    o = ctx.sources.table("orders")
    base = o.select(
        "order_id",
        "account_id",
        "rep_id",
        "channel",
        "ordered_at",
        amount=o.amount.fill_null(0.0).cast("float64"),
        is_return=o.kind.fill_null("order") == "return",
    )
    prepared = ctx.rows(base)
    return ctx.keyed(prepared, prepared.ordered_at)


def order_revenue(ctx: KpiContext) -> ir.Table:
    """Per period and breakdown, the measure chosen by ``params.measure``.

    ``gross``: amount of orders (returns left out); ``returns``: absolute amount of returns;
    ``net``: gross minus returns; ``return_rate``: returns divided by gross; ``orders``: the
    number of orders (returns left out). ``numerator`` counts the orders behind the value
    (for ``returns``: the returns, out of all orders and returns in ``denominator``); for
    ``return_rate`` numerator and denominator are the two amounts.
    """
    rows = _orders(ctx)
    sale = ~rows.is_return
    gross = rows.amount.sum(where=sale).fill_null(0.0)
    returned = rows.amount.abs().sum(where=rows.is_return).fill_null(0.0)
    out = grouped(rows, ctx.group_keys()).aggregate(
        gross=gross,
        returned=returned,
        orders=indicator(sale).sum(),
        returns=indicator(rows.is_return).sum(),
    )
    measure = ctx.spec.params.measure
    no_count = ibis.null().cast("int64")
    if measure == "return_rate":
        return out.select(
            *ctx.group_keys(),
            numerator=out.returned,
            denominator=out.gross,
            value=ratio(out.returned, out.gross),
        )
    if measure == "orders":
        return out.select(
            *ctx.group_keys(), numerator=out.orders, denominator=no_count, value=out.orders
        )
    if measure == "returns":
        # how many of the period's orders were returns: a period without any still says so
        return out.select(
            *ctx.group_keys(),
            numerator=out.returns,
            denominator=out.orders + out.returns,
            value=out.returned,
        )
    value = out.gross if measure == "gross" else out.gross - out.returned
    count = out.orders if measure == "gross" else out.orders + out.returns
    return out.select(*ctx.group_keys(), numerator=count, denominator=no_count, value=value)
