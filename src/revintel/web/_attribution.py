"""The Attribution page: every model's credits per channel for one funnel transition, the return
on marketing per channel and campaign, and the channel sequences that convert or stall; every
table downloadable as CSV and Excel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BeforeValidator, Field

from revintel.attribution._journey_times import transition_of
from revintel.attribution._models import DATA_DRIVEN
from revintel.model import load_funnel
from revintel.server import AppState, asgi_get, signed_in
from revintel.views._attribution import (
    COMPARED_VALUES,
    LEVELS,
    MODELS,
    AttributionRequestError,
    AttributionSettings,
    ModelComparison,
    attribution_targets,
    model_comparison,
)
from revintel.views._attribution_roi import attribution_roi
from revintel.views._buying_journey import journey_sequences
from revintel.web._attribution_tables import (
    comparison_chart,
    comparison_table,
    roi_campaign_table,
    roi_channel_table,
    transition_text,
)
from revintel.web._buying_journey import buying_journey_warmer
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._journey_tables import sequences_chart, sequences_table
from revintel.web._table_export import EXPORT_FORMATS, PageTable, export_response

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/attribution"
#: Which touches of a journey count: all up to the conversion, or those of the stage only.
TOUCHES = ("journey", "stage")
#: The model crediting revenue in the ROI tables unless another is chosen, as in the ROI KPIs:
#: Markov removal effects share every won euro among the channels of the whole journeys, never
#: negatively (docs/attribution.md).
ROI_MODEL = "markov"
#: Campaign rows shown on the page (the download has all).
CAMPAIGNS_SHOWN = 20
SEQUENCE_LENGTH, SEQUENCES_TOP = 3, 10
TABLES = ("comparison", "roi-channels", "roi-campaigns", "sequences")
Text = Annotated[
    Annotated[str, Field(max_length=40)] | None, BeforeValidator(lambda v: v or None), Query()
]


@dataclass(frozen=True)
class AttributionChoice:
    """The page's choices, each replaced by its default when missing or unknown."""

    to: str
    level: str
    value: str
    touches: str
    model: str

    @property
    def settings(self) -> AttributionSettings:
        """The journeys' settings of the views."""
        return AttributionSettings(level=self.level, stage_only=self.touches == "stage")

    def params(self) -> dict[str, str]:
        """The choices as query parameters."""
        return {"to": self.to, "level": self.level, "value": self.value,
                "touches": self.touches, "model": self.model}  # fmt: skip


def _choice(
    to: str | None, level: str | None, value: str | None, touches: str | None, model: str | None
) -> AttributionChoice:
    funnel = load_funnel()
    return AttributionChoice(
        to=to if to in attribution_targets(funnel) else funnel.won.id,
        level=level if level in LEVELS else LEVELS[0],
        value=value if value in COMPARED_VALUES else COMPARED_VALUES[0],
        touches=touches if touches in TOUCHES else TOUCHES[0],
        model=model if model in MODELS else ROI_MODEL,
    )


def _tables(page: PageContext, c: AttributionChoice, only: str | None = None) -> dict[str, Any]:
    """The page's tables (only ``only`` when given) and the results behind its charts."""
    t = page.t
    found: dict[str, Any] = {}
    if only in (None, "comparison"):
        compared = page.query(model_comparison, c.to, c.settings, None, c.value)
        found["comparison"] = comparison_table(compared, t)
        found["compared"] = compared
    if only in (None, "roi-channels", "roi-campaigns"):
        roi = page.query(attribution_roi, c.model, c.settings)
        found["roi-stored-at"] = roi.stored_at
        found["roi-channels"] = roi_channel_table(roi.channels, t)
        found["roi-campaigns"] = roi_campaign_table(roi.campaigns, t)
    if only in (None, "sequences"):
        frame = page.query(journey_sequences, c.to, SEQUENCE_LENGTH, SEQUENCES_TOP)
        found["sequences"] = sequences_table(frame, t)
        found["sequences-frame"] = frame
    return found


def _options(page: PageContext) -> dict[str, list[tuple[str, str]]]:
    funnel, t = load_funnel(), page.t
    return {
        "to": [
            (m, transition_text(funnel, *transition_of(m, funnel), t))
            for m in attribution_targets(funnel)
        ],
        "level": [(v, t(f"attribution.level.{v}")) for v in LEVELS],
        "value": [(v, t(f"attribution.value.{v}")) for v in COMPARED_VALUES],
        "touches": [(v, t(f"attribution.page.touches.{v}")) for v in TOUCHES],
        "model": [(m, t(f"attribution.model.{m}")) for m in MODELS],
    }


def _models_line(page: PageContext) -> str:
    t = page.t
    names = [t(f"attribution.model.{m}") for m in MODELS]
    driven = [n for m, n in zip(MODELS, names, strict=True) if m in DATA_DRIVEN]
    rules = [n for m, n in zip(MODELS, names, strict=True) if m not in DATA_DRIVEN]
    return t("attribution.page.models").format(driven=", ".join(driven), rules=", ".join(rules))


def _summary(page: PageContext, compared: ModelComparison) -> str:
    t = page.t
    if not compared.journeys:
        return t("attribution.empty")
    funnel = load_funnel()
    total = t.money(compared.total) if compared.value == "revenue" else t.number(compared.total)
    return t("attribution.page.summary").format(
        journeys=t.number(compared.journeys),
        transition=transition_text(funnel, compared.came_from, compared.to, t),
        total=total,
        value=t(f"attribution.value.{compared.value}"),
    )


@router.get(PATH, response_class=HTMLResponse)
def attribution_page(
    page: PageDep,
    to: Text = None,
    level: Text = None,
    value: Text = None,
    touches: Text = None,
    model: Text = None,
) -> Response:
    """Every model's credits for the chosen transition, ROI per channel and campaign, and the
    top converting and stalled channel sequences, on the journeys the user sees."""
    c = _choice(to, level, value, touches, model)
    common: dict[str, Any] = {"choice": c, "options": _options(page), "models_line":
                              _models_line(page)}  # fmt: skip
    try:
        found = _tables(page, c)
    except AttributionRequestError as exc:
        key = f"attribution.page.refused.{exc.field}"
        refused = page.t(key) if page.t(key) != key else str(exc)
        return page.render("attribution.html", refused=refused, **common)
    compared = found.pop("compared")
    sequences: pd.DataFrame = found.pop("sequences-frame")
    stored_at = found.pop("roi-stored-at")
    return page.render(
        "attribution.html",
        refused=None,
        compared=compared,
        summary=_summary(page, compared),
        roi_stored_at=stored_at,
        tables=found,
        campaigns_shown=CAMPAIGNS_SHOWN,
        export_urls={
            (name, fmt): page.url(f"{PATH}/export", table=name, format=fmt, **c.params())
            for name in TABLES
            for fmt in EXPORT_FORMATS
        },
        charts={
            "comparison": comparison_chart(compared, page.t) if compared.journeys else None,
            "sequences": sequences_chart(sequences, page.t) if len(sequences) else None,
        },
        **common,
    )


@router.get(f"{PATH}/export")
def attribution_export(
    page: PageDep,
    table: Annotated[str, Query(max_length=40)],
    format: Annotated[str, Query(max_length=10)] = "csv",
    to: Text = None,
    level: Text = None,
    value: Text = None,
    touches: Text = None,
    model: Text = None,
) -> Response:
    """One table of the page as CSV (in the page's language) or Excel."""
    if table not in TABLES or format not in EXPORT_FORMATS:
        return Response(
            f"unknown table {table!r} or format {format!r}; tables: {', '.join(TABLES)}; "
            "formats: csv, xlsx",
            status_code=404,
            media_type="text/plain",
        )
    c = _choice(to, level, value, touches, model)
    try:
        chosen: PageTable = _tables(page, c, table)[table]
    except AttributionRequestError as exc:
        return Response(str(exc), status_code=422, media_type="text/plain")
    return export_response(chosen, format, page.t)


def attribution_warmer(app: FastAPI, state: AppState) -> Callable[[], None]:
    """A warmer computing the Attribution page ahead with its default choices."""

    def warm() -> None:
        with signed_in(state) as cookie:
            if cookie is None or state.warm_cancelled():
                return
            status = asyncio.run(asgi_get(app, PATH, cookie))
            logger.info("computed %s ahead (%d)", PATH, status)

    return warm


def install_attribution(app: FastAPI) -> None:
    """Have the server compute the Attribution and Buying journey pages ahead at start and
    after imports (late: an import is answered without waiting for these slower pages)."""
    state = app.state.revintel
    state.add_warmer(attribution_warmer(app, state), late=True)
    state.add_warmer(buying_journey_warmer(app, state), late=True)
