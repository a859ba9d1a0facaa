"""Cohort retention: of the customers whose first order fell in a period, the share ordering
again k periods later.

The result is a matrix in the KPI layer's long shape: ``period`` is the cohort (the period of
the first order), ``step`` the number of periods since it, written ``+00``, ``+01``, … so that it
sorts, and ``value`` = ``numerator`` (customers of the cohort ordering in that period) /
``denominator`` (customers of the cohort). Step ``+00`` is always 100 %.
"""

from __future__ import annotations

import ibis.expr.types as ir

from revintel.metrics._context import KpiContext, grouped, ratio
from revintel.metrics._customers_kpis import customer_orders
from revintel.metrics._query import MetricQueryError, period_index


def cohort_retention(ctx: KpiContext) -> ir.Table:
    """Per cohort (period of the first order), breakdown and periods since: retained share.

    The query's date range selects cohorts by their first order; their orders count up to the
    end of the stored history. Breakdowns are attributes of the customer (its account).
    """
    if ctx.grain == "all":
        raise MetricQueryError(
            f"KPI {ctx.spec.id!r} compares periods; use a grain other than 'all'"
        )
    sales = customer_orders(ctx.sources)
    prepared = ctx.rows(sales)
    rows = ctx.keyed(prepared, prepared.first_ordered_at)
    since = period_index(rows.ordered_at, ctx.grain) - rows.period_index
    width = 3 if ctx.grain == "week" else 2
    rows = rows.mutate(step="+" + since.cast("string").lpad(width, "0"))
    keys = ctx.group_keys()
    sizes = grouped(rows, keys).aggregate(denominator=rows.account_id.nunique())
    active = rows.group_by([*keys, "step"]).aggregate(numerator=rows.account_id.nunique())
    joined = active.inner_join(sizes, keys)
    return joined.select(
        *keys,
        "step",
        "numerator",
        "denominator",
        value=ratio(joined.numerator, joined.denominator),
    )
