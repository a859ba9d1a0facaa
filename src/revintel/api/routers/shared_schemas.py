"""Shapes several API resources share: list pages, lineage, scores, milestone
events and touchpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from revintel.server import response_zone
from revintel.store import local_instant


def json_integer(value: object) -> object:
    """A JSON integer as JSON Schema defines it: ``3`` or ``3.0``, never ``true`` or ``"3"``.

    For ``field_validator(..., mode="before")`` on integer fields of request bodies; ``None``
    passes through for optional fields.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a valid integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("Input should be a valid integer, got a number with a fraction")
        return int(value)
    return value


T = TypeVar("T")


def rfc3339(value: datetime) -> str:
    """A stored wall-clock time as RFC 3339 text with the store zone's offset.

    Examples
    --------
    >>> rfc3339(datetime(2024, 12, 31, 17, 8, 54))  # outside a server: the default zone
    '2024-12-31T17:08:54+01:00'
    """
    return local_instant(value, response_zone()).isoformat()


#: A point in time in a response: RFC 3339 with the offset of the store's zone
#: (``2024-07-01T09:30:00+02:00``); stored times are wall-clock times of that zone.
Timestamp = Annotated[
    datetime,
    PlainSerializer(rfc3339, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Page(BaseModel, Generic[T]):
    """One page of a list; ask for the next one with ``cursor=next_cursor``."""

    items: list[T]
    total: int | None = Field(
        description="rows matching the filters over all pages; null where counting is costly"
    )
    limit: int = Field(description="the most items a page holds")
    next_cursor: str | None = Field(
        description="opaque cursor of the next page (same filters and sort); null on the last"
    )


class Lineage(BaseModel):
    """Where a row came from."""

    model_config = ConfigDict(from_attributes=True)
    source_system: str | None = None
    source_id: str | None = None
    import_batch_id: str | None = None


class ScoreReason(BaseModel):
    """One reason behind a score: the feature, its effect in log-odds and a sentence."""

    feature: str
    effect: float
    de: str
    en: str


class ScoreReasons(BaseModel):
    """The strongest reasons for (positive) and against (negative) a score."""

    positive: list[ScoreReason]
    negative: list[ScoreReason]


class Scored(BaseModel):
    """The latest score of a lead or deal, when the scoring has run."""

    score: float | None = Field(None, description="calibrated probability")
    score_kind: str | None = Field(None, examples=["lead_to_sql", "deal_win"])
    scored_at: Timestamp | None = None
    score_reasons: ScoreReasons | None = None


class EntityScore(BaseModel):
    """The latest score of one kind for one lead or deal."""

    kind: str
    score: float
    scored_at: Timestamp
    model_id: str
    reasons: ScoreReasons | None = None


class MilestoneEvent(BaseModel):
    """One step of a journey."""

    milestone: str
    label: str = Field(description="the funnel definition's label in the requested language")
    entity_type: str
    entity_id: str
    occurred_at: Timestamp
    days_since_previous: float | None = None
    source_stage: str | None = None
    actor: str | None = None
    reason: str | None = None
    inferred: bool | None = None


class Touchpoint(BaseModel):
    """A marketing or sales touch."""

    touchpoint_id: str
    channel: str
    kind: str
    digital: bool
    occurred_at: Timestamp
    campaign_id: str | None = None
    opportunity_id: str | None = None
    cost: float | None = None
    currency: str | None = None
