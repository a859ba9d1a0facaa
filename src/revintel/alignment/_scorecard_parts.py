"""The lines of the joint scorecard's sections, as plain frozen records every surface reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

#: Who a target is set for: the whole company, a team, a person (rep) or a segment.
TargetOwner = Literal["company", "team", "person", "segment"]


@dataclass(frozen=True)
class KpiLine:
    """One agreed KPI with its definition from the catalogue and its values.

    ``period`` is the month (or, for a KPI shown by quarter, the quarter's first day);
    ``previous`` the value of the period before, ``last_year`` that of the same period a year
    before; values are ``None`` where there is no data.
    """

    kpi: str
    name_de: str
    name_en: str
    definition_de: str
    definition_en: str
    formula: str
    unit: str
    grain: Literal["month", "quarter"]
    good_direction: str
    period: date
    value: float | None
    previous: float | None
    last_year: float | None

    def name(self, language: str) -> str:
        """The KPI's name in ``language``."""
        return self.name_de if language == "de" else self.name_en

    def definition(self, language: str) -> str:
        """The KPI's definition in ``language``."""
        return self.definition_de if language == "de" else self.definition_en


@dataclass(frozen=True)
class TargetLine:
    """A target of the quarter next to what was reached."""

    target_id: str
    owner: TargetOwner
    measure: str
    team: str | None
    rep_id: str | None
    rep_name: str | None
    segment: str | None
    period_start: date
    period_end: date
    target: float
    actual: float
    attainment: float | None


@dataclass(frozen=True)
class ContributionLine:
    """What one milestone's conversions of the month were credited to.

    ``conversions`` is every credited conversion of the milestone; ``marketing`` and ``sales``
    the credits of the channels on each side and ``unattributed`` the model's baseline (what no
    touch earned), so the three add up to ``conversions``.
    """

    milestone: str
    label_de: str
    label_en: str
    conversions: float
    marketing: float
    sales: float
    unattributed: float

    @property
    def marketing_share(self) -> float | None:
        """Marketing's share of the credits given to a side (``None`` without any)."""
        sides = self.marketing + self.sales
        return self.marketing / sides if sides > 0 else None

    def label(self, language: str) -> str:
        """The milestone's name in ``language``."""
        return self.label_de if language == "de" else self.label_en


@dataclass(frozen=True)
class Velocity:
    """MQLs of the month and the month before, plain and weighted by their lead score.

    ``weighted`` counts each MQL with its lead score (``score_kind``) as it stood at the MQL;
    an unscored MQL counts with the mean score of the month's scored MQLs (``scored_share`` is
    their share; without any scored MQL there is no weighted count). ``lvr`` and
    ``lvr_weighted`` are the growth of each count over the month before. ``weighted_source``
    says where the weighted figures come from: the catalogue's KPIs ``mqls_quality_weighted``
    and ``lvr_quality_weighted`` or, without them, the stored scores read the same way.
    """

    mqls: int
    mqls_previous: int
    weighted: float | None
    weighted_previous: float | None
    scored_share: float | None
    scored_share_previous: float | None
    lvr: float | None
    lvr_weighted: float | None
    weighted_source: Literal["catalogue", "scores"]
    score_kind: str


@dataclass(frozen=True)
class SlaLine:
    """Attainment of one service level (``accept`` or ``first_contact``) over the month's MQLs:
    due (met + breached), met, breached (late or still waiting past the level), open."""

    level: str
    due: int
    met: int
    breached: int
    open: int
    attainment: float | None
    target_hours: float | None


@dataclass(frozen=True)
class AlertLine:
    """An alert still firing, with its reason in German and English."""

    kpi: str
    rule: str
    period: date | None
    group: str
    value: float
    reference: float
    reason_de: str
    reason_en: str

    def reason(self, language: str) -> str:
        """The reason in ``language``."""
        return self.reason_de if language == "de" else self.reason_en
