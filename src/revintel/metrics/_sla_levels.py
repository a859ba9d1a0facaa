"""Service levels for answering leads: the packaged ``conf/sla.yaml`` or a company's own file,
loaded into a typed, frozen model whose errors name the file and the field.

Levels are calendar hours from the MQL milestone (no business-hours calendar): ``accept_hours``
until sales accepts (SAL) or rejects (disqualified) the lead, ``first_contact_hours`` until its
first sales contact (a touchpoint of one of ``contact_kinds``). Overrides by segment and/or
channel replace either level; the most specific matching override wins, the first listed among
equally specific ones.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from revintel.model import read_yaml_mapping

DEFAULT_SLA_PATH = "conf/sla.yaml"
#: The environment variable naming a company's own service-level file for every surface.
SLA_ENV = "REVINTEL_SLA"
#: The two service levels.
Level = Literal["accept", "first_contact"]
LEVELS: tuple[Level, ...] = ("accept", "first_contact")


class SlaConfigError(ValueError):
    """A service-level file is invalid; the message names the file and every offending field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LevelHours(_Frozen):
    """Hours allowed for each level (calendar hours from the MQL)."""

    accept_hours: float = Field(gt=0)
    first_contact_hours: float = Field(gt=0)


class Override(_Frozen):
    """Other hours for the leads of a segment, a channel or both."""

    segment: str | None = None
    channel: str | None = None
    accept_hours: float | None = Field(default=None, gt=0)
    first_contact_hours: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _names_something(self) -> Override:
        if self.segment is None and self.channel is None:
            raise ValueError("an override needs a segment or a channel")
        if self.accept_hours is None and self.first_contact_hours is None:
            raise ValueError("an override needs accept_hours or first_contact_hours")
        return self

    @property
    def specificity(self) -> int:
        """How many attributes the override names (2 beats 1)."""
        return int(self.segment is not None) + int(self.channel is not None)


class SlaLevels(_Frozen):
    """The service levels of a company."""

    version: int = 1
    contact_kinds: tuple[str, ...] = Field(min_length=1)
    response_kinds: tuple[str, ...] = Field(default=("follow_up_call",), min_length=1)
    default: LevelHours
    overrides: tuple[Override, ...] = ()
    alert_threshold: float = Field(default=0.8, gt=0.0, le=1.0)

    def hours(self, level: Level, segment: str | None, channel: str | None) -> float:
        """Hours allowed for ``level`` to a lead of ``segment`` and ``channel``.

        Examples
        --------
        >>> levels = load_sla_levels()
        >>> levels.hours("first_contact", "Enterprise", "search")
        8.0
        >>> levels.hours("accept", "Mittelstand", "trade_fair")
        48.0
        """
        for override in self.ordered_overrides(level):
            if override.segment not in (None, segment) or override.channel not in (None, channel):
                continue
            return float(getattr(override, f"{level}_hours"))
        return float(getattr(self.default, f"{level}_hours"))

    def ordered_overrides(self, level: Level) -> list[Override]:
        """Overrides setting ``level``, most specific first (file order among equals)."""
        setting = [o for o in self.overrides if getattr(o, f"{level}_hours") is not None]
        return sorted(setting, key=lambda o: -o.specificity)


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) and parts:
            parts[-1] = f"{parts[-1]}[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts)


def load_sla_levels(path: str | Path | None = None) -> SlaLevels:
    """The service levels of ``path`` (default: the file ``$REVINTEL_SLA`` names, else the
    packaged ``conf/sla.yaml``), so the KPIs, alerts, the queue and the API use one set.

    Raises :class:`SlaConfigError` naming the file and each invalid field.
    """
    path = path or os.environ.get(SLA_ENV) or None
    data, origin = read_yaml_mapping(path, DEFAULT_SLA_PATH, SlaConfigError, "'default'")
    try:
        return SlaLevels.model_validate(data)
    except ValidationError as exc:
        lines = [f"{origin}: {_field_path(e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()]
        raise SlaConfigError("\n".join(lines)) from None
