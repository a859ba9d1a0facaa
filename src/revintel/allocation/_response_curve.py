"""How order intake answers selling time: a concave response curve with diminishing returns,
fitted to the history of account-years by nonlinear least squares with bootstrap intervals.

The share of an account's potential it orders in a year with ``h`` hours of sales contact is

    s(h) = s0 + (s_max − s0) · (1 − exp(−h / h_half))

``s0`` is what the account orders without contact, ``s_max`` what it orders with unlimited
contact, and ``h_half`` the hours after which 1 − 1/e ≈ 63 % of the possible lift is reached.

When the history holds several years of accounts whose hours changed between them, the shape is
read within the accounts (:mod:`revintel.allocation._response_within`): across accounts hours
follow size, and the curve would credit time with what size buys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from revintel.allocation._response_within import AccountYears, account_years, fit_within

log = logging.getLogger(__name__)

#: Parameter names in the order the curve takes them.
PARAMETERS = ("s0", "s_max", "h_half")
_HISTORY_COLUMNS = ("hours", "order_intake")


class ResponseCurveError(ValueError):
    """The history cannot carry a response curve; the message says which column or value."""


def response_share(
    hours: np.ndarray | float, s0: float, s_max: float, h_half: float
) -> np.ndarray | float:
    """The share of potential ordered with ``hours`` of contact a year (see the module)."""
    return s0 + (s_max - s0) * (1.0 - np.exp(-np.asarray(hours, dtype=float) / h_half))


@dataclass(frozen=True)
class ResponseCurve:
    """A fitted (or given) response curve.

    Attributes
    ----------
    s0, s_max, h_half
        The parameters of :func:`response_share`; with no potential in the history the
        shares are euros of order intake.
    intervals
        Parameter → (low, high) of the 95 % bootstrap interval (empty when given by hand).
    accounts
        Account-years the curve was fitted to.
    method
        ``within accounts`` (the shape from each account's years) or ``across accounts``.

    Examples
    --------
    >>> curve = ResponseCurve(s0=0.1, s_max=0.5, h_half=20.0)
    >>> round(float(curve.lift(20.0)), 4)
    0.2528
    """

    s0: float
    s_max: float
    h_half: float
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    accounts: int = 0
    method: str = "across accounts"

    def share(self, hours: np.ndarray | float) -> np.ndarray | float:
        """Share of potential ordered with ``hours`` of contact a year."""
        return response_share(hours, self.s0, self.s_max, self.h_half)

    def lift(self, hours: np.ndarray | float) -> np.ndarray | float:
        """Share of potential gained by ``hours`` a year over no contact at all."""
        return (self.s_max - self.s0) * (
            1.0 - np.exp(-np.asarray(hours, dtype=float) / self.h_half)
        )


def fit_response_curve(
    history: pd.DataFrame,
    *,
    bootstrap: int = 200,
    seed: int = 0,
) -> ResponseCurve:
    """Fit the response curve to account-years of contact and order intake.

    Parameters
    ----------
    history
        One row per account and year: ``hours`` of sales contact (or touchpoints),
        ``order_intake`` (EUR) and, when known, the account's ``potential`` (EUR a year).
        Without potential the curve is fitted to euros of intake directly.
    bootstrap
        Resamples of the account-years for the 95 % intervals (0: none).
    seed
        Seed of the resampling.

    Raises
    ------
    ResponseCurveError
        A column is missing, a value is negative or missing, or there are fewer than ten
        account-years or too little spread of hours to see a curve.
    """
    hours, intake, potential = _checked_history(history)
    years = account_years(history)
    if years is not None:
        return _fit_within_accounts(years, len(hours), bootstrap, seed)
    point = _fit(hours, intake, potential, None)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(bootstrap):
        pick = rng.integers(0, len(hours), len(hours))
        try:
            draws.append(_fit(hours[pick], intake[pick], potential[pick], point))
        except (RuntimeError, ResponseCurveError):
            continue  # a resample without spread in hours says nothing about the curve
    s0, s_max, h_half = (float(v) for v in point)
    return ResponseCurve(s0, s_max, h_half, intervals=_intervals(draws), accounts=len(hours))


def _fit_within_accounts(
    years: AccountYears, rows: int, bootstrap: int, seed: int
) -> ResponseCurve:
    point = fit_within(years)
    start = (point[0] / point[1], point[2])
    rng = np.random.default_rng(seed)
    draws = [
        fit_within(years.pick(rng.integers(0, years.accounts, years.accounts)), start)
        for _ in range(bootstrap)
    ]
    s0, s_max, h_half = (float(v) for v in point)
    return ResponseCurve(
        s0, s_max, h_half, intervals=_intervals(draws), accounts=rows, method="within accounts"
    )


def _intervals(draws: list[np.ndarray]) -> dict[str, tuple[float, float]]:
    intervals: dict[str, tuple[float, float]] = {}
    if draws:
        sample = np.array(draws)
        for i, name in enumerate(PARAMETERS):
            low, high = np.percentile(sample[:, i], [2.5, 97.5])
            intervals[name] = (float(low), float(high))
    return intervals


def _checked_history(history: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in _HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise ResponseCurveError(
            f"history: column {missing[0]!r} is missing; expected hours, order_intake "
            "and optionally potential"
        )
    columns = [*_HISTORY_COLUMNS, *(["potential"] if "potential" in history.columns else [])]
    values = {c: pd.to_numeric(history[c], errors="coerce").to_numpy(float) for c in columns}
    for name, column in values.items():
        if np.isnan(column).any() or (column < 0).any():
            raise ResponseCurveError(f"history: column {name!r} holds a missing or negative value")
    potential = values.get("potential", np.ones(len(history)))
    if (potential <= 0).any():
        raise ResponseCurveError("history: column 'potential' must be positive")
    if len(history) < 10:
        raise ResponseCurveError(f"history: {len(history)} account-years; at least 10 needed")
    if np.ptp(values["hours"]) <= 0:
        raise ResponseCurveError("history: every account-year has the same hours")
    return values["hours"], values["order_intake"], potential


def _fit(
    hours: np.ndarray, intake: np.ndarray, potential: np.ndarray, start: np.ndarray | None
) -> np.ndarray:
    """Least squares on shares of potential (errors proportional to potential)."""
    share = intake / potential
    if start is None:
        low = float(np.mean(share[hours <= np.quantile(hours, 0.2)]))
        high = float(np.mean(share[hours >= np.quantile(hours, 0.8)]))
        start = np.array([low, max(high, low * 1.01 + 1e-9), max(float(np.median(hours)), 1e-6)])
    if np.ptp(hours) <= 0:
        raise ResponseCurveError("no spread in hours")
    upper_half = 100.0 * float(hours.max())
    params, _ = curve_fit(
        response_share,
        hours,
        share,
        p0=np.clip(start, [0.0, 0.0, 1e-6], [np.inf, np.inf, upper_half]),
        bounds=([0.0, 0.0, 1e-6], [np.inf, np.inf, upper_half]),
        maxfev=5000,
    )
    return np.asarray(params, dtype=float)
