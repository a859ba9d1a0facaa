"""The order-intake forecast, what-if scenarios and backtests on the rows a user may see."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from revintel.auth import User, scoped_store
from revintel.forecast import (
    FORECAST_DIMENSIONS,
    Forecast,
    ForecastSettings,
    FunnelModel,
    History,
    backtest,
    compare_with_baseline,
    fit_funnel_model,
    forecast,
    forecast_gap,
    load_history,
    parse_scenario,
)
from revintel.metrics import DataGap, MetricSources
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store
from revintel.views._gaps import forecast_is_empty

#: Breakdowns a forecast can be split by.
FORECAST_BREAKDOWNS: tuple[str, ...] = tuple(FORECAST_DIMENSIONS)
#: Monte Carlo draws of a forecast unless the caller asks for others.
FORECAST_SIMULATIONS = 1_000
#: A backtest replays a forecast per origin: small defaults keep a request within seconds.
BACKTEST_ORIGINS = 3
BACKTEST_SIMULATIONS = 200
BACKTEST_MONTHS = 3


@dataclass(frozen=True)
class ForecastView:
    """A forecast as the caller may see it: the cut-off date and the quantile rows."""

    as_of: date
    by: str | None
    frame: pd.DataFrame
    #: What the history lacks when every amount is zero (``None`` otherwise).
    gap: DataGap | None = None

    def records(self) -> list[dict[str, Any]]:
        """Rows as plain dicts, the breakdown column renamed to ``group``."""
        frame = self.frame.rename(columns={self.by: "group"}) if self.by else self.frame
        if "group" not in frame.columns:
            frame = frame.assign(group="all")
        return [{str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")]


def _store_as_of(store: Store) -> date:
    # A rep's forecast is cut at the whole store's last event, like every rep's KPIs.
    return MetricSources.from_store(store).as_of


def forecast_view(
    store: Store,
    user: User,
    by: str | None,
    months: int,
    simulations: int,
    seed: int,
    what_if: tuple[str, ...] = (),
) -> ForecastView:
    """P10/P50/P90 of order intake per month and quarter, by source, on ``user``'s rows.

    A sales rep's forecast covers their own deals (open pipeline) and their own leads (pipeline
    not yet created); other roles see the whole company. With ``what_if`` scenarios the rows
    are the scenario's, with the baseline's P50 and the change against it.
    """
    if by is not None and by not in FORECAST_BREAKDOWNS:
        raise ValueError(f"cannot split a forecast by {by!r}; use one of {FORECAST_BREAKDOWNS}")
    funnel = load_funnel()
    history = load_history(scoped_store(store, user), funnel)
    settings = ForecastSettings(months=months, by=by, simulations=simulations, seed=seed)
    result, frame = forecast_what_if(history, _store_as_of(store), settings, what_if, funnel)
    gap = forecast_gap(history) if forecast_is_empty(frame) else None
    return ForecastView(result.model.as_of, by, frame, gap)


def forecast_what_if(
    history: History,
    as_of: date | None,
    settings: ForecastSettings,
    what_if: tuple[str, ...] | list[str],
    funnel: FunnelDefinition,
) -> tuple[Forecast, pd.DataFrame]:
    """The baseline forecast and the rows to show: the baseline's, or with ``what_if``
    scenarios (:func:`revintel.forecast.parse_scenario`) the scenario's rows beside the
    baseline's P50 and the change against it.

    The scenarios are parsed before anything is simulated, so a wrong one fails at once.
    """
    scenario = parse_scenario(list(what_if), funnel) if what_if else None
    base = forecast(history, as_of, settings)
    if scenario is None:
        return base, base.frame
    changed = forecast(history, as_of, dataclasses.replace(settings, scenario=scenario))
    return base, compare_with_baseline(base.frame, changed.frame)


def funnel_model(store: Store, user: User) -> FunnelModel:
    """The funnel measured on ``user``'s rows as of the whole store's last event: the weighted
    pipeline and the win probabilities of ``revintel forecast pipeline`` / ``probabilities``."""
    history = load_history(scoped_store(store, user), load_funnel())
    return fit_funnel_model(history, _store_as_of(store))


@dataclass(frozen=True)
class BacktestView:
    """A backtest as the caller may see it: per-origin points and the summary per method."""

    origins: int
    months: int
    simulations: int
    points: pd.DataFrame
    summary: pd.DataFrame


def backtest_view(
    store: Store, user: User, origins: int, months: int, simulations: int, seed: int
) -> BacktestView:
    """Forecasts replayed as of ``origins`` past month-ends and scored, on ``user``'s rows."""
    history = load_history(scoped_store(store, user), load_funnel())
    settings = ForecastSettings(months=months, simulations=simulations, seed=seed)
    result = backtest(history, origins, settings, last=_store_as_of(store))
    return BacktestView(origins, months, simulations, result.points, result.summary)
