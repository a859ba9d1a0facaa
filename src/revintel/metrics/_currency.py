"""Amounts in the store currency: each record converted at the exchange rate of its own date.

A rate in ``fx_rates`` (units of the store currency for one unit of ``currency``) applies from
its ``valid_from`` day up to the day before the currency's next rate; the last one stays valid.
A record is converted at the rate valid on its date — an as-of join written as a join on rate
intervals, so that it runs on every engine. A record without a currency is in the store
currency. A record in another currency dated before that currency's first rate cannot be
converted: summing it would mix currencies, so the aggregate is refused with
:class:`MissingRateError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import ibis
import ibis.expr.types as ir

from revintel.metrics._query import MetricQueryError
from revintel.store import Store, store_currency

#: Table → its money columns, converted into the store currency.
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "opportunities": ("amount", "list_price", "net_price"),
    "orders": ("amount",),
    "order_lines": ("unit_price", "net_amount", "cost"),
    "quotes": ("list_price", "amount"),
    "targets": ("amount",),
    "touchpoints": ("cost",),
    "marketing_costs": ("amount",),
    "price_adjustments": ("amount",),
}
_FX = "fx__"


class MissingRateError(MetricQueryError):
    """Amounts in a currency have no exchange rate on or before their dates.

    ``gaps`` maps each such currency to the first and last date of the amounts lacking a rate.
    """

    def __init__(self, gaps: Mapping[str, tuple[date | None, date | None]]) -> None:
        self.gaps = dict(sorted(gaps.items()))
        parts = [f"in {code} {_span(*span)}" for code, span in self.gaps.items()]
        super().__init__(
            f"amounts {' and '.join(parts)} have no exchange rate; "
            "import rates with revintel fx import"
            + (
                f", or, when the store holds {next(iter(self.gaps))} figures only, make it the "
                f"store currency: revintel store currency {next(iter(self.gaps))} --force"
                if len(self.gaps) == 1
                else ""
            )
        )


def _day(value: date | None) -> str:
    return "an unknown date" if value is None else value.strftime("%d.%m.%Y")


def _span(first: date | None, last: date | None) -> str:
    if first == last or last is None:
        return f"from {_day(first)}"
    return f"from {_day(first)} to {_day(last)}"


def normalized_currency(column: ir.StringValue) -> ir.StringValue:
    """ISO codes as written by sources (`` gbp``) in capitals; empty text as null."""
    return column.strip().upper().nullif("")


def foreign_currencies(tables: Mapping[str, ir.Table], currency: str) -> dict[str, set[str]]:
    """Per money table of ``tables``, the currencies other than ``currency`` its rows use.

    One query over every money table present (executes once); tables in the store currency
    only are left out, so an empty answer means no conversion is needed anywhere.
    """
    parts = []
    for name in MONEY_COLUMNS:
        t = tables.get(name)
        if t is None or "currency" not in t.columns:
            continue
        code = normalized_currency(t.currency)
        part = t.select(table=ibis.literal(name), code=code)
        parts.append(part.filter(part.code.notnull() & (part.code != currency)).distinct())
    if not parts:
        return {}
    found: dict[str, set[str]] = {}
    for row in ibis.union(*parts).to_pyarrow().to_pylist():
        found.setdefault(row["table"], set()).add(row["code"])
    return found


def _record_day(name: str, t: ir.Table, tables: Mapping[str, ir.Table]) -> ir.Table:
    """``t`` with the day its amounts are converted at in ``fx__day``."""
    if name == "orders":
        return t.mutate(fx__day=t.ordered_at.date())
    if name == "opportunities":
        # A closed deal's value is booked when it closes; an open one's when it was created.
        return t.mutate(fx__day=ibis.coalesce(t.closed_at, t.created_at).date())
    if name == "quotes":
        return t.mutate(fx__day=t.created_at.date())
    if name == "targets":
        return t.mutate(fx__day=t.period_start.cast("date"))
    if name == "touchpoints":
        return t.mutate(fx__day=t.occurred_at.date())
    if name == "marketing_costs":
        # a period's spend is converted at the rate of its first day
        return t.mutate(fx__day=t.period_start.cast("date"))
    orders = tables["orders"]
    if name == "price_adjustments":
        # an off-invoice item at the rate of the day it was granted, else of its order's day
        heads = orders.select(fx__order=orders.order_id, fx__ordered=orders.ordered_at.date())
        joined = t.left_join(heads, t.order_id == heads.fx__order)
        day = ibis.coalesce(joined.occurred_at.date(), joined.fx__ordered)
        return joined.mutate(fx__day=day).drop("fx__order", "fx__ordered")
    days = orders.select(fx__order=orders.order_id, fx__day=orders.ordered_at.date())
    return t.left_join(days, t.order_id == days.fx__order).drop("fx__order")


def rate_intervals(rates: ir.Table) -> ir.Table:
    """Each rate with the first day it no longer applies (``fx__to``; null for the latest)."""
    r = rates.select(
        fx__code=normalized_currency(rates.currency),
        fx__from=rates.valid_from.cast("date"),
        fx__rate=rates.rate.cast("float64"),
    )
    window = ibis.window(group_by=r.fx__code, order_by=r.fx__from)
    return r.mutate(fx__to=r.fx__from.lead().over(window))


def convert_amounts(
    name: str, tables: Mapping[str, ir.Table], currency: str, table: ir.Table | None = None
) -> ir.Table:
    """The money table ``name`` (or ``table``, rows of it) with its amounts in ``currency``.

    ``tables`` provides ``fx_rates`` (and ``orders``, whose dates order lines take). The
    result has the columns of the table, ``currency`` set to ``currency`` and each money column
    converted; amounts without a rate become null — :func:`check_rates` refuses them first.
    """
    base = tables[name] if table is None else table
    columns = base.columns
    code = normalized_currency(base.currency)
    dated = _record_day(name, base.mutate(fx__code_rec=ibis.coalesce(code, currency)), tables)
    rates = tables.get("fx_rates")
    if rates is None:
        joined = dated.mutate(fx__rate=ibis.null().cast("float64"))
    else:
        iv = rate_intervals(rates)
        joined = dated.left_join(
            iv,
            [
                dated.fx__code_rec == iv.fx__code,
                dated.fx__day >= iv.fx__from,
                iv.fx__to.isnull() | (dated.fx__day < iv.fx__to),
            ],
        )
    local = joined.fx__code_rec == currency
    factor = ibis.cases((local, ibis.literal(1.0)), else_=joined.fx__rate)
    converted = {
        c: (joined[c].cast("float64") * factor) for c in MONEY_COLUMNS[name] if c in columns
    }
    converted["currency"] = ibis.literal(currency)
    return joined.mutate(**converted).select(*columns)


def check_rates(
    name: str, tables: Mapping[str, ir.Table], currency: str, table: ir.Table | None = None
) -> None:
    """Refuse (:class:`MissingRateError`) when a row of ``name`` in another currency than
    ``currency`` has no rate on or before its date (executes one query)."""
    base = tables[name] if table is None else table
    marked = base.mutate(fx__code_rec=normalized_currency(base.currency))
    dated = _record_day(name, marked, tables)
    held = [dated[c].notnull() for c in MONEY_COLUMNS[name] if c in base.columns]
    # A row without any amount (a deal valued only at closing) needs no rate.
    has_amount = ibis.or_(*held) if held else ibis.literal(False)
    foreign = dated.filter(
        dated.fx__code_rec.notnull() & (dated.fx__code_rec != currency) & has_amount
    )
    rates = tables.get("fx_rates")
    if rates is None:
        lacking = foreign
    else:
        iv = rate_intervals(rates)
        first = iv.group_by(fx__first_code=iv.fx__code).aggregate(fx__first=iv.fx__from.min())
        joined = foreign.left_join(first, foreign.fx__code_rec == first.fx__first_code)
        lacking = joined.filter(
            joined.fx__first.isnull()
            | joined.fx__day.isnull()
            | (joined.fx__day < joined.fx__first)
        )
    gaps = lacking.group_by(code=lacking.fx__code_rec).aggregate(
        first=lacking.fx__day.min(), last=lacking.fx__day.max()
    )
    rows = gaps.to_pyarrow().to_pylist()
    if rows:
        raise MissingRateError({r["code"]: (r["first"], r["last"]) for r in rows})


def in_store_currency(store: Store, name: str, table: ir.Table | None = None) -> ir.Table:
    """Rows of the money table ``name`` of ``store`` (``table``: some of them) with amounts in
    the store currency; unchanged when they are all in it already.

    Raises
    ------
    MissingRateError
        A row in another currency has no exchange rate on its date.
    """
    rows = store.table(name) if table is None else table
    currency = store_currency(store)
    if not foreign_currencies({name: rows}, currency):
        return rows
    tables = {name: rows, "fx_rates": store.table("fx_rates")}
    if name in ("order_lines", "price_adjustments"):
        tables["orders"] = store.table("orders")
    check_rates(name, tables, currency)
    return convert_amounts(name, tables, currency)


__all__ = [
    "MONEY_COLUMNS",
    "MissingRateError",
    "check_rates",
    "convert_amounts",
    "foreign_currencies",
    "in_store_currency",
    "normalized_currency",
    "rate_intervals",
]
