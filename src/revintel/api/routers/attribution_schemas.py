"""Bodies and query parameter types of the attribution endpoints."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, JsonValue

from revintel.views._attribution import MODELS

#: A model name as the caller sends it, checked against :data:`MODELS` (400 naming ``model``).
ModelName = Annotated[
    str,
    Field(
        max_length=40,
        description=f"attribution model: one of {', '.join(MODELS)} (400 for another)",
    ),
]
#: A milestone id, checked against the server's funnel (400 naming ``to``).
MilestoneId = Annotated[
    str,
    Field(
        max_length=64,
        description="milestone the journeys convert to: a path milestone of the server's "
        "funnel (mql, sal, sql, opportunity_generated, …) or won (400 for another)",
    ),
]


class ChannelCredit(BaseModel):
    """What one channel (or the baseline) is credited with."""

    channel: str = Field(description="the channel, or `(baseline)` for a data-driven model's")
    conversions: float
    revenue: float = Field(description="conversion value (for won: the deal amount)")
    margin: float | None = Field(
        None, description="margin of the credited deals, when their order lines carry costs"
    )
    share: float | None = Field(
        None,
        description="part of all credited conversions (negative for a channel the shapley "
        "model finds to lower conversion)",
    )


class AttributionOut(BaseModel):
    """One model's credits per channel for the journeys of a transition (or path file)."""

    model: str
    to: str | None = Field(description="milestone converted to (`null` for a path file)")
    came_from: str | None = Field(
        description="milestone the journeys start from (`null` for the first milestone)"
    )
    journeys: int
    conversions: float = Field(description="the journeys' conversions; the channels sum to it")
    revenue: float = Field(description="the journeys' conversion value; the channels sum to it")
    open_journeys: int = Field(
        description="journeys neither converted nor ended by the as-of day (not counted)"
    )
    as_of: date | None = Field(description="the evaluation day (`null` for a path file)")
    currency: str | None = Field(description="currency of revenue and margin")
    channels: list[ChannelCredit] = Field(description="largest conversions first, baseline last")
    notes: dict[str, JsonValue] = Field(
        description="how the model computed the credits (parameters, removal effects, …)"
    )


class ComparisonRow(BaseModel):
    """One channel's credit under every model (`null` where a model could not run)."""

    channel: str
    first: float | None = None
    last: float | None = None
    linear: float | None = None
    time_decay: float | None = None
    u_shaped: float | None = None
    w_shaped: float | None = None
    full_path: float | None = None
    markov: float | None = None
    shapley: float | None = None


class ComparisonOut(BaseModel):
    """Every model side by side for the journeys of a transition."""

    to: str
    came_from: str | None
    value: str = Field(description="what is compared: conversions or revenue")
    journeys: int
    total: float = Field(description="the total each model's column sums to")
    channels: list[ComparisonRow]
    skipped: dict[str, str] = Field(description="model → why it could not run")
