"""Shapes several API resources share: list pages, lineage, scores, milestone
events and touchpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="rows matching the filters, over all pages")
    page: int
    page_size: int


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
    scored_at: datetime | None = None
    score_reasons: ScoreReasons | None = None


class EntityScore(BaseModel):
    """The latest score of one kind for one lead or deal."""

    kind: str
    score: float
    scored_at: datetime
    model_id: str
    reasons: ScoreReasons | None = None


class MilestoneEvent(BaseModel):
    """One step of a journey."""

    milestone: str
    label: str = Field(description="the funnel definition's label in the requested language")
    entity_type: str
    entity_id: str
    occurred_at: datetime
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
    occurred_at: datetime
    campaign_id: str | None = None
    opportunity_id: str | None = None
    cost: float | None = None
    currency: str | None = None
