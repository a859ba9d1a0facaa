"""Deals as pricing sees them: list price, discount, price, cost and context, one row each.

Every pricing analysis (bands, price response, guidance, comparable deals) starts from
:func:`deal_frame`. Amounts are read through :class:`revintel.metrics.MetricSources`, so they are
in the store currency (each record at the exchange rate of its own date).

Columns of the frame
--------------------
opportunity_id, account_id, rep_id, team, product_id, family
    Who and what; ``family`` is the product's family (empty when unknown).
segment, industry, region, revenue_band
    The account's firmographics.
value_tier
    The account's net order revenue in the 365 days before the deal was created, in tiers:
    ``none`` (no orders), ``low``, ``mid``, ``high`` (thirds of the positive values).
list_price, amount, discount, price_ratio
    Store currency; ``discount`` as a share of list price (from the source, else
    1 − amount / list price); ``price_ratio`` = 1 − discount, the price as a share of list.
current_discount, current_price_ratio
    For open deals the latest quote that is not rejected, if newer than the deal's own figures;
    else the deal's own.
cost, margin_rate
    The deal's cost: Σ cost of its order lines when it was won and ordered, else
    quantity × the product's unit cost with quantity = list price / the product's list price;
    ``margin_rate`` = 1 − cost / list price (empty when the cost is unknown).
status, won, created_at, closed_at, stage
    ``won`` is 1.0 / 0.0 for closed deals and empty for open ones.
reached_price_stage
    The deal reached the milestone where price is negotiated (:data:`PRICE_MILESTONE`), or, in
    stores without such milestones, had a quote.
"""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pandas as pd

from revintel.metrics import MetricSources
from revintel.store import Store

#: The milestone at which the price is negotiated; deals that reached it form the population
#: of the price-response model.
PRICE_MILESTONE = "contract_negotiation"

#: Tiers of an account's net order revenue in the year before a deal.
VALUE_TIERS = ("none", "low", "mid", "high")

DEAL_COLUMNS = (
    "opportunity_id",
    "account_id",
    "rep_id",
    "team",
    "product_id",
    "family",
    "segment",
    "industry",
    "region",
    "revenue_band",
    "value_tier",
    "list_price",
    "amount",
    "discount",
    "price_ratio",
    "current_discount",
    "current_price_ratio",
    "cost",
    "margin_rate",
    "status",
    "won",
    "created_at",
    "closed_at",
    "stage",
    "reached_price_stage",
)


def deal_frame(
    source: Store | MetricSources, as_of: date | None = None, milestone: str = PRICE_MILESTONE
) -> pd.DataFrame:
    """One row per opportunity with a positive list price (see the module for the columns).

    Deals created after ``as_of`` are left out, and deals closed after it count as open.
    """
    sources = source if isinstance(source, MetricSources) else MetricSources.from_store(source)
    opps = _opportunities(sources)
    if as_of is not None:
        end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
        opps = opps[opps["created_at"] < end].copy()
        later = opps["closed_at"] >= end
        opps.loc[later, ["status", "closed_at"]] = ["open", pd.NaT]
    if opps.empty:
        return pd.DataFrame(columns=list(DEAL_COLUMNS))
    frame = _with_context(sources, opps)
    frame = _with_cost(sources, frame)
    frame = _with_current_price(sources, frame)
    frame["value_tier"] = _value_tiers(sources, frame)
    frame["reached_price_stage"] = _reached(sources, frame, milestone)
    frame["won"] = np.where(
        frame["status"] == "won", 1.0, np.where(frame["status"] == "lost", 0.0, np.nan)
    )
    return frame[list(DEAL_COLUMNS)].sort_values("opportunity_id", ignore_index=True)


def _opportunities(sources: MetricSources) -> pd.DataFrame:
    o = sources.table("opportunities")
    frame = o.select(
        "opportunity_id",
        "account_id",
        "rep_id",
        "product_id",
        "list_price",
        "amount",
        "discount",
        "created_at",
        "closed_at",
        "status",
        "stage",
    ).to_pandas()
    frame = frame[frame["list_price"].fillna(0) > 0].copy()
    amount = frame["amount"].astype(float)
    listed = frame["list_price"].astype(float)
    discount = frame["discount"].astype(float)
    derived = 1.0 - amount / listed
    frame["discount"] = discount.where(discount.notna(), derived)
    frame["amount"] = amount.where(amount.notna(), listed * (1.0 - frame["discount"]))
    frame["price_ratio"] = 1.0 - frame["discount"]
    frame["status"] = frame["status"].fillna("open").str.lower()
    for column in ("created_at", "closed_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _with_context(sources: MetricSources, opps: pd.DataFrame) -> pd.DataFrame:
    accounts = (
        sources.table("accounts")
        .select("account_id", "segment", "industry", "region", "revenue_band")
        .to_pandas()
    )
    reps = sources.table("reps").select("rep_id", "team").to_pandas()
    products = sources.table("products").select("product_id", "family").to_pandas()
    frame = opps.merge(accounts, on="account_id", how="left")
    frame = frame.merge(reps, on="rep_id", how="left")
    return frame.merge(products, on="product_id", how="left")


def _with_cost(sources: MetricSources, frame: pd.DataFrame) -> pd.DataFrame:
    products = (
        sources.table("products").select("product_id", p_list="list_price", p_cost="unit_cost")
    ).to_pandas()
    frame = frame.merge(products, on="product_id", how="left")
    quantity = frame["list_price"] / frame["p_list"].where(frame["p_list"] > 0)
    estimated = quantity * frame["p_cost"]
    actual = _ordered_cost(sources)
    frame = frame.merge(actual, on="opportunity_id", how="left")
    use_actual = frame["ordered_cost"].notna() & (frame["status"] == "won")
    frame["cost"] = frame["ordered_cost"].where(use_actual, estimated).astype(float)
    frame["margin_rate"] = 1.0 - frame["cost"] / frame["list_price"]
    return frame.drop(columns=["p_list", "p_cost", "ordered_cost"])


def _ordered_cost(sources: MetricSources) -> pd.DataFrame:
    lines = sources.table("order_lines")
    orders = sources.table("orders", amounts=False)
    kept = orders.filter(
        orders.opportunity_id.notnull() & (orders.kind.fill_null("order") != "return")
    )
    joined = lines.join(kept.select("order_id", "opportunity_id"), "order_id")
    costed = joined.group_by("opportunity_id").aggregate(
        ordered_cost=joined.cost.sum(),
        known=joined.cost.count(),
        lines=joined.count(),
    )
    frame = costed.to_pandas()
    frame = frame[frame["known"] == frame["lines"]]
    return frame[["opportunity_id", "ordered_cost"]]


def _with_current_price(sources: MetricSources, frame: pd.DataFrame) -> pd.DataFrame:
    q = sources.table("quotes")
    quotes = q.filter(q.opportunity_id.notnull() & (q.status.fill_null("") != "rejected"))
    ranked = quotes.mutate(
        k__rank=ibis.row_number().over(
            group_by=quotes.opportunity_id,
            order_by=[ibis.desc(quotes.created_at), ibis.desc(quotes.quote_id)],
        )
    )
    latest = ranked.filter(ranked.k__rank == 0).select(
        "opportunity_id", q_list="list_price", q_amount="amount", q_discount="discount"
    )
    merged = frame.merge(latest.to_pandas(), on="opportunity_id", how="left")
    q_discount = merged["q_discount"].astype(float)
    derived = 1.0 - merged["q_amount"].astype(float) / merged["q_list"].astype(float)
    q_discount = q_discount.where(q_discount.notna(), derived)
    open_deal = merged["status"] == "open"
    merged["current_discount"] = q_discount.where(
        open_deal & q_discount.notna(), merged["discount"]
    )
    merged["current_price_ratio"] = 1.0 - merged["current_discount"]
    return merged.drop(columns=["q_list", "q_amount", "q_discount"])


def _value_tiers(sources: MetricSources, frame: pd.DataFrame) -> pd.Series:
    o = sources.table("orders")
    orders = (
        o.filter(o.account_id.notnull())
        .select("account_id", "ordered_at", "amount")
        .to_pandas()
        .dropna(subset=["ordered_at"])
    )
    if orders.empty:
        return pd.Series("none", index=frame.index)
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    orders = orders.sort_values(["ordered_at", "account_id"])
    orders["cum"] = orders.groupby("account_id")["amount"].cumsum().fillna(0.0)
    deals = frame[["account_id", "created_at"]].reset_index()
    deals = deals.dropna(subset=["created_at"]).sort_values("created_at")

    def revenue_before(at: pd.Series) -> np.ndarray:
        probe = deals.assign(at=at.loc[deals.index]).sort_values("at")
        matched = pd.merge_asof(
            probe,
            orders[["account_id", "ordered_at", "cum"]],
            left_on="at",
            right_on="ordered_at",
            by="account_id",
            allow_exact_matches=False,
        )
        return matched.set_index("index")["cum"].reindex(frame.index).fillna(0.0).to_numpy()

    created = deals["created_at"]
    year = revenue_before(created) - revenue_before(created - pd.Timedelta(days=365))
    tiers = np.full(len(frame), "none", dtype=object)
    positive = year > 0.005
    if positive.any():
        low, high = np.quantile(year[positive], [1 / 3, 2 / 3])
        tiers[positive] = np.where(
            year[positive] <= low, "low", np.where(year[positive] <= high, "mid", "high")
        )
    return pd.Series(tiers, index=frame.index)


def _reached(sources: MetricSources, frame: pd.DataFrame, milestone: str) -> pd.Series:
    m = sources.table("milestones")
    opportunity_events = m.filter(m.entity_type == "opportunity")
    stages = opportunity_events.milestone.value_counts().to_pandas()
    if milestone in set(stages.iloc[:, 0]):
        order = list(sources.funnel.path_ids)
        later = order[order.index(milestone) :] if milestone in order else [milestone]
        later.append(sources.funnel.won.id)
        hit = (
            opportunity_events.filter(opportunity_events.milestone.isin(later))
            .select(opportunity_id=opportunity_events.entity_id)
            .distinct()
            .to_pandas()
        )
        return frame["opportunity_id"].isin(set(hit["opportunity_id"]))
    q = sources.table("quotes", amounts=False)
    quoted = q.filter(q.opportunity_id.notnull()).select("opportunity_id").distinct().to_pandas()
    return frame["opportunity_id"].isin(set(quoted["opportunity_id"]))
