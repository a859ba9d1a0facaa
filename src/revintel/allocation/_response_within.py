"""The response curve's shape from the years of each account: more hours in one year than in
another, and what that account ordered more or less in it.

Across accounts, hours follow size (large customers get more time and would order more anyway),
so the curve read from one year of many accounts mixes the effect of time with that of size.
Within an account its size stays, and only the hours change (a new rep, leave, a vacant
territory). With an account's own level ``α_a`` free,

    E[intake_ay] = α_a · g(h_ay),  g(h) = r + (1 − r) · (1 − exp(−h / h_half))

and the conditional Poisson likelihood of each account's intake spread over its years,

    ℓ(r, h_half) = Σ_a Σ_y w_ay · log( g(h_ay) / Σ_y' g(h_ay') ),

does not depend on ``α_a`` (Hausman, Hall & Griliches 1984, "Econometric models for count data
with an application to the patents–R&D relationship", Econometrica 52(4)); ``w_ay`` is the
intake as a share of the account's potential, so that a large account does not outweigh the
others. The level ``s_max`` then makes the curve's intake over all account-years equal the
ordered one: ``s_max = Σ intake / Σ potential · g(h)``, ``s0 = r · s_max``. The shape is held
to ``s_max ≤ 1``: no account orders more than its potential, however straight the few noisy
years of a small company make the curve look.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

#: Accounts with at least two years of different hours and some intake needed for the fit.
MIN_ACCOUNTS = 30
#: Weight of the penalty that keeps ``s_max`` at most 1 (an account orders at most its potential).
LEVEL_PENALTY = 1_000.0


@dataclass(frozen=True)
class AccountYears:
    """Account-years of accounts with more than one year, as arrays (one entry per year)."""

    account: np.ndarray  # dense account code 0 … n−1
    hours: np.ndarray
    intake: np.ndarray
    potential: np.ndarray

    @property
    def accounts(self) -> int:
        return int(self.account.max()) + 1 if len(self.account) else 0

    def pick(self, codes: np.ndarray) -> AccountYears:
        """The years of the accounts ``codes`` (with repeats, renumbered), for the bootstrap."""
        order = np.argsort(self.account, kind="stable")
        starts = np.searchsorted(self.account[order], np.arange(self.accounts + 1))
        rows = [order[starts[c] : starts[c + 1]] for c in codes]
        index = np.concatenate(rows)
        account = np.repeat(np.arange(len(codes)), [len(r) for r in rows])
        return AccountYears(account, self.hours[index], self.intake[index], self.potential[index])


def account_years(history: pd.DataFrame) -> AccountYears | None:
    """The accounts of ``history`` (``account_id``, ``hours``, ``order_intake``, ``potential``)
    whose hours differ between their years and that ordered in one of them; ``None`` when fewer
    than :data:`MIN_ACCOUNTS` are left (the within-account fit has nothing to go by)."""
    if "account_id" not in history.columns or "potential" not in history.columns:
        return None
    # in a fixed order, so that the fit does not depend on the order an engine returns rows in
    keys = ["account_id", *(["year_end"] if "year_end" in history.columns else [])]
    frame = history.sort_values(keys, kind="stable")[
        ["account_id", "hours", "order_intake", "potential"]
    ].copy()
    groups = frame.groupby("account_id", sort=True)
    keep = (groups["hours"].transform("nunique") > 1) & (
        groups["order_intake"].transform("sum") > 0
    )
    frame = frame[keep & (frame["potential"] > 0)]
    codes, _ = pd.factorize(frame["account_id"], sort=True)
    if len(frame) == 0 or codes.max() + 1 < MIN_ACCOUNTS:
        return None
    return AccountYears(
        codes.astype(np.int64),
        frame["hours"].to_numpy(float),
        frame["order_intake"].to_numpy(float),
        frame["potential"].to_numpy(float),
    )


def _shape(hours: np.ndarray, r: float, h_half: float) -> np.ndarray:
    return r + (1.0 - r) * (1.0 - np.exp(-hours / h_half))


def _level(years: AccountYears, g: np.ndarray) -> float:
    """``s_max`` that makes the curve's intake over all account-years the ordered one."""
    return float(years.intake.sum() / np.sum(years.potential * g))


def _negative_likelihood(theta: np.ndarray, years: AccountYears, weight: np.ndarray) -> float:
    r = 1.0 / (1.0 + np.exp(-theta[0]))
    g = _shape(years.hours, r, float(np.exp(theta[1])))
    total = np.bincount(years.account, weights=g, minlength=years.accounts)
    value = -float(np.sum(weight * (np.log(g) - np.log(total[years.account]))))
    # An account cannot order more than its potential: a shape that needs s_max > 1 to explain
    # the intake (a straight line that never saturates, fitted to noisy years) is held back.
    excess = max(0.0, np.log(_level(years, g)))
    return value + LEVEL_PENALTY * float(weight.sum()) * excess**2


def fit_within(years: AccountYears, start: tuple[float, float] | None = None) -> np.ndarray:
    """``(s0, s_max, h_half)`` fitted to the years of each account (see the module)."""
    weight = years.intake / years.potential
    top = float(years.hours.max())
    r0, half0 = start if start is not None else (0.3, max(float(np.median(years.hours)), 1e-3))
    theta0 = np.array([np.log(r0 / (1.0 - r0)), np.log(half0)])
    result = minimize(
        _negative_likelihood,
        theta0,
        args=(years, weight),
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-14, "maxiter": 5000},
    )
    r = float(1.0 / (1.0 + np.exp(-result.x[0])))
    h_half = float(np.clip(np.exp(result.x[1]), 1e-3 * top, 100.0 * top))
    s_max = _level(years, _shape(years.hours, r, h_half))
    return np.array([r * s_max, s_max, h_half])
