"""Order metrics: gross revenue, returns, net revenue, return rate, orders and order value.

Read from the ``orders`` table by order date. A return (``kind = 'return'``: a cancellation or
credit note) counts with its absolute amount whatever sign its source wrote, so net revenue is
gross revenue minus returns. Orders of guests (placeholder accounts) count like any other.
Broken down by product family, amounts are the net amounts of the order lines instead, and an
order counts once in every family it has a line of.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics._context import KpiContext, grouped, ratio


def _orders(ctx: KpiContext) -> ir.Table:
    if "product_family" in ctx.query.dimensions:
        return _lines(ctx)
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


def _lines(ctx: KpiContext) -> ir.Table:
    """One row per order line with its order's attributes and the line's net amount."""
    o = ctx.sources.table("orders", amounts=False)
    lines = ctx.sources.table("order_lines")
    heads = o.select(
        k__order=o.order_id,
        account_id=o.account_id,
        rep_id=o.rep_id,
        channel=o.channel,
        ordered_at=o.ordered_at,
        is_return=o.kind.fill_null("order") == "return",
    )
    joined = lines.inner_join(heads, lines.order_id == heads.k__order)
    base = joined.select(
        "order_id",
        "product_id",
        "account_id",
        "rep_id",
        "channel",
        "ordered_at",
        "is_return",
        amount=joined.net_amount.fill_null(0.0).cast("float64"),
    )
    prepared = ctx.rows(base)
    return ctx.keyed(prepared, prepared.ordered_at)


def order_revenue(ctx: KpiContext) -> ir.Table:
    """Per period and breakdown, the measure chosen by ``params.measure``.

    ``gross``: amount of orders (returns left out); ``returns``: absolute amount of returns;
    ``net``: gross minus returns; ``return_rate``: returns divided by gross; ``orders``: the
    number of orders (returns left out); ``average_order_value``: gross divided by orders.
    ``numerator`` counts the orders behind the value (for ``returns``: the returns, out of all
    orders and returns in ``denominator``); for ``return_rate`` and ``average_order_value``
    numerator and denominator are the two figures divided.
    """
    rows = _orders(ctx)
    sale = ~rows.is_return
    gross = rows.amount.sum(where=sale).fill_null(0.0)
    returned = rows.amount.abs().sum(where=rows.is_return).fill_null(0.0)
    out = grouped(rows, ctx.group_keys()).aggregate(
        gross=gross,
        returned=returned,
        # distinct, since a line breakdown has several rows per order
        orders=ibis.ifelse(sale, rows.order_id, ibis.null()).nunique(),
        returns=ibis.ifelse(rows.is_return, rows.order_id, ibis.null()).nunique(),
    )
    measure = ctx.spec.params.measure
    no_count = ibis.null().cast("int64")
    if measure == "average_order_value":
        return out.select(
            *ctx.group_keys(),
            numerator=out.gross,
            denominator=out.orders,
            value=ratio(out.gross, out.orders),
        )
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
