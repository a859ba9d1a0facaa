"""Checking a repeat-purchase model against a holdout period, as the model papers do.

Two views: per calibration frequency, mean actual vs expected holdout purchases (the
"conditional expectations" table); and, over time, the cohort's actual vs expected repeat
purchases per period and cumulated (the tracking plot). Both return plain data frames.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import ArrayLike

from revintel.customers._likelihood import FloatArray
from revintel.customers._summary import UNIT_DAYS, TimeUnit, order_frame, purchase_days


class ConditionalModel(Protocol):
    """A fitted model that predicts purchases from a customer's history."""

    def expected_purchases(
        self,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray: ...


class CohortModel(Protocol):
    """A fitted model that predicts purchases of a newly acquired customer."""

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray: ...


def calibration_holdout_table(
    model: ConditionalModel,
    summary: pd.DataFrame,
    holdout: float,
    *,
    max_frequency: int = 7,
) -> pd.DataFrame:
    """Mean actual vs model-expected holdout purchases per calibration-period frequency.

    Parameters
    ----------
    model
        A fitted continuous-time model (``BetaGeoModel`` or ``ParetoNBDModel``).
    summary
        Output of ``purchase_summary(..., holdout=holdout)``: ``frequency``, ``recency``, ``T``
        and ``holdout_frequency`` per account.
    holdout
        Length of the holdout period, in the summary's time unit.
    max_frequency
        Frequencies from this value up are pooled into one row labelled ``"{k}+"``.

    Returns
    -------
    pandas.DataFrame
        One row per frequency class (``0``, ``1``, …, ``"k+"``): ``customers``,
        ``actual_mean``, ``expected_mean``, ``actual_total``, ``expected_total``.
    """
    missing = {"frequency", "recency", "T", "holdout_frequency"} - set(summary.columns)
    if missing:
        raise ValueError(f"summary lacks {', '.join(sorted(missing))}: pass a holdout length")
    if max_frequency < 1:
        raise ValueError(f"max_frequency must be at least 1, got {max_frequency}")
    expected = model.expected_purchases(
        holdout, summary["frequency"], summary["recency"], summary["T"]
    )
    labels = [str(k) for k in range(max_frequency)] + [f"{max_frequency}+"]
    frequency_class = np.minimum(summary["frequency"].to_numpy(int), max_frequency)
    frame = pd.DataFrame(
        {
            "frequency": pd.Categorical.from_codes(frequency_class, categories=labels),
            "actual": summary["holdout_frequency"].to_numpy(float),
            "expected": expected,
        }
    )
    grouped = frame.groupby("frequency", observed=False)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "actual_mean": grouped["actual"].mean(),
            "expected_mean": grouped["expected"].mean(),
            "actual_total": grouped["actual"].sum(),
            "expected_total": grouped["expected"].sum(),
        }
    )
    return table


def repeat_purchase_tracking(
    model: CohortModel,
    orders: pd.DataFrame | pa.Table,
    start: str | pd.Timestamp,
    periods: int,
    *,
    unit: TimeUnit = "W",
) -> pd.DataFrame:
    """Actual vs expected repeat purchases of a cohort, per period and cumulated.

    The cohort is every account whose first purchase in ``orders`` falls in the tracked
    window. A customer acquired ``s`` units after ``start`` is expected to make E[X(τ − s)]
    repeat purchases by time τ (the model's expectation for a new customer); the cohort's
    curve is their sum.

    Parameters
    ----------
    model
        A fitted model with ``expected_purchases_new``.
    orders
        Orders as for :func:`purchase_summary`.
    start
        First day of the tracked window.
    periods
        Number of periods of length ``unit`` to track.
    unit
        Period length: ``"D"``, ``"W"``, ``"M"`` or ``"Y"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by period 1..``periods`` (ending ``period_end``): ``actual``, ``expected``,
        ``cumulative_actual``, ``cumulative_expected``.
    """
    if unit not in UNIT_DAYS:
        raise ValueError(f"unknown time unit {unit!r}; use one of {', '.join(UNIT_DAYS)}")
    if periods < 1:
        raise ValueError(f"periods must be at least 1, got {periods}")
    origin = pd.Timestamp(start).normalize()
    unit_days = UNIT_DAYS[unit]
    window_end = origin + pd.Timedelta(days=periods * unit_days)
    days = purchase_days(order_frame(orders), returns_until=window_end)
    offsets = (days["day"] - origin) / pd.Timedelta(days=1) / unit_days
    days = days.assign(offset=offsets)
    first_offset = days.groupby("account_id")["offset"].transform("min")
    days = days[(first_offset >= 0) & (first_offset <= periods) & (days["offset"] <= periods)]
    if days.empty:
        raise ValueError(f"no account first bought in the {periods} periods from {origin.date()}")
    is_first = ~days.duplicated("account_id", keep="first")
    acquired = days.loc[is_first, "offset"].to_numpy()
    repeats = days.loc[~is_first, "offset"].to_numpy()

    ends = np.arange(1, periods + 1, dtype=float)
    starts, counts = np.unique(acquired, return_counts=True)
    cumulative_expected = np.array(
        [counts @ model.expected_purchases_new(np.clip(end - starts, 0.0, None)) for end in ends]
    )
    cumulative_actual = np.searchsorted(np.sort(repeats), ends, side="right").astype(float)
    return pd.DataFrame(
        {
            "period_end": origin + pd.to_timedelta(ends * unit_days, unit="D"),
            "actual": np.diff(cumulative_actual, prepend=0.0),
            "expected": np.diff(cumulative_expected, prepend=0.0),
            "cumulative_actual": cumulative_actual,
            "cumulative_expected": cumulative_expected,
        },
        index=pd.RangeIndex(1, periods + 1, name="period"),
    )
