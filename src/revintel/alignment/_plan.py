"""Reverse-funnel planning: from an order-intake target back to the MQLs, SALs, SQLs and
opportunities each month needs, with Monte Carlo intervals, compared with the run-rate.

The plan walks the funnel backwards: won deals = target / deal size; each earlier stage needs
``count / rate`` entries, placed earlier in time by the measured lag between the milestones.
Rates, lags and deal sizes are measured from the store's history before the as-of date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from revintel.alignment._plan_period import (
    PeriodError,
    month_starts,
    parse_period,
    target_from_table,
)
from revintel.alignment._plan_rates import (
    STAGES,
    TOTAL,
    LeadJourneys,
    MeasuredFunnel,
    PlanDataError,
    load_journeys,
    measure_funnel,
)
from revintel.alignment._plan_simulate import (
    adjusted_shares,
    entry_month_fractions,
    expected_required,
    feed_lag_days,
    simulate_required,
)
from revintel.alignment._plan_tables import month_edges, plan_tables, rates_used, run_rates
from revintel.forecast._history import cutoff_days
from revintel.store import Store

__all__ = [
    "STAGES",
    "TOTAL",
    "PeriodError",
    "Plan",
    "PlanDataError",
    "PlanError",
    "PlanRequest",
    "Scenario",
    "compare_scenarios",
    "parse_period",
    "plan_from_journeys",
    "reverse_plan",
]

#: Months before the period the entry months of the plan may reach back to.
LOOKBACK_MONTHS = 24


class PlanError(ValueError):
    """A plan cannot be made; the message says why in one sentence."""


@dataclass(frozen=True)
class Scenario:
    """A what-if change to the measured funnel.

    Parameters
    ----------
    name
        Label of the scenario in comparisons.
    mql_to_sal
        Multiplier on the MQL→SAL rate (the result is capped at 1).
    deal_size
        Multiplier on the deal size.
    channel_leads
        Multiplier on the share of MQLs from a channel, e.g. ``{"webinar": 1.5}``; the shares
        are normalised again afterwards.
    """

    name: str = "base"
    mql_to_sal: float = 1.0
    deal_size: float = 1.0
    channel_leads: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanRequest:
    """What to plan: the target, the period, the split and the Monte Carlo settings.

    ``target`` None reads the company target for the period from the targets table.
    ``by`` is ``"channel"``, ``"segment"`` or ``""`` (company as one group).
    ``as_of`` None measures from the store's latest data. ``with_forecast`` also runs the
    order-intake forecast for the period; ``noise`` False gives the expected counts at the
    measured rates and mean deal size, without any Monte Carlo.
    """

    target: float | None
    period_start: date
    period_end: date
    by: str = "channel"
    as_of: date | None = None
    scenario: Scenario = field(default_factory=Scenario)
    draws: int = 2000
    seed: int = 0
    level: float = 0.8
    with_forecast: bool = False
    noise: bool = True


@dataclass(frozen=True)
class Plan:
    """A reverse plan.

    ``months``: month, group, stage, required_p50, required_low, required_high, run_rate, gap
    (required_p50 - run_rate). ``totals``: group, stage, required_p50, low, high, run_rate, gap.
    ``rates``: group, step, rate, low, high, n, median_lag_days, deal_size (what the plan used).
    ``forecast_p50``: the order-intake forecast for the period when asked for, else None.
    ``target_source``: ``"argument"`` or ``"targets table"``. ``feed_lag_days``: median days
    from MQL to won deal, the lag by which the MQLs feeding the period precede it.
    """

    request: PlanRequest
    target: float
    months: pd.DataFrame
    totals: pd.DataFrame
    rates: pd.DataFrame
    forecast_p50: float | None
    target_source: str
    feed_lag_days: float = 0.0


def _draws(measured: MeasuredFunnel, request: PlanRequest, target: float) -> dict[str, np.ndarray]:
    scenario = request.scenario
    shares = adjusted_shares(measured, scenario.channel_leads)
    if not request.noise:
        expected = expected_required(
            measured, target, shares, scenario.mql_to_sal, scenario.deal_size
        )
        out = {g: counts[None, :] for g, counts in expected.items()}
    else:
        rng = np.random.default_rng(request.seed)
        out = simulate_required(
            measured, target, shares, scenario.mql_to_sal, scenario.deal_size, request.draws, rng
        )
    if TOTAL not in out:
        out[TOTAL] = np.sum(list(out.values()), axis=0)
    return out


def plan_from_journeys(journeys: LeadJourneys, request: PlanRequest) -> Plan:
    """The reverse plan from loaded lead journeys; ``request.target`` must be set."""
    if request.target is None or not request.target > 0:
        raise PlanError("the target must be a positive amount")
    if request.period_end < request.period_start:
        raise PlanError("the period ends before it starts")
    as_of = request.as_of or journeys.last_day
    measured = measure_funnel(journeys, as_of, request.by)
    draws = _draws(measured, request, float(request.target))
    first = month_starts(request.period_start, request.period_start)[0]
    for _ in range(LOOKBACK_MONTHS):
        first = date((first - timedelta(days=1)).year, (first - timedelta(days=1)).month, 1)
    months = month_starts(first, request.period_end)
    period = (
        cutoff_days(request.period_start - timedelta(days=1)),
        cutoff_days(request.period_end),
    )
    rng = np.random.default_rng(request.seed + 1)
    edges = month_edges(months, request.period_end)
    fractions = entry_month_fractions(measured, period, edges, rng)
    period_months = len(month_starts(request.period_start, request.period_end))
    run = run_rates(journeys, request.by, as_of)
    frame, totals = plan_tables(draws, fractions, months, run, request.level, period_months)
    scenario = request.scenario
    return Plan(
        request=replace(request, as_of=as_of),
        target=float(request.target),
        months=frame,
        totals=totals,
        rates=rates_used(measured, request.level, scenario.mql_to_sal, scenario.deal_size),
        forecast_p50=None,
        target_source="argument",
        feed_lag_days=feed_lag_days(measured, rng),
    )


def _forecast_p50(store: Store, as_of: date, start: date, end: date) -> float | None:
    from revintel.forecast import ForecastSettings, forecast, load_history
    from revintel.model import load_funnel

    ahead = len(month_starts(as_of + timedelta(days=1), end))
    if end <= as_of or ahead == 0:
        return None
    result = forecast(load_history(store, load_funnel()), as_of, ForecastSettings(months=ahead))
    inside = [
        i
        for i, m in enumerate(result.months)
        if m.replace(day=1) >= start.replace(day=1) and m <= end
    ]
    if not inside:
        return None
    return round(float(np.median(result.simulation.total[:, inside, :].sum(axis=(1, 2)))), 2)


def _resolved_target(store: Store, request: PlanRequest) -> tuple[float, str]:
    if request.target is not None:
        return float(request.target), "argument"
    found = target_from_table(store, request.period_start, request.period_end)
    if found is None:
        raise PlanError(
            f"the targets table has no target for {request.period_start.isoformat()} to "
            f"{request.period_end.isoformat()}; give one with --target"
        )
    return found, "targets table"


def reverse_plan(store: Store, request: PlanRequest) -> Plan:
    """The MQLs, SALs, SQLs and opportunities each month needs to reach the target.

    Examples
    --------
    >>> from revintel.store import open_store
    >>> from revintel.synth import SynthConfig, write_demo_company
    >>> store = open_store(":memory:")
    >>> _ = write_demo_company(store, SynthConfig(leads=3_000, accounts=300, reps=10))
    >>> start, end = parse_period("2024-Q1")
    >>> plan = reverse_plan(store, PlanRequest(1e6, start, end, as_of=date(2023, 12, 31)))
    >>> list(plan.totals.columns)
    ['group', 'stage', 'required_p50', 'low', 'high', 'run_rate', 'gap']
    """
    target, source = _resolved_target(store, request)
    plan = plan_from_journeys(load_journeys(store), replace(request, target=target))
    assert plan.request.as_of is not None
    forecast_p50 = (
        _forecast_p50(store, plan.request.as_of, request.period_start, request.period_end)
        if request.with_forecast
        else None
    )
    return replace(plan, target_source=source, forecast_p50=forecast_p50)


def compare_scenarios(
    store: Store, request: PlanRequest, scenarios: Sequence[Scenario]
) -> pd.DataFrame:
    """Totals of the base plan and each scenario side by side.

    Columns: scenario, group, stage, required_p50, low, high, run_rate, gap; every scenario
    uses the same seed, so differences come from the scenario, not from the draws.
    """
    target, _ = _resolved_target(store, request)
    journeys = load_journeys(store)
    frames = []
    for scenario in (request.scenario, *scenarios):
        plan = plan_from_journeys(journeys, replace(request, target=target, scenario=scenario))
        frames.append(plan.totals.assign(scenario=scenario.name))
    out = pd.concat(frames, ignore_index=True)
    return out[["scenario", *(c for c in out.columns if c != "scenario")]]
