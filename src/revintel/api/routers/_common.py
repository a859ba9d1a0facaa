"""Query parameters and conversions that the list and detail routers share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel

from revintel.api._cache import scope
from revintel.api._schemas import MilestoneEvent, Touchpoint
from revintel.api._state import AppState
from revintel.auth import RecordQuery, User
from revintel.model import FunnelDefinition

Language = Literal["de", "en"]
FilterValue = Annotated[str | None, Query(max_length=200)]


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


def timeline_models(
    events: list[dict[str, Any]], funnel: FunnelDefinition, lang: Language
) -> list[MilestoneEvent]:
    """Timeline rows with the funnel's labels in ``lang``."""
    labels = {m.id: m.name(lang) for m in funnel.milestones}
    return [MilestoneEvent(**e, label=labels.get(e["milestone"], e["milestone"])) for e in events]


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
