"""What each score predicts: the entity scored, the outcome to reach and the horizon.

A target names its entity by the key of :data:`~revintel.predict.ENTITIES`; everything that
depends on the entity (snapshots, features, label rule, CLI group) is looked up there, so a new
target is one entry in :data:`TARGETS`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from revintel.predict._entities import entity


@dataclass(frozen=True)
class Target:
    """One scoring target: P(the entity reaches ``milestone`` within ``horizon_days``).

    Parameters
    ----------
    kind
        Registry name of the target, e.g. ``deal_win``.
    entity
        Key of the scored entity in :data:`~revintel.predict.ENTITIES` (``lead``,
        ``opportunity``…).
    milestone
        The outcome: a funnel milestone id for leads and deals (a later milestone on the path
        counts as reaching it), or whatever the entity's label rule reads.
    horizon_days
        Days after the prediction time within which the outcome must happen; ``None`` lets
        training choose it from the data.

    Examples
    --------
    >>> Target("deal_win", "opportunity", "won").group
    'deals'
    """

    kind: str
    entity: str
    milestone: str
    horizon_days: int | None = None

    @property
    def group(self) -> str:
        """CLI group of the target (the entity's group, e.g. ``leads`` or ``deals``)."""
        return entity(self.entity).group

    def with_horizon(self, horizon_days: int | None) -> Target:
        """This target with another horizon (``None`` keeps the current one)."""
        if horizon_days is None:
            return self
        if horizon_days < 1:
            raise ValueError(f"horizon_days must be at least 1, got {horizon_days}")
        return Target(self.kind, self.entity, self.milestone, horizon_days)


#: Targets scored by default, by kind. Horizons not set are chosen from the data at training
#: time.
TARGETS: dict[str, Target] = {
    "lead_to_sql": Target("lead_to_sql", "lead", "sql"),
    "lead_to_won": Target("lead_to_won", "lead", "won"),
    "deal_win": Target("deal_win", "opportunity", "won"),
    # The horizon caps a customer's churn window (see docs/churn.md).
    "account_churn": Target("account_churn", "account", "churn", horizon_days=365),
}


class _Groups(Mapping[str, tuple[str, ...]]):
    """Target kinds by CLI group, derived from :data:`TARGETS` whenever it is read."""

    def _current(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for tgt in TARGETS.values():
            out[tgt.group] = (*out.get(tgt.group, ()), tgt.kind)
        return out

    def __getitem__(self, group: str) -> tuple[str, ...]:
        groups = self._current()
        if group not in groups:
            raise KeyError(f"unknown score group {group!r}; known: {', '.join(groups)}")
        return groups[group]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


#: Targets trained together by ``revintel score train GROUP`` (e.g. ``leads``, ``deals``).
GROUPS: Mapping[str, tuple[str, ...]] = _Groups()


def target(kind: str, horizon_days: int | None = None) -> Target:
    """The target ``kind``, optionally with another horizon; ``KeyError`` listing kinds."""
    try:
        found = TARGETS[kind]
    except KeyError:
        raise KeyError(f"unknown score kind {kind!r}; known: {', '.join(TARGETS)}") from None
    return found.with_horizon(horizon_days)
