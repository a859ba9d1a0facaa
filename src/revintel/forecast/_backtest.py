"""Backtest: forecasts replayed as of past month-ends, scored against the order intake that came.

Each origin sees only what the milestone log held at its cut-off (see :func:`replay_opportunities`).
The P50 is compared with two baselines — the open pipeline weighted by the funnel's default
probabilities, and the last period's run-rate — by WAPE and bias; the P10–P90 band by coverage.
These scores are of the intake through won deals; ``total_*`` columns add repeat and direct
orders (net of returns) to forecast and actual alike, see :func:`score_totals`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from revintel.forecast._direct_backtest import score_totals
from revintel.forecast._forecast import ForecastSettings, fit_model, month_periods, run_simulation
from revintel.forecast._history import History, cutoff_days
from revintel.forecast._model import FunnelModel
from revintel.forecast._weighted import weighted_pipeline

METHODS = (
    "forecast P50",
    "weighted pipeline (default)",
    "weighted pipeline (measured)",
    "run-rate",
)


@dataclass(frozen=True)
class Backtest:
    """Per-origin results (``points``) and the scores per method and window (``summary``)."""

    points: pd.DataFrame
    summary: pd.DataFrame

    def score(self, origins: Sequence[date]) -> pd.DataFrame:
        """:attr:`summary` of the given origins only (e.g. those not used for tuning)."""
        return score_points(self.points[self.points["origin"].isin(list(origins))])

    def score_totals(self, origins: Sequence[date]) -> pd.DataFrame:
        """WAPE of the total with and without repeat and direct orders at ``origins``."""
        return score_totals(self.points[self.points["origin"].isin(list(origins))])


def month_ends(last: date, count: int, months_ahead: int) -> list[date]:
    """``count`` month-ends, the latest leaving ``months_ahead`` full months before ``last``.

    Examples
    --------
    >>> month_ends(date(2024, 12, 31), 2, 3)
    [datetime.date(2024, 8, 31), datetime.date(2024, 9, 30)]
    """
    month_complete = (last + timedelta(days=1)).day == 1
    end = last if month_complete else date(last.year, last.month, 1) - timedelta(days=1)
    ends = [end]
    while len(ends) < count + months_ahead:
        first = date(ends[-1].year, ends[-1].month, 1)
        ends.append(first - timedelta(days=1))
    return sorted(ends[months_ahead:])


def split_origins(origins: Sequence[date], tuning: int) -> tuple[list[date], list[date]]:
    """The earliest ``tuning`` origins, to choose parameters on, and the later ones, to report.

    Examples
    --------
    >>> ends = month_ends(date(2024, 12, 31), 4, 3)
    >>> [[f"{d:%m}" for d in part] for part in split_origins(ends, 2)]
    [['06', '07'], ['08', '09']]
    """
    ordered = sorted(origins)
    return ordered[:tuning], ordered[tuning:]


def won_amounts(history: History) -> pd.DataFrame:
    """Each won opportunity (``opportunity_id``) with the day it was won (``at``) and its
    ``amount``."""
    log = history.coded_opportunities
    won_at = log.earliest(history.funnel.outcome_ids("won"))[log.rows]
    won = ~np.isnan(won_at)
    opps = history.opportunities
    return pd.DataFrame(
        {
            "opportunity_id": opps["opportunity_id"].to_numpy()[won],
            "at": won_at[won],
            "amount": opps["amount"].fillna(0.0).to_numpy(float)[won],
        }
    )


def _intake(wins: pd.DataFrame, start: float, end: float) -> float:
    return float(wins.loc[(wins["at"] >= start) & (wins["at"] < end), "amount"].sum())


def _pipeline_due(model: FunnelModel, end: float) -> tuple[float, float]:
    """Default- and measured-probability weighted pipeline expected to close before ``end``."""
    opps = model.opportunities.frame
    frame = weighted_pipeline(model, by="opportunity_id")
    due = opps.set_index("opportunity_id")["expected_close"].reindex(frame["opportunity_id"])
    inside = (due.to_numpy(float) < end) | np.isnan(due.to_numpy(float))
    return (
        float(frame.loc[inside, "weighted_default"].sum()),
        float(frame.loc[inside, "weighted_measured"].sum()),
    )


def _origin_rows(
    history: History, wins: pd.DataFrame, origin: date, settings: ForecastSettings
) -> list[dict[str, object]]:
    model = fit_model(history, origin, settings)
    _, simulation = run_simulation(model, settings)
    _, edges = month_periods(origin, settings.months)
    cut = cutoff_days(origin)
    deals = simulation.won_deals.sum(axis=2)
    everything = simulation.total.sum(axis=2)
    direct = history.direct_orders
    rows = []
    for window, n in (("next month", 1), (f"next {settings.months} months", settings.months)):
        draws = deals[:, :n].sum(axis=1)
        p10, p50, p90 = np.quantile(draws, [0.1, 0.5, 0.9])
        end = cut + edges[n]
        default, measured = _pipeline_due(model, end)
        actual = _intake(wins, cut, end)
        in_window = (direct["at"] >= cut) & (direct["at"] < end)
        total = np.quantile(everything[:, :n].sum(axis=1), [0.1, 0.5, 0.9])
        rows.append(
            {
                "origin": origin,
                "window": window,
                "actual": actual,
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "weighted_default": default,
                "weighted_measured": measured,
                "run_rate": _intake(wins, cut - edges[n], cut),
                "total_actual": actual + float(direct.loc[in_window, "amount"].sum()),
                "total_p10": total[0],
                "total_p50": total[1],
                "total_p90": total[2],
            }
        )
    return rows


def score_points(points: pd.DataFrame) -> pd.DataFrame:
    """WAPE, bias and P10–P90 coverage per window and method of backtest ``points``."""
    columns = {
        "forecast P50": "p50",
        "weighted pipeline (default)": "weighted_default",
        "weighted pipeline (measured)": "weighted_measured",
        "run-rate": "run_rate",
    }
    rows = []
    for window, part in points.groupby("window", sort=False):
        actual = part["actual"].to_numpy(float)
        # WAPE and bias are relative to actual intake; undefined (NaN) when nothing was ordered
        total = actual.sum() if actual.sum() > 0 else np.nan
        inside = (part["p10"] <= part["actual"]) & (part["actual"] <= part["p90"])
        for method, column in columns.items():
            error = part[column].to_numpy(float) - actual
            rows.append(
                {
                    "window": window,
                    "method": method,
                    "origins": len(part),
                    "wape": float(np.abs(error).sum() / total),
                    "bias": float(error.sum() / total),
                    "coverage_p10_p90": float(inside.mean()) if column == "p50" else np.nan,
                }
            )
    return pd.DataFrame(rows)


def backtest(
    history: History,
    origins: int | Sequence[date] = 12,
    settings: ForecastSettings | None = None,
    last: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Backtest:
    """Replay forecasts as of ``origins`` consecutive month-ends (or the given days) and score them.

    With a count, the last origin leaves ``settings.months`` full months of observed intake
    before ``last`` (default: the last event in the store). The split (``settings.by``) is
    ignored. ``progress``, when given, is called with each origin, how many are done and
    how many there are.
    """
    settings = replace(settings or ForecastSettings(months=3, simulations=1_000), by=None)
    wins = won_amounts(history)
    if isinstance(origins, int):
        ends = month_ends(last or history.last_event, origins, settings.months)
    else:
        ends = sorted(origins)
    rows = []
    for done, origin in enumerate(ends):
        if progress is not None:
            progress(f"forecast as of {origin}", done, len(ends))
        rows += _origin_rows(history, wins, origin, settings)
    points = pd.DataFrame(rows)
    return Backtest(points, score_points(points))
