"""Targets against the forecast: what is booked in a period so far plus the simulated rest of it,
the gap to the target and the chance of reaching it.

The chance comes from the forecast's own Monte Carlo draws (the ones its P10 / P50 / P90 are
read from): the share of runs in which booked + simulated intake of the period reaches the
target. So a P50 above the target always goes with a chance above one half, and a P90 below it
with one under a tenth.

Which target a forecast row compares with: an order-intake target whose period is exactly the
row's calendar month or quarter. For the whole company it is the company's own target (no team,
rep or segment) where one exists, else the sum of the teams' targets, else the sum of the reps'
(so a plan kept per team or per rep needs no extra company row). A row of a team (``--by team``)
compares with the team's target, else the sum of its reps'; a row of a segment with the
segment's target. A forecast of one rep's rows (a sales rep's own view) sees only that rep's
targets, so the same rule gives the rep's own target.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from revintel.forecast._backtest import won_amounts
from revintel.forecast._forecast import Forecast
from revintel.forecast._history import History, cutoff_days
from revintel.metrics import ORDER_INTAKE

#: Columns a forecast frame gains from :func:`attach_targets`, in this order.
TARGET_COLUMNS = ("booked", "target", "p_reach_target", "gap")


def period_bounds(label: str) -> tuple[date, date]:
    """First and last day of a forecast period label (``2025-03`` or ``2025-Q1``).

    Examples
    --------
    >>> period_bounds("2025-Q1"), period_bounds("2024-02")
    ((datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)), (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)))
    """  # noqa: E501
    year, rest = label.split("-")
    first_month = 3 * int(rest[1:]) - 2 if rest.startswith("Q") else int(rest)
    months = 3 if rest.startswith("Q") else 1
    start = date(int(year), first_month, 1)
    after = date(
        start.year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1
    )
    return start, after - timedelta(days=1)


def _missing(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str).str.strip() == "")


def _level_sum(rows: pd.DataFrame) -> float | None:
    """The summed target of the most aggregate level present in ``rows``."""
    no_team, no_rep, no_segment = (_missing(rows[c]) for c in ("team", "rep_id", "segment"))
    for level in (no_team & no_rep & no_segment, ~no_team & no_rep & no_segment, ~no_rep):
        if level.any():
            return float(rows.loc[level, "amount"].sum())
    return None


def target_for(
    targets: pd.DataFrame, start: date, end: date, by: str | None = None, group: str = "all"
) -> float | None:
    """The order-intake target of the period ``start``..``end`` for ``group`` of ``by`` (see the
    module's rule), or ``None`` when there is none.

    Examples
    --------
    >>> plan = pd.DataFrame({
    ...     "period_start": [date(2025, 1, 1)] * 3, "period_end": [date(2025, 3, 31)] * 3,
    ...     "team": ["Nord", "Süd", "Nord"], "rep_id": [None, None, "R1"],
    ...     "segment": [None] * 3, "measure": ["order_intake"] * 3, "amount": [100.0, 50.0, 60.0]})
    >>> q1 = (date(2025, 1, 1), date(2025, 3, 31))
    >>> target_for(plan, *q1), target_for(plan, *q1, "team", "Nord"), target_for(plan, *q1, "team", "Ost")
    (150.0, 100.0, None)
    """  # noqa: E501
    if targets.empty:
        return None
    measure = targets["measure"].fillna(ORDER_INTAKE) if "measure" in targets else None
    same = targets[
        (pd.to_datetime(targets["period_start"]).dt.date == start)
        & (pd.to_datetime(targets["period_end"]).dt.date == end)
        & (True if measure is None else measure == ORDER_INTAKE)
    ]
    if same.empty:
        return None
    if by is None or group == "all":
        return _level_sum(same)
    if by == "team":
        mine = same[same["team"].astype(str) == group]
        own = mine[_missing(mine["rep_id"]) & _missing(mine["segment"])]
        if not own.empty:
            return float(own["amount"].sum())
        reps = mine[~_missing(mine["rep_id"])]
        return float(reps["amount"].sum()) if not reps.empty else None
    if by == "segment":
        mine = same[
            (same["segment"].astype(str) == group)
            & _missing(same["team"])
            & _missing(same["rep_id"])
        ]
        return float(mine["amount"].sum()) if not mine.empty else None
    return None


def _day_number(day: date) -> float:
    """The start of ``day`` in the history's float days."""
    return cutoff_days(day - timedelta(days=1))


def booked_intake(
    history: History, start: date, as_of: date, by: str | None = None
) -> dict[str, float]:
    """Order intake booked from ``start`` to the end of ``as_of``: won deals at their win day
    and orders without a deal (net of returns), per group of ``by`` and for ``"all"``."""
    low, high = _day_number(start), cutoff_days(as_of)
    if high <= low:
        return {"all": 0.0}
    wins = won_amounts(history)
    wins = wins[(wins["at"] >= low) & (wins["at"] < high)]
    direct = history.direct_orders
    direct = direct[(direct["at"] >= low) & (direct["at"] < high)]
    booked = {"all": float(wins["amount"].sum()) + float(direct["amount"].sum())}
    if by is None:
        return booked
    groups = history.opportunities.set_index("opportunity_id")[by].astype(str)
    won_group = wins["opportunity_id"].map(groups).fillna("(none)")
    for group, amount in wins.groupby(won_group)["amount"].sum().items():
        booked[str(group)] = booked.get(str(group), 0.0) + float(amount)
    if by in direct.columns:
        direct_group = direct[by].fillna("(none)").astype(str)
        for group, amount in direct.groupby(direct_group)["amount"].sum().items():
            booked[str(group)] = booked.get(str(group), 0.0) + float(amount)
    return booked


def _period_draws(result: Forecast) -> dict[tuple[str, str], np.ndarray]:
    """Simulated total intake per run for each (period label, group): months and quarters."""
    total = result.simulation.total
    groups = list(result.simulation.groups)
    per_group = {g: total[:, :, i] for i, g in enumerate(groups)}
    if result.settings.by is not None:
        per_group["all"] = total.sum(axis=2)
    draws: dict[tuple[str, str], np.ndarray] = {}
    for group, months in per_group.items():
        for i, month in enumerate(result.months):
            draws[(f"{month:%Y-%m}", group)] = months[:, i]
            quarter = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
            key = (quarter, group)
            draws[key] = draws[key] + months[:, i] if key in draws else months[:, i].copy()
    return draws


def attach_targets(
    frame: pd.DataFrame, result: Forecast, history: History, targets: pd.DataFrame
) -> pd.DataFrame:
    """``frame`` (rows of ``result``) with the period's intake booked so far, its target, the
    chance of reaching it and the gap to it (columns :data:`TARGET_COLUMNS`).

    ``booked`` is what was won in the period up to the forecast's cut-off (zero for periods
    that begin after it); ``p_reach_target`` the share of the forecast's runs in which booked
    plus simulated total intake reaches ``target``; ``gap`` the target minus booked minus the
    median simulated total (positive: short of the target). Every source's row of a period
    carries the period's figures (a target is one of total intake). Without a target the three
    are missing; the chance and the gap also where the horizon ends inside the period.
    """
    by = result.settings.by
    group_column = by or "group"
    as_of = result.model.as_of
    draws = _period_draws(result)
    last = result.months[-1]
    horizon_end = period_bounds(f"{last:%Y-%m}")[1]
    booked_by_start: dict[date, dict[str, float]] = {}
    figures: dict[tuple[str, str, str], tuple[float, float | None, float | None, float | None]]
    figures = {}
    labels = frame[["grain", "period"]].drop_duplicates().itertuples(index=False)
    groups = frame[group_column].astype(str).unique() if group_column in frame else ["all"]
    for grain, period in labels:
        start, end = period_bounds(str(period))
        if start not in booked_by_start:
            booked_by_start[start] = booked_intake(history, start, as_of, by)
        for group in groups:
            booked = booked_by_start[start].get(str(group), 0.0)
            target = target_for(targets, start, end, by, str(group))
            runs = draws.get((str(period), str(group)))
            if target is None or runs is None or end > horizon_end:
                # a horizon ending inside the period leaves part of it unforecast
                figures[(grain, str(period), str(group))] = (booked, target, None, None)
                continue
            reached = float(np.mean(booked + runs >= target - 1e-9))
            gap = target - booked - float(np.quantile(runs, 0.5))
            figures[(grain, str(period), str(group))] = (booked, target, reached, gap)
    keys = zip(
        frame["grain"],
        frame["period"].astype(str),
        frame[group_column].astype(str) if group_column in frame else ["all"] * len(frame),
        strict=True,
    )
    values = [figures.get(k, (0.0, None, None, None)) for k in keys]
    out = frame.copy()
    for i, column in enumerate(TARGET_COLUMNS):
        column_values = [v[i] for v in values]
        out[column] = pd.array(column_values, dtype="Float64").astype(float)
    out["booked"] = out["booked"].round(2)
    out["gap"] = out["gap"].round(2)
    out["p_reach_target"] = out["p_reach_target"].round(4)
    return out


__all__ = [
    "TARGET_COLUMNS",
    "attach_targets",
    "booked_intake",
    "period_bounds",
    "target_for",
]
