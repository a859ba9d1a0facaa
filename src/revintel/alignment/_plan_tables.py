"""The tables of a plan: needs per month and in total against the run-rate, and the rates used."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import stats

from revintel.alignment._plan_period import month_starts
from revintel.alignment._plan_rates import (
    STAGES,
    TOTAL,
    LeadJourneys,
    MeasuredFunnel,
    monthly_counts,
)
from revintel.alignment._plan_simulate import STEP_NAMES, point_rates
from revintel.forecast._history import cutoff_days

#: Complete months before the as-of date the run-rate averages.
RUN_RATE_MONTHS = 3


def run_rates(journeys: LeadJourneys, by: str, as_of: date) -> pd.DataFrame:
    """Mean entries per month, group and stage over the complete months before ``as_of``."""
    last_full = as_of + timedelta(days=1)
    last_month = date(last_full.year, last_full.month, 1) - timedelta(days=1)
    months = month_starts(date(last_month.year, last_month.month, 1), last_month)
    for _ in range(RUN_RATE_MONTHS - 1):
        previous = months[0] - timedelta(days=1)
        months.insert(0, date(previous.year, previous.month, 1))
    counts = monthly_counts(journeys, by)
    counts = counts[counts["month"].isin(months)]
    total = counts.groupby(["month", "stage"], as_index=False)["count"].sum()
    counts = pd.concat([counts, total.assign(group=TOTAL)]) if by else counts.assign(group=TOTAL)
    per = counts.groupby(["group", "stage"])["count"].sum() / len(months)
    return per.rename("run_rate").reset_index()


def _quantiles(values: np.ndarray, level: float) -> tuple[float, float, float]:
    """Median, lower and upper bound of the central ``level`` interval, rounded."""
    low, mid, high = np.quantile(values, [(1 - level) / 2, 0.5, (1 + level) / 2])
    return round(float(mid), 2), round(float(low), 2), round(float(high), 2)


def month_edges(months: list[date], end: date) -> np.ndarray:
    """Edges of the months in days since 1970 (the last one the end of ``end``)."""
    return np.array([cutoff_days(m - timedelta(days=1)) for m in months] + [cutoff_days(end)])


def plan_tables(
    draws: dict[str, np.ndarray],
    fractions: np.ndarray,
    months: list[date],
    run_rates: pd.DataFrame,
    level: float,
    period_months: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per month and in total: the need's median and interval, the run-rate and the gap."""
    rate = run_rates.set_index(["group", "stage"])["run_rate"]
    month_rows, total_rows = [], []
    for group, values in draws.items():
        for k, stage in enumerate(STAGES):
            monthly = float(rate.get((group, stage), 0.0))
            p50, low, high = _quantiles(values[:, k], level)
            flow = monthly * period_months
            total_rows.append((group, stage, p50, low, high, round(flow, 2), round(p50 - flow, 2)))
            for i, month in enumerate(months):
                if fractions[k, i] < 0.001:
                    continue
                p50, low, high = _quantiles(values[:, k] * fractions[k, i], level)
                gap = round(p50 - monthly, 2)
                month_rows.append((month, group, stage, p50, low, high, round(monthly, 2), gap))
    month_columns = ["month", "group", "stage", "required_p50", "required_low", "required_high"]
    totals = pd.DataFrame(
        total_rows,
        columns=["group", "stage", "required_p50", "low", "high", "run_rate", "gap"],
    )
    frame = pd.DataFrame(month_rows, columns=[*month_columns, "run_rate", "gap"])
    order = frame["stage"].map(STAGES.index)
    frame = frame.assign(o=order).sort_values(["group", "o", "month"], kind="stable")
    return frame.drop(columns="o").reset_index(drop=True), totals


def rates_used(
    measured: MeasuredFunnel, level: float, mql_to_sal: float, deal_size: float
) -> pd.DataFrame:
    """The rates (with their interval), lags, deal sizes and shares the plan used."""
    rows = []
    tail = ((1 - level) / 2, (1 + level) / 2)
    for group in measured.groups:
        chosen = measured.rates[measured.rates["group"] == group].set_index("step")
        rates = point_rates(measured, group)
        deal = float(measured.amounts[group].mean()) * deal_size
        for j, step in enumerate(STEP_NAMES):
            a, b = chosen.at[step, "alpha"], chosen.at[step, "beta"]
            factor = mql_to_sal if j == 0 else 1.0
            low, high = (min(float(stats.beta.ppf(q, a, b)) * factor, 1.0) for q in tail)
            lags = measured.lags[step]
            rows.append(
                {
                    "group": group,
                    "step": step,
                    "rate": round(min(float(rates[j]) * factor, 1.0), 4),
                    "low": round(low, 4),
                    "high": round(high, 4),
                    "n": int(chosen.at[step, "entries"]),
                    "median_lag_days": round(float(np.median(lags)), 1) if len(lags) else 0.0,
                    "deal_size": round(deal, 2),
                    "mql_share": round(measured.shares[group], 4),
                    "lead_share": round(measured.lead_share, 4),
                }
            )
    return pd.DataFrame(rows)
