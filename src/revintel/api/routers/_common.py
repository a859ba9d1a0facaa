"""Query parameters and response conversions that the API's list and detail routers share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from revintel.api.routers.shared_schemas import EntityScore, MilestoneEvent, Page, Touchpoint
from revintel.auth import User
from revintel.model import FunnelDefinition
from revintel.server import ApiError, AppState, scope
from revintel.store import Store
from revintel.views import RecordQuery, labelled_timeline, list_records
from revintel.views import journey as read_journey

Language = Literal["de", "en"]
#: One equality filter of a list endpoint's filter model (a query parameter).
Filter = Annotated[str | None, Field(max_length=200)]
Row = TypeVar("Row", bound=BaseModel)


class Filters(BaseModel):
    """Equality filters of a list endpoint, read from the query string; unset ones are ignored."""


@dataclass(frozen=True)
class ListParams:
    """Paging, order and creation-date range of a list request."""

    page: int
    page_size: int
    sort: str | None
    order: Literal["asc", "desc"]
    created_from: date | None
    created_to: date | None

    def query(self, filters: Mapping[str, str | None]) -> RecordQuery:
        """The domain query for these parameters and the given equality filters."""
        return RecordQuery(
            filters={k: v for k, v in filters.items() if v not in (None, "")},
            created_from=self.created_from,
            created_to=self.created_to,
            sort=self.sort,
            descending=self.order == "desc",
            limit=self.page_size,
            offset=(self.page - 1) * self.page_size,
        )


async def list_params(
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    sort: Annotated[
        str | None,
        Query(
            max_length=64,
            description="column to sort by; default: score for scored leads and deals, "
            "else created_at",
        ),
    ] = None,
    order: Literal["asc", "desc"] = "desc",
    created_from: Annotated[date | None, Query(description="created on or after")] = None,
    created_to: Annotated[date | None, Query(description="created on or before")] = None,
) -> ListParams:
    """Parse the list parameters every list endpoint accepts."""
    return ListParams(page, page_size, sort, order, created_from, created_to)


ListDep = Annotated[ListParams, Depends(list_params)]


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


async def cached_json(
    request: Request, state: AppState, user: User, build: Callable[[], BaseModel]
) -> Response:
    """The JSON of ``build()``, kept per URL and row scope until the data changes.

    A kept answer is sent from the event loop; only a miss runs ``build`` (which reads the
    store) on a worker thread, so cached requests never wait for a free thread.
    """
    key = ("api", request.url.path, request.url.query, scope(user))
    body = state.cache.peek(key)
    if body is None:
        body = await run_in_threadpool(
            state.cache.remember, key, lambda: build().model_dump_json().encode()
        )
    return Response(body, media_type="application/json")


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
    query = params.query(filters.model_dump())
    result = state.cache.call(list_records, store, user, table, query)
    items = [row(**r) for r in result.rows]
    return Page(items=items, total=result.total, page=params.page, page_size=params.page_size)


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
