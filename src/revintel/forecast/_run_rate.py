"""Repeat and direct orders: the order intake that never passes through an opportunity.

Repeat business, webshop and EDI orders arrive without a deal before them. Their net intake
(orders minus returns) is forecast by a seasonal run-rate: the mean of the last twelve complete
months, times a month-of-year factor and an optionally damped trend. The range comes from a
compound Poisson draw of recent orders (order-size noise) times one level factor per run whose
spread is what the run-rate missed on the months before the cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from revintel.forecast._history import cutoff_days

#: Months of history that set the level (and the pool of orders the simulation draws from).
LEVEL_MONTHS = 12
#: Spread of the per-run level factor (log scale) when too few past months can be replayed.
DEFAULT_LEVEL_SIGMA = 0.3
#: Fewest replayed months whose misses set the level spread.
MIN_REPLAYED = 6
#: Month-ends before the cut-off on which :func:`select_params` replays the candidates.
SELECTION_ORIGINS = 12
#: Window, in months, of the longer replayed forecast when choosing a variant.
SELECTION_MONTHS = 3
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class RunRateParams:
    """How the run-rate is extrapolated.

    ``seasonal``: apply month-of-year factors (classical decomposition, each factor pulled toward
    1 by ``seasonal_prior`` pseudo-years); ``damping``: the damping factor ``phi`` of the trend
    between the last two twelve-month windows (0: no trend, 1: undamped), after Gardner &
    McKenzie (1985), "Forecasting trends in time series", Management Science 31(10).
    """

    seasonal: bool = True
    damping: float = 0.0
    seasonal_prior: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.damping <= 1.0:
            raise ValueError(f"run-rate damping must lie in [0, 1], got {self.damping}")
        if self.seasonal_prior < 0:
            raise ValueError(f"run-rate seasonal_prior must be >= 0, got {self.seasonal_prior}")


#: The variants the backtest chooses from on its tuning origins.
CANDIDATES = tuple(
    RunRateParams(seasonal=s, damping=d) for s in (False, True) for d in (0.0, 0.5, 0.9)
)


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of days since 1970-01-01.

    Examples
    --------
    >>> month_index(np.array([0.0, 31.0, 365.0])).tolist()
    [0, 1, 12]
    """
    stamps = np.datetime64("1970-01-01") + np.floor(days).astype("timedelta64[D]")
    return stamps.astype("datetime64[M]").astype(np.int64)


def monthly_intake(orders: pd.DataFrame, first: int, last: int) -> np.ndarray:
    """Net intake per month ``first`` … ``last`` (month indices, both included)."""
    months = month_index(orders["at"].to_numpy(float))
    inside = (months >= first) & (months <= last)
    return np.bincount(
        months[inside] - first, orders["amount"].to_numpy(float)[inside], minlength=last - first + 1
    )


def seasonal_factors(series: np.ndarray, first: int, prior: float) -> np.ndarray:
    """Month-of-year factors (index 0 = January) by ratio to a centred 2x12 moving average.

    Classical decomposition (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*,
    3rd ed., section 3.4); each factor is shrunk toward 1 by ``prior`` pseudo-years and the
    twelve are scaled to average 1. Months without a full year either side leave factors at 1.
    """
    weights = np.r_[0.5, np.ones(11), 0.5] / 12.0
    if len(series) < 13:
        return np.ones(12)
    trend = np.convolve(series, weights, mode="valid")  # centred on series[6:-6]
    middle = series[6 : len(series) - 6]
    ok = trend > 0
    ratios = np.where(ok, middle / np.where(ok, trend, 1.0), np.nan)
    moy = (np.arange(6, len(series) - 6) + first) % 12
    factors = np.ones(12)
    for m in range(12):
        values = ratios[(moy == m) & ok]
        if len(values):
            n = len(values)
            factors[m] = 1.0 + n / (n + prior) * (float(values.mean()) - 1.0)
    return factors / factors.mean()


def _trend_multiplier(series: np.ndarray, distances: np.ndarray, damping: float) -> np.ndarray:
    """Growth between the last two twelve-month windows, damped, over ``distances`` months."""
    if damping == 0 or len(series) < 2 * LEVEL_MONTHS:
        return np.ones(len(distances))
    last, previous = series[-LEVEL_MONTHS:].sum(), series[-2 * LEVEL_MONTHS : -LEVEL_MONTHS].sum()
    if last <= 0 or previous <= 0:
        return np.ones(len(distances))
    monthly = float(np.log(np.clip(last / previous, 0.5, 2.0))) / LEVEL_MONTHS
    # phi + phi² + ... + phi^d: the damped trend's cumulative growth over d months
    steps = distances if damping == 1 else damping * (1 - damping**distances) / (1 - damping)
    return np.exp(monthly * steps)


def point_forecast(
    series: np.ndarray, first: int, targets: np.ndarray, params: RunRateParams
) -> np.ndarray:
    """Expected net intake of the months ``targets`` from the complete months in ``series``.

    ``series[i]`` is the intake of month ``first + i``; the last entry is the last complete
    month before the forecast.
    """
    if len(series) == 0:
        return np.zeros(len(targets))
    level = float(series[-LEVEL_MONTHS:].mean())
    factors = seasonal_factors(series, first, params.seasonal_prior) if params.seasonal else None
    season = np.ones(len(targets)) if factors is None else factors[targets % 12]
    # The level is the mean of the trailing window, centred 5.5 months before its last month.
    last = first + len(series) - 1
    window = min(LEVEL_MONTHS, len(series))
    distances = (targets - last + (window - 1) / 2).astype(float)
    return level * season * _trend_multiplier(series, distances, params.damping)


@dataclass(frozen=True)
class RunRateModel:
    """The run-rate fitted at a cut-off; see :func:`fit_run_rate`."""

    params: RunRateParams
    cut: float
    first: int
    series: np.ndarray
    pool: pd.DataFrame
    level_sigma: float

    def expected(self, edges: np.ndarray) -> np.ndarray:
        """Expected net intake per period between ``edges`` (days after the cut-off)."""
        start = self.cut + edges[:-1]
        end = self.cut + edges[1:]
        out = np.zeros(len(edges) - 1)
        if len(self.series) == 0:
            return out
        months = np.arange(month_index(start[:1])[0], month_index(end[-1:] - 1e-6)[0] + 1)
        per_month = point_forecast(self.series, self.first, months, self.params)
        month_start = _month_days(months)
        month_end = _month_days(months + 1)
        for k in range(len(out)):
            # each month counts with the share of its days inside the period
            inside = np.minimum(end[k], month_end) - np.maximum(start[k], month_start)
            overlap = np.clip(inside, 0, None)
            out[k] = float((per_month * overlap / (month_end - month_start)).sum())
        return out


def _month_days(months: np.ndarray) -> np.ndarray:
    stamps = np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]")
    return stamps.astype(np.int64).astype(float)


def _level_sigma(series: np.ndarray, first: int, params: RunRateParams, pool_cv2: float) -> float:
    """Log-scale spread of the level beyond order-size noise, from one-step misses."""
    errors = []
    for t in range(max(LEVEL_MONTHS, len(series) - LEVEL_MONTHS), len(series)):
        expected = point_forecast(series[:t], first, np.array([first + t]), params)[0]
        if expected > 0 and series[t] > 0:
            errors.append((np.log(series[t] / expected), expected))
    if len(errors) < MIN_REPLAYED:
        return DEFAULT_LEVEL_SIGMA
    squared = np.mean([e**2 for e, _ in errors])
    mean_expected = float(np.mean([x for _, x in errors]))
    noise = pool_cv2 / max(mean_expected, 1e-9)  # CV² of a compound Poisson month
    return float(np.sqrt(max(squared - noise, 0.0)))


def select_params(
    series: np.ndarray, first: int, candidates: tuple[RunRateParams, ...] = CANDIDATES
) -> RunRateParams:
    """The candidate whose forecasts missed least over the last months of ``series``.

    Each candidate forecasts, as of each of the last :data:`SELECTION_ORIGINS` month-ends
    that leave :data:`SELECTION_MONTHS` observed months, the next month and the next three;
    the lowest sum of both windows' WAPE wins (ties: the earlier candidate). With too short a
    history for a single replay, the plain trailing mean (the first candidate) is kept.
    """
    last_origin = len(series) - SELECTION_MONTHS
    origins = range(max(LEVEL_MONTHS, last_origin - SELECTION_ORIGINS + 1), last_origin + 1)
    if len(origins) == 0:
        return candidates[0]
    best, best_score = candidates[0], np.inf
    for params in candidates:
        score = 0.0
        for n in (1, SELECTION_MONTHS):
            actual = np.array([series[t : t + n].sum() for t in origins])
            predicted = np.array(
                [
                    point_forecast(series[:t], first, first + t + np.arange(n), params).sum()
                    for t in origins
                ]
            )
            score += np.abs(predicted - actual).sum() / max(actual.sum(), 1e-9)
        if score < best_score:
            best, best_score = params, score
    return best


def fit_run_rate(
    orders: pd.DataFrame, as_of: date, params: RunRateParams | None = None
) -> RunRateModel:
    """The run-rate of repeat and direct ``orders`` (``at``, signed ``amount``) at ``as_of``.

    Only orders before the end of ``as_of`` are read; months count from the first order's
    month to the last complete month before the cut-off. Without ``params`` the variant is
    chosen by :func:`select_params` on those months alone.
    """
    cut = cutoff_days(as_of)
    known = orders[orders["at"] < cut]
    last_complete = int(month_index(np.array([cut]))[0]) - 1
    if len(known) == 0:
        return RunRateModel(
            params or CANDIDATES[0], cut, last_complete + 1, np.zeros(0), known, 0.0
        )
    first = int(month_index(known["at"].to_numpy(float)).min())
    series = monthly_intake(known, first, last_complete) if last_complete >= first else np.zeros(0)
    params = params or select_params(series, first)
    window_start = float(_month_days(np.array([last_complete + 1 - LEVEL_MONTHS]))[0])
    pool = known[known["at"] >= window_start].reset_index(drop=True)
    amounts = pool["amount"].to_numpy(float)
    mean = float(amounts.mean()) if len(amounts) else 0.0
    # E[a²]/E[a] in amount units; divided by the month's expected intake gives its CV².
    pool_cv2 = float((amounts**2).mean() / mean) if mean > 0 else 0.0
    sigma = _level_sigma(series, first, params, pool_cv2)
    return RunRateModel(params, cut, first, series, pool, sigma)


def simulate_run_rate(
    model: RunRateModel,
    edges: np.ndarray,
    group_index: np.ndarray,
    n_groups: int,
    simulations: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Net intake per simulation, period and group, shape ``(simulations, periods, groups)``.

    Each period holds a Poisson number of orders drawn from the pool (the orders and returns of
    the last twelve months, with their group ``group_index``) so that its mean is the run-rate;
    one lognormal level factor per run scales all its periods alike.
    """
    expected = model.expected(edges)
    out = np.zeros((simulations, len(expected), n_groups))
    amounts = model.pool["amount"].to_numpy(float)
    mean = float(amounts.mean()) if len(amounts) else 0.0
    if mean <= 0 or not np.any(expected > 0):
        return out
    sigma = model.level_sigma
    level = rng.lognormal(-0.5 * sigma**2, sigma, simulations)
    counts = rng.poisson(level[:, None] * np.clip(expected, 0, None)[None, :] / mean)
    chosen = rng.integers(0, len(amounts), size=int(counts.sum()))
    cell = np.repeat(np.arange(simulations * len(expected), dtype=np.int64), counts.ravel())
    keys = cell * n_groups + group_index[chosen]
    return np.bincount(keys, amounts[chosen], minlength=out.size).reshape(out.shape)
