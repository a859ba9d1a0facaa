"""Backtest of the reverse plan: plans made at past dates against what was actually needed.

At each origin (a quarter end) the plan for the next quarter is made from the history before
it, with the target set to the order intake actually won in that quarter. The realised figure
it is compared with is the number of MQLs that fed the quarter: the MQLs that entered in the
quarter shifted back by the plan's own median MQL-to-won lag (``Plan.feed_lag_days``), the
same timing the plan uses to place its MQLs. Nothing of the quarter or later enters the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from revintel.alignment._plan import PlanRequest, plan_from_journeys
from revintel.alignment._plan_period import month_starts
from revintel.alignment._plan_rates import TOTAL, LeadJourneys
from revintel.forecast._history import cutoff_days

#: Days of history an origin needs before it (rates, lags and their maturity).
MIN_HISTORY_DAYS = 730


@dataclass(frozen=True)
class PlanBacktest:
    """One row per origin: ``origin``, ``target``, ``required_p50``, ``low``, ``high``,
    ``realised``, ``covered`` and ``relative_error`` (of the P50 against the realised MQLs)."""

    points: pd.DataFrame

    @property
    def coverage(self) -> float:
        """Share of origins whose interval held the realised MQLs."""
        return float(self.points["covered"].mean())

    @property
    def median_relative_error(self) -> float:
        """Median of ``|P50 - realised| / realised``."""
        return float(self.points["relative_error"].abs().median())


def quarter_origins(journeys: LeadJourneys, first_day: date) -> list[date]:
    """Quarter ends with two years of history before them and a complete quarter after."""
    earliest = first_day + timedelta(days=MIN_HISTORY_DAYS)
    origins = []
    for start in month_starts(earliest, journeys.last_day):
        origin = start - timedelta(days=1)
        if start.month in (1, 4, 7, 10) and _quarter(origin)[1] <= journeys.last_day:
            origins.append(origin)
    return origins


def _quarter(origin: date) -> tuple[date, date]:
    start = origin + timedelta(days=1)
    after = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return start, after - timedelta(days=1)


def realised_intake(journeys: LeadJourneys, start: date, end: date) -> float:
    """Won order intake (all won deals) between ``start`` and ``end``, both included."""
    wins = journeys.wins
    inside = (wins["at"] >= cutoff_days(start - timedelta(days=1))) & (
        wins["at"] < cutoff_days(end)
    )
    return float(wins.loc[inside, "amount"].sum())


def feeding_mqls(journeys: LeadJourneys, start: date, end: date, lag_days: float) -> int:
    """MQLs that entered in ``start``..``end`` shifted back by ``lag_days``."""
    t = journeys.frame["t_mql"]
    low = cutoff_days(start - timedelta(days=1)) - lag_days
    high = cutoff_days(end) - lag_days
    return int(((t >= low) & (t < high)).sum())


def backtest_plan(
    journeys: LeadJourneys,
    origins: list[date],
    by: str = "channel",
    draws: int = 1000,
    seed: int = 0,
    level: float = 0.8,
) -> PlanBacktest:
    """Plan the quarter after each origin for its realised intake; compare the MQLs."""
    rows = []
    for origin in origins:
        start, end = _quarter(origin)
        target = realised_intake(journeys, start, end)
        if target <= 0:
            continue
        request = PlanRequest(
            target, start, end, by=by, as_of=origin, draws=draws, seed=seed, level=level
        )
        plan = plan_from_journeys(journeys, request)
        mql = plan.totals[(plan.totals["group"] == TOTAL) & (plan.totals["stage"] == "mql")]
        p50, low, high = (float(mql[c].iloc[0]) for c in ("required_p50", "low", "high"))
        realised = feeding_mqls(journeys, start, end, plan.feed_lag_days)
        rows.append(
            {
                "origin": origin,
                "target": round(target, 2),
                "required_p50": p50,
                "low": low,
                "high": high,
                "realised": realised,
                "covered": bool(low <= realised <= high),
                "relative_error": (p50 - realised) / realised if realised else np.nan,
            }
        )
    return PlanBacktest(pd.DataFrame(rows))
