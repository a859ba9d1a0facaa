"""``/api/v1/pricing``: the price waterfall, bands and deal positions, leakage and the price
response, as the Pricing page shows them (deals and order lines scoped to the caller)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from revintel.api.routers._common import CONDITIONAL, cached_json
from revintel.api.routers.pricing_analytics_schemas import (
    Band,
    BandsOut,
    CurvePoint,
    FilterText,
    LeakageOut,
    LeakageRow,
    OutlierLevel,
    OutlierRow,
    Position,
    PositionsOut,
    ResponseOut,
    WaterfallBy,
    WaterfallGroup,
    WaterfallOut,
    WaterfallStep,
)
from revintel.server import ApiError, StateDep, StoreDep, UserDep
from revintel.store import store_currency
from revintel.views._pricing import (
    PricingFilter,
    PricingRequestError,
    pricing_leakage,
    pricing_outliers,
    waterfall_frame,
)
from revintel.views._pricing_frames import (
    BandsView,
    open_positions,
    placed_deals,
    pricing_bands,
    pricing_response,
)

router = APIRouter(prefix="/pricing", tags=["pricing"])

_NO_MODEL: dict[int | str, dict[str, Any]] = {
    409: {"description": "No price model is fitted yet (revintel pricing fit)."}
}
Segment = Annotated[FilterText | None, Query(description="only this account segment")]
Family = Annotated[FilterText | None, Query(description="only this product family")]
Year = Annotated[
    int | None, Query(ge=1900, le=2999, description="only orders (deals) of this year")
]


def _conditional(responses: dict[int | str, dict[str, Any]]) -> dict[str, Any]:
    """:data:`CONDITIONAL` with more documented answers."""
    return CONDITIONAL | {"responses": CONDITIONAL["responses"] | responses}


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]


def _focus(segment: str | None, family: str | None, year: int | None) -> PricingFilter:
    return PricingFilter(segment, family, None if year is None else str(year))


def _refused(exc: PricingRequestError) -> ApiError:
    status = 404 if exc.field == "opportunity_id" else 400
    return ApiError(status, str(exc), field=exc.field)


def _bands(state: StateDep, store: StoreDep) -> BandsView:
    found: BandsView | None = state.cache.call(pricing_bands, store, None)
    if found is None:
        raise ApiError(409, "no price model is stored yet; fit one with `revintel pricing fit`")
    return found


@router.get("/waterfall", response_model=WaterfallOut, summary="Price waterfall", **CONDITIONAL)
async def get_waterfall(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: Annotated[WaterfallBy | None, Query(description="one waterfall per group")] = None,
    segment: Segment = None,
    family: Family = None,
    year: Year = None,
) -> Response:
    """List price → on-invoice discount → invoice price → each off-invoice item → pocket price
    → cost → pocket margin of the order lines the caller sees, in total or per group."""

    def build() -> WaterfallOut:
        focus = _focus(segment, family, year)
        frame = state.cache.call(waterfall_frame, store, user, by, focus)
        groups = []
        keys = [None] if by is None else list(dict.fromkeys(frame[by]))
        for key in keys:
            rows = frame if key is None else frame[frame[by] == key]
            steps = [WaterfallStep(**r) for r in _records(rows[list(WaterfallStep.model_fields)])]
            lines = int(rows["lines"].iloc[0]) if len(rows) else 0
            group = None if key is None or _plain(key) is None else str(key)
            groups.append(WaterfallGroup(group=group, lines=lines, steps=steps))
        return WaterfallOut(by=by, currency=store_currency(store), groups=groups)

    return await cached_json(request, state, user, build)


@router.get("/bands", response_model=BandsOut, summary="Price bands", **_conditional(_NO_MODEL))
async def get_bands(request: Request, store: StoreDep, user: UserDep, state: StateDep) -> Response:
    """Floor, target and stretch (shares of list price) of every band of the latest stored
    price model, with the deals behind each: company-wide model facts."""

    def build() -> BandsOut:
        found = _bands(state, store)
        columns = list(Band.model_fields)
        return BandsOut(
            fit_id=found.fit_id,
            fitted_at=found.fitted_at,
            bands=[Band(**r) for r in _records(found.bands[columns])],
            evaluation=found.evaluation,
        )

    return await cached_json(request, state, user, build)


@router.get(
    "/positions",
    response_model=PositionsOut,
    summary="Open deals in their bands",
    **_conditional(_NO_MODEL),
)
async def get_positions(
    request: Request, store: StoreDep, user: UserDep, state: StateDep
) -> Response:
    """The open deals the caller sees, each in its band at its current price (a sales rep's
    own deals)."""

    def build() -> PositionsOut:
        found = _bands(state, store)
        frame = open_positions(state.cache.call(placed_deals, store, user))
        return PositionsOut(fit_id=found.fit_id, deals=[Position(**r) for r in _records(frame)])

    return await cached_json(request, state, user, build)


@router.get("/leakage", response_model=LeakageOut, summary="Price leakage", **CONDITIONAL)
async def get_leakage(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: Annotated[WaterfallBy, Query(description="the groups")] = "segment",
    segment: Segment = None,
    family: Family = None,
    year: Year = None,
) -> Response:
    """List, invoice and pocket revenue per group of the order lines the caller sees, the
    leakage between list and pocket, and the accounts and reps whose discounts sit furthest
    above their peers'."""

    def build() -> LeakageOut:
        focus = _focus(segment, family, year)
        frame = state.cache.call(pricing_leakage, store, user, by, focus)
        outliers: dict[OutlierLevel, list[OutlierRow]] = {
            level: [
                OutlierRow(**r)
                for r in _records(state.cache.call(pricing_outliers, store, user, level))
            ]
            for level in ("account", "rep")
        }
        groups = [LeakageRow(**(r | {"group": _text(r["group"])})) for r in _records(frame)]
        return LeakageOut(by=by, currency=store_currency(store), groups=groups, outliers=outliers)

    return await cached_json(request, state, user, build)


def _text(value: Any) -> str | None:
    return None if _plain(value) is None else str(value)


@router.get(
    "/response",
    response_model=ResponseOut,
    summary="Price response of a band or deal",
    **_conditional(
        {
            400: {"description": "Unknown band."},
            404: {"description": "No open deal with this id the caller sees."},
            **_NO_MODEL,
        }
    ),
)
async def get_response(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    band_id: Annotated[str | None, Query(max_length=40, description="default: the largest")] = None,
    opportunity_id: Annotated[
        str | None, Query(max_length=64, description="an open deal of the band")
    ] = None,
) -> Response:
    """Win chance (with its 90 % band) and expected margin over the price of the band's typical
    deal, or of one open deal, with the margin-optimal price: company-wide model facts."""

    def build() -> ResponseOut:
        bands = _bands(state, store)
        band = band_id or bands.default_band
        try:
            found = state.cache.call(pricing_response, store, user, band, opportunity_id)
        except PricingRequestError as exc:
            raise _refused(exc) from None
        if found is None:  # the model was removed since the bands were read
            raise ApiError(409, "no price model is stored yet")
        return ResponseOut(
            fit_id=bands.fit_id,
            band_id=found.band_id,
            opportunity_id=found.opportunity_id,
            list_price=found.list_price,
            cost=found.cost,
            currency=store_currency(store),
            optimum_price_ratio=found.optimum_ratio,
            optimum_win_probability=found.optimum_win,
            optimum_expected_margin=found.optimum_margin,
            current_price_ratio=found.current_ratio,
            curve=[CurvePoint(**r) for r in _records(found.curve)],
        )

    return await cached_json(request, state, user, build)
