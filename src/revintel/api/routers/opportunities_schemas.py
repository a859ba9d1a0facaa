"""Bodies of the opportunity (deal) endpoints."""

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


class Opportunity(Lineage, Scored):
    """An opportunity (deal)."""

    opportunity_id: str
    name: str | None = None
    account_id: str | None = None
    account_name: str | None = None
    lead_id: str | None = None
    rep_id: str | None = None
    rep_name: str | None = None
    product_id: str | None = None
    amount: float | None = None
    currency: str | None = None
    list_price: float | None = None
    discount: float | None = None
    net_price: float | None = None
    created_at: Timestamp
    expected_close_at: Timestamp | None = None
    closed_at: Timestamp | None = None
    status: str
    stage: str | None = None
    lost_reason: str | None = None


class OpportunityDetail(BaseModel):
    """An opportunity with its journey's milestone timeline and touchpoints."""

    opportunity: Opportunity
    timeline: list[MilestoneEvent]
    touchpoints: list[Touchpoint]
    scores: list[EntityScore]
