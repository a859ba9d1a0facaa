"""Bodies of the lead handover endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from revintel.api.routers.shared_schemas import Timestamp

#: Longest note accepted with a decision (the domain keeps at most this many characters).
Note = Annotated[str | None, Field(max_length=2000, description="free text kept with the decision")]


class QueuedLead(BaseModel):
    """A marketing qualified lead waiting for sales to accept, reject or recycle it."""

    lead_id: str
    mql_at: Timestamp
    waiting_hours: float = Field(description="hours since the MQL")
    channel: str | None = None
    campaign_id: str | None = None
    account_id: str | None = None
    account_name: str | None = None
    rep_id: str | None = None
    rep_name: str | None = None
    score: float | None = Field(None, description="latest lead score, if the leads are scored")
    sla_due_at: Timestamp | None = Field(None, description="when the response is due, if known")
    breached: bool | None = Field(None, description="whether the response is overdue, if known")


class HandoverQueue(BaseModel):
    """The leads waiting for sales that the caller may act on."""

    items: list[QueuedLead]
    total: int = Field(description="leads listed (at most the limit asked for)")


class HandoverDecisionIn(BaseModel):
    """An optional note with an accept or recycle decision."""

    note: Note = None


class RejectIn(BaseModel):
    """A rejection: the reason's id (`GET /api/v1/handover/reasons`) and an optional note."""

    reason: Annotated[str, Field(min_length=1, max_length=40)]
    note: Note = None


class ReassignIn(BaseModel):
    """The rep to hand the lead to, with an optional note."""

    rep_id: Annotated[str, Field(min_length=1, max_length=200)]
    note: Note = None


class DecisionOut(BaseModel):
    """A decision on a lead as the audit trail keeps it."""

    decision_id: str
    lead_id: str
    action: str = Field(description="accept, reject, recycle or reassign")
    reason: str | None = None
    note: str | None = None
    actor: str
    decided_at: Timestamp
    rep_before: str | None = None
    rep_after: str | None = None
    state_before: str | None = Field(None, description="waiting, accepted, rejected, recycled")
    state_after: str | None = None
    milestone_event_id: str | None = None
    import_batch_id: str | None = None


class DecisionList(BaseModel):
    """Decisions on the leads the caller sees, newest first."""

    items: list[DecisionOut]
    total: int


class ReasonOut(BaseModel):
    """A rejection reason with its label in the language asked for."""

    id: str
    label: str
