"""Bodies of the buying-journey endpoints: one row model per analysis (the columns of
docs/buying-journey.md) and an answer holding the request's parameters and the rows."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Breakdowns(BaseModel):
    """The breakdown columns a row may carry (`null` when not asked for, or unknown)."""

    kind: str | None = None
    campaign: str | None = None
    segment: str | None = None
    industry: str | None = None
    region: str | None = None
    country: str | None = None


class MixRow(Breakdowns):
    """Touchpoints of one channel in one period (and breakdown value)."""

    period: date | None = Field(None, description="first day of the period (`null` for all)")
    channel: str | None
    touchpoints: int
    share: float | None = Field(description="of the touchpoints of the period and breakdown")


class MixOut(BaseModel):
    """The channel mix per period."""

    grain: str
    by: list[str]
    rows: list[MixRow] = Field(description="by period, breakdown and most touchpoints first")


class SharesRow(Breakdowns):
    """Digital, self-service and mobile share of one period (and breakdown value)."""

    period: date | None = Field(None, description="first day of the period (`null` for all)")
    channel: str | None = None
    touchpoints: int
    digital: int
    digital_share: float | None
    self_service: int
    self_service_known: int = Field(description="touchpoints with a known self_service flag")
    self_service_share: float | None = Field(description="`null` where nothing is known")
    mobile: int
    mobile_known: int = Field(description="digital touchpoints with a known device")
    mobile_share: float | None = Field(description="`null` where nothing is known")


class SharesOut(BaseModel):
    """The shares per period."""

    grain: str
    by: list[str]
    rows: list[SharesRow]


class EventRow(BaseModel):
    """One window of a before/after comparison."""

    window: str = Field(description="before, during or after")
    start: date | None = Field(description="first day of the window (`null`: open)")
    end: date | None = Field(description="first day after the window (`null`: open)")
    touchpoints: int = Field(description="touchpoints the share is taken of")
    flagged: int
    share: float | None
    share_low: float | None = Field(description="Wilson 95 % interval")
    share_high: float | None
    difference: float | None = Field(description="share minus the share before")
    difference_low: float | None = Field(description="Newcombe 95 % interval")
    difference_high: float | None


class EventOut(BaseModel):
    """A share before an event against during and after it."""

    start: date
    end: date | None
    measure: str
    rows: list[EventRow]


class BeforeSalesRow(BaseModel):
    """One group's journeys and their share before the first sales contact; the last row, with
    every group column `null`, is all journeys together."""

    segment: str | None = None
    industry: str | None = None
    region: str | None = None
    country: str | None = None
    channel: str | None = Field(None, description="the lead's origin channel")
    year: int | None = Field(None, description="year of the first touch")
    journeys: int
    with_sales_contact: int
    without_sales_contact: int
    without_sales_contact_share: float | None
    touch_share_median: float | None
    touch_share_mean: float | None
    timed_journeys: int
    time_share_median: float | None
    time_share_mean: float | None


class BeforeSalesOut(BaseModel):
    """The journey completed before the first sales contact, per group."""

    by: list[str]
    sales_kinds: list[str]
    as_of: date | None
    rows: list[BeforeSalesRow]


class ContentRow(BaseModel):
    """One content in one buying phase, with the conversion lift of consuming it."""

    phase: str
    content: str
    touches: int
    share: float | None = Field(description="of the phase's touches")
    journeys: int
    decided_with: int
    converted_with: int
    rate_with: float | None
    decided_without: int
    converted_without: int
    rate_without: float | None
    difference: float | None
    difference_low: float | None
    difference_high: float | None
    lift: float | None = Field(description="rate with ÷ rate without (an association)")
    lift_low: float | None
    lift_high: float | None


class ContentOut(BaseModel):
    """Content per buying phase."""

    as_of: date | None
    rows: list[ContentRow]


class SequenceRow(BaseModel):
    """One channel sequence among converting and stalled journeys."""

    sequence: str = Field(description="channels joined by ' > ', oldest first")
    channels: int
    converting: int
    stalled: int
    journeys: int
    converting_share: float | None
    stalled_share: float | None
    conversion_rate: float | None
    conversion_rate_low: float | None
    conversion_rate_high: float | None
    lift: float | None = Field(description="the rate over that of all journeys together")


class SequencesOut(BaseModel):
    """Channel sequences that convert and those that stall."""

    to: str
    length: int
    top: int
    as_of: date | None
    median_days: float | None = Field(
        description="an open journey older than this (from its first touch) counts as stalled"
    )
    rows: list[SequenceRow]
