"""Measuring a recorded campaign: what treatment and control accounts ordered after its as-of day.

The window runs from the day after the campaign's as-of day to ``until`` (inclusive). Outcomes
per account: whether it ordered the family, its orders and margin (net amount − cost of the
lines; returns count negative) of the family, and its orders and margin in total. The
measurement is computed on demand from the orders in the store, so it always reflects the
latest import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from revintel.customers._campaign_records import read_campaign
from revintel.customers._campaigns import CONTROL, TREATMENT, latest_order_day
from revintel.customers._interactions import RETURN_KIND, end_of
from revintel.customers._uplift import (
    MIN_GROUP_ACCOUNTS,
    UpliftEstimate,
    newcombe_difference,
    point_difference,
    welch_difference,
)
from revintel.store import Store

#: The last day a measurement may end on (timestamps end in 2262).
LAST_DAY = date(2199, 12, 31)
#: Outcomes measured per account, in the order they are reported.
OUTCOMES = ("converted", "orders_family", "margin_family", "orders_total", "margin_total")
UPLIFT_COLUMNS = ("outcome", "treatment", "control", "difference", "relative", "ci_low",
                  "ci_high", "p_value", "method")  # fmt: skip


@dataclass(frozen=True)
class UpliftReport:
    """The measured uplift of one campaign.

    Attributes
    ----------
    campaign
        The campaign's recorded row.
    start, until
        The window: orders placed after ``start`` (the as-of day) up to ``until`` (inclusive).
    treatment_accounts, control_accounts
        Accounts measured in each group.
    enough
        Whether both groups have ``MIN_GROUP_ACCOUNTS``; otherwise no interval is given.
    estimates
        Outcome name → :class:`UpliftEstimate`.
    """

    campaign: dict[str, Any]
    start: date
    until: date
    treatment_accounts: int
    control_accounts: int
    enough: bool
    estimates: dict[str, UpliftEstimate]

    def frame(self) -> pd.DataFrame:
        """One row per outcome: means, difference, relative uplift, interval, p-value."""
        return pd.DataFrame(
            [
                (name, e.treatment, e.control, e.difference, e.relative, e.low, e.high,
                 e.p_value, e.method)
                for name, e in self.estimates.items()
            ],
            columns=list(UPLIFT_COLUMNS),
        )  # fmt: skip


def measurement_end(
    store: Store, start: date, until: date | str | None, window_days: int | None
) -> date:
    """The last day measured: ``until``, ``start + window_days``, or the latest order's day."""
    if until is not None and window_days is not None:
        raise ValueError("give either until or window_days, not both")
    if window_days is not None:
        if window_days < 1:
            raise ValueError(f"window_days must be at least 1, got {window_days}")
        end = start + timedelta(days=window_days)
    elif until is not None:
        end = date.fromisoformat(until) if isinstance(until, str) else until
    else:
        end = latest_order_day(store)
    if end > LAST_DAY:
        raise ValueError(f"the measurement must end by {LAST_DAY}, got {end}")
    if end <= start:
        raise ValueError(f"the measurement must end after the campaign's as-of day {start}")
    return end


def account_outcomes(
    store: Store, family: str, accounts: list[str], start: date, until: date
) -> pd.DataFrame:
    """Outcomes of ``accounts`` from orders placed in (``start``, ``until``], one row each."""
    orders = store.table("orders")
    orders = orders.filter(
        (orders.ordered_at >= end_of(start).to_pydatetime())
        & (orders.ordered_at < end_of(until).to_pydatetime())
        & orders.account_id.isin(accounts)
    )
    lines = store.table("order_lines")
    products = store.table("products").select("product_id", "family")
    joined = (
        lines.join(orders.select("order_id", "account_id", "kind"), "order_id")
        .left_join(products, "product_id")
        .select("order_id", "account_id", "kind", "family", "net_amount", "cost")
    )
    frame: pd.DataFrame = joined.to_pandas()
    frame["margin"] = (frame["net_amount"] - frame["cost"]).fillna(0.0)
    frame["is_family"] = frame["family"].eq(family).fillna(False).astype(bool)
    frame["is_order"] = frame["kind"].ne(RETURN_KIND)
    placed = frame[frame["is_order"]]
    grouped = pd.DataFrame(
        {
            "orders_family": placed[placed["is_family"]]
            .groupby("account_id")["order_id"]
            .nunique(),
            "margin_family": frame[frame["is_family"]].groupby("account_id")["margin"].sum(),
            "orders_total": placed.groupby("account_id")["order_id"].nunique(),
            "margin_total": frame.groupby("account_id")["margin"].sum(),
        }
    )
    result = grouped.reindex(pd.Index(accounts, name="account_id")).fillna(0.0)
    result["converted"] = (result["orders_family"] > 0).astype(float)
    return result[list(OUTCOMES)]


def uplift_estimates(
    outcomes: pd.DataFrame, groups: pd.Series, enough: bool
) -> dict[str, UpliftEstimate]:
    """Treatment − control for every outcome (intervals only when ``enough``)."""
    treated = outcomes[groups.reindex(outcomes.index).eq(TREATMENT).to_numpy()]
    held_out = outcomes[groups.reindex(outcomes.index).eq(CONTROL).to_numpy()]
    estimates: dict[str, UpliftEstimate] = {}
    for name in OUTCOMES:
        t = treated[name].to_numpy(dtype=float)
        c = held_out[name].to_numpy(dtype=float)
        method = "newcombe_wilson" if name == "converted" else "welch"
        if not enough:
            estimates[name] = point_difference(t, c, method)
        elif name == "converted":
            estimates[name] = newcombe_difference(int(t.sum()), len(t), int(c.sum()), len(c))
        else:
            estimates[name] = welch_difference(t, c)
    return estimates


def measure_campaign(
    store: Store,
    campaign_id: str,
    *,
    until: date | str | None = None,
    window_days: int | None = None,
    accounts: Any = None,
) -> UpliftReport:
    """The uplift of campaign ``campaign_id`` from the orders in the store.

    Parameters
    ----------
    store
        The store holding the campaign and the orders placed since.
    campaign_id
        The recorded campaign.
    until
        Last day measured (default: the day of the latest order).
    window_days
        Instead of ``until``: measure this many days after the as-of day.
    accounts
        Optional Ibis column of the account ids to measure (a sales rep's own accounts).

    Raises
    ------
    CampaignNotFoundError
        For an unknown campaign id.
    ValueError
        When the window is empty or both ``until`` and ``window_days`` are given.
    """
    record = read_campaign(store, campaign_id, accounts)
    start = pd.Timestamp(record.campaign["as_of"]).date()
    end = measurement_end(store, start, until, window_days)
    members = record.members
    groups = members.set_index("account_id")["group"]
    outcomes = account_outcomes(
        store, str(record.campaign["product_family"]), list(groups.index), start, end
    )
    counts = groups.value_counts()
    n_t, n_c = int(counts.get(TREATMENT, 0)), int(counts.get(CONTROL, 0))
    enough = min(n_t, n_c) >= MIN_GROUP_ACCOUNTS
    return UpliftReport(
        campaign=record.campaign,
        start=start,
        until=end,
        treatment_accounts=n_t,
        control_accounts=n_c,
        enough=enough,
        estimates=uplift_estimates(outcomes, groups, enough),
    )
