"""The slice filters that analytical API routes and pages read from the query string."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from revintel.views import Slice

FilterValue = Annotated[str | None, Query(max_length=200)]


async def slice_params(
    channel: FilterValue = None,
    segment: FilterValue = None,
    team: FilterValue = None,
    rep: Annotated[str | None, Query(max_length=200, description="rep id")] = None,
) -> Slice:
    """The leads a view counts: of one channel, segment, team or rep (empty means all)."""
    return Slice(channel or None, segment or None, team or None, rep or None)


SliceDep = Annotated[Slice, Depends(slice_params)]
