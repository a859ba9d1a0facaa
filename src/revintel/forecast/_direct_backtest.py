"""Backtest of repeat and direct orders, and of the total with and without them.

The run-rate is replayed as of past month-ends on the orders known then and scored, by WAPE,
bias and P10–P90 coverage, against two baselines: the same months one year earlier and the mean
month of the trailing twelve. Its variant (:data:`CANDIDATES`) is chosen on tuning origins by
the point forecast alone, so the reported origins stay unseen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from revintel.forecast._forecast import month_periods
from revintel.forecast._run_rate import (
    CANDIDATES,
    LEVEL_MONTHS,
    RunRateParams,
    fit_run_rate,
    month_index,
    monthly_intake,
    simulate_run_rate,
)

RUN_RATE = "run-rate P50"
LAST_YEAR = "same period last year"
TRAILING = "trailing 12-month mean"
DIRECT_METHODS = (RUN_RATE, LAST_YEAR, TRAILING)
WITH_DIRECT = "total with repeat and direct orders"
DEALS_ONLY = "won deals only"


@dataclass(frozen=True)
class DirectBacktest:
    """Per-origin results (``points``) and their scores per method and window (``summary``)."""

    points: pd.DataFrame
    summary: pd.DataFrame

    def score(self, origins: Sequence[date]) -> pd.DataFrame:
        """:attr:`summary` of the given origins only (e.g. those not used for tuning)."""
        return score_direct(self.points[self.points["origin"].isin(list(origins))])


def _windows(months: int) -> tuple[tuple[str, int], ...]:
    if months == 1:
        return (("next month", 1),)
    return (("next month", 1), (f"next {months} months", months))


def _between(orders: pd.DataFrame, start: float, end: float) -> float:
    at = orders["at"].to_numpy(float)
    return float(orders["amount"].to_numpy(float)[(at >= start) & (at < end)].sum())


def _origin_rows(
    orders: pd.DataFrame,
    origin: date,
    months: int,
    params: RunRateParams | None,
    simulations: int,
    seed: int,
) -> list[dict[str, object]]:
    model = fit_run_rate(orders, origin, params)
    _, edges = month_periods(origin, months)
    groups = np.zeros(len(model.pool), dtype=np.int64)
    rng = np.random.default_rng([seed, 1])
    draws = simulate_run_rate(model, edges, groups, 1, simulations, rng)[:, :, 0]
    expected = model.expected(edges)
    last = int(month_index(np.array([model.cut]))[0]) - 1
    past = monthly_intake(orders, last - 2 * LEVEL_MONTHS + 1, last)
    rows = []
    for window, n in _windows(months):
        p10, p50, p90 = np.quantile(draws[:, :n].sum(axis=1), [0.1, 0.5, 0.9])
        rows.append(
            {
                "origin": origin,
                "window": window,
                "actual": _between(orders, model.cut, model.cut + edges[n]),
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "expected": float(expected[:n].sum()),
                "last_year": float(past[LEVEL_MONTHS : LEVEL_MONTHS + n].sum()),
                "trailing_mean": float(past[-LEVEL_MONTHS:].mean() * n),
            }
        )
    return rows


def _scores(part: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> list[dict[str, object]]:
    rows = []
    for method, (column, truth) in columns.items():
        actual = part[truth].to_numpy(float)
        # relative to what came; undefined (NaN) when nothing net was ordered
        total = actual.sum() if actual.sum() > 0 else np.nan
        error = part[column].to_numpy(float) - actual
        low, high = column.replace("p50", "p10"), column.replace("p50", "p90")
        has_band = column.endswith("p50") and low in part and high in part
        inside = (part[low] <= part[truth]) & (part[truth] <= part[high]) if has_band else None
        rows.append(
            {
                "window": part["window"].iloc[0],
                "method": method,
                "origins": len(part),
                "wape": float(np.abs(error).sum() / total),
                "bias": float(error.sum() / total),
                "coverage_p10_p90": float(inside.mean()) if inside is not None else np.nan,
            }
        )
    return rows


def score_direct(points: pd.DataFrame) -> pd.DataFrame:
    """WAPE, bias and P10–P90 coverage of the run-rate and both baselines, per window."""
    columns = {
        RUN_RATE: ("p50", "actual"),
        LAST_YEAR: ("last_year", "actual"),
        TRAILING: ("trailing_mean", "actual"),
    }
    rows = [r for _, part in points.groupby("window", sort=False) for r in _scores(part, columns)]
    return pd.DataFrame(rows)


def score_totals(points: pd.DataFrame) -> pd.DataFrame:
    """WAPE of the total P50 with and without repeat and direct orders against all intake.

    ``points`` are those of :func:`revintel.forecast.backtest` run with direct orders.
    """
    columns = {WITH_DIRECT: ("total_p50", "total_actual"), DEALS_ONLY: ("p50", "total_actual")}
    rows = [r for _, part in points.groupby("window", sort=False) for r in _scores(part, columns)]
    out = pd.DataFrame(rows)
    # the band of won deals alone is not a band of all intake
    out.loc[out["method"] == DEALS_ONLY, "coverage_p10_p90"] = np.nan
    return out


def backtest_direct(
    orders: pd.DataFrame,
    origins: Sequence[date],
    months: int = 3,
    params: RunRateParams | None = None,
    simulations: int = 1_000,
    seed: int = 42,
) -> DirectBacktest:
    """Replay the run-rate of ``orders`` (``at``, net ``amount``) as of month-end ``origins``.

    ``params=None`` lets each origin choose its variant from the months before it (as the
    forecast does).

    Examples
    --------
    >>> firsts = np.arange(36).astype("datetime64[M]").astype("datetime64[D]")
    >>> orders = pd.DataFrame({"at": firsts.astype(float), "amount": 100.0})  # one a month
    >>> result = backtest_direct(orders, [date(1972, 6, 30)], months=1, simulations=200)
    >>> result.points[["actual", "expected", "last_year", "trailing_mean"]].round(1).values.tolist()
    [[100.0, 100.0, 100.0, 100.0]]
    """
    if not origins:
        raise ValueError("backtest_direct needs at least one origin")
    rows = [
        row
        for origin in sorted(origins)
        for row in _origin_rows(orders, origin, months, params, simulations, seed)
    ]
    points = pd.DataFrame(rows)
    return DirectBacktest(points, score_direct(points))


def variant_name(params: RunRateParams | None) -> str:
    """A short name of a run-rate variant.

    Examples
    --------
    >>> variant_name(None), variant_name(RunRateParams(seasonal=True, damping=0.5))
    ('chosen per origin', 'seasonal, trend damped 0.5')
    """
    if params is None:
        return "chosen per origin"
    season = "seasonal" if params.seasonal else "flat"
    trend = f"trend damped {params.damping:g}" if params.damping else "no trend"
    return f"{season}, {trend}"


def choose_run_rate(
    orders: pd.DataFrame,
    origins: Sequence[date],
    months: int = 3,
    candidates: Sequence[RunRateParams | None] = (None, *CANDIDATES),
) -> tuple[RunRateParams | None, pd.DataFrame]:
    """The candidate with the lowest sum of WAPEs of its point forecast over both windows.

    ``None`` stands for the variant each origin chooses itself. Returns the chosen candidate
    and every candidate's score (``variant``, ``score``), best first.
    """
    if not candidates:
        raise ValueError("choose_run_rate needs at least one candidate")
    scored = []
    for params in candidates:
        points = pd.DataFrame(
            [r for o in origins for r in _origin_rows(orders, o, months, params, 1, 0)]
        )
        per_window = score_direct(points.assign(p50=points["expected"]))
        wape = per_window.loc[per_window["method"] == RUN_RATE, "wape"].sum()
        scored.append((float(wape), params))
    table = pd.DataFrame([{"variant": variant_name(p), "score": w} for w, p in scored]).sort_values(
        "score", kind="stable"
    )
    best = min(scored, key=lambda item: item[0])[1]
    return best, table.reset_index(drop=True)
