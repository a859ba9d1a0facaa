"""Reverse-funnel planning as the API and the dashboard show it, on the rows a user may see.

The plan itself comes from :mod:`revintel.alignment._plan`; these functions read the store
through :func:`revintel.auth.scoped_store` (a sales rep plans with their own leads and deals, a
team lead with the team's), turn the caller's raw inputs into a
:class:`~revintel.alignment._plan.PlanRequest` and give the plan's frames one shape with plain
values: months as first days, intervals as ``required_low`` and ``required_high``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from revintel.alignment._plan import (
    STAGES,
    Plan,
    PlanDataError,
    PlanError,
    PlanRequest,
    Scenario,
    compare_scenarios,
    reverse_plan,
)
from revintel.alignment._plan_period import target_from_table
from revintel.alignment._plan_rates import TOTAL
from revintel.auth import User, scoped_store
from revintel.store import Store
from revintel.views._plan_inputs import (
    BY_CHOICES,
    FORECAST_MONTHS,
    MAX_DRAWS,
    MAX_FACTOR,
    MAX_TARGET,
    MIN_DRAWS,
    PlanInputError,
    PlanInputs,
    check_factor,
    next_quarter,
    parse_scenario_text,
    plan_request,
)

__all__ = [
    "BY_CHOICES",
    "MAX_DRAWS",
    "MAX_FACTOR",
    "MAX_TARGET",
    "MIN_DRAWS",
    "MONTH_COLUMNS",
    "RATE_COLUMNS",
    "SCENARIO_COLUMNS",
    "STAGES",
    "TOTAL",
    "TOTAL_COLUMNS",
    "NoTargetError",
    "PlanDataError",
    "PlanError",
    "PlanInputError",
    "PlanInputs",
    "PlanView",
    "latest_day",
    "next_quarter",
    "parse_scenario_text",
    "plan_channels",
    "plan_request",
    "plan_scenarios",
    "plan_view",
]

MONTH_COLUMNS = (
    "month",
    "group",
    "stage",
    "required_p50",
    "required_low",
    "required_high",
    "run_rate",
    "gap",
)
TOTAL_COLUMNS = MONTH_COLUMNS[1:]
RATE_COLUMNS = (
    "group",
    "step",
    "rate",
    "low",
    "high",
    "n",
    "median_lag_days",
    "deal_size",
    "mql_share",
)
SCENARIO_COLUMNS = ("scenario", "group", "stage", "required_p50", "required_low", "required_high")
#: What the engine may call an interval's ends, and the names these views give them.
_INTERVAL_NAMES = {"low": "required_low", "high": "required_high"}


class NoTargetError(PlanError):
    """No target was given and the targets table holds none for the period."""

    def __init__(self, period: str) -> None:
        super().__init__(
            f"no target is stored for {period}; give a target or upload targets "
            "(revintel targets import FILE, POST /api/v1/targets)"
        )
        self.period = period


@dataclass(frozen=True)
class PlanView:
    """A plan with its frames in the shape of :data:`MONTH_COLUMNS`, :data:`TOTAL_COLUMNS` and
    :data:`RATE_COLUMNS`, and the period it covers in the caller's words."""

    period: str
    period_start: date
    period_end: date
    by: str
    target: float
    target_source: str
    forecast_p50: float | None
    scenario: Scenario
    months: pd.DataFrame
    totals: pd.DataFrame
    rates: pd.DataFrame


def latest_day(store: Store) -> date:
    """The day of the store's latest lead (today for a store without leads)."""
    found = store.table("leads").created_at.max().execute()
    return date.today() if found is None or pd.isna(found) else pd.Timestamp(found).date()


def _month(value: object) -> date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    text = str(value)
    return date(int(text[:4]), int(text[5:7]), 1)


def _shaped(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with the interval columns named as :data:`MONTH_COLUMNS` names them, every
    column in ``columns`` present (missing ones empty) and plain group ids."""
    found = frame.rename(columns={k: v for k, v in _INTERVAL_NAMES.items() if v in columns})
    found = found.copy()
    for column in columns:
        if column not in found.columns:
            found[column] = None
    if "group" in found.columns:
        found["group"] = found["group"].fillna("").astype(str)
    if "month" in found.columns:
        found["month"] = [_month(m) for m in found["month"]]
    return found.loc[:, list(columns)].reset_index(drop=True)


def _checked_request(source: Store, inputs: PlanInputs) -> tuple[str, PlanRequest]:
    latest = None if inputs.as_of else latest_day(source)
    period, request = plan_request(inputs, latest)
    start = inputs.as_of or latest or date.today()
    ahead = (request.period_end.year - start.year) * 12 + request.period_end.month - start.month
    if request.with_forecast and ahead > FORECAST_MONTHS:
        raise PlanInputError(
            f"with_forecast: the forecast reaches at most {FORECAST_MONTHS} months ahead",
            "with_forecast",
        )
    stored = None
    if request.target is None:
        stored = target_from_table(source, request.period_start, request.period_end)
    if request.target is None and stored is None:
        raise NoTargetError(period)
    return period, request


def plan_channels(store: Store, user: User) -> tuple[str, ...]:
    """The channels of the leads ``user`` may see, sorted."""
    leads = scoped_store(store, user).table("leads")
    found = leads.select("channel").distinct().to_pyarrow().column("channel").to_pylist()
    return tuple(sorted(str(c) for c in found if c))


def plan_view(store: Store, user: User, inputs: PlanInputs) -> PlanView:
    """The plan of ``inputs`` on the rows ``user`` may see.

    Raises
    ------
    PlanInputError
        For an input that cannot be used (see :func:`plan_request`).
    NoTargetError
        When no target is given and the targets table has none for the period.
    PlanError, PlanDataError
        When no plan can be made from the history (too little of it).
    """
    source = scoped_store(store, user)
    period, request = _checked_request(source, inputs)
    plan: Plan = reverse_plan(source, request)
    return PlanView(
        period=period,
        period_start=request.period_start,
        period_end=request.period_end,
        by=request.by,
        target=float(plan.target),
        target_source=plan.target_source,
        forecast_p50=None if plan.forecast_p50 is None else float(plan.forecast_p50),
        scenario=request.scenario,
        months=_shaped(plan.months, MONTH_COLUMNS),
        totals=_shaped(plan.totals, TOTAL_COLUMNS),
        rates=_shaped(plan.rates, RATE_COLUMNS),
    )


def plan_scenarios(
    store: Store, user: User, inputs: PlanInputs, scenarios: tuple[Scenario, ...]
) -> tuple[str, pd.DataFrame]:
    """The period planned and the totals of the base plan of ``inputs`` and of each scenario,
    side by side (:data:`SCENARIO_COLUMNS`), on the rows ``user`` may see."""
    source = scoped_store(store, user)
    period, request = _checked_request(source, inputs)
    for scenario in scenarios:
        for name, value in (("mql_to_sal", scenario.mql_to_sal), ("deal_size", scenario.deal_size)):
            check_factor(value, name)
        for value in scenario.channel_leads.values():
            check_factor(value, "scenario")
    frame = compare_scenarios(source, request, list(scenarios))
    return period, _shaped(frame, SCENARIO_COLUMNS)
