"""Answers of the resource allocation: the plan of the reps' selling hours with a reason per
assignment, account potential, rep performance and suggested owners of open deals."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid")


class AssignmentOut(BaseModel):
    """One assignment: a rep's weekly hours on an account or an open deal, and why."""

    model_config = _STRICT

    rep_id: str = Field(examples=["R001"])
    account_id: str | None = Field(description="the account (empty for a deal)")
    opportunity_id: str | None = Field(description="the open deal (empty for an account)")
    hours_per_week: float
    expected_gain: float = Field(
        description="expected extra margin a year (deals: until they close) minus the cost of "
        "the hours, store currency"
    )
    reason: str = Field(description="why, in the requested language")
    reason_kind: str = Field(description="keep, switch, relieve, new or deal")
    level: str = Field(description="service level (inside, field …; deal for open deals)")


class AllocationOut(BaseModel):
    """The plan (as the caller may see it) and how good it is."""

    model_config = _STRICT

    as_of: date | None = Field(description="last day of the history the plan stands on")
    currency: str
    status: str = Field(description="optimal, time_limit or greedy")
    objective: float = Field(description="what the plan earns a year, the whole company")
    bound: float = Field(description="no plan can earn more than this")
    gap: float = Field(description="(bound − objective) / bound")
    scoped: bool = Field(description="whether only the caller's own rows are shown")
    assignments: list[AssignmentOut]


class PotentialOut(BaseModel):
    """An account's potential beside today's revenue (twelve months, store currency)."""

    model_config = _STRICT

    account_id: str
    current_revenue: float
    potential: float
    white_space: float


class RepPerformanceOut(BaseModel):
    """A rep's pooled win rate, cycle time and skill."""

    model_config = _STRICT

    rep_id: str
    team: str | None
    deals: int
    won: int
    win_rate: float | None
    win_rate_shrunk: float | None
    expected_win_rate: float | None
    skill: float | None
    skill_sd: float | None
    skill_raw: float | None
    cycle_days: float | None
    cycle_days_shrunk: float | None
    open_deals: int


class OwnerSuggestionOut(BaseModel):
    """A suggested owner for an open deal (empty when no rep has room)."""

    model_config = _STRICT

    opportunity_id: str
    suggested_rep_id: str | None
    current_rep_id: str | None
    p_win_suggested: float | None
    p_win_current: float | None
    amount: float | None
    expected_gain: float | None
    reason: str = Field(description="why, in the requested language")
    industry: str | None


class PortfolioAccountOut(BaseModel):
    """An account of the portfolio: today's revenue against potential, churn risk, value,
    today's sales hours and the service level it should get (twelve months, store currency)."""

    model_config = _STRICT

    account_id: str
    name: str | None
    segment: str | None
    region: str | None
    owner_rep_id: str | None
    current_revenue: float
    potential: float
    white_space: float
    p_alive: float | None = Field(description="chance that the account still buys (BG/NBD)")
    churn_risk: float | None = Field(description="1 − p_alive; empty without orders")
    clv: float | None = Field(description="discounted value of the next twelve months")
    hours_per_week: float = Field(description="logged sales hours a week, last twelve months")
    revenue_tier: str = Field(description="A (top third), B or C")
    potential_tier: str = Field(description="A (top third), B or C")
    cell: str = Field(description="revenue tier then potential tier, e.g. CA", examples=["CA"])
    recommended_level: str = Field(description="service level of the rules (inside, field …)")
    recommended_hours: float = Field(description="hours a week of the recommended level")
    level_reason: str = Field(description="potential, white_space, churn or rule")
    level_reason_text: str = Field(description="what set the level, in the requested language")


class CoverageOut(BaseModel):
    """An account's coverage model: the expected yearly margin of field sales, inside sales
    and digital self-service after their cost, the best one and why (store currency)."""

    model_config = _STRICT

    account_id: str
    segment: str | None
    potential: float
    mean_deal_size: float | None
    families: int = Field(description="product families bought in the twelve months")
    cycle_days: float | None = Field(description="median days from created to closed")
    complexity: float = Field(description="0 (simple) to 1 (most complex)")
    digital_share: float = Field(description="share of digital or self-service touchpoints")
    model: str = Field(description="field, inside or digital")
    expected_margin: float = Field(description="margin a year of the chosen model")
    margin_field: float
    margin_inside: float
    margin_digital: float
    cost: float = Field(description="cost a year of the chosen model")
    reason: str = Field(description="why, in the requested language")
    reason_kind: str = Field(description="complexity, potential, digital or cost")


class ResponseCurveParameterOut(BaseModel):
    """One parameter of the response curve with its 95 % bootstrap interval."""

    model_config = _STRICT

    parameter: str = Field(description="s0, s_max (shares of potential) or h_half (hours a year)")
    value: float
    low: float | None
    high: float | None


class ResponseCurvePointOut(BaseModel):
    """What a weekly level of service earns the typical customer."""

    model_config = _STRICT

    hours_per_week: float
    hours_per_year: float
    share_of_potential: float
    intake: float = Field(description="expected order intake a year (store currency)")
    lift: float = Field(description="intake more than without service")
    next_hour: float = Field(description="what one more hour a year adds")


class ResponseCurveOut(BaseModel):
    """The response curve the plan uses and what it says an hour of selling buys."""

    model_config = _STRICT

    as_of: date
    method: str = Field(description="`within accounts` or `across accounts`")
    customer_years: int
    typical_potential: float = Field(description="median potential of the customers read")
    weeks_per_year: float
    parameters: list[ResponseCurveParameterOut]
    points: list[ResponseCurvePointOut]
