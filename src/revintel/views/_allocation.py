"""Resource allocation as the dashboard shows it: the plan of selling hours with its reasons, each
rep's load today and under the plan against capacity, for one user.

The plan is one company-wide answer (:func:`allocation_plan`, computed once and kept); what a
user sees of it is narrowed by :func:`allocation_view`: managers and admins see every row, a
team lead the rows of the team's reps, a sales rep only their own suggested accounts and deals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import pandas as pd

from revintel.allocation import (
    Allocation,
    AllocationError,
    AllocationInputError,
    AllocationReason,
    AllocationRules,
    CurveReport,
    RepModelError,
    allocation_inputs,
    coverage_by_size,
    coverage_models,
    curve_report_of,
    over_served,
    portfolio,
    portfolio_matrix,
    solve_inputs,
    under_served,
)
from revintel.allocation._potential_features import spend_window
from revintel.auth import Permission, Role, User
from revintel.store import Store

#: Columns of :attr:`AllocationView.assignments`: the contract columns, the reason's kind and
#: level pulled out for sorting and filtering.
ASSIGNMENT_VIEW_COLUMNS = (
    "rep_id",
    "account_id",
    "opportunity_id",
    "hours_per_week",
    "expected_gain",
    "kind",
    "level",
    "reason",
)
#: Columns of :attr:`AllocationView.load`.
LOAD_COLUMNS = (
    "rep_id",
    "name",
    "team",
    "region",
    "capacity_hours_per_week",
    "hours_before",
    "hours_after",
    "accounts",
    "opportunities",
)


class AllocationUnavailableError(ValueError):
    """The store cannot be planned (no reps, no orders …); the message says what is missing."""


@dataclass(frozen=True)
class AllocationPlan:
    """The company's plan and the reps' load, the same for every user.

    Attributes
    ----------
    allocation
        The programme's answer.
    load
        One row per rep in the shape of :data:`LOAD_COLUMNS`: capacity, weekly hours logged
        in the activities of the year up to ``as_of`` (``hours_before``) and planned
        (``hours_after``), and the number of planned accounts and deals.
    as_of
        The day the plan is made on (the latest order).
    portfolio
        Every account with revenue, potential, churn risk, value, today's hours and a
        recommended level (:func:`~revintel.allocation._portfolio.portfolio` as of ``as_of``).
    rules
        The rules the plan keeps.
    coverage
        The coverage model per account
        (:func:`~revintel.allocation._coverage_model.coverage_models` as of ``as_of`` on the
        same potential), ``None`` when it cannot be computed (too little history to fit the
        response curve).
    curve
        The response curve the plan used and what it says an hour of selling buys.
    """

    allocation: Allocation
    load: pd.DataFrame
    as_of: date | None
    portfolio: pd.DataFrame
    rules: AllocationRules
    coverage: pd.DataFrame | None = None
    curve: CurveReport | None = None


@dataclass(frozen=True)
class AllocationView:
    """What one user sees of the plan.

    Attributes
    ----------
    assignments
        The user's rows of the plan (:data:`ASSIGNMENT_VIEW_COLUMNS`), by rep and item.
    load
        The user's reps (:data:`LOAD_COLUMNS`).
    portfolio
        The user's accounts of the portfolio (all, or those suggested for the user's reps).
    matrix
        Accounts, revenue, potential, white space and hours per cell of ``portfolio``.
    under_served, over_served
        High-potential accounts with too little attention today, low-potential ones with
        too much (of ``portfolio``).
    by_size
        Today's coverage by size: hours a week per segment and revenue tier of ``portfolio``
        (:func:`~revintel.allocation._portfolio.coverage_by_size`).
    coverage
        The coverage model of the accounts of ``portfolio`` (``None`` when it cannot be
        computed).
    curve
        The company's response curve, for those who see the whole plan (else ``None``).
    as_of, status, objective, gap
        The plan's day and how good it is (the whole company's figures).
    scoped
        Whether rows were left out for this user.
    """

    assignments: pd.DataFrame
    load: pd.DataFrame
    portfolio: pd.DataFrame
    matrix: pd.DataFrame
    under_served: pd.DataFrame
    over_served: pd.DataFrame
    as_of: date | None
    status: str
    objective: float
    gap: float
    scoped: bool
    by_size: pd.DataFrame | None = None
    coverage: pd.DataFrame | None = None
    curve: CurveReport | None = None


def latest_day(store: Store) -> date | None:
    """The latest day with an order or an activity (``None`` in an empty store)."""
    found: list[date] = []
    for name, column in (("orders", "ordered_at"), ("activities", "occurred_at")):
        value = store.table(name)[column].max().execute()
        if value is not None and not pd.isna(value):
            found.append(pd.Timestamp(value).date())
    return max(found) if found else None


def logged_hours(store: Store, as_of: date | None, weeks_per_year: float) -> pd.Series:
    """Weekly selling hours per rep logged in the activities of the twelve months up to
    ``as_of`` (inclusive): minutes summed, in hours, spread over the year's selling weeks (as
    the plan's weekly hours are). Activities without a duration count nothing."""
    if as_of is None:
        return pd.Series(dtype=float)
    activities = store.table("activities")
    start, end = spend_window(as_of)
    window = activities.filter(
        (activities.occurred_at >= ibis.literal(start))
        & (activities.occurred_at < ibis.literal(end))
        & activities.rep_id.notnull()
    )
    minutes = window.group_by("rep_id").aggregate(minutes=window.duration_minutes.sum())
    frame = minutes.to_pandas()
    hours = frame.set_index("rep_id")["minutes"].fillna(0.0).astype(float) / 60.0
    return hours / weeks_per_year


def rep_load(
    store: Store, allocation: Allocation, as_of: date | None, rules: AllocationRules
) -> pd.DataFrame:
    """Per rep: capacity, weekly hours today (:func:`logged_hours`) and under ``allocation``,
    and the number of accounts and deals it gives the rep (:data:`LOAD_COLUMNS`)."""
    reps = store.table("reps").select("rep_id", "name", "team", "region", "capacity_hours_per_week")
    frame = reps.to_pandas().sort_values("rep_id", kind="stable").reset_index(drop=True)
    rows = allocation.assignments
    by_rep = rows.groupby("rep_id")
    frame["hours_before"] = frame["rep_id"].map(logged_hours(store, as_of, rules.weeks_per_year))
    frame["hours_before"] = frame["hours_before"].fillna(0.0)
    frame["hours_after"] = frame["rep_id"].map(by_rep["hours_per_week"].sum()).fillna(0.0)
    frame["accounts"] = frame["rep_id"].map(by_rep["account_id"].count()).fillna(0).astype(int)
    frame["opportunities"] = (
        frame["rep_id"].map(by_rep["opportunity_id"].count()).fillna(0).astype(int)
    )
    return frame[list(LOAD_COLUMNS)]


def allocation_plan(store: Store) -> AllocationPlan:
    """The company's plan as of the latest order, with the packaged rules: the inputs of
    :func:`~revintel.allocation.plan_allocation` read from ``store`` and solved, the reps'
    load before and after, and the portfolio of accounts on the same potential.

    Raises
    ------
    AllocationUnavailableError
        The store cannot be planned; the message says why (no reps, no activities, too few
        closed deals, coverage rules beyond capacity …).
    """
    try:
        inputs = allocation_inputs(store)
        allocation = solve_inputs(inputs)
    except (AllocationInputError, RepModelError, AllocationError) as exc:
        raise AllocationUnavailableError(str(exc)) from exc
    accounts = portfolio(store, as_of=inputs.as_of, rules=inputs.rules, potential=inputs.potential)
    load = rep_load(store, allocation, inputs.as_of, inputs.rules)
    try:
        models: pd.DataFrame | None = coverage_models(
            store, as_of=inputs.as_of, potential=inputs.potential
        )
    except ValueError:  # too little history for the response curve: the plan stands alone
        models = None
    curve = curve_report_of(inputs.curve, inputs.history, inputs.as_of, inputs.rules)
    return AllocationPlan(allocation, load, inputs.as_of, accounts, inputs.rules, models, curve)


def plan_or_reason(store: Store) -> AllocationPlan | str:
    """:func:`allocation_plan`, or why there is none (kept like a plan, so that a store that
    cannot be planned is not tried again on every visit)."""
    try:
        return allocation_plan(store)
    except AllocationUnavailableError as exc:
        return str(exc)


def allocation_view(store: Store, user: User) -> AllocationView:
    """What ``user`` sees of the company's plan (:func:`visible_rep_ids`)."""
    return view_of(allocation_plan(store), visible_rep_ids(store, user))


def assignment_frame(allocation: Allocation) -> pd.DataFrame:
    """The plan's rows in the shape of :data:`ASSIGNMENT_VIEW_COLUMNS`."""
    rows = allocation.assignments.copy()
    reasons: list[AllocationReason] = list(rows["reason"])
    rows["kind"] = [r.kind for r in reasons]
    rows["level"] = [r.level for r in reasons]
    return rows[list(ASSIGNMENT_VIEW_COLUMNS)].reset_index(drop=True)


def visible_rep_ids(store: Store, user: User) -> set[str] | None:
    """The reps whose rows of the plan ``user`` sees; ``None`` for every rep.

    Users who plan (the ``allocate`` permission: managers, admins) see the whole plan; a team
    lead the reps of their own rep's team, a sales rep their own rep id, anybody else
    nothing."""
    if user.can(Permission.allocate):
        return None
    if user.rep_id is None or user.role not in (Role.sales_rep, Role.team_lead):
        return set()
    if user.role is Role.team_lead:
        reps = store.table("reps").select("rep_id", "team").to_pandas()
        team = reps.loc[reps["rep_id"] == user.rep_id, "team"].dropna()
        if not team.empty:
            return set(reps.loc[reps["team"] == team.iloc[0], "rep_id"]) | {user.rep_id}
    return {user.rep_id}


def view_of(plan: AllocationPlan, seen: set[str] | None) -> AllocationView:
    """What a user who sees the reps ``seen`` (``None``: all) sees of ``plan``."""
    allocation = plan.allocation
    rows, load, accounts = assignment_frame(allocation), plan.load, plan.portfolio
    models = plan.coverage
    if seen is not None:
        rows = rows[rows["rep_id"].isin(seen)].reset_index(drop=True)
        load = load[load["rep_id"].isin(seen)].reset_index(drop=True)
        suggested = accounts["account_id"].isin(rows["account_id"].dropna())
        accounts = accounts[suggested].reset_index(drop=True)
        if models is not None:
            mine = models["account_id"].isin(accounts["account_id"])
            models = models[mine].reset_index(drop=True)
    return AllocationView(
        assignments=rows,
        load=load,
        portfolio=accounts,
        matrix=portfolio_matrix(accounts),
        under_served=under_served(accounts),
        over_served=over_served(accounts, plan.rules),
        as_of=plan.as_of,
        status=allocation.status,
        objective=allocation.objective,
        gap=allocation.gap,
        scoped=seen is not None,
        by_size=coverage_by_size(accounts),
        coverage=models,
        curve=plan.curve if seen is None else None,
    )
