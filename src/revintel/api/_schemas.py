"""Response and request bodies of the REST API, one model per resource."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from revintel.auth import Role

T = TypeVar("T")


class ErrorDetail(BaseModel):
    """What went wrong."""

    code: str = Field(examples=["not_found"])
    message: str


class ErrorBody(BaseModel):
    """Every error response."""

    error: ErrorDetail


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="rows matching the filters, over all pages")
    page: int
    page_size: int


class TableInfo(BaseModel):
    """A model table and the rows the caller can see in it."""

    name: str
    rows: int
    description: str


class StoreInfo(BaseModel):
    """The store behind the server."""

    schema_version: int | None
    tables: list[TableInfo]


class Lineage(BaseModel):
    """Where a row came from."""

    model_config = ConfigDict(from_attributes=True)
    source_system: str | None = None
    source_id: str | None = None
    import_batch_id: str | None = None


class ScoreReason(BaseModel):
    """One reason behind a score: the feature, its effect in log-odds and a sentence."""

    feature: str
    effect: float
    de: str
    en: str


class ScoreReasons(BaseModel):
    """The strongest reasons for (positive) and against (negative) a score."""

    positive: list[ScoreReason]
    negative: list[ScoreReason]


class Scored(BaseModel):
    """The latest score of a lead or deal, when the scoring has run."""

    score: float | None = Field(None, description="calibrated probability")
    score_kind: str | None = Field(None, examples=["lead_to_sql", "deal_win"])
    scored_at: datetime | None = None
    score_reasons: ScoreReasons | None = None


class EntityScore(BaseModel):
    """The latest score of one kind for one lead or deal."""

    kind: str
    score: float
    scored_at: datetime
    model_id: str
    reasons: ScoreReasons | None = None


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
    created_at: datetime
    status: str | None = None
    disqualified_reason: str | None = None


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
    created_at: datetime
    expected_close_at: datetime | None = None
    closed_at: datetime | None = None
    status: str
    stage: str | None = None
    lost_reason: str | None = None


class Account(Lineage):
    """An account (company)."""

    account_id: str
    name: str
    industry: str | None = None
    segment: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    employees: int | None = None
    revenue_band: str | None = None
    owner_rep_id: str | None = None
    rep_name: str | None = None
    created_at: datetime | None = None
    domain: str | None = None


class MilestoneEvent(BaseModel):
    """One step of a journey."""

    milestone: str
    label: str = Field(description="the funnel definition's label in the requested language")
    entity_type: str
    entity_id: str
    occurred_at: datetime
    days_since_previous: float | None = None
    source_stage: str | None = None
    actor: str | None = None
    reason: str | None = None
    inferred: bool | None = None


class Touchpoint(BaseModel):
    """A marketing or sales touch."""

    touchpoint_id: str
    channel: str
    kind: str
    digital: bool
    occurred_at: datetime
    campaign_id: str | None = None
    opportunity_id: str | None = None
    cost: float | None = None
    currency: str | None = None


class LeadDetail(BaseModel):
    """A lead with its milestone timeline and touchpoints."""

    lead: Lead
    timeline: list[MilestoneEvent]
    touchpoints: list[Touchpoint]
    scores: list[EntityScore]


class OpportunityDetail(BaseModel):
    """An opportunity with its journey's milestone timeline and touchpoints."""

    opportunity: Opportunity
    timeline: list[MilestoneEvent]
    touchpoints: list[Touchpoint]
    scores: list[EntityScore]


class Me(BaseModel):
    """The caller."""

    username: str
    display_name: str
    role: Role
    rep_id: str | None = None


class NewUser(BaseModel):
    """A user to create (admins only)."""

    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=1024, description="at least 12 characters")
    role: Role
    rep_id: str | None = Field(default=None, max_length=64, description="for sales reps")
    display_name: str | None = Field(default=None, max_length=200)


class TokenRequest(BaseModel):
    """Ask for a new API token."""

    name: str = Field(min_length=1, max_length=100, description="what the token is for")
    valid_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(BaseModel):
    """A token's record (never its secret)."""

    model_config = ConfigDict(from_attributes=True)
    token_id: str
    name: str
    created_at: datetime
    expires_at: datetime | None = None


class TokenCreated(TokenOut):
    """A new token; ``token`` is shown only in this response."""

    token: str


class Health(BaseModel):
    """Liveness."""

    status: str = "ok"
    warming: bool = Field(
        default=False, description="the main dashboard views are being computed ahead"
    )


class ImportBatch(BaseModel):
    """One load into the store."""

    import_batch_id: str
    source_system: str
    preset: str | None = None
    files: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    status: str | None = None
    rows_read: int | None = None
    rows_accepted: int | None = None
    rows_rejected: int | None = None


class ImportedFile(BaseModel):
    """What happened to one uploaded file."""

    model_config = ConfigDict(from_attributes=True)
    file: str
    object: str
    table: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int


class ImportResult(BaseModel):
    """The outcome of an upload: per file, rows written per table, rejected cells by reason."""

    batch_id: str
    status: str
    files: list[ImportedFile]
    written: dict[str, int]
    rejected_by_reason: dict[str, int]


class RejectedRow(BaseModel):
    """A row an import could not accept, with file, row, column, value and reason."""

    import_batch_id: str
    file: str
    row_number: int
    column: str | None = None
    value: str | None = None
    reason: str
    target_table: str | None = None


class KpiTileOut(BaseModel):
    """A KPI's latest complete period and the one before."""

    model_config = ConfigDict(from_attributes=True)
    kpi: str
    label_de: str
    label_en: str
    unit: str
    good_direction: str
    period: date | None = None
    value: float | None = None
    previous: float | None = None
    trend: str


class FunnelRow(BaseModel):
    """One path milestone (of one breakdown group) among mature leads."""

    group: str | None = Field(default=None, description="value of the breakdown dimension")
    milestone: str
    label: str
    reached: int
    conversion: float | None = None
    p_won: float | None = None
    p_won_low: float | None = None
    p_won_high: float | None = None
    default: float | None = None
    median_days: float | None = None
    p90_days: float | None = None


class AlertOut(BaseModel):
    """A firing alert's reason in both languages."""

    reason_de: str
    reason_en: str


class ForecastRow(BaseModel):
    """Order intake of one period, source and group: P10, P50, P90 and mean."""

    grain: str = Field(examples=["month"])
    period: str = Field(examples=["2025-01", "2025-Q1"])
    source: str = Field(examples=["open pipeline", "not yet created", "total"])
    group: str = Field(description="breakdown group, or 'all'")
    p10: float
    p50: float
    p90: float
    mean: float
    p50_baseline: float | None = Field(default=None, description="P50 without the what-if")
    change_p50: float | None = Field(default=None, description="P50 minus the baseline's")


class ForecastOut(BaseModel):
    """A forecast as of the store's last event."""

    as_of: date
    by: str | None
    simulations: int
    what_if: list[str] = Field(default_factory=list, description="scenarios applied")
    rows: list[ForecastRow]


class ForecastTable(BaseModel):
    """Rows of a forecast input (weighted pipeline, win probabilities) as of a date."""

    as_of: date
    rows: list[dict[str, Any]]


class BacktestPoint(BaseModel):
    """One origin and window of a backtest: the forecast, the baselines and the actual intake."""

    origin: date
    window: str
    actual: float
    p10: float
    p50: float
    p90: float
    weighted_default: float
    weighted_measured: float
    run_rate: float


class BacktestScore(BaseModel):
    """Error of one method over all origins of a window."""

    window: str
    method: str
    origins: int
    wape: float | None
    bias: float | None
    coverage_p10_p90: float | None


class BacktestOut(BaseModel):
    """A backtest: settings, per-origin points and scores per method."""

    origins: int
    months: int
    simulations: int
    summary: list[BacktestScore]
    points: list[BacktestPoint]


class CompletenessRow(BaseModel):
    """How often one field of one table from one source is filled."""

    source_system: str
    table: str
    column: str
    rows: int
    filled: int
    completeness: float


class RejectionCount(BaseModel):
    """Rejected cells of one reason, per source and target table."""

    source_system: str | None = None
    target_table: str | None = None
    reason: str
    rows: int


class DuplicateCount(BaseModel):
    """Accounts of one source sharing a normalised name with another account."""

    source_system: str
    accounts: int
    duplicate_in_source: int
    in_other_sources: int


class HistoryShare(BaseModel):
    """Opportunities of one source whose stage history the source dates (not inferred)."""

    source_system: str
    opportunities: int
    with_dated_history: int
    fully_dated: int
    share_dated: float | None = None
    share_fully_dated: float | None = None


class QualityOut(BaseModel):
    """Data quality per source and table, as ``revintel quality`` prints it."""

    completeness: list[CompletenessRow]
    rejections: list[RejectionCount]
    duplicates: list[DuplicateCount]
    history: list[HistoryShare]


Decision = Literal["accepted", "rejected"]


class CandidatePair(BaseModel):
    """Two accounts that may be the same company, with the decision taken on them if any."""

    pair_id: str
    match_probability: float
    account_id_l: str
    name_l: str | None = None
    source_l: str | None = None
    account_id_r: str
    name_r: str | None = None
    source_r: str | None = None
    decision: Decision | None = None


class DecisionIn(BaseModel):
    """A person's verdict on a candidate pair."""

    decision: Decision


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


class ModelEvaluation(BaseModel):
    """Out-of-time metrics of a trained score or one of its baselines."""

    kind: str
    model_id: str
    algorithm: str
    chosen: bool = Field(description="the algorithm the score uses")
    auc: float | None = None
    log_loss: float | None = None
    brier: float | None = None
    lift_top_decile: float | None = None
    rows: int | None = None
    positives: int | None = None


class TrainIn(BaseModel):
    """What to train."""

    group: Literal["leads", "deals"]
    test_days: int = Field(default=365, ge=30, le=3650, description="out-of-time test window")


class ApplyIn(BaseModel):
    """Which scores to compute for the open leads and deals."""

    group: Literal["leads", "deals", "all"] = "all"


class ScoresApplied(BaseModel):
    """Scores written for one kind."""

    kind: str
    model_id: str | None = None
    algorithm: str
    scored: int
    mean_score: float | None = None


class KpiDefinition(BaseModel):
    """A KPI of the catalogue: meaning in German and English, unit, grain and alert."""

    id: str
    name_de: str
    name_en: str
    definition_de: str
    definition_en: str
    formula: str
    unit: str
    grain: str
    good_direction: str
    dimensions: list[str]
    alert: str | None = Field(default=None, description="the alert rule, if the KPI has one")
