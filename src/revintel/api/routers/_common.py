"""Query parameters and response conversions that the API's list and detail routers share:
one page convention (``limit``, opaque ``cursor``, ``next_cursor``) and conditional GET."""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from revintel.api.routers._cursors import (
    MAX_CURSOR_CHARS,
    REFUSED,
    decode_cursor,
    dump_value,
    encode_cursor,
    fingerprint,
    keyset_of,
    offset_of,
)
from revintel.api.routers.analytics_schemas import IsoDate
from revintel.api.routers.shared_schemas import EntityScore, MilestoneEvent, Page, Touchpoint
from revintel.auth import User
from revintel.model import FunnelDefinition
from revintel.server import ApiError, AppState, scope
from revintel.store import Store
from revintel.views import (
    CursorError,
    RecordQuery,
    labelled_timeline,
    list_records,
    sortable_columns,
)
from revintel.views import journey as read_journey

Language = Literal["de", "en"]
#: One equality filter of a list endpoint's filter model (a query parameter).
Filter = Annotated[str | None, Field(max_length=200)]
Row = TypeVar("Row", bound=BaseModel)


class Filters(BaseModel):
    """Equality filters of a list endpoint, read from the query string; unset ones are ignored."""


Limit = Annotated[int, Query(ge=1, le=500, description="the most items a page holds")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_CHARS,
        description="next_cursor of the previous page; omit for the first page",
    ),
]


@dataclass(frozen=True)
class PageParams:
    """Page size and cursor of a list request."""

    limit: int
    cursor: str | None


async def page_params(limit: Limit = 50, cursor: Cursor = None) -> PageParams:
    """Parse the page size and cursor every list accepts (an empty cursor: the first page)."""
    return PageParams(limit, cursor or None)


PageDep = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True)
class ListParams:
    """Page size, cursor, order and creation-date range of a record list request."""

    limit: int
    cursor: str | None
    sort: str | None
    order: Literal["asc", "desc"]
    created_from: date | None
    created_to: date | None

    def binding(self, name: str, filters: Mapping[str, str]) -> str:
        """The fingerprint of the list, filters and sort a cursor of this request belongs to."""
        return fingerprint(
            {
                "list": name,
                "filters": dict(filters),
                "sort": self.sort,
                "order": self.order,
                "from": self.created_from,
                "to": self.created_to,
            }
        )

    def query(self, name: str, filters: Mapping[str, str | None]) -> RecordQuery:
        """The domain query for these parameters and the given equality filters."""
        given = {k: v for k, v in filters.items() if v not in (None, "")}
        after = None
        if self.cursor is not None:
            after = keyset_of(decode_cursor(self.cursor, self.binding(name, given)))
        return RecordQuery(
            filters=given,
            created_from=self.created_from,
            created_to=self.created_to,
            sort=self.sort,
            descending=self.order == "desc",
            limit=self.limit,
            after=after,
        )


@functools.cache
def list_params_for(name: str) -> Callable[..., Awaitable[ListParams]]:
    """The list-parameter dependency of the record list ``name``: its ``sort`` is an enum of
    the list's sortable columns, so the OpenAPI document names them."""
    columns = sortable_columns(name)
    sort_type: Any = Enum(f"{name.title()}Sort", {c: c for c in columns}, type=str)  # type: ignore[misc]

    async def parse(
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: str | None = None,
        order: Literal["asc", "desc"] = "desc",
        created_from: Annotated[IsoDate | None, Query(description="created on or after")] = None,
        created_to: Annotated[IsoDate | None, Query(description="created on or before")] = None,
    ) -> ListParams:
        chosen = None if sort is None else str(getattr(sort, "value", sort))
        return ListParams(limit, cursor or None, chosen, order, created_from, created_to)

    # FastAPI reads parameters from the signature; the sort enum exists only at run time.
    described = Query(
        description="column to sort by; default: score for scored leads and deals, else "
        "created_at (ties by key)",
    )
    signature = inspect.signature(parse, eval_str=True)
    parameters = [
        p.replace(annotation=Annotated[sort_type | None, described]) if p.name == "sort" else p
        for p in signature.parameters.values()
    ]
    parse.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return parse


def repeated(values: list[str] | None, name: str, most: int = 50) -> tuple[str, ...]:
    """A repeated query parameter's values, bounded in number and length (422 otherwise)."""
    found = tuple(values or ())
    if len(found) > most or any(len(v) > 200 for v in found):
        raise ApiError(422, f"{name}: at most {most} values of at most 200 characters")
    return found


def timeline_models(
    events: list[dict[str, Any]], funnel: FunnelDefinition, lang: Language
) -> list[MilestoneEvent]:
    """Timeline rows with the funnel's labels in ``lang``."""
    return [MilestoneEvent(**e) for e in labelled_timeline(events, funnel, lang)]


def touchpoint_models(rows: list[dict[str, Any]]) -> list[Touchpoint]:
    """Touchpoint rows as response models."""
    return [Touchpoint(**r) for r in rows]


#: What the operations answered through :func:`cached_json` add to their OpenAPI description:
#: the ``If-None-Match`` header and the 304 answer (``@router.get(..., **CONDITIONAL)``).
CONDITIONAL: dict[str, Any] = {
    "responses": {
        304: {"description": "Not Modified: the If-None-Match tag is the current ETag; no body"}
    },
    "openapi_extra": {
        "parameters": [
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "ETag(s) of a kept answer; 304 without body while it is current",
                "schema": {"type": "string"},
            }
        ]
    },
}
#: Kept answers may be stored by the caller's client only, and checked before each reuse.
CACHE_CONTROL = "private, no-cache"


def entity_tag(body: bytes) -> str:
    """The strong ETag of a response body: a digest of its bytes, quoted."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (or is ``*``); weak comparison, as
    RFC 9110 section 13.1.2 asks for this header."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False


async def cached_json(
    request: Request, state: AppState, user: User, build: Callable[[], BaseModel]
) -> Response:
    """The JSON of ``build()`` with its ETag, kept per URL and row scope until the data changes.

    A kept answer is sent from the event loop; only a miss runs ``build`` (which reads the
    store) on a worker thread, so cached requests never wait for a free thread. The tag is
    computed once with the body and kept beside it; a request whose ``If-None-Match`` names it
    gets ``304 Not Modified`` without a body.
    """
    key = ("api", request.url.path, request.url.query, scope(user))
    kept: tuple[bytes, str] | None = state.cache.peek(key)
    if kept is None:
        kept = await run_in_threadpool(state.cache.remember, key, lambda: _tagged(build))
    body, tag = kept
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _tagged(build: Callable[[], BaseModel]) -> tuple[bytes, str]:
    body = build().model_dump_json().encode()
    return body, entity_tag(body)


def record_page(
    state: AppState,
    store: Store,
    user: User,
    table: str,
    params: ListParams,
    filters: Filters,
    row: type[Row],
) -> Page[Row]:
    """One page of the rows of ``table`` that ``user`` may see and that match the filters."""
    query = params.query(table, filters.model_dump())
    try:
        result = state.cache.call(list_records, store, user, table, query)
    except CursorError as exc:
        raise ApiError(REFUSED, str(exc), field="cursor") from None
    items = [row(**r) for r in result.rows]
    following = None
    if result.last is not None:
        sort, value, key = result.last
        position = {"s": sort, "v": dump_value(value), "k": key}
        following = encode_cursor(params.binding(table, query.filters), position)
    return Page(items=items, total=result.total, limit=params.limit, next_cursor=following)


def offset_page(
    rows: Sequence[Row], params: PageParams, binding: Mapping[str, object], total: int | None
) -> Page[Row]:
    """The page of ``rows`` (all rows from the start up to at least this page's end) that
    ``params.cursor`` points at; the small lists' cursors hold an offset."""
    query = fingerprint(binding)
    start = 0 if params.cursor is None else offset_of(decode_cursor(params.cursor, query))
    end = start + params.limit
    following = encode_cursor(query, {"o": end}) if len(rows) > end else None
    return Page(items=list(rows[start:end]), total=total, limit=params.limit, next_cursor=following)


def offset_end(params: PageParams, binding: Mapping[str, object]) -> int:
    """Rows to read from the start so that :func:`offset_page` can tell whether more follow."""
    if params.cursor is None:
        return params.limit + 1
    return offset_of(decode_cursor(params.cursor, fingerprint(binding))) + params.limit + 1


@dataclass(frozen=True)
class Journey:
    """A lead's or deal's milestone timeline, touchpoints and latest scores, as response parts."""

    timeline: list[MilestoneEvent]
    touchpoints: list[Touchpoint]
    scores: list[EntityScore]


def journey(
    state: AppState,
    store: Store,
    user: User,
    lang: Language,
    scored: tuple[str, str],
    lead_id: str | None,
    opportunity_id: str | None = None,
) -> Journey:
    """The journey of a lead (and of one of its opportunities) as ``user`` may see it;
    ``scored`` is (table, id)."""
    found = state.cache.call(read_journey, store, user, scored, lead_id, opportunity_id)
    return Journey(
        timeline=timeline_models(found.timeline, state.funnel, lang),
        touchpoints=touchpoint_models(found.touchpoints),
        scores=[EntityScore(**s) for s in found.scores],
    )
