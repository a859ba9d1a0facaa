"""Per-account purchase history as of a date: the recency-frequency-value summary of the models.

Every repeat-purchase model reads the same three numbers per account: frequency x (repeat
purchase days), recency t_x (first to last purchase) and age T (first purchase to the cut-off),
plus the mean value of the repeat purchases for the order-value model.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

#: Length of one time unit in days.
UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}
TimeUnit = Literal["D", "W", "M", "Y"]

_REQUIRED = ("account_id", "ordered_at", "amount")
_RETURN = "return"


def purchase_summary(
    orders: pd.DataFrame | pa.Table,
    as_of: str | pd.Timestamp,
    *,
    unit: TimeUnit = "D",
    holdout: float | None = None,
) -> pd.DataFrame:
    """Frequency, recency, age and mean repeat value of every account that bought by ``as_of``.

    Parameters
    ----------
    orders
        One row per order with ``account_id``, ``ordered_at`` and ``amount``; optionally
        ``kind`` (rows with ``kind == 'return'`` are returns, not purchases), ``order_id`` and
        ``original_order_id``. A return naming its original order nets its value against that
        order, and an order returned in full (net value ≤ 0) is no purchase. Returns without a
        known original order, and returns dated after ``as_of``, are ignored.
    as_of
        End of the calibration period; orders up to and including this day count.
    unit
        Time unit of recency and age: ``"D"`` days, ``"W"`` weeks, ``"M"`` months
        (365.25/12 days) or ``"Y"`` years (365.25 days).
    holdout
        Length, in ``unit``, of a holdout period (as_of, as_of + holdout]: adds the actual
        repeat purchase days ``holdout_frequency`` and their value ``holdout_value``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id``: ``frequency`` (purchase days after the first; several orders
        on one day count once), ``recency`` and ``T`` in ``unit``, ``mean_value`` (mean value of
        the repeat purchase days, 0 without repeats), ``first_purchase`` and, with a holdout,
        ``holdout_frequency`` and ``holdout_value``.

    Raises
    ------
    ValueError
        If a required column is missing, the unit is unknown, the holdout is not positive or no
        account bought by ``as_of``.
    """
    if unit not in UNIT_DAYS:
        raise ValueError(f"unknown time unit {unit!r}; use one of {', '.join(UNIT_DAYS)}")
    if holdout is not None and not holdout > 0:
        raise ValueError(f"holdout must be a positive length in {unit!r}, got {holdout}")
    frame = order_frame(orders)
    cutoff = pd.Timestamp(as_of).normalize()
    days = purchase_days(frame, returns_until=cutoff)
    calibration = days[days["day"] <= cutoff]
    if calibration.empty:
        raise ValueError(f"no purchases on or before {cutoff.date()}: nothing to summarise")
    summary = _calibration_summary(calibration, cutoff, UNIT_DAYS[unit])
    if holdout is not None:
        end = cutoff + pd.Timedelta(days=holdout * UNIT_DAYS[unit])
        days = purchase_days(frame, returns_until=end)
        later = days[(days["day"] > cutoff) & (days["day"] <= end)]
        later = later[later["account_id"].isin(summary.index)]
        grouped = later.groupby("account_id")["value"]
        summary["holdout_frequency"] = grouped.size().reindex(summary.index, fill_value=0)
        summary["holdout_value"] = grouped.sum().reindex(summary.index, fill_value=0.0)
    return summary


def order_frame(orders: pd.DataFrame | pa.Table) -> pd.DataFrame:
    """``orders`` as a pandas frame, checked for the required columns."""
    frame = orders.to_pandas() if isinstance(orders, pa.Table) else orders
    missing = [name for name in _REQUIRED if name not in frame.columns]
    if missing:
        raise ValueError(f"orders lack the column(s) {', '.join(missing)}")
    if frame.empty:
        raise ValueError("orders is empty: no purchases to summarise")
    if frame["ordered_at"].isna().any() or frame["account_id"].isna().any():
        raise ValueError("orders have rows without account_id or ordered_at")
    # a fixed row order: sums of floats then give the same last digit whatever order an engine
    # (reading in parallel) handed the rows over in
    keys = [name for name in ("account_id", "ordered_at", "order_id") if name in frame.columns]
    return frame.sort_values(keys, kind="stable", ignore_index=True)


def purchase_days(
    frame: pd.DataFrame, *, returns_until: pd.Timestamp | None = None
) -> pd.DataFrame:
    """One row per account and calendar day with purchases, with the day's net value.

    Returns dated after the day ``returns_until`` are not known yet and change nothing.
    """
    amount = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0).to_numpy(float)
    is_return = (
        frame["kind"].astype("string").str.lower().eq(_RETURN).fillna(False).to_numpy(bool)
        if "kind" in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    stamps = pd.to_datetime(frame["ordered_at"])
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_localize(None)  # calendar days as the timestamps state them
    day = stamps.dt.normalize().to_numpy()
    purchases = pd.DataFrame(
        {
            "account_id": frame["account_id"].to_numpy()[~is_return],
            "day": day[~is_return],
            "value": amount[~is_return],
        }
    )
    known = (
        is_return if returns_until is None else is_return & (day <= np.datetime64(returns_until))
    )
    if known.any() and {"order_id", "original_order_id"} <= set(frame.columns):
        purchases = _net_returns(frame, purchases, amount, is_return, known)
    return purchases.groupby(["account_id", "day"], as_index=False, sort=True)["value"].sum()


def _net_returns(
    frame: pd.DataFrame,
    purchases: pd.DataFrame,
    amount: np.ndarray,
    is_return: np.ndarray,
    known: np.ndarray,
) -> pd.DataFrame:
    """Subtract each ``known`` return from the order it names; drop orders returned in full."""
    original = frame["original_order_id"].to_numpy()
    named = known & pd.notna(original)
    returned = pd.Series(-np.abs(amount[named]), index=original[named]).groupby(level=0).sum()
    order_ids = frame["order_id"].to_numpy()[~is_return]
    credit = returned.reindex(order_ids).fillna(0.0).to_numpy()
    purchases["value"] = purchases["value"].to_numpy() + credit
    cancelled = (credit < 0) & (purchases["value"].to_numpy() <= 0)
    return purchases[~cancelled]


def _calibration_summary(
    days: pd.DataFrame, cutoff: pd.Timestamp, unit_days: float
) -> pd.DataFrame:
    grouped = days.groupby("account_id")
    first = grouped["day"].min()
    last = grouped["day"].max()
    count = grouped.size()
    total = grouped["value"].sum()
    first_value = days.drop_duplicates("account_id", keep="first").set_index("account_id")["value"]
    frequency = count - 1
    repeat_value = total - first_value.reindex(count.index)
    mean_value = (repeat_value / frequency.where(frequency > 0)).fillna(0.0)
    day = pd.Timedelta(days=1)
    return pd.DataFrame(
        {
            "frequency": frequency.astype(int),
            "recency": (last - first) / day / unit_days,
            "T": (cutoff - first) / day / unit_days,
            "mean_value": mean_value,
            "first_purchase": first,
        }
    ).rename_axis("account_id")
