"""The Buying journey page: how much of the journey is done before the first sales contact,
digital, self-service and mobile shares over time around an event, content per buying phase and
the channel sequences that convert or stall; every table downloadable as CSV and Excel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BeforeValidator, Field

from revintel.model import load_funnel
from revintel.server import AppState, asgi_get, signed_in
from revintel.views._attribution import attribution_targets
from revintel.views._buying_journey import (
    SHARE_GRAINS,
    TRADE_FAIR_STOP,
    journey_before_sales,
    journey_content,
    journey_sequences,
    journey_shares,
    journey_shift,
)
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._journey_tables import (
    before_sales_chart,
    before_sales_table,
    content_table,
    sequences_chart,
    sequences_table,
    shares_chart,
    shares_table,
    shift_table,
)
from revintel.web._table_export import EXPORT_FORMATS, PageTable, export_response

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/buying-journey"
#: Groupings of the before-sales table offered, the first by default.
GROUPINGS = ("segment,year", "segment", "year", "industry", "region", "country", "channel")
#: Channels per sequence offered, and sequences listed per side (converting, stalled).
LENGTHS = (2, 3, 4)
TOP = 10
TABLES = ("before-sales", "shares", "shift", "content", "sequences")
Text = Annotated[
    Annotated[str, Field(max_length=40)] | None, BeforeValidator(lambda v: v or None), Query()
]
Day = Annotated[date | None, BeforeValidator(lambda v: v or None), Query()]
Length = Annotated[
    Annotated[int, Field(ge=1, le=10)] | None, BeforeValidator(lambda v: v or None), Query()
]


@dataclass(frozen=True)
class JourneySettings:
    """The page's choices, each replaced by its default when missing or unknown."""

    by: str
    grain: str
    event_start: date
    event_end: date | None
    to: str
    length: int

    @property
    def groups(self) -> tuple[str, ...]:
        """The before-sales table's grouping as dimension names."""
        return tuple(self.by.split(","))

    def params(self) -> dict[str, Any]:
        """The choices as query parameters."""
        return {
            "by": self.by,
            "grain": self.grain,
            "event_start": self.event_start.isoformat(),
            "event_end": "" if self.event_end is None else self.event_end.isoformat(),
            "to": self.to,
            "length": self.length,
        }


def _settings(
    by: str | None,
    grain: str | None,
    event_start: date | None,
    event_end: date | None,
    to: str | None,
    length: int | None,
) -> JourneySettings:
    # Without a start the event is the trade-fair stop; with a start and no end it is open.
    start = event_start or TRADE_FAIR_STOP[0]
    end = event_end if event_start else (event_end or TRADE_FAIR_STOP[1])
    return JourneySettings(
        by=by if by in GROUPINGS else GROUPINGS[0],
        grain=grain if grain in SHARE_GRAINS else "quarter",
        event_start=start,
        event_end=end if end is None or end > start else None,
        to=to if to in attribution_targets(load_funnel()) else "won",
        length=length if length in LENGTHS else 3,
    )


def _tables(page: PageContext, s: JourneySettings, only: str | None = None) -> dict[str, Any]:
    """The page's tables (only ``only`` when given) and the frames behind the charts."""
    t = page.t
    found: dict[str, Any] = {}
    if only in (None, "before-sales"):
        found["before-sales"] = before_sales_table(
            page.query(journey_before_sales, s.groups), s.groups, t
        )
    if only in (None, "shares"):
        found["shares"] = shares_table(page.query(journey_shares, s.grain), t)
    if only in (None, "shift"):
        found["shift"] = shift_table(page.query(journey_shift, s.event_start, s.event_end), t)
    if only in (None, "content"):
        found["content"] = content_table(page.query(journey_content), t)
    if only in (None, "sequences"):
        frame = page.query(journey_sequences, s.to, s.length, TOP)
        found["sequences"] = sequences_table(frame, t)
        found["sequences-frame"] = frame
    return found


def _headline(table: PageTable) -> dict[str, Any] | None:
    """The overall row of the before-sales table (the last), if any journey had a contact."""
    if not table.rows or not table.rows[-1].get("with_sales_contact"):
        return None
    return table.rows[-1]


def _milestones(page: PageContext) -> list[tuple[str, str]]:
    funnel = load_funnel()
    return [(m, funnel.get(m).name(page.t.lang)) for m in attribution_targets(funnel)]


@router.get(PATH, response_class=HTMLResponse)
def buying_journey(
    page: PageDep,
    by: Text = None,
    grain: Text = None,
    event_start: Day = None,
    event_end: Day = None,
    to: Text = None,
    length: Length = None,
) -> Response:
    """The buying journey of the leads the user sees: share before the first sales contact,
    shares over time around an event, content per phase and top channel sequences."""
    s = _settings(by, grain, event_start, event_end, to, length)
    found = _tables(page, s)
    sequences: pd.DataFrame = found.pop("sequences-frame")
    shares = found["shares"]
    median_days = sequences.attrs.get("median_days")
    return page.render(
        "buying_journey.html",
        filters=s.params(),
        settings=s,
        groupings=GROUPINGS,
        grains=SHARE_GRAINS,
        lengths=LENGTHS,
        milestones=_milestones(page),
        headline=_headline(found["before-sales"]),
        tables=found,
        export_urls={
            (name, fmt): page.url(f"{PATH}/export", table=name, format=fmt, **s.params())
            for name in TABLES
            for fmt in EXPORT_FORMATS
        },
        charts={
            "before-sales": before_sales_chart(found["before-sales"], s.groups, page.t),
            "shares": shares_chart(shares, (s.event_start, s.event_end), page.t)
            if shares.rows
            else None,
            "sequences": sequences_chart(sequences, page.t) if len(sequences) else None,
        },
        median_days=None if median_days is None or pd.isna(median_days) else median_days,
    )


@router.get(f"{PATH}/export")
def buying_journey_export(
    page: PageDep,
    table: Annotated[str, Query(max_length=40)],
    format: Annotated[str, Query(max_length=10)] = "csv",
    by: Text = None,
    grain: Text = None,
    event_start: Day = None,
    event_end: Day = None,
    to: Text = None,
    length: Length = None,
) -> Response:
    """One table of the page as CSV (in the page's language) or Excel."""
    if table not in TABLES:
        return Response(
            f"unknown table {table!r}; choose one of {', '.join(TABLES)}",
            status_code=404,
            media_type="text/plain",
        )
    if format not in EXPORT_FORMATS:
        return Response(
            f"unknown format {format!r}; choose csv or xlsx", status_code=422,
            media_type="text/plain",
        )  # fmt: skip
    s = _settings(by, grain, event_start, event_end, to, length)
    return export_response(_tables(page, s, table)[table], format, page.t)


def buying_journey_warmer(app: FastAPI, state: AppState) -> Callable[[], None]:
    """A warmer computing the Buying journey page ahead with its default settings."""

    def warm() -> None:
        with signed_in(state) as cookie:
            if cookie is None or state.warm_cancelled():
                return
            status = asyncio.run(asgi_get(app, PATH, cookie))
            logger.info("computed %s ahead (%d)", PATH, status)

    return warm
