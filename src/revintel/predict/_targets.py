"""What each score predicts: the entity scored, the milestone to reach and the horizon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EntityKind = Literal["lead", "opportunity"]


@dataclass(frozen=True)
class Target:
    """One scoring target: P(the entity reaches ``milestone`` within ``horizon_days``).

    Parameters
    ----------
    kind
        Registry name of the target, e.g. ``deal_win``.
    entity
        ``lead`` (the journey is followed by ``lead_id``) or ``opportunity``.
    milestone
        Milestone id to reach; a later milestone on the path counts as reaching it.
    horizon_days
        Days after the prediction time within which the milestone must be reached.
    """

    kind: str
    entity: EntityKind
    milestone: str
    horizon_days: int

    @property
    def group(self) -> str:
        """CLI group of the target: ``leads`` or ``deals``."""
        return "leads" if self.entity == "lead" else "deals"


#: Targets scored by default, by kind.
TARGETS: dict[str, Target] = {
    "deal_win": Target("deal_win", "opportunity", "won", 180),
    "lead_to_sql": Target("lead_to_sql", "lead", "sql", 60),
    "lead_to_won": Target("lead_to_won", "lead", "won", 365),
}

#: Targets trained by ``revintel score train leads|deals``.
GROUPS: dict[str, tuple[str, ...]] = {
    "leads": ("lead_to_sql", "lead_to_won"),
    "deals": ("deal_win",),
}


def target(kind: str, horizon_days: int | None = None) -> Target:
    """The target ``kind``, optionally with another horizon; ``KeyError`` listing kinds."""
    try:
        found = TARGETS[kind]
    except KeyError:
        raise KeyError(f"unknown score kind {kind!r}; known: {', '.join(TARGETS)}") from None
    if horizon_days is None:
        return found
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be at least 1, got {horizon_days}")
    return Target(found.kind, found.entity, found.milestone, horizon_days)
