"""The KPI catalogue: YAML declarations loaded into typed, frozen specs and validated.

Each KPI names a computation ``kind`` whose parameters have their own model; a tuple of small
validation rules checks what the models cannot, and every error names the file and the field.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revintel.model import Labels

Grain = Literal["week", "month", "quarter", "year", "all"]
Unit = Literal["count", "ratio", "days", "hours", "currency", "currency_per_day"]
Direction = Literal["up", "down", "none"]
Steps = Literal["consecutive", "to_won", "all"]

#: Breakdown dimensions every KPI understands (targets only know team, rep and segment).
DIMENSIONS: tuple[str, ...] = (
    "channel",
    "campaign",
    "segment",
    "industry",
    "region",
    "country",
    "rep",
    "team",
    "product",
    "product_family",
)
#: Dimensions only some KPIs have beyond :data:`DIMENSIONS`: the attribution model of the
#: attributed KPIs (``--by model``, ``--where model=linear``).
EXTRA_DIMENSIONS: tuple[str, ...] = ("model",)
#: Every dimension a query may name (custom fields aside).
QUERY_DIMENSIONS: tuple[str, ...] = (*DIMENSIONS, *EXTRA_DIMENSIONS)
#: The attribution models whose credits can be stored (``revintel attribution store``).
ATTRIBUTION_MODELS = Literal[
    "first",
    "last",
    "linear",
    "time_decay",
    "u_shaped",
    "w_shaped",
    "full_path",
    "markov",
    "shapley",
]
#: Prefix of the dimensions read from a source's custom fields: ``custom.<field name>``.
CUSTOM_PREFIX = "custom."
_CUSTOM_DIMENSION = re.compile(r"^custom\.[a-z][a-z0-9_]*$")


def is_custom_dimension(name: str) -> bool:
    """Whether ``name`` is spelled as a custom-field dimension (``custom.<field name>``).

    Examples
    --------
    >>> is_custom_dimension("custom.last_activity"), is_custom_dimension("custom.")
    (True, False)
    """
    return bool(_CUSTOM_DIMENSION.match(name))


class MetricCatalogueError(ValueError):
    """A KPI catalogue is invalid; the message names the file and every offending field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NoParams(_Frozen):
    """A kind without parameters."""


class MilestoneParams(_Frozen):
    """Parameters naming one milestone."""

    milestone: str


class QualityWeightedParams(_Frozen):
    """One milestone whose entries count with their lead score as of reaching it: the latest
    stored score of kind ``score_kind`` (a lead score, e.g. lead_to_sql) written by then."""

    milestone: str = "mql"
    score_kind: str = Field(default="lead_to_sql", min_length=1)


class StepRateParams(_Frozen):
    """Share of ``source`` entries reaching ``target`` among those decided (target or rejected)."""

    source: str
    target: str
    rejected: str


class StepsParams(_Frozen):
    """Which milestone pairs a funnel KPI covers, and an optional own conversion window.

    ``steps`` is ``consecutive``, ``to_won``, ``all`` or a list of pairs written ``"a->b"``.
    """

    steps: Steps | tuple[str, ...] = "consecutive"
    window_days: int | None = Field(default=None, ge=1)


class WinRateParams(_Frozen):
    """Win rate by number of deals or by their value."""

    basis: Literal["count", "value"] = "count"


class WeightedParams(_Frozen):
    """Which probabilities weight the pipeline."""

    probabilities: Literal["default", "measured"] = "default"


class ResponseParams(_Frozen):
    """Touchpoint kinds that count as a sales touch."""

    touch_kinds: tuple[str, ...] = Field(min_length=1)


class LeakageParams(_Frozen):
    """Restrict leakage to entries whose last milestone is one of ``milestones`` (all if empty)."""

    milestones: tuple[str, ...] = ()


class ShareParams(_Frozen):
    """Which touchpoint flag to take the share of: digital, self_service, or mobile (among
    digital touchpoints); touchpoints whose flag is empty are left out."""

    flag: Literal["digital", "self_service", "mobile"] = "digital"


class OrderParams(_Frozen):
    """Which order figure: gross, returns, net (gross − returns), return_rate, orders or
    average_order_value (gross / orders)."""

    measure: Literal["gross", "returns", "net", "return_rate", "orders", "average_order_value"] = (
        "net"
    )


class CustomerParams(_Frozen):
    """Which customer count: active, new, returning, or repeat_rate (returning / active)."""

    measure: Literal["active", "new", "returning", "repeat_rate"] = "active"


class InterPurchaseParams(_Frozen):
    """Mean or median of the days between consecutive orders of a customer."""

    statistic: Literal["mean", "median"] = "mean"


class AttributedParams(_Frozen):
    """Stored attribution credits: of which milestone and journey level, which figure
    (conversions, revenue or margin), and the model used unless a query names one."""

    milestone: str
    measure: Literal["conversions", "revenue", "margin"] = "revenue"
    model: ATTRIBUTION_MODELS = "markov"
    level: Literal["lead", "opportunity", "account"] = "lead"


class DealPriceParams(_Frozen):
    """Which figure of won deals' prices: average_discount, share_below_floor (of the latest
    stored price bands) or price_realisation (price against the band's target)."""

    measure: Literal["average_discount", "share_below_floor", "price_realisation"] = (
        "average_discount"
    )


class PocketParams(_Frozen):
    """Which figure of the order lines' price waterfall: invoice_discount_rate,
    off_invoice_rate, pocket_price_rate, pocket_margin or pocket_margin_rate."""

    measure: Literal[
        "invoice_discount_rate",
        "off_invoice_rate",
        "pocket_price_rate",
        "pocket_margin",
        "pocket_margin_rate",
    ] = "pocket_price_rate"


class SlaParams(_Frozen):
    """Which service level (accept or first_contact, see ``conf/sla.yaml``) and which figure:
    attainment (share handled within the level among those due) or median_hours."""

    level: Literal["accept", "first_contact"] = "accept"
    measure: Literal["attainment", "median_hours"] = "attainment"


#: Parameter model of every computation kind; an unknown kind is a validation error.
PARAMS_BY_KIND: dict[str, type[_Frozen]] = {
    "milestone_count": MilestoneParams,
    "growth": MilestoneParams,
    "step_rate": StepRateParams,
    "cohort_conversion": StepsParams,
    "period_conversion": StepsParams,
    "win_probability": NoParams,
    "duration": StepsParams,
    "stage_age": NoParams,
    "win_rate": WinRateParams,
    "cycle_length": NoParams,
    "open_pipeline": NoParams,
    "weighted_pipeline": WeightedParams,
    "coverage": NoParams,
    "velocity": NoParams,
    "response_time": ResponseParams,
    "leakage": LeakageParams,
    "digital_share": ShareParams,
    "order_revenue": OrderParams,
    "customers": CustomerParams,
    "inter_purchase": InterPurchaseParams,
    "cohort_retention": NoParams,
    "marketing_cost": NoParams,
    "cost_per_milestone": MilestoneParams,
    "customer_acquisition_cost": NoParams,
    "attributed": AttributedParams,
    "attributed_roi": AttributedParams,
    "deal_price": DealPriceParams,
    "pocket_price": PocketParams,
    "sla_attainment": SlaParams,
    "quality_weighted_count": QualityWeightedParams,
    "quality_weighted_growth": QualityWeightedParams,
}

AlertRuleName = Literal[
    "below_threshold",
    "negative_streak",
    "conversion_drop",
    "stalled",
    "discount_drift",
    "sla_breach",
]


class AlertRule(_Frozen):
    """An alert attached to a KPI; which fields matter depends on ``rule``."""

    rule: AlertRuleName
    threshold: float | None = None
    periods: int = Field(default=2, ge=1)
    lookback_periods: int = Field(default=1, ge=1)
    trailing_periods: int = Field(default=6, ge=1)
    alpha: float = Field(default=0.01, gt=0.0, lt=1.0)
    quantile: float = Field(default=0.9, gt=0.0, lt=1.0)
    min_count: int = Field(default=30, ge=1)
    grain: Grain | None = None
    by: tuple[str, ...] = ()


class KpiSpec(_Frozen):
    """One KPI: meaning in German and English, computation kind, unit, grain and alert."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str
    name: Labels
    definition: Labels
    formula: str = Field(min_length=1)
    unit: Unit
    grain: Grain = "month"
    good_direction: Direction = "up"
    dimensions: tuple[str, ...] = DIMENSIONS
    params: Any = Field(default_factory=dict)
    alert: AlertRule | None = None

    @model_validator(mode="before")
    @classmethod
    def _typed_params(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") in PARAMS_BY_KIND:
            model = PARAMS_BY_KIND[data["kind"]]
            data = {**data, "params": model.model_validate(data.get("params") or {})}
        return data

    def label(self, language: str = "en") -> str:
        """The KPI's name in ``language`` (de or en)."""
        return self.name.de if language == "de" else self.name.en


class KpiSettings(_Frozen):
    """Settings every KPI of a catalogue shares: lead maturity, conversion window, confidence."""

    maturity_days: int = Field(default=365, ge=0)
    conversion_window_days: int = Field(default=180, ge=1)
    confidence: float = Field(default=0.95, gt=0.0, lt=1.0)


class MetricCatalogue(_Frozen):
    """All KPIs, in file order, with the settings they share."""

    version: int = 1
    settings: KpiSettings = KpiSettings()
    kpis: tuple[KpiSpec, ...]

    def get(self, kpi_id: str) -> KpiSpec:
        """The KPI ``kpi_id``; ``KeyError`` listing the known ids otherwise."""
        for spec in self.kpis:
            if spec.id == kpi_id:
                return spec
        raise KeyError(f"unknown KPI {kpi_id!r}; known: {', '.join(s.id for s in self.kpis)}")

    @property
    def ids(self) -> tuple[str, ...]:
        """KPI ids in file order."""
        return tuple(s.id for s in self.kpis)
