"""``/api/v1/kpis``, ``/api/v1/funnel`` and ``/api/v1/alerts``: the metrics on visible rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import RootModel

from revintel.api.routers._common import Language, cached_json, repeated
from revintel.api.routers.analytics_schemas import AlertOut, FunnelRow, KpiDefinition, KpiTileOut
from revintel.metrics import DIMENSIONS, FUNNEL_VIEWS, load_catalogue
from revintel.server import ApiError, SliceDep, StateDep, StoreDep, UserDep
from revintel.views import (
    FUNNEL_BREAKDOWNS,
    alert_reasons,
    funnel_rows,
    funnel_view_rows,
    kpi_tiles,
    kpi_values,
)

router = APIRouter(tags=["analytics"])
Breakdown = Literal[FUNNEL_BREAKDOWNS]  # type: ignore[valid-type]
From = Annotated[date | None, Query(description="leads created on or after")]
To = Annotated[date | None, Query(description="leads created on or before")]
Dimension = Literal[DIMENSIONS]  # type: ignore[valid-type]
By = Annotated[list[Dimension] | None, Query(description="breakdown dimensions (repeat)")]
GrainParam = Literal["week", "month", "quarter", "year", "all"]
MaturityDays = Annotated[
    int | None,
    Query(
        ge=0,
        le=3650,
        description="days a lead must have had to count in win probabilities (0: every lead); "
        "default: the KPI catalogue's maturity window",
    ),
]
Where = Annotated[
    list[str] | None,
    Query(description="filters like `segment=Enterprise,Mittelstand` or `channel!=events`"),
]
FunnelView = Literal[FUNNEL_VIEWS]  # type: ignore[valid-type]


def _stop(created_to: date | None) -> date | None:
    return None if created_to is None else created_to + timedelta(days=1)


@router.get("/kpis", response_model=list[KpiTileOut], summary="Headline KPIs")
async def kpis(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    focus: SliceDep,
    created_from: From = None,
    created_to: To = None,
) -> Response:
    """MQLs, LVR, MQL→SAL acceptance, win rate and sales cycle: last complete period and trend;
    optionally of one channel, segment, team or rep."""

    def build() -> RootModel[list[KpiTileOut]]:
        tiles = state.cache.call(kpi_tiles, store, user, focus, created_from, _stop(created_to))
        return RootModel([KpiTileOut(**t.__dict__, trend=t.trend) for t in tiles])

    return await cached_json(request, state, user, build)


@router.get("/funnel", response_model=list[FunnelRow], summary="Funnel by milestone")
async def funnel(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    focus: SliceDep,
    by: Breakdown | None = None,
    created_from: From = None,
    created_to: To = None,
    lang: Language = "en",
) -> Response:
    """Reached, conversion to the next milestone, P(won) with interval, days to the next;
    optionally of one channel, segment, team or rep."""

    def build() -> RootModel[list[FunnelRow]]:
        rows = state.cache.call(
            funnel_rows, store, user, by, focus, created_from, _stop(created_to), lang
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


@router.get("/kpis/catalogue", response_model=list[KpiDefinition], summary="KPI catalogue")
def kpi_catalogue(user: UserDep) -> list[KpiDefinition]:
    """Every KPI of the catalogue with its meaning, formula, unit, grain and alert rule."""
    return [
        KpiDefinition(
            id=k.id,
            name_de=k.name.de,
            name_en=k.name.en,
            definition_de=k.definition.de,
            definition_en=k.definition.en,
            formula=k.formula,
            unit=k.unit,
            grain=k.grain,
            good_direction=k.good_direction,
            dimensions=list(k.dimensions),
            alert=k.alert.rule if k.alert else None,
        )
        for k in load_catalogue().kpis
    ]


@router.get("/kpis/values", response_model=list[dict[str, Any]], summary="KPI values")
async def kpi_table(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    kpi: Annotated[list[str] | None, Query(description="KPI ids (repeat); default: all")] = None,
    by: By = None,
    grain: GrainParam | None = None,
    created_from: Annotated[date | None, Query(description="periods from")] = None,
    created_to: Annotated[date | None, Query(description="periods to (inclusive)")] = None,
    where: Where = None,
    compare: Annotated[
        bool, Query(description="add the previous period and the same period last year")
    ] = False,
    maturity_days: MaturityDays = None,
) -> Response:
    """KPIs per period and breakdown, as `revintel kpi` prints them: `kpi`, `period`, the
    breakdown columns, `step` or `reason` where the KPI has them, `value`, `numerator`,
    `denominator` (and the comparison columns with `compare`)."""
    ids = repeated(kpi, "kpi")
    known = set(load_catalogue().ids)
    unknown = [k for k in ids if k not in known]
    if unknown:
        raise ApiError(422, f"unknown KPI {unknown[0]!r}; known: {', '.join(sorted(known))}")
    filters = repeated(where, "where")
    args = (ids, tuple(by or ()), grain, created_from, _stop(created_to), filters, compare)

    def build() -> RootModel[list[dict[str, Any]]]:
        return RootModel(state.cache.call(kpi_values, store, user, *args, maturity_days))

    return await cached_json(request, state, user, build)


@router.get("/funnel/{view}", response_model=list[dict[str, Any]], summary="A funnel view")
async def funnel_table(
    request: Request,
    view: FunnelView,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: By = None,
    grain: GrainParam | None = None,
    created_from: From = None,
    created_to: To = None,
    where: Where = None,
    lang: Language = "en",
    maturity_days: MaturityDays = None,
) -> Response:
    """One view of `revintel funnel`: `overview`, `report` (per period and breakdown),
    `cohort` and `period` conversion, `probability` (P(won | milestone) with Wilson
    intervals), `durations` between milestones, time in current `stage`, `leakage`."""
    args = (view, tuple(by or ()), grain, created_from, _stop(created_to), repeated(where, "where"))

    def build() -> RootModel[list[dict[str, Any]]]:
        rows = state.cache.call(funnel_view_rows, store, user, *args, lang, maturity_days)
        return RootModel(rows)

    return await cached_json(request, state, user, build)
