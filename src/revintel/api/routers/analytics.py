"""``/api/v1/kpis``, ``/api/v1/funnel`` and ``/api/v1/alerts``: the metrics on visible rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from revintel.api._analytics import FUNNEL_BREAKDOWNS, alert_reasons, funnel_rows, kpi_tiles
from revintel.api._deps import StateDep, StoreDep, UserDep
from revintel.api._schemas import AlertOut, FunnelRow, KpiTileOut
from revintel.api.routers._common import FilterValue, Language

router = APIRouter(tags=["analytics"])
Breakdown = Literal[FUNNEL_BREAKDOWNS]  # type: ignore[valid-type]
From = Annotated[date | None, Query(description="leads created on or after")]
To = Annotated[date | None, Query(description="leads created on or before")]


def _stop(created_to: date | None) -> date | None:
    return None if created_to is None else created_to + timedelta(days=1)


@router.get("/kpis", response_model=list[KpiTileOut], summary="Headline KPIs")
def kpis(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    channel: FilterValue = None,
    created_from: From = None,
    created_to: To = None,
) -> list[KpiTileOut]:
    """MQLs, LVR, MQL→SAL acceptance, win rate and sales cycle: last complete period and trend."""
    tiles = state.cache.call(kpi_tiles, store, user, channel, created_from, _stop(created_to))
    return [KpiTileOut(**t.__dict__, trend=t.trend) for t in tiles]


@router.get("/funnel", response_model=list[FunnelRow], summary="Funnel by milestone")
def funnel(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: Breakdown | None = None,
    channel: FilterValue = None,
    created_from: From = None,
    created_to: To = None,
    lang: Language = "en",
) -> list[FunnelRow]:
    """Reached, conversion to the next milestone, P(won) with interval, days to the next."""
    rows = state.cache.call(
        funnel_rows, store, user, by, channel, created_from, _stop(created_to), lang
    )
    return [FunnelRow(**r, group=None if by is None else str(r[by])) for r in rows]


@router.get("/alerts", response_model=list[AlertOut], summary="Firing alerts")
def alerts(store: StoreDep, user: UserDep, state: StateDep) -> list[AlertOut]:
    """Every alert of the KPI catalogue firing on the caller's rows, newest first."""
    reasons = state.cache.call(alert_reasons, store, user)
    return [AlertOut(reason_de=de, reason_en=en) for de, en in reasons]
