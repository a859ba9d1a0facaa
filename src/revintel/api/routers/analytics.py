"""``/api/v1/kpis``, ``/api/v1/funnel`` and ``/api/v1/alerts``: the metrics on visible rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import RootModel

from revintel.api._analytics import FUNNEL_BREAKDOWNS, alert_reasons, funnel_rows, kpi_tiles
from revintel.api._deps import StateDep, StoreDep, UserDep
from revintel.api._schemas import AlertOut, FunnelRow, KpiTileOut
from revintel.api.routers._common import FilterValue, Language, cached_json

router = APIRouter(tags=["analytics"])
Breakdown = Literal[FUNNEL_BREAKDOWNS]  # type: ignore[valid-type]
From = Annotated[date | None, Query(description="leads created on or after")]
To = Annotated[date | None, Query(description="leads created on or before")]


def _stop(created_to: date | None) -> date | None:
    return None if created_to is None else created_to + timedelta(days=1)


@router.get("/kpis", response_model=list[KpiTileOut], summary="Headline KPIs")
async def kpis(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    channel: FilterValue = None,
    created_from: From = None,
    created_to: To = None,
) -> Response:
    """MQLs, LVR, MQL→SAL acceptance, win rate and sales cycle: last complete period and trend."""

    def build() -> RootModel[list[KpiTileOut]]:
        tiles = state.cache.call(kpi_tiles, store, user, channel, created_from, _stop(created_to))
        return RootModel([KpiTileOut(**t.__dict__, trend=t.trend) for t in tiles])

    return await cached_json(request, state, user, build)


@router.get("/funnel", response_model=list[FunnelRow], summary="Funnel by milestone")
async def funnel(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: Breakdown | None = None,
    channel: FilterValue = None,
    created_from: From = None,
    created_to: To = None,
    lang: Language = "en",
) -> Response:
    """Reached, conversion to the next milestone, P(won) with interval, days to the next."""

    def build() -> RootModel[list[FunnelRow]]:
        rows = state.cache.call(
            funnel_rows, store, user, by, channel, created_from, _stop(created_to), lang
        )
        return RootModel([FunnelRow(**r, group=None if by is None else str(r[by])) for r in rows])

    return await cached_json(request, state, user, build)


@router.get("/alerts", response_model=list[AlertOut], summary="Firing alerts")
async def alerts(request: Request, store: StoreDep, user: UserDep, state: StateDep) -> Response:
    """Every alert of the KPI catalogue firing on the caller's rows, newest first."""

    def build() -> RootModel[list[AlertOut]]:
        reasons = state.cache.call(alert_reasons, store, user)
        return RootModel([AlertOut(reason_de=de, reason_en=en) for de, en in reasons])

    return await cached_json(request, state, user, build)
