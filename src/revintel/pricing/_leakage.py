"""Price leakage: how much of the list price never reaches the pocket, and who gives most away.

:func:`leakage` sums list, invoice and pocket amounts per segment, rep, product family or
customer. :func:`discount_outliers` finds the accounts or reps whose on-invoice discount sits
furthest above their peers': each one's volume-weighted discount is compared with what the
peers (everyone else) gave in the same segment × family cells, over the same mix.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from revintel.metrics import MetricSources
from revintel.pricing._waterfall import as_sources, scoped_lines
from revintel.store import Store

#: Breakdowns of :func:`leakage` → column of the pocket lines.
LEAKAGE_BREAKDOWNS = {"segment": "segment", "rep": "rep_id", "family": "family"}
LEAKAGE_BREAKDOWNS |= {"account": "account_id", "customer": "account_id"}
#: Levels of :func:`discount_outliers` → column of the pocket lines.
OUTLIER_LEVELS = {"account": "account_id", "rep": "rep_id"}
_NONE = "—"
_EXCESS = ("excess_points", "excess_amount", "z")


def leakage(
    source: Store | MetricSources, by: str = "segment", as_of: date | None = None
) -> pd.DataFrame:
    """Leakage (list − pocket) and its share of list per group, largest leakage first.

    Returns
    -------
    pandas.DataFrame
        Columns: the group (named ``by``), ``lines``, ``list_amount``, ``invoice_amount``,
        ``pocket_amount``, ``on_invoice``, ``off_invoice``, ``leakage``, ``leakage_share``,
        ``on_invoice_share``, ``off_invoice_share``, ``pocket_margin``, ``pocket_margin_rate``
        (shares of list; the margin rate of pocket).

    Raises
    ------
    ValueError
        ``by`` is none of segment, rep, family, account (customer).
    """
    if by not in LEAKAGE_BREAKDOWNS:
        raise ValueError(
            f"unknown breakdown {by!r}; choose one of: {', '.join(LEAKAGE_BREAKDOWNS)}"
        )
    key = LEAKAGE_BREAKDOWNS[by]
    lines = scoped_lines(source, as_of)
    summed: tuple[str, ...] = ("list_amount", "invoice_amount", "pocket_amount", "on_invoice")
    summed = (*summed, "off_invoice", "pocket_margin")
    frame = (
        lines.group_by(key)
        .aggregate(lines=lines.count(), **{c: lines[c].sum().fill_null(0.0) for c in summed})
        .to_pandas()
    )
    frame[key] = frame[key].fillna(_NONE)
    listed = frame["list_amount"].where(frame["list_amount"] != 0)
    frame["leakage"] = frame["list_amount"] - frame["pocket_amount"]
    frame["leakage_share"] = frame["leakage"] / listed
    frame["on_invoice_share"] = frame["on_invoice"] / listed
    frame["off_invoice_share"] = frame["off_invoice"] / listed
    pocket = frame["pocket_amount"].where(frame["pocket_amount"] != 0)
    frame["pocket_margin_rate"] = frame["pocket_margin"] / pocket
    frame = frame.rename(columns={key: by})
    columns = [by, "lines", *summed[:-1], "leakage", "leakage_share", "on_invoice_share"]
    columns += ["off_invoice_share", "pocket_margin", "pocket_margin_rate"]
    return frame.sort_values(["leakage", by], ascending=[False, True], ignore_index=True)[columns]


def discount_outliers(
    source: Store | MetricSources,
    level: str = "account",
    min_deals: int = 5,
    top: int = 10,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The accounts or reps whose discount sits furthest above their peers'.

    Only sales orders with a positive list amount count; a deal is an opportunity's orders, or
    an order without one. For each account (rep) and segment × family cell, the peers' rate is
    the volume-weighted discount of everyone else in that cell; the expected discount is the
    peers' rate over the account's own mix. The z-score divides the excess by its standard error
    from the dispersion of the deals' excess discounts (weighted by list amount).

    Returns
    -------
    pandas.DataFrame
        Columns: ``level`` id (named ``level``), ``name``, ``deals``, ``list_amount`` (the
        volume compared: cells where the account or rep has peers),
        ``discount`` and ``peer_discount`` (shares of list), ``excess_points`` (percentage
        points), ``excess_amount`` (money given away beyond the peers' rate) and ``z``; the
        ``top`` rows with the largest excess in points, at least ``min_deals`` deals each.

    Raises
    ------
    ValueError
        ``level`` is neither account nor rep, or ``min_deals`` / ``top`` is below 1.
    """
    if level not in OUTLIER_LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of: {', '.join(OUTLIER_LEVELS)}")
    if min_deals < 1 or top < 1:
        raise ValueError("min_deals and top must be at least 1")
    key = OUTLIER_LEVELS[level]
    sources = as_sources(source)
    deals = _deal_cells(sources, key, as_of)
    if deals.empty:
        return pd.DataFrame(columns=_outlier_columns(level))
    scored = _excess(deals)
    scored = scored[scored["deals"] >= min_deals]
    scored = scored.sort_values(["excess_points", "entity"], ascending=[False, True]).head(top)
    scored.insert(1, "name", _names(sources, level, scored["entity"]))
    return scored.rename(columns={"entity": level}).reset_index(drop=True)[_outlier_columns(level)]


def _outlier_columns(level: str) -> list[str]:
    return [level, "name", "deals", "list_amount", "discount", "peer_discount", *_EXCESS]


def _deal_cells(sources: MetricSources, key: str, as_of: date | None) -> pd.DataFrame:
    """Per entity, deal and segment × family cell: list amount and on-invoice discount."""
    lines = scoped_lines(sources, as_of)
    sales = lines.filter((lines.kind == "order") & (lines.list_amount > 0) & lines[key].notnull())
    sales = sales.mutate(
        deal=sales.opportunity_id.fill_null(sales.order_id),
        segment=sales.segment.fill_null(_NONE),
        family=sales.family.fill_null(_NONE),
    )
    cells = (
        sales.group_by(
            entity=sales[key], deal=sales.deal, segment=sales.segment, family=sales.family
        )
        .aggregate(list_amount=sales.list_amount.sum(), on_invoice=sales.on_invoice.sum())
        .to_pandas()
    )
    return cells.assign(cell=cells["segment"] + " × " + cells["family"])


#: Columns of :func:`_excess`, also when no entity has peers.
EXCESS_COLUMNS = (
    "entity",
    "deals",
    "list_amount",
    "discount",
    "peer_discount",
    "excess_points",
    "excess_amount",
    "z",
)


def _excess(deals: pd.DataFrame) -> pd.DataFrame:
    """Excess discount of each entity over its peers in the same cells (see the caller)."""
    cell = deals.groupby("cell")[["list_amount", "on_invoice"]].sum()
    own = deals.groupby(["entity", "cell"])[["list_amount", "on_invoice"]].sum().reset_index()
    own = own.merge(cell, left_on="cell", right_index=True, suffixes=("", "_cell"))
    peer_list = own["list_amount_cell"] - own["list_amount"]
    peer_rate = (own["on_invoice_cell"] - own["on_invoice"]) / peer_list.where(peer_list > 0)
    own["peer_rate"] = peer_rate
    rated = deals.merge(own[["entity", "cell", "peer_rate"]], on=["entity", "cell"])
    rated = rated[rated["peer_rate"].notna()]  # cells where the entity has no peers say nothing
    rated = rated.assign(expected=rated["list_amount"] * rated["peer_rate"])
    per_deal = rated.groupby(["entity", "deal"])[["list_amount", "on_invoice", "expected"]].sum()
    per_deal = per_deal.reset_index()
    per_deal["residual"] = (per_deal["on_invoice"] - per_deal["expected"]) / per_deal["list_amount"]
    rows = []
    for entity, group in per_deal.groupby("entity", sort=True):
        weights = group["list_amount"].to_numpy()
        total = weights.sum()
        excess = float(np.sum(weights * group["residual"].to_numpy()) / total)
        # standard error of a weighted mean from the deals' dispersion (sandwich form)
        spread = np.sum(weights**2 * (group["residual"].to_numpy() - excess) ** 2)
        se = float(np.sqrt(spread) / total) if len(group) > 1 else float("nan")
        rows.append(
            {
                "entity": entity,
                "deals": len(group),
                "list_amount": total,
                "discount": group["on_invoice"].sum() / total,
                "peer_discount": group["expected"].sum() / total,
                "excess_points": 100.0 * excess,
                "excess_amount": group["on_invoice"].sum() - group["expected"].sum(),
                "z": excess / se if se and se == se else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=list(EXCESS_COLUMNS))


def _names(sources: MetricSources, level: str, ids: pd.Series) -> list[str]:
    table, key = ("accounts", "account_id") if level == "account" else ("reps", "rep_id")
    t = sources.table(table)
    wanted = [str(i) for i in ids]
    found = t.filter(t[key].isin(wanted)).select(key, "name").to_pandas()
    names = dict(zip(found[key], found["name"], strict=True))
    return [str(names.get(i, "")) for i in wanted]
