"""``/api/v1/plan``: the reverse-funnel plan — from an order-intake target back to the MQLs,
SALs, SQLs and opportunities each month needs, by channel or segment, with intervals, the
run-rate and the gap — and the comparison of scenarios (docs/planning.md).

Every answer covers the rows the caller may see (a sales rep plans with their own leads and
deals) and is kept until the data changes (``cached_json``). A request outside the document
(a period not ``YYYY-Qn``, ``YYYY-MM`` or ``YYYY``, a target not positive, too many draws) gets
422; a plan that cannot be made (no target stored for the period, too little history) 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from revintel._frames import json_value
from revintel.alignment._plan import PlanDataError, PlanError, Scenario
from revintel.api.routers._common import CONDITIONAL, cached_json, repeated
from revintel.api.routers.analytics_schemas import IsoDate
from revintel.api.routers.plan_schemas import (
    PERIOD_PATTERN,
    SCENARIO_PATTERN,
    PlanMonth,
    PlanOut,
    PlanRate,
    PlanTotal,
    ScenarioOut,
    ScenarioRow,
    ScenariosOut,
    ScenarioText,
)
from revintel.server import ApiError, StateDep, StoreDep, UserDep
from revintel.views._plan import (
    MAX_DRAWS,
    MAX_FACTOR,
    MAX_TARGET,
    MIN_DRAWS,
    PlanInputError,
    PlanInputs,
    PlanView,
    parse_scenario_text,
    plan_scenarios,
    plan_view,
)

router = APIRouter(prefix="/plan", tags=["plan"])
_CANNOT: dict[int | str, dict[str, Any]] = {
    409: {"description": "No plan can be made: no target for the period, too little history."}
}

Target = Annotated[
    float | None,
    Query(
        gt=0,
        le=MAX_TARGET,
        description="order intake to reach in the store currency (default: the targets table)",
    ),
]
Period = Annotated[
    str | None,
    Query(
        pattern=PERIOD_PATTERN,
        max_length=7,
        description="YYYY-Qn, YYYY-MM or YYYY (default: the quarter after the as-of day)",
        examples=["2026-Q3"],
    ),
]
By = Annotated[Literal["channel", "segment", "none"], Query(description="split of the plan")]
AsOf = Annotated[
    IsoDate | None, Query(description="measure rates from history before this day (YYYY-MM-DD)")
]
Factor = Annotated[float, Query(gt=0, le=MAX_FACTOR)]
Channel = Annotated[str | None, Query(max_length=40, description="channel of channel_leads")]
Draws = Annotated[int, Query(ge=MIN_DRAWS, le=MAX_DRAWS, description="Monte Carlo draws")]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="random seed")]
Level = Annotated[float, Query(ge=0.5, le=0.99, description="central share of the interval")]
Scenarios = Annotated[
    list[ScenarioText] | None,
    Query(
        max_length=3,
        description="scenarios (repeat, at most 3): NAME=KNOB:FACTOR[,KNOB:FACTOR…], a knob "
        "being mql_to_sal, deal_size or leads.CHANNEL, a factor above 0 and at most 10",
    ),
]


def _inputs(
    target: float | None,
    period: str | None,
    by: str,
    as_of: Any,
    seed: int,
    draws: int,
    level: float,
    **knobs: Any,
) -> PlanInputs:
    return PlanInputs(
        target=target,
        period=period or "",
        by="" if by == "none" else by,
        as_of=as_of,
        seed=seed,
        draws=draws,
        level=level,
        **knobs,
    )


def _scenario_out(scenario: Scenario) -> ScenarioOut:
    return ScenarioOut(
        name=scenario.name,
        mql_to_sal=scenario.mql_to_sal,
        deal_size=scenario.deal_size,
        channel_leads=dict(scenario.channel_leads),
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): json_value(v) for k, v in r.items()} for r in frame.to_dict("records")]


def plan_out(view: PlanView, currency: str, inputs: PlanInputs) -> PlanOut:
    """The API's answer for a plan the views computed."""
    return PlanOut(
        period=view.period,
        period_start=view.period_start,
        period_end=view.period_end,
        by=view.by or "none",
        target=view.target,
        target_source=view.target_source,
        currency=currency,
        level=inputs.level,
        draws=inputs.draws,
        seed=inputs.seed,
        forecast_p50=view.forecast_p50,
        scenario=_scenario_out(view.scenario),
        months=[PlanMonth(**r) for r in _records(view.months)],
        totals=[PlanTotal(**r) for r in _records(view.totals)],
        rates=[PlanRate(**r) for r in _records(view.rates)],
    )


async def _answer(
    request: Request, state: StateDep, user: UserDep, build: Callable[[], BaseModel]
) -> Response:
    def checked() -> BaseModel:
        try:
            return build()
        except PlanInputError as exc:
            # The document rules out what the views refuse, but for a period it cannot
            # name (year 0): a rule beyond the document.
            raise ApiError(400, str(exc), field=exc.field) from None
        except (PlanError, PlanDataError) as exc:
            raise ApiError(409, str(exc)) from None

    return await cached_json(request, state, user, checked)


@router.get(
    "",
    response_model=PlanOut,
    summary="Reverse-funnel plan",
    responses={**_CANNOT, **CONDITIONAL["responses"]},
    openapi_extra=CONDITIONAL["openapi_extra"],
)
async def get_plan(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    target: Target = None,
    period: Period = None,
    by: By = "channel",
    as_of: AsOf = None,
    mql_to_sal: Factor = 1.0,
    deal_size: Factor = 1.0,
    channel: Channel = None,
    channel_leads: Factor = 1.0,
    with_forecast: bool = False,
    draws: Draws = 2000,
    seed: Seed = 0,
    level: Level = 0.8,
) -> Response:
    """The MQLs, SALs, SQLs, opportunities and won deals each month of the period needs to
    reach the target, per channel or segment, with intervals from Monte Carlo draws over the
    measured rates, lags and deal sizes; beside each the run-rate and the gap. Without a
    target, the targets table's target for the period is planned for. ``mql_to_sal``,
    ``deal_size`` and ``channel_leads`` (on ``channel``) change the measured funnel."""
    inputs = _inputs(
        target, period, by, as_of, seed, draws, level,
        mql_to_sal=mql_to_sal, deal_size=deal_size, channel=channel,
        channel_leads=channel_leads, with_forecast=with_forecast,
    )  # fmt: skip

    def build() -> PlanOut:
        view = state.cache.call(plan_view, store, user, inputs)
        return plan_out(view, state.currency, inputs)

    return await _answer(request, state, user, build)


def _scenarios(values: list[str] | None) -> tuple[Scenario, ...]:
    found = []
    for text in repeated(values, "scenario", most=3):
        if not re.fullmatch(SCENARIO_PATTERN, text):
            try:
                parse_scenario_text(text)
            except PlanInputError as exc:
                raise ApiError(422, str(exc), field="scenario") from None
            raise ApiError(422, f"scenario {text!r}: write NAME=KNOB:FACTOR", field="scenario")
        try:
            found.append(parse_scenario_text(text))
        except PlanInputError as exc:
            raise ApiError(400, str(exc), field="scenario") from None
    return tuple(found)


@router.get(
    "/scenarios",
    response_model=ScenariosOut,
    summary="Plan scenarios compared",
    responses={**_CANNOT, **CONDITIONAL["responses"]},
    openapi_extra=CONDITIONAL["openapi_extra"],
)
async def get_plan_scenarios(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    scenario: Scenarios = None,
    target: Target = None,
    period: Period = None,
    by: By = "channel",
    as_of: AsOf = None,
    draws: Draws = 2000,
    seed: Seed = 0,
    level: Level = 0.8,
) -> Response:
    """The total need per stage and group of the base plan and of each scenario, side by
    side: e.g. a better MQL→SAL rate (``better=mql_to_sal:1.2``), a higher deal size
    (``bigger=deal_size:1.1``) or more leads from one channel (``fair=leads.trade_fair:1.5``)."""
    chosen = _scenarios(scenario)
    inputs = _inputs(target, period, by, as_of, seed, draws, level)

    def build() -> ScenariosOut:
        period, frame = state.cache.call(plan_scenarios, store, user, inputs, chosen)
        return ScenariosOut(
            period=period,
            by=by,
            currency=state.currency,
            scenarios=[_scenario_out(s) for s in (Scenario(), *chosen)],
            rows=[ScenarioRow(**r) for r in _records(frame)],
        )

    return await _answer(request, state, user, build)
