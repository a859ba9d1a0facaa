"""Responses of ``/api/v1/scorecard``: the joint scorecard of marketing and sales, section by
section. Model names start with ``Scorecard`` so none clashes with another resource's."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

#: A month as the query writes it; the router checks it itself and names ``month`` when wrong.
MONTH_PATTERN = r"^\d{4}-\d{2}$"


class ScorecardKpi(BaseModel):
    """One agreed KPI with its catalogue definition and its values."""

    kpi: str = Field(description="id in the KPI catalogue")
    name: str = Field(description="the KPI's name in the requested language")
    definition: str = Field(description="the agreed definition in the requested language")
    formula: str
    unit: str = Field(description="count, ratio, days, hours, currency or currency_per_day")
    grain: Literal["month", "quarter"] = Field(description="month, or the quarter containing it")
    period: date = Field(description="first day of the month or quarter")
    good_direction: str = Field(description="up, down or none")
    value: float | None = None
    previous: float | None = Field(default=None, description="the period before")
    last_year: float | None = Field(default=None, description="the same period a year before")


class ScorecardTarget(BaseModel):
    """A target of the quarter next to its actual."""

    target_id: str
    owner: Literal["company", "team", "person", "segment"]
    measure: str = Field(description="order_intake, mqls, sals, sqls or opportunities")
    team: str | None = None
    rep_id: str | None = None
    rep_name: str | None = None
    segment: str | None = None
    period_start: date
    period_end: date
    target: float
    actual: float
    attainment: float | None = Field(default=None, description="actual ÷ target")


class ScorecardTargets(BaseModel):
    """The targets of the quarter containing the month; actuals counted up to ``to_date``."""

    quarter: str = Field(description="e.g. 2024-Q4")
    period_start: date
    period_end: date
    to_date: date
    rows: list[ScorecardTarget]


class ScorecardContributionRow(BaseModel):
    """One milestone's credited conversions of the month, split by side."""

    milestone: str
    label: str
    conversions: float
    marketing: float
    sales: float
    unattributed: float = Field(description="the model's baseline: what no touch earned")
    marketing_share: float | None = Field(default=None, description="marketing ÷ both sides")


class ScorecardContribution(BaseModel):
    """What marketing and sales contributed per milestone, from the stored credits."""

    model: str = Field(description="the attribution model whose credits are read")
    level: str
    visible: bool = Field(description="false for a caller not seeing every row")
    stored: bool = Field(description="whether credits of the model are stored at all")
    hint: str | None = Field(default=None, description="how to store them when none are")
    rows: list[ScorecardContributionRow]


class ScorecardVelocity(BaseModel):
    """Plain and quality-weighted MQLs and Lead Velocity Rates."""

    mqls: int
    mqls_previous: int
    weighted: float | None = None
    weighted_previous: float | None = None
    scored_share: float | None = None
    scored_share_previous: float | None = None
    lvr: float | None = None
    lvr_weighted: float | None = None
    weighted_source: Literal["catalogue", "scores"]
    score_kind: str


class ScorecardSla(BaseModel):
    """One service level's attainment over the month's MQLs."""

    level: Literal["accept", "first_contact"]
    level_label: str
    due: int = Field(ge=0)
    met: int = Field(ge=0)
    breached: int = Field(ge=0)
    open: int = Field(ge=0)
    attainment: float | None = None
    target_hours: float | None = None


class ScorecardAlert(BaseModel):
    """An alert still firing that concerns the month."""

    kpi: str
    rule: str
    period: date | None = None
    group: str
    value: float
    reference: float
    reason: str = Field(description="in the requested language")


class ScorecardOut(BaseModel):
    """The joint scorecard of one month over the caller's rows."""

    month: str = Field(description="YYYY-MM")
    as_of: date
    currency: str
    language: Literal["de", "en"]
    kpis: list[ScorecardKpi]
    targets: ScorecardTargets
    contribution: ScorecardContribution
    velocity: ScorecardVelocity
    sla: list[ScorecardSla]
    alerts: list[ScorecardAlert]
