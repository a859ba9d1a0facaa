"""Responses of ``/api/v1/sla``: service-level attainment, breaches and the response-time
effect."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from revintel.api.routers.shared_schemas import Timestamp

SlaLevelName = Literal["accept", "first_contact"]
SlaGroupName = Literal["segment", "channel", "rep", "team"]


class SlaAttainmentRow(BaseModel):
    """One level's attainment, overall or for one group."""

    group: str | None = Field(default=None, description="the group's value when broken down")
    level: SlaLevelName
    level_label: str = Field(description="the level's name in the requested language")
    due: int = Field(ge=0, description="MQLs whose level is due (met + breached)")
    met: int = Field(ge=0)
    breached: int = Field(ge=0)
    open: int = Field(ge=0, description="MQLs still within their level")
    attainment: float | None = Field(default=None, description="met ÷ due; null with none due")
    median_hours: float | None = Field(default=None, description="median hours taken")
    target_hours: float | None = Field(default=None, description="median level in hours")


class SlaAttainmentOut(BaseModel):
    """Attainment of both levels over the caller's MQLs."""

    as_of: date
    by: SlaGroupName | None = None
    leads: int = Field(ge=0, description="MQLs read")
    rows: list[SlaAttainmentRow]


class SlaBreachRow(BaseModel):
    """An MQL waiting past its deadline."""

    lead_id: str
    level: SlaLevelName
    mql_at: Timestamp
    due_at: Timestamp
    waited_hours: float = Field(description="hours since the MQL")
    due_hours: float = Field(description="hours its level allows")
    rep_id: str | None = None
    team: str | None = None
    segment: str | None = None
    channel: str | None = None


class SlaBreachesOut(BaseModel):
    """MQLs of the last ``days`` days waiting past a deadline, longest waiting first."""

    as_of: date
    days: float
    breaches: list[SlaBreachRow]


class SlaEffectOut(BaseModel):
    """The effect of log(hours to first contact) on the log-odds of acceptance."""

    coefficient: float = Field(description="log-odds per log-unit of response hours")
    std_error: float
    lower: float
    upper: float
    confidence: float
    doubling_change: float = Field(description="relative change of acceptance odds per doubling")
    leads: int
    accepted: int
    median_hours: float
    sentence: str = Field(description="the effect in one sentence, in the requested language")
