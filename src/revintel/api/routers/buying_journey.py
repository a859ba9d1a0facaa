"""``/api/v1/journey``: the digital buying journey — channel mix, digital, self-service and
mobile shares, a share before and after an event, the journey before the first sales contact,
content per buying phase and channel sequences (docs/buying-journey.md).

Every answer covers the rows the caller may see (a sales rep's own leads), is kept until the
data changes (``cached_json``) and refuses a bad parameter with 400 naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, StringConstraints

from revintel._frames import json_value
from revintel.api.routers._common import CONDITIONAL, cached_json, repeated
from revintel.api.routers.buying_journey_schemas import (
    BeforeSalesOut,
    BeforeSalesRow,
    ContentOut,
    ContentRow,
    EventOut,
    EventRow,
    MixOut,
    MixRow,
    SequenceRow,
    SequencesOut,
    SharesOut,
    SharesRow,
)
from revintel.attribution._before_sales import BEFORE_SALES_DIMENSIONS, DEFAULT_SALES_KINDS
from revintel.server import ApiError, StateDep, StoreDep, UserDep
from revintel.views._journey_requests import (
    GRAINS,
    MEASURES,
    MIX_DIMENSIONS,
    SHARE_DIMENSIONS,
    JourneyRequestError,
    before_sales_frame,
    content_frame,
    event_frame,
    mix_frame,
    sequences_frame,
    shares_frame,
)

router = APIRouter(prefix="/journey", tags=["journey"])
Row = TypeVar("Row", bound=BaseModel)


def _text(description: str) -> Any:
    return Query(max_length=40, description=description)


Grain = Annotated[str, _text(f"period: {', '.join(GRAINS)} (400 for another)")]
Day = Annotated[str | None, _text("a day as YYYY-MM-DD (400 for another)")]
AsOf = Annotated[
    str | None, _text("evaluate as of the end of this day, YYYY-MM-DD (default: everything)")
]


#: One value of a repeated name parameter (``by``, ``sales_kinds``); the document declares the
#: bounds :func:`_names` enforces (at most 10 values of at most 200 characters).
NameItem = Annotated[str, StringConstraints(max_length=200)]


def _by(description: str) -> Any:
    return Query(
        max_length=10,
        description=f"{description}; repeat or separate by commas (400 for another)",
    )


def _names(values: list[str] | None, name: str) -> tuple[str, ...]:
    given = repeated(values, name, most=10)
    return tuple(dict.fromkeys(v.strip() for text in given for v in text.split(",") if v.strip()))


def _day(text: str | None, field: str) -> date | None:
    """The day ``text`` names (``None`` when absent); 400 naming ``field`` for anything else."""
    if not text:
        return None
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ApiError(400, f"{field}: {text!r} is not a day as YYYY-MM-DD", field=field)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | pd.Timestamp) and not pd.isna(value):
        return value.date()
    return json_value(value)


def _rows(frame: pd.DataFrame, row: type[Row]) -> list[Row]:
    return [row(**{str(k): _cell(v) for k, v in r.items()}) for r in frame.to_dict("records")]


async def _answer(
    request: Request, state: StateDep, user: UserDep, build: Callable[[], BaseModel]
) -> Response:
    def checked() -> BaseModel:
        try:
            return build()
        except JourneyRequestError as exc:
            raise ApiError(400, str(exc), field=exc.field) from None

    return await cached_json(request, state, user, checked)


@router.get("/mix", response_model=MixOut, summary="Channel mix", **CONDITIONAL)
async def get_channel_mix(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    grain: Grain = "quarter",
    by: Annotated[list[NameItem] | None, _by(f"breakdowns: {', '.join(MIX_DIMENSIONS)}")] = None,
) -> Response:
    """Touchpoints per period and channel with each channel's share of the period (within each
    breakdown value)."""
    dims = _names(by, "by")

    def build() -> MixOut:
        frame = mix_frame(store, user, grain, dims)
        return MixOut(grain=grain, by=list(dims), rows=_rows(frame, MixRow))

    return await _answer(request, state, user, build)


@router.get("/shares", response_model=SharesOut, summary="Digital shares", **CONDITIONAL)
async def get_touch_shares(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    grain: Grain = "quarter",
    by: Annotated[list[NameItem] | None, _by(f"breakdowns: {', '.join(SHARE_DIMENSIONS)}")] = None,
) -> Response:
    """Digital, self-service and mobile share of the touchpoints per period; a share counts only
    touchpoints whose flag is recorded (`null` where nothing is)."""
    dims = _names(by, "by")

    def build() -> SharesOut:
        frame = shares_frame(store, user, grain, dims)
        return SharesOut(grain=grain, by=list(dims), rows=_rows(frame, SharesRow))

    return await _answer(request, state, user, build)


@router.get("/event", response_model=EventOut, summary="Before and after an event", **CONDITIONAL)
async def get_event_shift(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    start: Annotated[str, _text("first day of the event, YYYY-MM-DD")],
    end: Day = None,
    measure: Annotated[str, _text(f"the share: {', '.join(MEASURES)}")] = "digital",
) -> Response:
    """A share before the event against the share during it and, with ``end`` (the first day
    after it), after it, with Wilson and Newcombe 95 % intervals. 400 naming ``end`` when it
    does not lie after ``start``."""
    first = _day(start, "start")
    last = _day(end, "end")
    if first is None:
        raise ApiError(400, "start: a day as YYYY-MM-DD is required", field="start")

    def build() -> EventOut:
        frame = event_frame(store, user, first, last, measure)
        return EventOut(start=first, end=last, measure=measure, rows=_rows(frame, EventRow))

    return await _answer(request, state, user, build)


@router.get(
    "/before-sales",
    response_model=BeforeSalesOut,
    summary="Journey before the first sales contact",
    **CONDITIONAL,
)
async def get_before_sales(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: Annotated[
        list[NameItem] | None,
        _by(f"groups: {', '.join(BEFORE_SALES_DIMENSIONS)}; default segment,year"),
    ] = None,
    sales_kinds: Annotated[
        list[NameItem] | None,
        _by(f"touchpoint kinds that are a sales contact; default {', '.join(DEFAULT_SALES_KINDS)}"),
    ] = None,
    as_of: AsOf = None,
) -> Response:
    """The share of each lead journey's touchpoints and time before its first sales contact,
    median and mean per group; the last row (groups `null`) is all journeys together."""
    dims = _names(by, "by") or ("segment", "year")
    kinds = _names(sales_kinds, "sales_kinds") or DEFAULT_SALES_KINDS
    day = _day(as_of, "as_of")

    def build() -> BeforeSalesOut:
        frame = before_sales_frame(store, user, dims, kinds, day)
        rows = _rows(frame, BeforeSalesRow)
        return BeforeSalesOut(by=list(dims), sales_kinds=list(kinds), as_of=day, rows=rows)

    return await _answer(request, state, user, build)


@router.get("/content", response_model=ContentOut, summary="Content per phase", **CONDITIONAL)
async def get_content(
    request: Request, store: StoreDep, user: UserDep, state: StateDep, as_of: AsOf = None
) -> Response:
    """Content consumed per buying phase with the conversion lift of consuming it (an
    association, not an effect)."""
    day = _day(as_of, "as_of")

    def build() -> ContentOut:
        return ContentOut(as_of=day, rows=_rows(content_frame(store, user, day), ContentRow))

    return await _answer(request, state, user, build)


@router.get("/sequences", response_model=SequencesOut, summary="Channel sequences", **CONDITIONAL)
async def get_sequences(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    to: Annotated[
        str, _text("milestone the journeys convert to (a path milestone or won)")
    ] = "won",
    length: Annotated[int, Query(ge=1, le=10, description="last channels per sequence")] = 3,
    top: Annotated[int, Query(ge=1, le=100, description="sequences of each kind")] = 10,
    as_of: AsOf = None,
) -> Response:
    """The most frequent channel sequences of journeys converting to ``to`` next to those of
    stalled journeys, with conversion rate and lift."""
    day = _day(as_of, "as_of")

    def build() -> SequencesOut:
        frame = sequences_frame(store, user, to, length, top, day)
        found = frame.attrs.get("median_days")
        median = None if found is None or pd.isna(found) else float(found)
        return SequencesOut(
            to=to,
            length=length,
            top=top,
            as_of=day,
            median_days=median,
            rows=_rows(frame, SequenceRow),
        )

    return await _answer(request, state, user, build)
