"""The order-intake forecast: P10 / P50 / P90 per month and quarter, by source and dimension."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from revintel.forecast._drivers import new_business, open_pipeline
from revintel.forecast._history import FORECAST_DIMENSIONS, History
from revintel.forecast._model import ARRIVAL_DAYS, ARRIVAL_TREND, FunnelModel, fit_funnel_model
from revintel.forecast._pace import PACE_DAYS, PACE_PRIOR
from revintel.forecast._run_rate import (
    RunRateModel,
    RunRateParams,
    fit_run_rate,
    simulate_run_rate,
)
from revintel.forecast._scenario import Scenario
from revintel.forecast._simulate import Simulation, simulate_new, simulate_open

OPEN = "open pipeline"
NEW = "not yet created"
DIRECT = "repeat and direct orders"
TOTAL = "total"
_HORIZON = re.compile(r"^(?P<n>\d+)\s*(?P<unit>[MQY])$", re.IGNORECASE)


@dataclass(frozen=True)
class ForecastSettings:
    """How a forecast is run: horizon in months, split, simulations, seed, what-if.

    ``pace_days`` and ``pace_prior`` (window and pseudo-exits of the pace of an industry),
    ``arrival_days`` and ``arrival_trend`` (window of the arrival rate of new journeys and the
    power of its growth) are the tuned parameters of the model; ``benchmarks/forecast_sweep.py``
    chose their defaults on backtest origins that the reported accuracy does not use.
    ``direct_orders`` adds the orders without an opportunity, forecast by a seasonal run-rate
    (``run_rate``; ``None``: the variant that missed least on the months before the cut-off).
    """

    months: int = 6
    by: str | None = None
    simulations: int = 2_000
    seed: int = 42
    scenario: Scenario = field(default_factory=Scenario)
    use_slips: bool = True
    use_pace: bool = True
    parameter_uncertainty: bool = True
    pace_days: float = PACE_DAYS
    pace_prior: float = PACE_PRIOR
    arrival_days: float = ARRIVAL_DAYS
    arrival_trend: float = ARRIVAL_TREND
    direct_orders: bool = True
    run_rate: RunRateParams | None = None


def fit_model(history: History, as_of: date | None, settings: ForecastSettings) -> FunnelModel:
    """:func:`fit_funnel_model` with the tuned parameters of ``settings``."""
    return fit_funnel_model(
        history,
        as_of,
        pace_days=settings.pace_days,
        pace_prior=settings.pace_prior,
        arrival_days=settings.arrival_days,
        arrival_trend=settings.arrival_trend,
    )


def parse_horizon(text: str) -> int:
    """Months in a horizon such as ``2Q``, ``6M`` or ``1Y``.

    Examples
    --------
    >>> parse_horizon("2Q"), parse_horizon("6m"), parse_horizon("1Y")
    (6, 6, 12)
    """
    match = _HORIZON.match(text.strip())
    if not match or int(match["n"]) < 1:
        raise ValueError(f"horizon {text!r} not understood; use e.g. 3M, 2Q or 1Y")
    return int(match["n"]) * {"M": 1, "Q": 3, "Y": 12}[match["unit"].upper()]


def month_periods(as_of: date, months: int) -> tuple[list[date], np.ndarray]:
    """First day of each forecast month and the period edges in days after the cut-off.

    The first period runs from the day after ``as_of`` to the end of that month.
    """
    first = as_of + timedelta(days=1)
    starts = [first]
    for _ in range(months):
        y, m = starts[-1].year, starts[-1].month
        starts.append(date(y + m // 12, m % 12 + 1, 1))
    edges = np.array([(s - first).days for s in starts], dtype=float)
    return starts[:-1], edges


@dataclass(frozen=True)
class Forecast:
    """A finished forecast: quantiles in ``frame``, raw draws in ``simulation``."""

    model: FunnelModel
    settings: ForecastSettings
    months: list[date]
    simulation: Simulation
    frame: pd.DataFrame


def _groups(settings: ForecastSettings, *frames: pd.DataFrame) -> tuple[str, ...]:
    if settings.by is None:
        return ("all",)
    if settings.by not in FORECAST_DIMENSIONS:
        known = ", ".join(FORECAST_DIMENSIONS)
        raise ValueError(f"cannot split by {settings.by!r}; use one of {known}")
    values: set[str] = set()
    for frame in frames:
        values.update(frame[settings.by].astype(str))
    return tuple(sorted(values))


def _index(frame: pd.DataFrame, by: str | None, groups: tuple[str, ...]) -> np.ndarray:
    if by is None:
        return np.zeros(len(frame), dtype=np.int64)
    lookup = {g: i for i, g in enumerate(groups)}
    return frame[by].astype(str).map(lookup).to_numpy(np.int64)


def parameter_draws(
    posterior: np.ndarray, simulations: int, rng: np.random.Generator
) -> np.ndarray:
    """Per run and milestone, the win share drawn from its Beta posterior, over its mean.

    Chances are measured, not known: drawing them per run (rather than using the point
    estimate) widens the range where they rest on few closed deals. ``posterior`` has one
    ``(a, b)`` row per milestone; the result has shape ``(simulations, milestones)``.

    Examples
    --------
    >>> draws = parameter_draws(np.array([[30.0, 70.0]]), 4000, np.random.default_rng(0))
    >>> draws.shape, round(float(draws.mean()), 2)
    ((4000, 1), 1.0)
    """
    a, b = posterior[:, 0], posterior[:, 1]
    draws = rng.beta(a[None, :], b[None, :], size=(simulations, len(a)))
    return draws / (a / (a + b))[None, :]


def run_simulation(model: FunnelModel, settings: ForecastSettings) -> tuple[list[date], Simulation]:
    """Simulate order intake per month of the horizon for a fitted model."""
    months, edges = month_periods(model.as_of, settings.months)
    rng = np.random.default_rng(settings.seed)
    pipeline = open_pipeline(model, edges, settings.scenario, settings.use_slips, settings.use_pace)
    rates, weights = new_business(model, edges, settings.scenario)
    run_rate = fit_run_rate(model.history.direct_orders, model.as_of, settings.run_rate)
    direct_pool = [run_rate.pool] if settings.direct_orders else []
    groups = _groups(settings, pipeline.frame, model.pool, *direct_pool)
    by = settings.by
    # One common factor per run: win rates drift between periods beyond coin-flip noise.
    shock = rng.lognormal(-0.5 * model.drift**2, model.drift, settings.simulations)
    factors = shock[:, None] * (
        parameter_draws(model.posterior, settings.simulations, rng)
        if settings.parameter_uncertainty
        else np.ones((settings.simulations, len(model.posterior)))
    )
    opened = simulate_open(
        pipeline.probabilities,
        pipeline.frame["amount"].to_numpy(float),
        _index(pipeline.frame, by, groups),
        len(groups),
        settings.simulations,
        rng,
        factors,
        pipeline.milestone,
    )
    new = simulate_new(
        rates,
        model.pool["amount"].to_numpy(float),
        weights,
        _index(model.pool, by, groups),
        len(groups),
        settings.simulations,
        rng,
        factors[:, 0] if factors.shape[1] else shock,
    )
    direct = _direct_orders(run_rate, edges, groups, settings) if settings.direct_orders else None
    return months, Simulation(opened, new, groups, direct)


def _direct_orders(
    run_rate: RunRateModel, edges: np.ndarray, groups: tuple[str, ...], settings: ForecastSettings
) -> np.ndarray:
    """Draws of repeat and direct orders, independent of the deals' draws and shocks.

    A stream of its own keeps the deal draws those of a forecast without this source.
    """
    return simulate_run_rate(
        run_rate,
        edges,
        _index(run_rate.pool, settings.by, groups),
        len(groups),
        settings.simulations,
        np.random.default_rng([settings.seed, 1]),
    )


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _rows(totals: np.ndarray, labels: list[str], grain: str, source: str, group: str) -> list:
    q = np.quantile(totals, [0.1, 0.5, 0.9], axis=0)
    mean = totals.mean(axis=0)
    return [
        (grain, label, source, group, q[0, i], q[1, i], q[2, i], mean[i])
        for i, label in enumerate(labels)
    ]


def summarise(months: list[date], simulation: Simulation, by: str | None) -> pd.DataFrame:
    """P10 / P50 / P90 and mean per month and quarter, source and group."""
    month_labels = [f"{m:%Y-%m}" for m in months]
    quarter_labels = sorted({_quarter(m) for m in months})
    member = np.array([[_quarter(m) == q for m in months] for q in quarter_labels], dtype=float)
    sources = {OPEN: simulation.open_pipeline, NEW: simulation.not_yet_created}
    if simulation.repeat_and_direct is not None:
        sources[DIRECT] = simulation.repeat_and_direct
    sources[TOTAL] = simulation.total
    rows: list = []
    for source, draws in sources.items():
        groups = [(g, draws[:, :, i]) for i, g in enumerate(simulation.groups)]
        if by is not None:
            groups.append(("all", draws.sum(axis=2)))
        for group, per_month in groups:
            rows += _rows(per_month, month_labels, "month", source, group)
            rows += _rows(per_month @ member.T, quarter_labels, "quarter", source, group)
    columns = ["grain", "period", "source", by or "group", "p10", "p50", "p90", "mean"]
    frame = pd.DataFrame(rows, columns=columns).round({"p10": 2, "p50": 2, "p90": 2, "mean": 2})
    if by is None:
        frame = frame.drop(columns="group")
    return frame


def forecast(
    history: History, as_of: date | None = None, settings: ForecastSettings | None = None
) -> Forecast:
    """Forecast order intake from ``history`` as known at the end of ``as_of``.

    Examples
    --------
    >>> from revintel.forecast import load_history
    >>> from revintel.model import load_funnel
    >>> from revintel.store import open_store
    >>> from revintel.synth import SynthConfig, write_demo_company
    >>> store = open_store(":memory:")
    >>> _ = write_demo_company(store, SynthConfig(leads=2_000, accounts=200, reps=10))
    >>> result = forecast(load_history(store, load_funnel()), settings=ForecastSettings(months=3))
    >>> sorted(set(result.frame["source"]))
    ['not yet created', 'open pipeline', 'repeat and direct orders', 'total']
    """
    settings = settings or ForecastSettings()
    model = fit_model(history, as_of, settings)
    months, simulation = run_simulation(model, settings)
    return Forecast(model, settings, months, simulation, summarise(months, simulation, settings.by))
