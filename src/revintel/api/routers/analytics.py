"""``/api/v1/kpis``, ``/api/v1/funnel`` and ``/api/v1/alerts``: the metrics on visible rows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import RootModel

from revintel.api.routers._common import CONDITIONAL, Language, cached_json
from revintel.api.routers.analytics_schemas import (
    CATALOGUE,
    AlertOut,
    CustomDimension,
    FunnelRow,
    IsoDate,
    KpiDefinition,
    KpiId,
    KpiTileOut,
    WhereItem,
    breakdown_rules,
)
from revintel.metrics import (
    FUNNEL_VIEWS,
    QUERY_DIMENSIONS,
    breakdown_dimensions,
    check_custom_dimensions,
    compares_periods,
    custom_dimensions,
    custom_tables,
    is_custom_dimension,
)
from revintel.server import ApiError, SliceDep, StateDep, StoreDep, UserDep
from revintel.store import Store
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
From = Annotated[IsoDate | None, Query(description="leads created on or after")]
To = Annotated[IsoDate | None, Query(description="leads created on or before")]
Dimension = Literal[QUERY_DIMENSIONS]  # type: ignore[valid-type]
By = Annotated[
    list[Dimension | CustomDimension] | None,
    Query(description="breakdown dimensions (repeat); `custom.<field>` for a custom field"),
]
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
    list[WhereItem] | None,
    Query(
        max_length=50,
        description="filters (repeat) like `segment=Enterprise,Mittelstand`, "
        "`channel!=events` or `custom.do_not_email=false`: a breakdown dimension, `=` or `!=`, "
        "one or more values",
    ),
]
Kpis = Annotated[
    list[KpiId] | None,
    Query(max_length=50, description="KPI ids (repeat); default: every KPI the request suits"),
]
_RANGE_RULE = "`created_from` must not be after `created_to` (both days count)."
FunnelView = Literal[FUNNEL_VIEWS]  # type: ignore[valid-type]


def _stop(created_to: date | None) -> date | None:
    """The first day after the inclusive ``created_to`` (none after the last representable)."""
    return None if created_to is None or created_to == date.max else created_to + timedelta(1)


def _check_range(created_from: date | None, created_to: date | None) -> None:
    if created_from and created_to and created_from > created_to:
        raise ApiError(
            400,
            f"created_from {created_from} must not be after created_to {created_to}",
            field="created_from",
        )


def _filtered(where: tuple[str, ...]) -> tuple[str, ...]:
    """The dimensions ``where`` filters by."""
    return tuple(m.group(1) for w in where if (m := re.match(r"\s*([a-z_][a-z0-9_.]*)", w)))


def _custom_fields(
    store: Store, by: tuple[str, ...], where: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    """The store's custom fields when ``by`` or ``where`` names one (400 naming the parameter
    when that field is unknown or is not a text or flag field)."""
    filtered = _filtered(where)
    if not any(is_custom_dimension(d) for d in (*by, *filtered)):
        return {}
    known = custom_dimensions(store.table)
    for param, dims in (("by", by), ("where", filtered)):
        problem = check_custom_dimensions(dims, known)
        if problem is not None:
            raise ApiError(400, f"{param}: {problem}", field=param)
    return known


def _kpis_for(
    ids: tuple[str, ...],
    by: tuple[str, ...],
    where: tuple[str, ...],
    grain: str | None,
    custom: dict[str, dict[str, str]] | None = None,
) -> tuple[str, ...]:
    """The KPIs to evaluate: those asked for (400 if one cannot be broken down, filtered or
    grained as asked), else every KPI that can. ``custom``: the store's custom fields."""
    catalogue = CATALOGUE
    filtered = _filtered(where)
    chosen = [catalogue.get(i) for i in ids] or list(catalogue.kpis)
    fitting = []
    for spec in chosen:
        allowed = breakdown_dimensions(spec)
        # a custom field fits when the KPI's rows reach the table that declares it
        reach = set(custom_tables(spec))
        fits = {d for d, tables in (custom or {}).items() if reach & set(tables)}
        bad = [("by", d) for d in by if d not in allowed and d not in fits]
        bad += [("where", d) for d in filtered if d not in allowed and d not in fits]
        periods = grain == "all" and compares_periods(spec)
        if ids and bad:
            param, dim = bad[0]
            known = ", ".join(allowed)
            raise ApiError(
                400,
                f"{param}: KPI {spec.id!r} has no dimension {dim!r}; it has {known}",
                field=param,
            )
        if ids and periods:
            raise ApiError(
                400,
                f"grain: KPI {spec.id!r} compares periods; use a grain other than 'all'",
                field="grain",
            )
        if not bad and not periods:
            fitting.append(spec.id)
    return tuple(fitting)


@router.get("/kpis", response_model=list[KpiTileOut], summary="Headline KPIs", **CONDITIONAL)
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
    optionally of one channel, segment, team or rep. `created_from` must not be after
    `created_to` (both days count)."""
    _check_range(created_from, created_to)

    def build() -> RootModel[list[KpiTileOut]]:
        tiles = state.cache.call(kpi_tiles, store, user, focus, created_from, _stop(created_to))
        return RootModel([KpiTileOut(**t.__dict__, trend=t.trend) for t in tiles])

    return await cached_json(request, state, user, build)


@router.get("/funnel", response_model=list[FunnelRow], summary="Funnel by milestone", **CONDITIONAL)
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
    optionally of one channel, segment, team or rep. `created_from` must not be after
    `created_to` (both days count)."""
    _check_range(created_from, created_to)

    def build() -> RootModel[list[FunnelRow]]:
        rows = state.cache.call(
            funnel_rows, store, user, by, focus, created_from, _stop(created_to), lang
        )
        return RootModel([FunnelRow(**r, group=None if by is None else str(r[by])) for r in rows])

    return await cached_json(request, state, user, build)


@router.get("/alerts", response_model=list[AlertOut], summary="Firing alerts", **CONDITIONAL)
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
        for k in CATALOGUE.kpis
    ]


KPI_VALUES = f"""KPIs per period and breakdown, as `revintel kpi` prints them: `kpi`, `period`,
the breakdown columns, `step` or `reason` where the KPI has them, `value`, `numerator`,
`denominator` (and the comparison columns with `compare`).

Rules between parameters (400 naming the parameter in `field` when broken):

{breakdown_rules()}
- {_RANGE_RULE}
- `by` and `where` take a custom field as `custom.<field>` (a text or flag field declared in an
  import mapping); an unknown one, or a number or date field, answers 400. A KPI breaks down by
  the custom fields of the records its rows belong to: funnel KPIs by those of leads and
  accounts, pipeline KPIs also by those of opportunities, order KPIs by those of accounts,
  `coverage` by none.

Without `kpi`, every KPI that suits `by`, `where` and `grain` is evaluated."""


@router.get(
    "/kpis/values",
    response_model=list[dict[str, Any]],
    summary="KPI values",
    description=KPI_VALUES,
    **CONDITIONAL,
)
async def kpi_table(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    kpi: Kpis = None,
    by: By = None,
    grain: GrainParam | None = None,
    created_from: Annotated[IsoDate | None, Query(description="periods from")] = None,
    created_to: Annotated[IsoDate | None, Query(description="periods to (inclusive)")] = None,
    where: Where = None,
    compare: Annotated[
        bool, Query(description="add the previous period and the same period last year")
    ] = False,
    maturity_days: MaturityDays = None,
) -> Response:
    _check_range(created_from, created_to)
    filters = tuple(where or ())
    dims = tuple(dict.fromkeys(by or ()))
    custom = _custom_fields(store, dims, filters)
    ids = _kpis_for(tuple(dict.fromkeys(kpi or ())), dims, filters, grain, custom)
    if not ids:
        return Response(b"[]", media_type="application/json")
    args = (ids, dims, grain, created_from, _stop(created_to), filters, compare)

    def build() -> RootModel[list[dict[str, Any]]]:
        return RootModel(state.cache.call(kpi_values, store, user, *args, maturity_days))

    return await cached_json(request, state, user, build)


@router.get(
    "/funnel/{view}", response_model=list[dict[str, Any]], summary="A funnel view", **CONDITIONAL
)
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
    intervals), `durations` between milestones, time in current `stage`, `leakage`.
    `created_from` must not be after `created_to` (both days count). `by` and `where` take a
    text or flag custom field as `custom.<field>`; an unknown one answers 400."""
    _check_range(created_from, created_to)
    _custom_fields(store, tuple(by or ()), tuple(where or ()))
    args = (view, tuple(by or ()), grain, created_from, _stop(created_to), tuple(where or ()))

    def build() -> RootModel[list[dict[str, Any]]]:
        rows = state.cache.call(funnel_view_rows, store, user, *args, lang, maturity_days)
        return RootModel(rows)

    return await cached_json(request, state, user, build)
