"""``/api/v1/forecast`` and ``/api/v1/forecast/backtest``: order intake on visible rows."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from revintel._frames import json_records
from revintel.api.routers._common import cached_json, repeated
from revintel.api.routers.forecast_schemas import (
    BacktestOut,
    ForecastOut,
    ForecastRow,
    ForecastTable,
)
from revintel.forecast import check_forecast_limits, weighted_pipeline
from revintel.server import StateDep, StoreDep, UserDep
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


@router.get("", response_model=ForecastOut, summary="Order intake forecast")
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
    what_if: Annotated[
        list[str] | None,
        Query(
            description='scenarios (repeat), e.g. "mql_sal_rate=0.6", '
            '"win_rate[segment=Enterprise]*1.1", "lead_volume*1.2"'
        ),
    ] = None,
) -> Response:
    """P10/P50/P90 per month and quarter, from the open pipeline and the pipeline not yet
    created; a sales rep gets the forecast of their own deals and leads. With ``what_if``
    the rows are the scenario's, with the baseline's P50 and the change against it."""
    scenarios = repeated(what_if, "what_if", most=10)
    limits = state.settings
    check_forecast_limits(
        simulations, scenarios, state.funnel, limits.max_simulations, limits.max_what_if_factor
    )
    args = (by, months, simulations, seed, scenarios)

    def build() -> ForecastOut:
        view = state.cache.call(forecast_view, store, user, *args)
        rows = [ForecastRow(**r) for r in view.records() if grain is None or r["grain"] == grain]
        return ForecastOut(
            as_of=view.as_of, by=by, simulations=simulations, what_if=list(scenarios), rows=rows
        )

    return await cached_json(request, state, user, build)


@router.get("/backtest", response_model=BacktestOut, summary="Backtest of the forecast")
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

    limits = state.settings
    check_forecast_limits(
        simulations, (), state.funnel, limits.max_simulations, limits.max_what_if_factor
    )

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


@router.get("/pipeline", response_model=ForecastTable, summary="Weighted open pipeline")
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


@router.get("/probabilities", response_model=ForecastTable, summary="Win probabilities")
async def get_probabilities(
    request: Request, store: StoreDep, user: UserDep, state: StateDep
) -> Response:
    """P(won | milestone) per segment: measured (censoring-aware), the configured default and
    the shrunk value the forecast uses (``revintel forecast probabilities``)."""

    def build() -> ForecastTable:
        model = state.cache.call(funnel_model, store, user)
        return ForecastTable(as_of=model.as_of, rows=json_records(model.probability_table()))

    return await cached_json(request, state, user, build)
