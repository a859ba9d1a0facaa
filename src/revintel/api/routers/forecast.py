"""``/api/v1/forecast`` and ``/api/v1/forecast/backtest``: order intake on visible rows."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from revintel._frames import json_records
from revintel.api.routers._common import CONDITIONAL, cached_json
from revintel.api.routers.forecast_schemas import (
    WHAT_IF_EXAMPLES,
    WHAT_IF_PATTERN,
    BacktestOut,
    ForecastOut,
    ForecastRow,
    ForecastTable,
    WhatIf,
)
from revintel.api.routers.gaps import gap_note
from revintel.forecast import (
    ScenarioError,
    check_forecast_limits,
    parse_scenario,
    weighted_pipeline,
)
from revintel.server import ApiError, AppState, StateDep, StoreDep, UserDep
from revintel.views import (
    BACKTEST_MONTHS,
    BACKTEST_ORIGINS,
    BACKTEST_SIMULATIONS,
    FORECAST_BREAKDOWNS,
    FORECAST_SIMULATIONS,
    backtest_view,
    forecast_view,
    funnel_model,
)

router = APIRouter(prefix="/forecast", tags=["forecast"])
Breakdown = Literal[FORECAST_BREAKDOWNS]  # type: ignore[valid-type]
Months = Annotated[int, Query(ge=1, le=24, description="months ahead")]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="random seed")]
WhatIfs = Annotated[
    list[WhatIf] | None,
    Query(
        max_length=10,
        description="scenarios (repeat, at most 10, no blanks): `STEP_rate=RATE` sets the "
        "conversion between two consecutive milestones (RATE from 0 to 1), "
        "`win_rate*FACTOR` or `win_rate[DIMENSION=VALUE]*FACTOR` multiplies win chances, "
        "`lead_volume*FACTOR` the rate of new leads (FACTOR from 0 to 10)",
        openapi_examples={e: {"summary": e, "value": [e]} for e in WHAT_IF_EXAMPLES},
    ),
]


def _check_grammar(text: str, state: AppState) -> None:
    """422 unless ``text`` follows the documented what-if pattern, in the parser's words when
    it can say what is wrong."""
    if re.fullmatch(WHAT_IF_PATTERN, text):
        return
    try:
        parse_scenario([text], state.funnel, state.settings.max_what_if_factor)
    except ScenarioError as exc:
        raise ApiError(422, str(exc).replace("what-if ", "what_if ", 1), field="what_if") from None
    raise ApiError(
        422,
        f"what_if {text!r}: write it without blanks and with plain decimals, like "
        + ", ".join(WHAT_IF_EXAMPLES),
        field="what_if",
    )


def _check_limits(state: AppState, simulations: int, scenarios: tuple[str, ...]) -> None:
    """422 (beyond the document) or 400 (beyond a rule it describes) naming the parameter when
    a forecast asks beyond this server's limits."""
    limits = state.settings
    if simulations > limits.max_simulations:
        raise ApiError(
            422,
            f"simulations: at most {limits.max_simulations:,} are allowed",
            field="simulations",
        )
    for text in scenarios:
        _check_grammar(text, state)
    try:
        check_forecast_limits(
            simulations,
            scenarios,
            state.funnel,
            limits.max_simulations,
            limits.max_what_if_factor,
        )
    except ScenarioError as exc:
        raise ApiError(400, str(exc).replace("what-if ", "what_if ", 1), field="what_if") from None


@router.get("", response_model=ForecastOut, summary="Order intake forecast", **CONDITIONAL)
async def get_forecast(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: Breakdown | None = None,
    grain: Literal["month", "quarter"] | None = None,
    months: Months = 6,
    simulations: Annotated[int, Query(ge=100, le=5_000)] = FORECAST_SIMULATIONS,
    seed: Seed = 42,
    what_if: WhatIfs = None,
) -> Response:
    """P10/P50/P90 per month and quarter, from the open pipeline and the pipeline not yet
    created; a sales rep gets the forecast of their own deals and leads. With ``what_if``
    the rows are the scenario's, with the baseline's P50 and the change against it.

    Besides its pattern, a ``what_if`` value is refused (400, ``field`` ``what_if``) when its
    factor exceeds this server's ``max_what_if_factor`` or the ``lead_volume`` factors of the
    request multiply to more than it; ``simulations`` beyond the server's ``max_simulations``
    are refused with ``field`` ``simulations``."""
    scenarios = tuple(what_if or ())
    _check_limits(state, simulations, scenarios)
    args = (by, months, simulations, seed, scenarios)

    def build() -> ForecastOut:
        view = state.cache.call(forecast_view, store, user, *args)
        rows = [ForecastRow(**r) for r in view.records() if grain is None or r["grain"] == grain]
        return ForecastOut(
            as_of=view.as_of,
            by=by,
            simulations=simulations,
            what_if=list(scenarios),
            rows=rows,
            note=None if view.gap is None else gap_note(view.gap),
        )

    return await cached_json(request, state, user, build)


@router.get(
    "/backtest", response_model=BacktestOut, summary="Backtest of the forecast", **CONDITIONAL
)
async def get_backtest(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    origins: Annotated[int, Query(ge=1, le=24)] = BACKTEST_ORIGINS,
    months: Annotated[int, Query(ge=1, le=12)] = BACKTEST_MONTHS,
    simulations: Annotated[int, Query(ge=100, le=2_000)] = BACKTEST_SIMULATIONS,
    seed: Seed = 42,
) -> Response:
    """Forecasts replayed as of past month-ends against the intake that came, with WAPE, bias
    and P10–P90 coverage beside the weighted-pipeline and run-rate baselines. Each origin is a
    full forecast, so the defaults are small (3 origins, 200 simulations)."""
    _check_limits(state, simulations, ())

    def build() -> BacktestOut:
        view = state.cache.call(backtest_view, store, user, origins, months, simulations, seed)
        return BacktestOut.model_validate(
            {
                "origins": origins,
                "months": months,
                "simulations": simulations,
                "summary": json_records(view.summary),
                "points": json_records(view.points),
            }
        )

    return await cached_json(request, state, user, build)


@router.get(
    "/pipeline", response_model=ForecastTable, summary="Weighted open pipeline", **CONDITIONAL
)
async def get_pipeline(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: Breakdown | None = None,
    grain: Literal["month", "quarter"] = "month",
) -> Response:
    """Open pipeline by expected close period, weighted by the measured P(won | milestone)
    beside the configured default probabilities (``revintel forecast pipeline``)."""

    def build() -> ForecastTable:
        model = state.cache.call(funnel_model, store, user)
        return ForecastTable(
            as_of=model.as_of, rows=json_records(weighted_pipeline(model, by, grain))
        )

    return await cached_json(request, state, user, build)


@router.get(
    "/probabilities", response_model=ForecastTable, summary="Win probabilities", **CONDITIONAL
)
async def get_probabilities(
    request: Request, store: StoreDep, user: UserDep, state: StateDep
) -> Response:
    """P(won | milestone) per segment: measured (censoring-aware), the configured default and
    the shrunk value the forecast uses (``revintel forecast probabilities``)."""

    def build() -> ForecastTable:
        model = state.cache.call(funnel_model, store, user)
        return ForecastTable(as_of=model.as_of, rows=json_records(model.probability_table()))

    return await cached_json(request, state, user, build)
