"""The rules of capacity allocation, read from YAML: service levels, territory, continuity,
minimum coverage and the margin rate.

The packaged ``conf/allocation.yaml`` holds the defaults; a company's own file of the same shape
replaces it. Errors name the file and the key.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from revintel.model import parse_yaml_mapping, read_yaml_mapping
from revintel.model._declarative import validation_messages

#: The packaged rules file.
RULES_FILE = "conf/allocation.yaml"
#: Stands for every region in a territory exception.
EVERY_REGION = "*"
_EXPECTED = "service_levels, territory, continuity, minimum_coverage and margin_rate"


class AllocationRulesError(ValueError):
    """A rules file cannot be read or holds something invalid; the message names file and key."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ServiceLevel(_Frozen):
    """Weekly selling hours an account gets at this level and what an hour costs (EUR)."""

    hours_per_week: float = Field(ge=0.0, le=40.0)
    cost_per_hour: float = Field(ge=0.0)


class TerritoryException(_Frozen):
    """A rep (``rep_id``) or a team (``team``) that may serve ``regions`` (``*``: all), limited
    to ``segments`` when given."""

    rep_id: str | None = None
    team: str | None = None
    regions: tuple[str, ...] = Field(min_length=1)
    segments: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one_holder(self) -> TerritoryException:
        if (self.rep_id is None) == (self.team is None):
            raise ValueError("name either rep_id or team")
        return self


class Territory(_Frozen):
    """Which rep may serve which account."""

    own_region_only: bool = True
    current_owner_exempt: bool = True
    exceptions: tuple[TerritoryException, ...] = ()


class Continuity(_Frozen):
    """Switching from the current owner costs ``min(percent × owner's value, eur)``."""

    switch_gain_percent: float = Field(ge=0.0)
    switch_gain_eur: float = Field(ge=0.0)


class CoverageRule(_Frozen):
    """Accounts with potential above ``potential_above`` and/or of ``segment`` get at least
    the service level ``at_least``."""

    name: str = Field(min_length=1)
    at_least: str
    potential_above: float | None = Field(default=None, ge=0.0)
    segment: str | None = None

    @model_validator(mode="after")
    def _condition(self) -> CoverageRule:
        if self.potential_above is None and self.segment is None:
            raise ValueError("name potential_above, segment or both")
        return self


class OpportunityRules(_Frozen):
    """Weekly hours an open deal takes, for how many weeks, at what cost per hour."""

    hours_per_week: float = Field(default=1.0, gt=0.0, le=40.0)
    weeks: float = Field(default=8.0, gt=0.0, le=104.0)
    cost_per_hour: float = Field(default=0.0, ge=0.0)


class AllocationRules(_Frozen):
    """The rules an allocation keeps (see ``conf/allocation.yaml``).

    Attributes
    ----------
    service_levels
        Level name → hours and cost, from the least to the most attention; the first level
        is the baseline without selling time.
    """

    weeks_per_year: float = Field(default=46.0, gt=0.0, le=53.0)
    margin_rate: float = Field(gt=0.0, le=1.0)
    service_levels: dict[str, ServiceLevel] = Field(min_length=2)
    territory: Territory = Territory()
    continuity: Continuity = Continuity(switch_gain_percent=0.0, switch_gain_eur=0.0)
    minimum_coverage: tuple[CoverageRule, ...] = ()
    opportunities: OpportunityRules = OpportunityRules()
    # read and checked by the coverage model (revintel.allocation._coverage_model)
    coverage_models: dict[str, Any] = Field(default_factory=dict)

    @field_validator("service_levels")
    @classmethod
    def _levels_ordered(cls, levels: dict[str, ServiceLevel]) -> dict[str, ServiceLevel]:
        hours = [level.hours_per_week for level in levels.values()]
        if hours[0] != 0.0:
            raise ValueError("the first level is the baseline and has 0 hours_per_week")
        if any(b <= a for a, b in pairwise(hours)):
            raise ValueError("hours_per_week must rise from one level to the next")
        return levels

    @model_validator(mode="after")
    def _known_levels(self) -> AllocationRules:
        for i, rule in enumerate(self.minimum_coverage):
            if rule.at_least not in self.service_levels:
                raise ValueError(
                    f"minimum_coverage[{i}].at_least: unknown service level {rule.at_least!r}; "
                    f"choose one of: {', '.join(self.service_levels)}"
                )
        return self

    @property
    def level_names(self) -> tuple[str, ...]:
        """The service levels, least attention first."""
        return tuple(self.service_levels)

    def level_index(self, name: str) -> int:
        """Position of the level ``name`` (0: the baseline)."""
        return self.level_names.index(name)


def read_rules(path: str | Path | None = None) -> AllocationRules:
    """Read and check the rules file ``path`` (default: the packaged ``conf/allocation.yaml``).

    Raises
    ------
    AllocationRulesError
        The file is unreadable, not YAML, or a key is missing, unknown or out of range; the
        message names the file and the key.
    """
    data, origin = read_yaml_mapping(path, RULES_FILE, AllocationRulesError, _EXPECTED)
    return _checked(data, origin)


def parse_rules(text: str, origin: str = "<text>") -> AllocationRules:
    """Check rules given as YAML text (see :func:`read_rules`)."""
    return _checked(parse_yaml_mapping(text, origin, AllocationRulesError, _EXPECTED), origin)


def _checked(data: dict[str, Any], origin: str) -> AllocationRules:
    try:
        return AllocationRules.model_validate(data)
    except ValidationError as exc:
        messages = [
            m.replace("Value error, ", "").replace(": : ", ": ")
            for m in validation_messages(exc, origin)
        ]
        raise AllocationRulesError("\n".join(messages)) from None
