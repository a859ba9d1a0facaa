"""Bodies and query parameter types of the KPI, funnel and alert endpoints."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from revintel.metrics import (
    DIMENSIONS,
    QUERY_DIMENSIONS,
    breakdown_dimensions,
    compares_periods,
    load_catalogue,
)


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


# Query parameter types. The KPI ids and dimensions come from the packaged catalogue, which
# the server always uses, so the document can list them as enumerations.
#: The packaged KPI catalogue, read once (reading it takes tens of milliseconds).
CATALOGUE = load_catalogue()
_KPI_IDS = tuple(CATALOGUE.ids)
#: A KPI id of the catalogue.
KpiId = Literal[_KPI_IDS]  # type: ignore[valid-type]
#: A custom field as a dimension: ``custom.<field name>`` (which fields exist depends on the
#: store, so the document can only give their spelling).
CUSTOM_PATTERN = r"custom\.[a-z][a-z0-9_]*"
CustomDimension = Annotated[str, StringConstraints(max_length=100, pattern=rf"^{CUSTOM_PATTERN}$")]
#: One ``where`` filter: a known dimension or a custom field, ``=`` or ``!=``, and at least one
#: value (commas separate several; blanks around them are ignored), as
#: :func:`revintel.metrics.parse_filter` reads it.
WHERE_PATTERN = rf"^\s*(?:{'|'.join(QUERY_DIMENSIONS)}|{CUSTOM_PATTERN})\s*!?=.*[^\s,].*$"
WhereItem = Annotated[str, StringConstraints(max_length=200, pattern=WHERE_PATTERN)]


def _iso_day(value: object) -> object:
    """Refuse what pydantic would also read as a day (``0``: a Unix time) but the document's
    ``format: date`` does not allow."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("expected a day as YYYY-MM-DD")
    return value


#: A day written as the document says (``YYYY-MM-DD``).
IsoDate = Annotated[date, BeforeValidator(_iso_day)]


def breakdown_rules() -> str:
    """The KPIs that cannot be broken down (or filtered) by every dimension, or need a grain,
    in words for the operation's description."""
    lines = []
    for spec in CATALOGUE.kpis:
        allowed = breakdown_dimensions(spec)
        if set(allowed) != set(DIMENSIONS):
            only = ", ".join(f"`{d}`" for d in allowed) or "no dimension"
            lines.append(f"- `{spec.id}`: `by` and `where` only with {only}")
        if compares_periods(spec):
            lines.append(f"- `{spec.id}`: not with `grain=all` (it compares periods)")
    return "\n".join(lines)
