"""The Pricing page: the price waterfall, price bands with the deals in them, the price-response
curve with the margin-optimal price, leakage tables and the discount KPIs; every table
downloadable as CSV and Excel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import HTMLResponse, Response

from revintel.auth import AccessDeniedError, Permission
from revintel.server import AppState, asgi_get, signed_in
from revintel.views._pricing import (
    LEAKAGE_LEVELS,
    OUTLIER_LEVELS,
    PricingFilter,
    PricingOptions,
    PricingRequestError,
    options_of,
    pricing_leakage,
    pricing_outliers,
    pricing_tiles,
    pricing_waterfall,
)
from revintel.views._pricing_frames import (
    band_deals,
    open_positions,
    placed_deals,
    pricing_bands,
    pricing_response,
)
from revintel.views._pricing_guidance import NoPriceModelError, deal_guidance, guidance_context
from revintel.views._records import RecordNotFoundError
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._pricing_tables import (
    band_chart,
    band_labels,
    bands_table,
    evaluation_text,
    guidance_bar,
    leakage_table,
    optimum_text,
    outliers_table,
    positions_table,
    response_chart,
    response_table,
    waterfall_chart,
    waterfall_table,
)
from revintel.web._table_export import EXPORT_FORMATS, PageTable, export_response

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/pricing"
TABLES = (
    "waterfall",
    "bands",
    "positions",
    "response",
    *(f"leakage-{level}" for level in LEAKAGE_LEVELS),
    *(f"outliers-{level}" for level in OUTLIER_LEVELS),
)
#: Rows of the open deals and of the outlier tables shown on the page (the downloads have all).
POSITIONS_SHOWN, OUTLIERS_SHOWN = 25, 10
#: A choice of the page; a form sends an unchosen one as an empty value, which means none.
Text = Annotated[str | None, Query(max_length=80)]


@dataclass(frozen=True)
class PricingChoice:
    """The page's choices; an unknown segment, family or year counts as none."""

    segment: str | None = None
    family: str | None = None
    period: str | None = None
    band: str | None = None
    deal: str | None = None

    @property
    def focus(self) -> PricingFilter:
        """The deals and order lines the waterfall covers."""
        return PricingFilter(self.segment, self.family, self.period)

    def params(self) -> dict[str, str | None]:
        """The choices as query parameters."""
        return asdict(self)


def _choice(page: PageContext, **given: str | None) -> PricingChoice:
    options: PricingOptions = options_of(page.query(placed_deals))
    allowed = {"segment": options.segments, "family": options.families, "period": options.periods}
    given = {k: v or None for k, v in given.items()}
    kept = {k: (v if k not in allowed or v in allowed[k] else None) for k, v in given.items()}
    bands = page.query_unscoped(pricing_bands)
    if bands is None or kept["band"] not in set(bands.bands["band_id"]):
        kept["band"] = None if bands is None or bands.bands.empty else bands.default_band
    return PricingChoice(**kept)


def _tables(page: PageContext, c: PricingChoice, only: str | None = None) -> dict[str, Any]:
    """The page's tables (only ``only`` when given) and the results behind its charts."""
    t = page.t
    found: dict[str, Any] = {}
    if only in (None, "waterfall"):
        flow = page.query(pricing_waterfall, c.focus)
        found["waterfall"], found["waterfall-view"] = waterfall_table(flow, t), flow
    bands = page.query_unscoped(pricing_bands)
    found["bands-view"] = bands
    if bands is not None and only in (None, "bands"):
        found["bands"] = bands_table(bands, t)
    if bands is not None and only in (None, "positions"):
        found["positions"] = positions_table(open_positions(page.query(placed_deals)), bands, t)
    if bands is not None and c.band and only in (None, "response"):
        try:
            curve = page.query(pricing_response, c.band, c.deal)
        except PricingRequestError as exc:
            if only is not None:
                raise
            curve, found["refused"] = None, str(exc)
        found["response-view"] = curve
        if curve is not None:
            found["response"] = response_table(curve, t)
    for level in LEAKAGE_LEVELS:
        if only in (None, f"leakage-{level}"):
            frame = page.query(pricing_leakage, level, c.focus)
            found[f"leakage-{level}"] = leakage_table(frame, level, t)
    for level in OUTLIER_LEVELS:
        if only in (None, f"outliers-{level}"):
            frame = page.query(pricing_outliers, level)
            found[f"outliers-{level}"] = outliers_table(frame, level, t)
    return found


def _charts(page: PageContext, c: PricingChoice, found: dict[str, Any]) -> dict[str, Any]:
    t, bands = page.t, found["bands-view"]
    charts: dict[str, Any] = {"waterfall": None, "band": None, "response": None}
    if found["waterfall-view"].lines:
        charts["waterfall"] = waterfall_chart(found["waterfall-view"], t)
    if bands is not None and c.band:
        points = band_deals(page.query(placed_deals), c.band)
        charts["band"] = band_chart(bands, c.band, points, t)
    if found.get("response-view") is not None:
        charts["response"] = response_chart(found["response-view"], t)
    return charts


def _scope_note(page: PageContext) -> str | None:
    if page.user.can(Permission.view_all_rows):
        return None
    return page.t("pricing.page.scope_rep")


@router.get(PATH, response_class=HTMLResponse)
def pricing_page(
    page: PageDep,
    segment: Text = None,
    family: Text = None,
    period: Text = None,
    band: Text = None,
    deal: Text = None,
) -> Response:
    """Waterfall, bands, price response, leakage and discount KPIs on the deals the user sees."""
    c = _choice(page, segment=segment, family=family, period=period, band=band, deal=deal)
    found = _tables(page, c)
    bands = found["bands-view"]
    curve = found.get("response-view")
    positions = open_positions(page.query(placed_deals)) if bands is not None else None
    return page.render(
        "pricing.html",
        choice=c,
        options=options_of(page.query(placed_deals)),
        tiles=page.query(pricing_tiles),
        scope_note=_scope_note(page),
        flow=found["waterfall-view"],
        bands=bands,
        band_names=band_labels(bands, page.t) if bands is not None else {},
        band_open_deals=[]
        if positions is None
        else list(positions.loc[positions["band_id"] == c.band, "opportunity_id"]),
        positions_shown=POSITIONS_SHOWN,
        outliers_shown=OUTLIERS_SHOWN,
        evaluation_line=evaluation_text(bands.evaluation, page.t) if bands is not None else None,
        refused=found.get("refused"),
        curve=curve,
        optimum=optimum_text(curve, page.t) if curve is not None else None,
        tables={k: v for k, v in found.items() if isinstance(v, PageTable)},
        leakage_tables=[f"leakage-{level}" for level in LEAKAGE_LEVELS],
        outlier_tables=[f"outliers-{level}" for level in OUTLIER_LEVELS],
        charts=_charts(page, c, found),
        export_urls={
            (name, fmt): page.url(f"{PATH}/export", table=name, format=fmt, **c.params())
            for name in TABLES
            for fmt in EXPORT_FORMATS
        },
    )


@router.get(f"{PATH}/export")
def pricing_export(
    page: PageDep,
    table: Annotated[str, Query(max_length=40)],
    format: Annotated[str, Query(max_length=10)] = "csv",
    segment: Text = None,
    family: Text = None,
    period: Text = None,
    band: Text = None,
    deal: Text = None,
) -> Response:
    """One table of the page as CSV (in the page's language) or Excel."""
    if table not in TABLES or format not in EXPORT_FORMATS:
        return Response(
            f"unknown table {table!r} or format {format!r}; tables: {', '.join(TABLES)}; "
            "formats: csv, xlsx",
            status_code=404,
            media_type="text/plain",
        )
    c = _choice(page, segment=segment, family=family, period=period, band=band, deal=deal)
    try:
        chosen = _tables(page, c, table).get(table)
    except PricingRequestError as exc:
        return Response(str(exc), status_code=422, media_type="text/plain")
    if chosen is None:
        return Response(
            f"table {table!r} needs a stored price model (revintel pricing fit)",
            status_code=404,
            media_type="text/plain",
        )
    return export_response(chosen, format, page.t)


def pricing_warmer(app: FastAPI, state: AppState) -> Callable[[], None]:
    """A warmer computing the Pricing page ahead with its default choices."""

    def warm() -> None:
        with signed_in(state) as cookie:
            if cookie is None or state.warm_cancelled():
                return
            status = asyncio.run(asgi_get(app, PATH, cookie))
            logger.info("computed %s ahead (%d)", PATH, status)

    return warm


def install_pricing(app: FastAPI) -> None:
    """Have the server compute the Pricing page ahead at start and after imports (late: an
    import is answered without waiting for it)."""
    state = app.state.revintel
    state.add_warmer(pricing_warmer(app, state), late=True)


@dataclass(frozen=True)
class DealGuidance:
    """What the deal page shows of a deal's guidance: the answer of the guidance API, where
    its prices sit on the band's bar (percent from the left), or why there is none."""

    answer: dict[str, Any] | None
    bar: dict[str, float]
    reason: str | None = None
    comparables: tuple[dict[str, Any], ...] = ()


def deal_guidance_block(page: PageContext, deal: dict[str, Any]) -> DealGuidance | None:
    """Guidance for an open deal, the same answer ``POST /api/v1/pricing/guidance`` gives;
    ``None`` for closed deals."""
    if str(deal.get("status") or "open").lower() != "open":
        return None
    context = page.query_unscoped(guidance_context)
    try:
        answer = deal_guidance(page.store, page.user, str(deal["opportunity_id"]), context)
    except NoPriceModelError:
        return DealGuidance(None, {}, page.t("pricing.guidance.no_model"))
    except (RecordNotFoundError, AccessDeniedError):
        return DealGuidance(None, {}, page.t("pricing.guidance.no_list_price"))
    comparables = tuple(
        c | {"closed_at": _day(c.get("closed_at"))}
        for kind in ("won", "lost")
        for c in answer.get("comparable_deals", {}).get(kind, [])
    )
    return DealGuidance(answer, guidance_bar(answer), None, comparables)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
