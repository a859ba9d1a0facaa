"""Bodies of the target endpoints: targets, their changes and their attainment."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from revintel.api.routers.shared_schemas import Timestamp


class TargetOut(BaseModel):
    """A target of a period (order intake or a count), for a team, a rep or a segment."""

    target_id: str
    period_start: date
    period_end: date
    team: str | None = None
    rep_id: str | None = None
    segment: str | None = None
    amount: float
    currency: str | None = None
    measure: str = "order_intake"


class TargetsImported(BaseModel):
    """Targets written by an upload (rows with an existing target id are replaced)."""

    written: int


#: Longest note kept with a change of a target.
TargetNote = Annotated[
    str | None, Field(max_length=2000, description="why, kept in the audit trail")
]
_Name = Annotated[str | None, Field(max_length=200)]


class TargetEditIn(BaseModel):
    """A target to set: its period (``period``, or ``period_start`` and ``period_end``), amount
    and measure, for the company or a team, rep or segment."""

    period: Annotated[str | None, Field(max_length=20)] = Field(
        None, description="2027-Q1, 2027-03 or 2027; instead of period_start and period_end"
    )
    period_start: date | None = None
    period_end: date | None = None
    measure: Annotated[str, Field(max_length=40)] = Field(
        "order_intake",
        description="order_intake (money), or a count: mqls, sals, sqls, opportunities",
    )
    amount: float = Field(description="money for order_intake, a count otherwise; above 0")
    team: _Name = None
    rep_id: _Name = None
    segment: _Name = None
    currency: Annotated[str | None, Field(max_length=3)] = Field(
        None, description="ISO 4217 code of an order-intake target (default: the store currency)"
    )
    note: TargetNote = None


class TargetSetOut(BaseModel):
    """A target as stored after a change, and what the change was."""

    target: TargetOut
    change_id: str
    action: str = Field(description="create or update")


class TargetChangeOut(BaseModel):
    """One change to a target as the audit trail keeps it (before and after as JSON text)."""

    change_id: str
    target_id: str
    action: str = Field(description="create, update, delete or import")
    actor: str
    changed_at: Timestamp = Field(description="when it was changed, with the store zone's offset")
    before: str | None = Field(None, description="the target before, JSON; null when created")
    after: str | None = Field(None, description="the target after, JSON; null when removed")
    note: str | None = None


class TargetChangeList(BaseModel):
    """The changes to targets the caller sees, newest first."""

    items: list[TargetChangeOut]
    total: int


class TargetAttainmentOut(BaseModel):
    """A target with what was reached in its period."""

    target_id: str
    measure: str
    team: str | None = None
    rep_id: str | None = None
    segment: str | None = None
    period_start: date
    period_end: date
    target: float
    actual: float | None = Field(None, description="won order intake, or leads counted")
    attainment: float | None = Field(None, description="actual ÷ target (1.0 = 100 %)")
    currency: str | None = None
