"""``/api/v1/forecast`` and ``/api/v1/forecast/backtest``: order intake on visible rows."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from revintel.api._deps import StateDep, StoreDep, UserDep
from revintel.api._forecast import (
    BACKTEST_MONTHS,
    BACKTEST_ORIGINS,
    BACKTEST_SIMULATIONS,
    FORECAST_BREAKDOWNS,
    FORECAST_SIMULATIONS,
    backtest_view,
    forecast_view,
)
from revintel.api._frames import plain_records
from revintel.api._schemas import BacktestOut, ForecastOut, ForecastRow
from revintel.api.routers._common import cached_json

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
) -> Response:
    """P10/P50/P90 per month and quarter, from the open pipeline and the pipeline not yet
    created; a sales rep gets the forecast of their own deals and leads."""

    def build() -> ForecastOut:
        view = state.cache.call(forecast_view, store, user, by, months, simulations, seed)
        rows = [ForecastRow(**r) for r in view.records() if grain is None or r["grain"] == grain]
        return ForecastOut(as_of=view.as_of, by=by, simulations=simulations, rows=rows)

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

    def build() -> BacktestOut:
        view = state.cache.call(backtest_view, store, user, origins, months, simulations, seed)
        return BacktestOut.model_validate(
            {
                "origins": origins,
                "months": months,
                "simulations": simulations,
                "summary": plain_records(view.summary),
                "points": plain_records(view.points),
            }
        )

    return await cached_json(request, state, user, build)
