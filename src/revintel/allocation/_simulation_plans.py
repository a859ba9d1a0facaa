"""The three allocations the proof by simulation compares, each of the same sales hours:
today's size-based service, the optimised plan and a random one.

The optimised plan sees only what a company sees in its store — the estimated potential, the
response curve fitted to the logged contact hours and the recurring revenue of the complete
years in the store (within accounts where their hours changed) —
never the planted truth; the capacity of each rep is the hours its accounts get today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from revintel.allocation._potential import estimate_potential
from revintel.allocation._potential_features import as_day, last_order_day
from revintel.allocation._response_curve import ResponseCurve, fit_response_curve
from revintel.allocation._rules import AllocationRules, Continuity, ServiceLevel, read_rules
from revintel.allocation._simulation import (
    OrderNoise,
    Simulation,
    SimulationError,
    WalletTruth,
    simulate_year,
)
from revintel.allocation._solver import allocate_capacity
from revintel.allocation._store_history import contact_history
from revintel.store import Store

#: Names of the allocations, in the order they are reported (``optimised_finer`` only when
#: finer levels are given).
PLANS = ("size_based", "optimised", "optimised_finer", "random")
#: Relative gap and seconds the solve with finer levels may take.
FINER_GAP, FINER_TIME_LIMIT = 1e-2, 300.0


@dataclass(frozen=True)
class Replay:
    """The replayed year: the simulation and what the optimised plan was made from.

    Attributes
    ----------
    simulation
        The allocations :data:`PLANS` scored against the truth (see :class:`Simulation`).
    curve
        The response curve fitted to the store's history (hours a year, share of the
        estimated potential).
    capacity
        Rep id → hours a week the rep gives its accounts today: each plan's capacity.
    status
        The solver's status of the optimised plan (``optimal`` or ``time_limit``).
    finer_status
        The solver's status of the plan with finer levels (None without).
    """

    simulation: Simulation
    curve: ResponseCurve
    capacity: pd.Series
    status: str
    finer_status: str | None = None


def replay_allocation(
    store: Store,
    truth: WalletTruth,
    *,
    as_of: date | datetime | str | None = None,
    rules: AllocationRules | None = None,
    noise: OrderNoise | None = None,
    draws: int = 2_000,
    seed: int = 0,
    finer_levels: Sequence[float] = (),
) -> Replay:
    """Replay one year of ``store``'s customers with today's, the optimised and random hours.

    Today's allocation is ``truth.hours_today``. The optimised one is :func:`allocate_capacity`
    on the customers with the potential of :func:`estimate_potential` and a curve fitted to
    the logged hours and the recurring revenue of the years up to ``as_of``, each
    rep's capacity being its accounts' hours today; continuity, minimum coverage and the
    hourly costs of ``rules`` are set aside, since the hours are paid in every plan and the
    question is only where they earn most. The random allocation deals today's hours to the
    customers in a random order. Each plan is scored by :func:`simulate_year`.

    ``finer_levels`` (hours a week, e.g. ``(0.1, 0.25, 0.5, 1, 2)``) adds the plan
    ``optimised_finer``: the same programme offered these levels instead of the rules' ones.

    Raises
    ------
    SimulationError
        No customer in the truth, or a customer the store does not know.
    """
    rules = rules if rules is not None else read_rules()
    day = last_order_day(store) if as_of is None else as_day(as_of)
    accounts = _customer_accounts(store, truth)
    estimate = estimate_potential(store, day, seed=seed).by_account().set_index("account_id")
    accounts["potential"] = (
        estimate["potential"].reindex(accounts["account_id"]).fillna(0.0).to_numpy()
    )
    history = contact_history(
        store, day, estimate["potential"].rename_axis("account_id").reset_index()
    )
    curve = fit_response_curve(history[history["potential"] > 0], bootstrap=0, seed=seed)
    today = truth.hours_today.reindex(accounts["account_id"]).to_numpy()
    capacity = pd.Series(today, index=accounts["owner_rep_id"]).groupby(level=0).sum()
    reps = _reps(store, capacity)
    allocation = allocate_capacity(accounts, reps, curve=curve, rules=_replay_rules(rules))
    plans = {
        "size_based": pd.Series(today, index=accounts["account_id"]),
        "optimised": _hours(allocation.assignments),
    }
    finer_status = None
    if len(finer_levels):
        # more levels, many more variables: a 1 % gap keeps the solve within its time
        finer = allocate_capacity(
            accounts,
            reps,
            curve=curve,
            rules=_replay_rules(rules, finer_levels),
            mip_rel_gap=FINER_GAP,
            time_limit=FINER_TIME_LIMIT,
        )
        plans["optimised_finer"], finer_status = _hours(finer.assignments), finer.status
    rng = np.random.default_rng([seed, 1])
    plans["random"] = pd.Series(rng.permutation(today), index=accounts["account_id"])
    simulation = simulate_year(
        truth,
        plans,
        margin_rate=rules.margin_rate,
        cost_per_hour=max(level.cost_per_hour for level in rules.service_levels.values()),
        weeks_per_year=rules.weeks_per_year,
        noise=noise,
        draws=draws,
        seed=seed,
    )
    return Replay(simulation, curve, capacity, allocation.status, finer_status)


def _customer_accounts(store: Store, truth: WalletTruth) -> pd.DataFrame:
    customers = truth.customers
    if not len(customers):
        raise SimulationError("the truth names no customer with hours today")
    table = store.table("accounts")
    frame = table.select("account_id", "region", "segment", "owner_rep_id").to_pandas()
    frame = frame[frame["account_id"].isin(customers)].sort_values("account_id", ignore_index=True)
    unknown = customers.difference(frame["account_id"])
    if len(unknown):
        raise SimulationError(f"customers missing from the store: {', '.join(unknown[:5])}")
    if frame["owner_rep_id"].isna().any():
        raise SimulationError("every customer needs an owner, whose hours today it gets")
    return frame


def _reps(store: Store, capacity: pd.Series) -> pd.DataFrame:
    table = store.table("reps")
    reps = table.select("rep_id", "region", "team").to_pandas()
    reps = reps[reps["rep_id"].isin(capacity.index)].reset_index(drop=True)
    reps["capacity_hours_per_week"] = capacity.reindex(reps["rep_id"]).to_numpy()
    return reps


def _hours(assignments: pd.DataFrame) -> pd.Series:
    return assignments.groupby("account_id")["hours_per_week"].sum()


def _replay_rules(rules: AllocationRules, levels_hours: Sequence[float] = ()) -> AllocationRules:
    """``rules`` without costs, coverage rules or continuity (and with ``levels_hours``)."""
    levels = {
        name: level.model_copy(update={"cost_per_hour": 0.0})
        for name, level in rules.service_levels.items()
    }
    if len(levels_hours):
        hours = sorted({float(h) for h in levels_hours if h > 0})
        if not hours:
            raise SimulationError("finer_levels needs at least one level above 0 hours a week")
        levels = {"none": ServiceLevel(hours_per_week=0.0, cost_per_hour=0.0)} | {
            f"{h:g}h": ServiceLevel(hours_per_week=h, cost_per_hour=0.0) for h in hours
        }
    return rules.model_copy(
        update={
            "service_levels": levels,
            "minimum_coverage": (),
            "continuity": Continuity(switch_gain_percent=0.0, switch_gain_eur=0.0),
        }
    )
