"""Bodies of the lead endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from revintel.api.routers.shared_schemas import (
    EntityScore,
    Lineage,
    MilestoneEvent,
    Scored,
    Timestamp,
    Touchpoint,
)


class Lead(Lineage, Scored):
    """A lead."""

    lead_id: str
    account_id: str | None = None
    account_name: str | None = None
    contact_id: str | None = None
    rep_id: str | None = None
    rep_name: str | None = None
    channel: str | None = None
    campaign_id: str | None = None
    created_at: Timestamp
    status: str | None = None
    disqualified_reason: str | None = None


class LeadDetail(BaseModel):
    """A lead with its milestone timeline and touchpoints."""

    lead: Lead
    timeline: list[MilestoneEvent]
    touchpoints: list[Touchpoint]
    scores: list[EntityScore]
