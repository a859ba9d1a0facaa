"""The capacity allocation of a store: its accounts, reps, open deals and history turned into the
inputs of :func:`~revintel.allocation.allocate_capacity`, and the plan solved from them.

Every read goes through the store's Ibis tables (DuckDB, PostgreSQL, Spark); only sums per
account, per account-year and per deal reach pandas.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from revintel.allocation._potential import PotentialEstimate, estimate_potential
from revintel.allocation._potential_features import UNKNOWN, as_day, last_order_day
from revintel.allocation._rep_deals import rep_deals
from revintel.allocation._rep_fit import fit_rep_fit
from revintel.allocation._rep_performance import RepPerformance, performance_of
from revintel.allocation._rep_skill import fit_rep_skill
from revintel.allocation._response_curve import ResponseCurve, fit_response_curve
from revintel.allocation._rules import AllocationRules, read_rules
from revintel.allocation._solver import allocate_capacity
from revintel.allocation._solver_result import Allocation
from revintel.allocation._store_history import (
    AllocationInputError,
    contact_history,
    history_years,
)
from revintel.allocation._store_reps import deal_uplift, industry_fit
from revintel.store import Store

log = logging.getLogger(__name__)

ACCOUNT_COLUMNS = ("account_id", "region", "segment", "industry", "owner_rep_id", "potential")
REP_COLUMNS = ("rep_id", "name", "team", "region", "capacity_hours_per_week")
OPPORTUNITY_COLUMNS = ("opportunity_id", "account_id", "owner_rep_id", "amount", "win_uplift")


@dataclass(frozen=True)
class AllocationInputs:
    """What :func:`allocation_inputs` read from a store, ready for ``allocate_capacity``.

    Attributes
    ----------
    accounts
        Real accounts: ``account_id``, ``region``, ``segment``, ``industry``,
        ``owner_rep_id``, ``potential`` (EUR a year, Σ of the families' potential).
    reps
        ``rep_id``, ``name``, ``team``, ``region``, ``capacity_hours_per_week``.
    opportunities
        Open deals on those accounts: ``opportunity_id``, ``account_id``, ``owner_rep_id``,
        ``amount``, ``win_uplift``.
    rep_fit
        ``rep_id``, ``industry``, ``factor``: how much more often the rep closes the
        industry's offers than the average rep (1: as often; see
        :mod:`revintel.allocation._store_reps`).
    history
        The account-years the curve was fitted to: ``account_id``, ``year_end``, ``hours``,
        ``order_intake``, ``potential``.
    curve
        The fitted response curve.
    rules
        The rules the plan keeps.
    as_of
        Last day of the history used.
    potential, performance
        The potential estimate and the rep model behind the frames.
    """

    accounts: pd.DataFrame
    reps: pd.DataFrame
    opportunities: pd.DataFrame
    rep_fit: pd.DataFrame
    history: pd.DataFrame
    curve: ResponseCurve
    rules: AllocationRules
    as_of: date
    potential: PotentialEstimate
    performance: RepPerformance


def allocation_inputs(
    store: Store,
    *,
    as_of: date | datetime | str | None = None,
    rules: AllocationRules | None = None,
) -> AllocationInputs:
    """Read the inputs of the capacity allocation from ``store``.

    Parameters
    ----------
    store
        A store with accounts, reps, orders, opportunities and sales activities.
    as_of
        Last day of the history used (default: the day of the latest order).
    rules
        The allocation rules (default: the packaged ``conf/allocation.yaml``).

    Raises
    ------
    AllocationInputError
        The store has no reps, no orders or no sales activities, or too little history for
        the response curve; the message says what is missing.
    RepModelError
        Too few closed deals to compare reps.
    """
    rules = rules if rules is not None else read_rules()
    day = history_end(store, as_of)
    reps = store_reps(store)
    history_years(store, day)  # what is missing is said before the models are fitted
    try:
        potential = estimate_potential(store, day)
    except ValueError as exc:
        raise AllocationInputError(f"account potential: {exc}") from None
    accounts = store_accounts(store, potential, reps)
    history = contact_history(store, day, accounts[["account_id", "potential"]])
    curve = fit_history_curve(history)
    deals = rep_deals(store, day)
    skill = fit_rep_skill(deals)
    performance = performance_of(deals, skill, fit_rep_fit(deals, skill))
    rep_ids = reps["rep_id"].to_numpy(str)
    fit = industry_fit(deals, rep_ids, performance)
    opportunities = open_opportunities(deals, accounts, rep_ids, performance)
    return AllocationInputs(
        accounts=accounts,
        reps=reps,
        opportunities=opportunities,
        rep_fit=fit,
        history=history,
        curve=curve,
        rules=rules,
        as_of=day,
        potential=potential,
        performance=performance,
    )


def plan_allocation(
    store: Store,
    *,
    as_of: date | datetime | str | None = None,
    rules: AllocationRules | None = None,
    candidates_per_account: int | None = None,
    time_limit: float = 60.0,
) -> Allocation:
    """The capacity allocation of ``store``: :func:`allocation_inputs` solved by
    :func:`~revintel.allocation.allocate_capacity`.

    Raises
    ------
    AllocationInputError, RepModelError
        See :func:`allocation_inputs`.
    AllocationError
        No assignment keeps the coverage rules within the reps' capacity (or an input the
        solver refuses, e.g. a rep without capacity).
    """
    inputs = allocation_inputs(store, as_of=as_of, rules=rules)
    return solve_inputs(
        inputs, candidates_per_account=candidates_per_account, time_limit=time_limit
    )


def solve_inputs(
    inputs: AllocationInputs,
    *,
    candidates_per_account: int | None = None,
    time_limit: float = 60.0,
) -> Allocation:
    """:func:`~revintel.allocation.allocate_capacity` of inputs already read."""
    return allocate_capacity(
        inputs.accounts,
        inputs.reps,
        curve=inputs.curve,
        rules=inputs.rules,
        opportunities=inputs.opportunities,
        rep_fit=inputs.rep_fit,
        candidates_per_account=candidates_per_account,
        time_limit=time_limit,
    )


def history_end(store: Store, as_of: date | datetime | str | None) -> date:
    """``as_of`` as a day, by default the day of the latest order."""
    try:
        return last_order_day(store) if as_of is None else as_day(as_of)
    except ValueError as exc:
        raise AllocationInputError(str(exc)) from None


def store_reps(store: Store) -> pd.DataFrame:
    """Every rep with team, region and weekly selling hours, sorted by id."""
    frame: pd.DataFrame = store.table("reps").select(*REP_COLUMNS).to_pandas()
    if frame.empty:
        raise AllocationInputError("the store holds no reps: import reps to allocate their hours")
    frame["capacity_hours_per_week"] = pd.to_numeric(
        frame["capacity_hours_per_week"], errors="coerce"
    )
    return frame.sort_values("rep_id", ignore_index=True)


def store_accounts(store: Store, potential: PotentialEstimate, reps: pd.DataFrame) -> pd.DataFrame:
    """Real (non-placeholder) accounts with their potential summed over families; an owner
    who is no rep of the store counts as none."""
    table = store.table("accounts")
    real = table.filter(~table.placeholder.fill_null(False))
    frame: pd.DataFrame = real.select(*ACCOUNT_COLUMNS[:-1]).to_pandas()
    for column in ("region", "segment", "industry"):
        frame[column] = frame[column].astype("string").fillna(UNKNOWN).astype(str)
    known = frame["owner_rep_id"].isin(reps["rep_id"])
    frame["owner_rep_id"] = frame["owner_rep_id"].where(known, None)
    sums = potential.frame.groupby("account_id")["potential"].sum()
    frame["potential"] = frame["account_id"].map(sums).fillna(0.0).astype(float)
    return frame.sort_values("account_id", ignore_index=True)[list(ACCOUNT_COLUMNS)]


def fit_history_curve(history: pd.DataFrame, *, bootstrap: int = 50) -> ResponseCurve:
    """The response curve of the account-years with a potential (``bootstrap`` resamples for
    its intervals); a clear error when the history cannot carry one."""
    usable = history[history["potential"] > 0]
    if usable.empty or not (usable["hours"] > 0).any():
        raise AllocationInputError(
            "no sales hours on accounts with a potential: import activities with their "
            "duration (revintel import activities FILE) to fit the response curve"
        )
    try:
        return fit_response_curve(usable, bootstrap=bootstrap)
    except (ValueError, RuntimeError) as exc:
        raise AllocationInputError(
            f"too little history for the response curve ({len(usable)} account-years): {exc}"
        ) from None


def open_opportunities(
    deals: pd.DataFrame,
    accounts: pd.DataFrame,
    rep_ids: np.ndarray,
    performance: RepPerformance,
) -> pd.DataFrame:
    """Open deals on the accounts with amount, owner and the win uplift of
    :func:`~revintel.allocation._store_reps.deal_uplift`."""
    open_deals = deals[
        (deals["status"] == "open") & deals["account_id"].isin(accounts["account_id"])
    ].reset_index(drop=True)
    if open_deals.empty:
        return pd.DataFrame(columns=list(OPPORTUNITY_COLUMNS))
    frame = pd.DataFrame(
        {
            "opportunity_id": open_deals["opportunity_id"].astype(str),
            "account_id": open_deals["account_id"].astype(str),
            "owner_rep_id": open_deals["rep_id"].where(open_deals["rep_id"].isin(rep_ids), None),
            "amount": pd.to_numeric(open_deals["amount"], errors="coerce").fillna(0.0).clip(0.0),
            "win_uplift": deal_uplift(open_deals, rep_ids, performance),
        }
    )
    return frame.sort_values("opportunity_id", ignore_index=True)
