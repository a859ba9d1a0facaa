"""The funnel definition: ordered milestones, labels, default probabilities and stage-name maps.

Loaded from YAML into frozen pydantic models and checked by a tuple of small validation rules
whose errors name the file and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from revintel.model._declarative import read_yaml_mapping, validation_messages

Outcome = Literal["won", "lost", "disqualified"]
Entity = Literal["lead", "opportunity"]
Language = Literal["de", "en"]


class FunnelDefinitionError(ValueError):
    """A funnel file is invalid; the message names the file and every offending field."""


class Labels(BaseModel):
    """A display name in German and English."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    de: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Milestone(BaseModel):
    """One funnel milestone."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    entity: Entity
    label: Labels
    default_probability: float
    outcome: Outcome | None = None
    source_names: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @property
    def terminal(self) -> bool:
        """Whether an entity stops here (won, lost or disqualified)."""
        return self.outcome is not None

    def name(self, language: Language = "en") -> str:
        """Label in ``language``."""
        return self.label.de if language == "de" else self.label.en


class FunnelDefinition(BaseModel):
    """Ordered milestones; non-terminal ones form the path, terminal ones end it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int = 1
    milestones: tuple[Milestone, ...]

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """All milestone ids in file order."""
        return tuple(m.id for m in self.milestones)

    @cached_property
    def path(self) -> tuple[Milestone, ...]:
        """Non-terminal milestones in order: the way to ``won``."""
        return tuple(m for m in self.milestones if not m.terminal)

    @cached_property
    def path_ids(self) -> tuple[str, ...]:
        """Ids of :attr:`path`."""
        return tuple(m.id for m in self.path)

    @property
    def won(self) -> Milestone:
        """The milestone with outcome ``won``."""
        return next(m for m in self.milestones if m.outcome == "won")

    def outcome_ids(self, outcome: Outcome) -> tuple[str, ...]:
        """Ids of terminal milestones with ``outcome``."""
        return tuple(m.id for m in self.milestones if m.outcome == outcome)

    def get(self, milestone_id: str) -> Milestone:
        """The milestone ``milestone_id``; ``KeyError`` listing valid ids otherwise."""
        for m in self.milestones:
            if m.id == milestone_id:
                return m
        raise KeyError(f"unknown milestone {milestone_id!r}; known: {', '.join(self.ids)}")

    def rank(self, milestone_id: str) -> int:
        """Position on the path (0 = first); terminal milestones rank after the path."""
        ids = self.path_ids
        return ids.index(milestone_id) if milestone_id in ids else len(ids)

    def stage_map(self, source_system: str) -> dict[str, str]:
        """Source stage name (case-folded) → milestone id for ``source_system``."""
        mapping: dict[str, str] = {}
        for m in self.milestones:
            for name in (*m.source_names.get(source_system, ()), m.id):
                mapping[name.casefold()] = m.id
        return mapping

    def map_stage(self, source_system: str, stage_name: str) -> str | None:
        """Milestone id for a source stage name, or ``None`` when the name is unknown."""
        return self.stage_map(source_system).get(stage_name.strip().casefold())


Rule = Callable[[FunnelDefinition], list[str]]


def _unique_ids(funnel: FunnelDefinition) -> list[str]:
    seen: set[str] = set()
    errors = []
    for i, m in enumerate(funnel.milestones):
        if m.id in seen:
            errors.append(f"milestones[{i}].id: duplicate milestone id {m.id!r}")
        seen.add(m.id)
    return errors


def _probabilities_in_range(funnel: FunnelDefinition) -> list[str]:
    return [
        f"milestones[{i}].default_probability: {m.default_probability} is not between 0 and 1"
        for i, m in enumerate(funnel.milestones)
        if not 0.0 <= m.default_probability <= 1.0
    ]


def _probabilities_rise_along_path(funnel: FunnelDefinition) -> list[str]:
    errors = []
    previous = -1.0
    for i, m in enumerate(funnel.milestones):
        if m.terminal:
            continue
        if m.default_probability < previous:
            errors.append(
                f"milestones[{i}].default_probability: {m.default_probability} is below the "
                f"previous milestone's {previous}; P(won) cannot fall as a deal advances"
            )
        previous = m.default_probability
    return errors


def _one_won_outcome(funnel: FunnelDefinition) -> list[str]:
    won = [i for i, m in enumerate(funnel.milestones) if m.outcome == "won"]
    if len(won) != 1:
        return [f"milestones: exactly one milestone needs outcome 'won', found {len(won)}"]
    i = won[0]
    if funnel.milestones[i].default_probability != 1.0:
        return [f"milestones[{i}].default_probability: the won milestone must have 1.0"]
    return []


def _terminal_after_path(funnel: FunnelDefinition) -> list[str]:
    errors = []
    seen_terminal = False
    for i, m in enumerate(funnel.milestones):
        if m.terminal:
            seen_terminal = True
        elif seen_terminal:
            errors.append(f"milestones[{i}].outcome: non-terminal {m.id!r} after a terminal one")
    if not funnel.path:
        errors.append("milestones: the funnel needs at least one non-terminal milestone")
    return errors


def _lead_stages_first(funnel: FunnelDefinition) -> list[str]:
    errors = []
    seen_opportunity = False
    for i, m in enumerate(funnel.path):
        if m.entity == "opportunity":
            seen_opportunity = True
        elif seen_opportunity:
            errors.append(f"milestones[{i}].entity: lead milestone {m.id!r} after an opportunity")
    return errors


def _stage_names_unambiguous(funnel: FunnelDefinition) -> list[str]:
    errors = []
    owner: dict[tuple[str, str], str] = {}
    for i, m in enumerate(funnel.milestones):
        for system, names in m.source_names.items():
            for name in names:
                key = (system, name.casefold())
                if key in owner and owner[key] != m.id:
                    errors.append(
                        f"milestones[{i}].source_names.{system}: {name!r} is already mapped "
                        f"to {owner[key]!r}"
                    )
                owner[key] = m.id
    return errors


RULES: tuple[Rule, ...] = (
    _unique_ids,
    _probabilities_in_range,
    _probabilities_rise_along_path,
    _one_won_outcome,
    _terminal_after_path,
    _lead_stages_first,
    _stage_names_unambiguous,
)

DEFAULT_FUNNEL_PATH = "conf/funnel.yaml"


def parse_funnel(data: Mapping[str, Any], origin: str = "<funnel>") -> FunnelDefinition:
    """Validate a mapping into a :class:`FunnelDefinition`; errors name ``origin`` and the field."""
    try:
        funnel = FunnelDefinition.model_validate(data)
    except ValidationError as exc:
        raise FunnelDefinitionError("\n".join(validation_messages(exc, origin))) from None
    errors = [f"{origin}: {err}" for rule in RULES for err in rule(funnel)]
    if errors:
        raise FunnelDefinitionError("\n".join(errors))
    return funnel


def load_funnel(path: str | Path | None = None) -> FunnelDefinition:
    """Load the funnel from ``path``, or the packaged default when ``path`` is ``None``."""
    data, origin = read_yaml_mapping(
        path, DEFAULT_FUNNEL_PATH, FunnelDefinitionError, "'milestones'"
    )
    return parse_funnel(data, origin)
