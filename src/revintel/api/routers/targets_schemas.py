"""Bodies of the order-intake target endpoints."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class TargetOut(BaseModel):
    """An order-intake target of a period, for a team, a rep or a segment."""

    target_id: str
    period_start: date
    period_end: date
    team: str | None = None
    rep_id: str | None = None
    segment: str | None = None
    amount: float
    currency: str | None = None


class TargetsImported(BaseModel):
    """Targets written by an upload (rows with an existing target id are replaced)."""

    written: int
