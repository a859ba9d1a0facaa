"""Bodies of the KPI, funnel and alert endpoints."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


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
