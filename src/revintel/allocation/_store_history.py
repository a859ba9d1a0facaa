"""The history the response curve is fitted to: per account and year, the hours of sales contact
logged as activities and the order intake of that year.

A year is a twelve-month window ending on ``as_of`` or an anniversary before it; only windows
that the logs cover completely count (starting on or after the first activity and the first
order). Order intake is :func:`~revintel.allocation.account_spend` of the window (orders that
close a deal left out, as the potential estimator reads spend), summed over families. Hours are
the durations of every activity on the account (a call for a deal is contact with the account,
too), read by one Ibis aggregate per window.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from revintel.allocation._potential_features import account_spend, spend_window
from revintel.store import Store

#: At most this many years back: older contact says little about today's response.
MAX_YEARS = 5
HISTORY_COLUMNS = ("account_id", "year_end", "hours", "order_intake", "potential")


class AllocationInputError(ValueError):
    """The store lacks what the allocation needs; the message says what and how to add it."""


_MISSING_ACTIVITIES = (
    "no sales activities: import activities (revintel import activities FILE) to fit the "
    "response curve"
)


def contact_history(store: Store, as_of: date, accounts: pd.DataFrame) -> pd.DataFrame:
    """One row per account of ``accounts`` (``account_id``, ``potential``) and complete year.

    Only customers' years count: an account first ordering after a window began has no row for
    it (its first year would show few hours and little intake only because it began late).

    Raises
    ------
    AllocationInputError
        The store logs no activity with a duration, or no full year of activities and orders.
    """
    windows = history_years(store, as_of)
    activities = store.table("activities")
    timed = activities.filter(activities.duration_minutes.notnull())
    first_order = _first_orders(store)
    parts = []
    for end_day in windows:
        start, end = spend_window(end_day)
        chosen = timed.filter((timed.occurred_at >= start) & (timed.occurred_at < end))
        sums = chosen.group_by("account_id").aggregate(
            minutes=chosen.duration_minutes.cast("float64").sum()
        )
        minutes = sums.to_pandas().set_index("account_id")["minutes"]
        intake = account_spend(store, end_day).groupby("account_id")["revenue"].sum()
        year = accounts[["account_id", "potential"]].copy()
        since = year["account_id"].map(first_order)
        year = year[since < pd.Timestamp(start)]
        year["year_end"] = end_day
        year["hours"] = year["account_id"].map(minutes).fillna(0.0).astype(float) / 60.0
        year["order_intake"] = year["account_id"].map(intake).fillna(0.0).clip(lower=0.0)
        parts.append(year)
    history = pd.concat(parts, ignore_index=True)
    return history[list(HISTORY_COLUMNS)]


def history_years(store: Store, as_of: date) -> list[date]:
    """The ends of the complete years up to ``as_of``, latest first.

    Raises
    ------
    AllocationInputError
        The store logs no activity with a duration, or no full year of activities and orders.
    """
    activities = store.table("activities")
    timed = activities.filter(activities.duration_minutes.notnull())
    first_activity = timed.occurred_at.min().execute()
    if first_activity is None or pd.isna(first_activity):
        raise AllocationInputError(_MISSING_ACTIVITIES)
    first_order = store.table("orders").ordered_at.min().execute()
    begin = max(pd.Timestamp(first_activity), pd.Timestamp(first_order))
    windows = _windows(as_of, begin)
    if not windows:
        raise AllocationInputError(
            f"too little history for the response curve: activities and orders from "
            f"{begin.date().isoformat()} on cover no full year up to {as_of.isoformat()}"
        )
    return windows


def _windows(as_of: date, begin: pd.Timestamp) -> list[date]:
    """Year ends ``as_of``, one year before … whose twelve months start on or after ``begin``."""
    ends = []
    for back in range(MAX_YEARS):
        end_day = (pd.Timestamp(as_of) - pd.DateOffset(years=back)).date()
        if pd.Timestamp(spend_window(end_day)[0]) < begin.normalize():
            break
        ends.append(end_day)
    return ends


def _first_orders(store: Store) -> pd.Series:
    orders = store.table("orders")
    first = orders.group_by("account_id").aggregate(first=orders.ordered_at.min()).to_pandas()
    return pd.Series(pd.to_datetime(first["first"]).to_numpy(), index=first["account_id"])
