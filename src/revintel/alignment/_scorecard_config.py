"""What the joint scorecard shows: the agreed KPIs, the attribution model and the side of each
channel, read from ``conf/scorecard.yaml`` or a company's own file of the same shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from revintel.attribution import DEFAULT_SALES_KINDS, MODELS
from revintel.metrics import KpiSpec, MetricCatalogue
from revintel.model._declarative import read_yaml_mapping, validation_messages

#: The packaged scorecard file.
SCORECARD_FILE = "conf/scorecard.yaml"
#: Grains a scorecard KPI may be evaluated at: the month itself or the quarter containing it.
KpiGrain = Literal["month", "quarter"]
#: KPI kinds with one value per funnel step (unless their ``steps`` name a single pair).
_STEP_KINDS = frozenset({"cohort_conversion", "period_conversion", "duration"})
#: KPI kinds without one value per period: per step or reason, over all time, or per cohort.
_UNSHOWN_KINDS = frozenset({"win_probability", "stage_age", "leakage", "cohort_retention"})


class ScorecardConfigError(ValueError):
    """A scorecard file is invalid; the message names the file and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScorecardKpi(_Frozen):
    """One agreed KPI: its catalogue id and the grain it is shown at."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    grain: KpiGrain = "month"


class ContributionSettings(_Frozen):
    """Which stored credits the contribution section reads and the side of each channel."""

    model: str = "u_shaped"
    level: Literal["lead", "opportunity", "account"] = "lead"
    sales_channels: tuple[str, ...] = ()
    marketing_channels: tuple[str, ...] = ()
    sales_kinds: tuple[str, ...] = Field(default=DEFAULT_SALES_KINDS, min_length=1)

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value not in MODELS:
            raise ValueError(f"unknown attribution model {value!r}; known: {', '.join(MODELS)}")
        return value

    def side_of(self, channel: str) -> Literal["marketing", "sales"] | None:
        """The side the file gives ``channel``; ``None`` when it lists it on neither."""
        if channel in self.sales_channels:
            return "sales"
        if channel in self.marketing_channels:
            return "marketing"
        return None


class QualitySettings(_Frozen):
    """The lead score weighting MQLs in the quality-weighted count."""

    score_kind: str = Field(default="lead_to_sql", min_length=1)


class ScorecardConfig(_Frozen):
    """The scorecard's settings as validated from its YAML file."""

    version: int = 1
    kpis: tuple[ScorecardKpi, ...] = Field(min_length=1)
    contribution: ContributionSettings = ContributionSettings()
    quality: QualitySettings = QualitySettings()

    @field_validator("kpis", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        # A plain id is a KPI at the month's grain.
        if isinstance(value, list):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value


def has_one_value_per_period(spec: KpiSpec) -> bool:
    """Whether the KPI ``spec`` has one value per period, as a scorecard line shows it."""
    if spec.kind in _UNSHOWN_KINDS:
        return False
    if spec.kind in _STEP_KINDS:
        steps = getattr(spec.params, "steps", None)
        return isinstance(steps, tuple) and len(steps) == 1
    return True


def load_scorecard_config(
    path: str | Path | None = None, catalogue: MetricCatalogue | None = None
) -> ScorecardConfig:
    """The scorecard settings of ``path`` (default: the packaged ``conf/scorecard.yaml``).

    Parameters
    ----------
    path
        A company's file replacing the packaged one.
    catalogue
        When given, every KPI id must be one of its KPIs.

    Raises
    ------
    ScorecardConfigError
        The file cannot be read, a field is invalid, a KPI is named twice, is not in the
        catalogue or has no single value per period; the message names the file and the field.
    """
    data, origin = read_yaml_mapping(path, SCORECARD_FILE, ScorecardConfigError, "a list `kpis`")
    try:
        config = ScorecardConfig.model_validate(data)
    except ValidationError as exc:
        raise ScorecardConfigError("\n".join(validation_messages(exc, origin))) from None
    ids = [k.id for k in config.kpis]
    for number, kpi_id in enumerate(ids):
        if kpi_id in ids[:number]:
            raise ScorecardConfigError(f"{origin}: kpis[{number}].id: {kpi_id!r} is named twice")
        if catalogue is None:
            continue
        if kpi_id not in catalogue.ids:
            raise ScorecardConfigError(
                f"{origin}: kpis[{number}].id: {kpi_id!r} is not a KPI of the catalogue"
            )
        if not has_one_value_per_period(catalogue.get(kpi_id)):
            raise ScorecardConfigError(
                f"{origin}: kpis[{number}].id: {kpi_id!r} has a value per funnel step, reason "
                "or cohort; a scorecard shows KPIs with one value per month or quarter"
            )
    both = set(config.contribution.sales_channels) & set(config.contribution.marketing_channels)
    if both:
        raise ScorecardConfigError(
            f"{origin}: contribution: channels on both sides: {', '.join(sorted(both))}"
        )
    return config
