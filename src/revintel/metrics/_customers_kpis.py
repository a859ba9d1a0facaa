"""Customer KPIs over orders: active, new and returning customers, repeat rate, purchase gaps.

A customer is an account with at least one order (returns left out); guests (placeholder
accounts) and orders without an account are not customers. Whether a customer is new is decided
on the whole stored history, not on the query's date range: a customer whose first order lies
before the range is returning in it.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics._context import KpiContext, grouped, ratio
from revintel.metrics._query import days_between, in_range, period_index
from revintel.metrics._sources import MetricSources


def customer_orders(sources: MetricSources) -> ir.Table:
    """Orders of customers over all time, each with its account's first order time.

    Columns: ``order_id``, ``account_id``, ``rep_id``, ``channel``, ``ordered_at`` and
    ``first_ordered_at``. Returns, guests and orders without account or date are left out.
    """
    o = sources.table("orders", amounts=False)
    accounts = sources.table("accounts")
    guests = accounts.filter(accounts.placeholder.fill_null(False)).select(
        k__guest=accounts.account_id
    )
    sales = o.filter(
        (o.kind.fill_null("order") != "return") & o.account_id.notnull() & o.ordered_at.notnull()
    ).select("order_id", "account_id", "rep_id", "channel", "ordered_at")
    sales = sales.anti_join(guests, sales.account_id == guests.k__guest)
    first = sales.group_by(k__account=sales.account_id).aggregate(
        first_ordered_at=sales.ordered_at.min()
    )
    return sales.inner_join(first, sales.account_id == first.k__account).drop("k__account")


def customers(ctx: KpiContext) -> ir.Table:
    """Per period and breakdown, the customer count chosen by ``params.measure``.

    ``active``: customers ordering in the period; ``new``: those of them whose first order
    ever lies in the period; ``returning``: those who had ordered before it (active = new +
    returning in every group); ``repeat_rate``: returning divided by active.
    """
    base = customer_orders(ctx.sources)
    prepared = ctx.rows(base)
    rows = ctx.keyed(prepared, prepared.ordered_at)
    if ctx.grain == "all":
        is_new = in_range(rows.first_ordered_at, ctx.query)
    else:
        is_new = period_index(rows.first_ordered_at, ctx.grain) == rows.period_index
    account = rows.account_id
    out = grouped(rows, ctx.group_keys()).aggregate(
        active=account.nunique(),
        new=ibis.ifelse(is_new, account, ibis.null()).nunique(),
        returning=ibis.ifelse(is_new, ibis.null(), account).nunique(),
    )
    measure = ctx.spec.params.measure
    if measure == "repeat_rate":
        return out.select(
            *ctx.group_keys(),
            numerator=out.returning,
            denominator=out.active,
            value=ratio(out.returning, out.active),
        )
    count = out[measure]
    return out.select(
        *ctx.group_keys(),
        numerator=count,
        denominator=ibis.null().cast("int64"),
        value=count.cast("float64"),
    )


def inter_purchase(ctx: KpiContext) -> ir.Table:
    """Mean or median (``params.statistic``) days between consecutive orders of a customer.

    Each gap belongs to the period of the later order; the earlier one may lie before the
    query's date range. ``numerator`` is the number of gaps.
    """
    sales = customer_orders(ctx.sources)
    # order_id breaks ties between orders placed at the same time, the same on every engine
    order = ibis.window(group_by=sales.account_id, order_by=[sales.ordered_at, sales.order_id])
    with_previous = sales.mutate(previous_at=sales.ordered_at.lag().over(order))
    gaps = with_previous.filter(with_previous.previous_at.notnull())
    gaps = gaps.mutate(
        gap_days=days_between(gaps.previous_at, gaps.ordered_at),
        gap_seconds=(
            gaps.ordered_at.epoch_seconds().floor() - gaps.previous_at.epoch_seconds().floor()
        ).cast("int64"),
    )
    prepared = ctx.rows(gaps)
    rows = ctx.keyed(prepared, prepared.ordered_at)
    days = rows.gap_days
    # the mean from a sum of whole seconds: exact, so every engine and every run of a parallel
    # aggregate gives the same last digit (a sum of floats depends on the order of addition)
    mean = rows.gap_seconds.sum().cast("float64") / days.count().cast("float64") / 86_400.0
    statistic = days.median() if ctx.spec.params.statistic == "median" else mean
    out = grouped(rows, ctx.group_keys()).aggregate(numerator=days.count(), value=statistic)
    return out.select(
        *ctx.group_keys(),
        numerator=out.numerator,
        denominator=ibis.null().cast("int64"),
        value=out.value.cast("float64"),
    )
