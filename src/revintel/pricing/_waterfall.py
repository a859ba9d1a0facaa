"""The price waterfall: list price → invoice price → pocket price → pocket margin, per group.

Each step is an amount in the store currency and a share of the list amount. Deductions (the
on-invoice discount and each kind of off-invoice item) lead from one level to the next; see
:mod:`revintel.metrics._pocket` for where the figures of every order line come from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd

from revintel.metrics import MetricSources
from revintel.metrics._pocket import EVERY_GROUP, OFF_INVOICE_KINDS, pocket_lines
from revintel.store import Store

#: The steps in order: (step, pocket column, whether it is a level or a deduction).
STEPS: tuple[tuple[str, str, str], ...] = (
    ("list", "list_amount", "level"),
    ("on_invoice", "on_invoice", "deduction"),
    ("invoice", "invoice_amount", "level"),
    *((kind, kind, "deduction") for kind in OFF_INVOICE_KINDS),
    ("pocket", "pocket_amount", "level"),
    ("cost", "cost", "deduction"),
    ("pocket_margin", "pocket_margin", "level"),
)

#: Breakdown name → column of the pocket lines (team and periods are derived).
BREAKDOWNS: dict[str, str] = {
    "segment": "segment",
    "rep": "rep_id",
    "team": "team",
    "family": "family",
    "account": "account_id",
    "product": "product_id",
    "month": "month",
    "quarter": "quarter",
    "year": "year",
}
_PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}
_SUMMED = ("list_amount", "invoice_amount", "on_invoice", *OFF_INVOICE_KINDS)
_SUMMED += ("off_invoice", "pocket_amount", "cost", "pocket_margin")


def as_sources(source: Store | MetricSources) -> MetricSources:
    """``source`` itself, or sources reading the store (row scoping stays with the caller)."""
    return source if isinstance(source, MetricSources) else MetricSources.from_store(source)


def scoped_lines(
    source: Store | MetricSources,
    as_of: date | None = None,
    by: str | None = None,
    where: Mapping[str, str | Sequence[str]] | None = None,
) -> ir.Table:
    """The pocket lines ordered up to ``as_of``, restricted by ``where``, with the column
    ``by`` names (``team`` and periods added when asked for).

    Raises
    ------
    ValueError
        ``by`` or a key of ``where`` is no known breakdown.
    """
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; choose one of: {', '.join(BREAKDOWNS)}")
    sources = as_sources(source)
    lines = pocket_lines(sources)
    if as_of is not None:
        end = ibis.timestamp((as_of + timedelta(days=1)).isoformat())
        lines = lines.filter(lines.ordered_at < end)
    wanted = {by, *(where or {})}
    if "team" in wanted:
        reps = sources.table("reps")
        teams = reps.select(w__rep=reps.rep_id, team=reps.team)
        lines = lines.left_join(teams, lines.rep_id == teams.w__rep).drop("w__rep")
    for name, unit in _PERIODS.items():
        if name in wanted:
            lines = lines.mutate(**{name: lines.ordered_at.truncate(unit).date()})
    for key, value in (where or {}).items():
        column = BREAKDOWNS.get(key, key)
        if column not in lines.columns:
            raise ValueError(f"cannot filter by {key!r}; choose one of: {', '.join(BREAKDOWNS)}")
        values = [value] if isinstance(value, str) else list(value)
        lines = lines.filter(lines[column].cast("string").isin(values))
    return lines


def waterfall(
    source: Store | MetricSources,
    as_of: date | None = None,
    by: str | None = None,
    where: Mapping[str, str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """The price waterfall of the order lines, in total or per group.

    Parameters
    ----------
    source
        A store, or metric sources (for instance those a user may see).
    as_of
        Only orders placed up to this day.
    by
        One of :data:`BREAKDOWNS` (``segment``, ``rep``, ``team``, ``family``, ``account``,
        ``product``, ``month``, ``quarter``, ``year``); ``None`` for the total.
    where
        Breakdown → value(s) the lines must have, e.g. ``{"segment": "Enterprise"}``.

    Returns
    -------
    pandas.DataFrame
        One row per group and step: the group column (named ``by``; absent for the total),
        ``step``, ``role`` (``level`` or ``deduction``), ``amount``, ``share_of_list`` and
        ``lines`` (order lines behind the group). Periods in time order, other groups by list
        amount, largest first.
    """
    lines = scoped_lines(source, as_of, by, where)
    key = BREAKDOWNS[by] if by else None
    sums = {c: lines[c].sum().fill_null(0.0) for c in _SUMMED}
    grouped = lines.group_by(key).aggregate(**sums, lines=lines.count()) if key else None
    totals = grouped if grouped is not None else lines.aggregate(**sums, lines=lines.count())
    frame = totals.to_pandas()
    if by in _PERIODS:
        frame[key] = pd.to_datetime(frame[key]).dt.date
        frame = frame.sort_values(key, ignore_index=True)
    elif key is not None:
        frame = frame.sort_values(["list_amount", key], ascending=[False, True], ignore_index=True)
        frame = frame.rename(columns={key: by}) if by != key else frame
    return _long(frame, by)


def _long(frame: pd.DataFrame, by: str | None) -> pd.DataFrame:
    rows = []
    for _, group in frame.iterrows():
        listed = float(group["list_amount"])
        for step, column, role in STEPS:
            amount = float(group[column])
            rows.append(
                {
                    **({by: group[by]} if by else {}),
                    "step": step,
                    "role": role,
                    "amount": amount,
                    "share_of_list": amount / listed if listed else float("nan"),
                    "lines": int(group["lines"]),
                }
            )
    columns = [*([by] if by else []), "step", "role", "amount", "share_of_list", "lines"]
    return pd.DataFrame(rows, columns=columns)


class UnknownDealError(LookupError):
    """No opportunity has the id asked for."""


def deal_waterfall(source: Store | MetricSources, opportunity_id: str) -> pd.DataFrame:
    """The waterfall of one deal (columns as :func:`waterfall` without a group).

    A deal that was ordered gets the waterfall of its order lines (returns included). One not
    ordered yet is valued at its own list price and amount, with the off-invoice terms of its
    account's group and the cost estimated from its product (quantity = list price / the
    product's list price).

    Raises
    ------
    UnknownDealError
        No opportunity has the id ``opportunity_id``.
    """
    sources = as_sources(source)
    o = sources.table("opportunities")
    deal = o.filter(o.opportunity_id == opportunity_id).to_pandas()
    if deal.empty:
        raise UnknownDealError(f"no opportunity has the id {opportunity_id!r}")
    ordered = waterfall(sources, where={"opportunity_id": opportunity_id})
    if ordered["lines"].iloc[0] > 0:
        return ordered
    return _long(_unordered(sources, deal.iloc[0]), None)


def _unordered(sources: MetricSources, deal: pd.Series) -> pd.DataFrame:
    """The steps of a deal without order lines, from its own figures and the terms."""
    listed = float(deal["list_price"]) if pd.notna(deal["list_price"]) else float("nan")
    discount = float(deal["discount"]) if pd.notna(deal["discount"]) else None
    amount = float(deal["amount"]) if pd.notna(deal["amount"]) else None
    if amount is None:
        amount = listed * (1.0 - (discount or 0.0))
    if listed != listed:  # no list price: the amount is all we know
        listed = amount / (1.0 - discount) if discount is not None and discount < 1 else amount
    rates = _deal_rates(sources, str(deal["account_id"]) if pd.notna(deal["account_id"]) else "")
    items = {kind: rates.get(kind, 0.0) * amount for kind in OFF_INVOICE_KINDS}
    cost = _estimated_cost(sources, deal.get("product_id"), listed)
    pocket = amount - sum(items.values())
    row = {
        "list_amount": listed,
        "on_invoice": listed - amount,
        "invoice_amount": amount,
        **items,
        "off_invoice": sum(items.values()),
        "pocket_amount": pocket,
        "cost": cost,
        "pocket_margin": pocket - cost,
        "lines": 0,
    }
    return pd.DataFrame([row])


def _deal_rates(sources: MetricSources, account_id: str) -> dict[str, float]:
    terms_table = sources.tables.get("price_terms")
    if terms_table is None:
        return {}
    terms = terms_table.to_pandas()
    if terms.empty:
        return {}
    a = sources.table("accounts")
    account = a.filter(a.account_id == account_id).to_pandas()
    rates: dict[str, float] = {}
    for kind, of_kind in terms.groupby("kind"):
        rate = of_kind.loc[of_kind["customer_group"] == EVERY_GROUP, "rate"]
        chosen = float(rate.iloc[0]) if len(rate) else 0.0
        for _, term in of_kind[of_kind["customer_group"] != EVERY_GROUP].iterrows():
            column = str(term["group_by"])
            known = not account.empty and column in account.columns
            if known and str(account[column].iloc[0]) == str(term["customer_group"]):
                chosen = float(term["rate"])
        rates[str(kind)] = chosen
    return rates


def _estimated_cost(sources: MetricSources, product_id: object, listed: float) -> float:
    if product_id is None or pd.isna(product_id):
        return float("nan")
    p = sources.table("products")
    product = p.filter(p.product_id == str(product_id)).to_pandas()
    if product.empty or not product["list_price"].iloc[0]:
        return float("nan")
    quantity = listed / float(product["list_price"].iloc[0])
    return quantity * float(product["unit_cost"].iloc[0])
