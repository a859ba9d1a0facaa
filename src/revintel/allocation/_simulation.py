"""The proof by simulation: allocations of the same sales hours scored against a known truth.

Each allocation gives every customer some hours a week. Against the true potential and the
true share-of-wallet curve each has an expected yearly order intake and margin; drawing the
year's orders with the purchase noise of the demo company many times gives the spread around
it. The draws are shared by all allocations (common random numbers), so the difference between
two allocations is measured with far less noise than either alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Columns of :attr:`Simulation.plans`.
PLAN_COLUMNS = (
    "plan",
    "hours_per_week",
    "accounts_served",
    "expected_intake",
    "expected_margin",
    "intake_low",
    "intake_high",
    "margin_low",
    "margin_high",
)
#: Columns of :attr:`Simulation.uplift`.
UPLIFT_COLUMNS = (
    "plan",
    "against",
    "expected_intake",
    "expected_margin",
    "intake_low",
    "intake_high",
    "share",
)


class SimulationError(ValueError):
    """The truth or an allocation cannot be scored; the message names what is wrong."""


@dataclass(frozen=True)
class WalletTruth:
    """What each account could buy and how much of it sales hours win, as planted.

    Attributes
    ----------
    potential
        Account id → potential over all product families, EUR a year.
    hours_today
        Account id → hours a week today's service rule gives the account (0: no customer).
    s0, s_max, h_half
        The share of wallet ``s0 + (s_max − s0)(1 − exp(−h / h_half))`` at ``h`` hours a week.

    Examples
    --------
    >>> truth = WalletTruth(
    ...     pd.Series({"A1": 100.0}), pd.Series({"A1": 1.0}), s0=0.1, s_max=0.5, h_half=1.0
    ... )
    >>> round(float(truth.spend(pd.Series({"A1": 1.0})).sum()), 2)
    35.28
    """

    potential: pd.Series
    hours_today: pd.Series
    s0: float
    s_max: float
    h_half: float

    @classmethod
    def from_mapping(cls, allocation: Mapping[str, Any]) -> WalletTruth:
        """The truth file's ``allocation`` entry: ``potential`` per account and family,
        ``hours_today`` and ``share_of_wallet`` (``s0``, ``s_max``, ``h_half``)."""
        missing = [
            k for k in ("potential", "hours_today", "share_of_wallet") if k not in allocation
        ]
        if missing:
            raise SimulationError(f"the truth lacks {', '.join(missing)}")
        potential = pd.Series(
            {a: float(sum(f.values())) for a, f in allocation["potential"].items()}, dtype=float
        )
        hours = pd.Series(allocation["hours_today"], dtype=float)
        curve = allocation["share_of_wallet"]
        return cls(
            potential, hours, float(curve["s0"]), float(curve["s_max"]), float(curve["h_half"])
        )

    @property
    def customers(self) -> pd.Index:
        """The accounts today's rule serves (hours above 0), sorted."""
        return self.hours_today.index[self.hours_today > 0].sort_values()

    def share(self, hours: np.ndarray) -> np.ndarray:
        """True share of wallet at ``hours`` a week."""
        lift = 1.0 - np.exp(-np.asarray(hours, dtype=float) / self.h_half)
        return np.asarray(self.s0 + (self.s_max - self.s0) * lift)

    def spend(self, hours: pd.Series) -> pd.Series:
        """Expected yearly order intake of each account of ``hours`` (hours a week)."""
        unknown = hours.index.difference(self.potential.index)
        if len(unknown):
            raise SimulationError(f"no true potential for accounts {', '.join(unknown[:5])}")
        return self.potential.reindex(hours.index) * self.share(hours.to_numpy())


@dataclass(frozen=True)
class OrderNoise:
    """The purchase noise of a customer's year: orders at a Gamma-distributed rate, their
    values Gamma around the customer's mean (the demo company's BG/NBD and Gamma-Gamma draws).

    Attributes
    ----------
    rate_shape, rate_per_year
        Shape and mean of the yearly purchase rate across customers.
    value_shape
        Shape of an order's value around the customer's mean order value.
    """

    rate_shape: float = 1.2
    rate_per_year: float = 2.0
    value_shape: float = 4.0

    def multipliers(self, rng: np.random.Generator, customers: int, draws: int) -> np.ndarray:
        """(draws, customers) factors of mean 1: one year's orders over the expected spend."""
        rate = rng.gamma(self.rate_shape, self.rate_per_year / self.rate_shape, (draws, customers))
        orders = rng.poisson(rate)
        units = np.where(orders > 0, rng.gamma(np.maximum(orders, 1) * self.value_shape), 0.0)
        return units / (self.value_shape * self.rate_per_year)


@dataclass(frozen=True)
class Simulation:
    """Allocations scored against the truth.

    Attributes
    ----------
    plans
        One row per allocation, columns :data:`PLAN_COLUMNS`: total hours a week, accounts with
        hours, expected order intake and margin a year, and the ``level`` interval of the
        simulated years.
    uplift
        Each allocation against the first one (columns :data:`UPLIFT_COLUMNS`): expected gain,
        interval of the simulated gain (same draws for both) and the gain as a share.
    hours
        Hours a week per account (rows) and allocation (columns).
    draws, level
        Simulated years and the interval's coverage.
    """

    plans: pd.DataFrame
    uplift: pd.DataFrame
    hours: pd.DataFrame
    draws: int
    level: float


def simulate_year(
    truth: WalletTruth,
    plans: Mapping[str, pd.Series],
    *,
    margin_rate: float,
    cost_per_hour: float = 0.0,
    weeks_per_year: float = 46.0,
    noise: OrderNoise | None = None,
    draws: int = 2_000,
    level: float = 0.9,
    seed: int = 0,
) -> Simulation:
    """Score allocations of hours a week to the customers against the true curve.

    Parameters
    ----------
    truth
        True potential and share-of-wallet curve.
    plans
        Name → hours a week per account id; accounts left out get none. The first plan is
        the one the others are compared with.
    margin_rate
        Contribution margin on order intake; the margin is ``margin_rate × intake`` minus
        ``cost_per_hour × weeks_per_year`` for every weekly hour given.
    noise
        How a year's orders scatter around the expected spend (default: the demo company's).
    draws, level, seed
        Simulated years, the coverage of the intervals and the seed of the draws.

    Raises
    ------
    SimulationError
        No plan, negative hours, an account without a true potential, or a bad
        ``draws``/``level``/``margin_rate``.
    """
    _check(plans, draws, level, margin_rate)
    customers = truth.customers
    for plan in plans.values():
        customers = customers.union(plan.index[plan > 0])
    hours = pd.DataFrame(
        {name: plan.reindex(customers, fill_value=0.0) for name, plan in plans.items()}
    )
    spend = pd.DataFrame({name: truth.spend(hours[name]) for name in hours.columns})
    factors = (noise or OrderNoise()).multipliers(
        np.random.default_rng(seed), len(customers), draws
    )
    intake = factors @ spend.to_numpy()  # (draws, plans)
    cost = hours.sum().to_numpy() * weeks_per_year * cost_per_hour
    margin = margin_rate * intake - cost
    tails = (100 * (1 - level) / 2, 100 * (1 + level) / 2)
    plans_frame = pd.DataFrame(
        {
            "plan": list(hours.columns),
            "hours_per_week": hours.sum().to_numpy(),
            "accounts_served": (hours > 0).sum().to_numpy(),
            "expected_intake": spend.sum().to_numpy(),
            "expected_margin": margin_rate * spend.sum().to_numpy() - cost,
            "intake_low": np.percentile(intake, tails[0], axis=0),
            "intake_high": np.percentile(intake, tails[1], axis=0),
            "margin_low": np.percentile(margin, tails[0], axis=0),
            "margin_high": np.percentile(margin, tails[1], axis=0),
        }
    )
    return Simulation(
        plans_frame[list(PLAN_COLUMNS)],
        _uplift(plans_frame, intake, tails),
        hours.rename_axis("account_id"),
        draws,
        level,
    )


def _uplift(plans: pd.DataFrame, intake: np.ndarray, tails: tuple[float, float]) -> pd.DataFrame:
    rows = []
    base = plans.iloc[0]
    for i in range(1, len(plans)):
        gain = intake[:, i] - intake[:, 0]
        expected = plans["expected_intake"].iloc[i] - base["expected_intake"]
        rows.append(
            {
                "plan": plans["plan"].iloc[i],
                "against": base["plan"],
                "expected_intake": expected,
                "expected_margin": plans["expected_margin"].iloc[i] - base["expected_margin"],
                "intake_low": float(np.percentile(gain, tails[0])),
                "intake_high": float(np.percentile(gain, tails[1])),
                "share": expected / base["expected_intake"] if base["expected_intake"] else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=list(UPLIFT_COLUMNS))


def _check(plans: Mapping[str, pd.Series], draws: int, level: float, margin_rate: float) -> None:
    if not plans:
        raise SimulationError("name at least one allocation to score")
    for name, plan in plans.items():
        if plan.isna().any() or (plan < 0).any():
            raise SimulationError(f"allocation {name!r} has missing or negative hours")
        if plan.index.has_duplicates:
            raise SimulationError(f"allocation {name!r} names an account twice")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 100:
        raise SimulationError(f"draws must be a whole number of at least 100, got {draws!r}")
    if not 0.0 < level < 1.0:
        raise SimulationError(f"level must lie strictly between 0 and 1, got {level}")
    if not 0.0 < margin_rate <= 1.0:
        raise SimulationError(f"margin_rate must lie in (0, 1], got {margin_rate}")
