"""Journeys as channel sequences: the one form every attribution model reads.

A journey is the ordered channels of its touchpoints and what it led to. Journeys from the store
are single leads, deals or accounts (``conversions`` 0 or 1); journeys from an aggregated path
file are distinct paths with how often they converted and how often they did not (``nulls``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Bit flags of :attr:`Paths.role`: the touch that created the lead (the last one before the
#: first milestone), the one that created the opportunity, and the one that closed the deal.
LEAD_CREATION = 1
OPPORTUNITY_CREATION = 2
CLOSING = 4


@dataclass(frozen=True)
class Paths:
    """Journeys in a compact, columnar form.

    Attributes
    ----------
    channels
        Channel names; ``codes`` index into it.
    offsets
        ``int64`` array of length journeys + 1: journey ``i`` has the touches
        ``codes[offsets[i]:offsets[i + 1]]``, oldest first.
    codes
        ``int32`` channel code of every touch.
    conversions
        Conversions of each journey (0 or 1 for a single lead; a count for an aggregated path).
    nulls
        Journeys on the path that did not convert (``1 - conversions`` for single journeys).
    value
        Conversion value (revenue) of each journey; 0 where it did not convert.
    margin
        Margin of each journey's conversions, or ``None`` when unknown.
    days_before
        Days from each touch to the conversion (or to the end of a journey that did not
        convert), or ``None`` when the journeys carry no times (aggregated path files).
    role
        Bit flags per touch (:data:`LEAD_CREATION`, :data:`OPPORTUNITY_CREATION`,
        :data:`CLOSING`), or ``None`` when unknown.
    ids
        Id of each journey (lead, opportunity or account), or ``None`` for aggregated paths.
    """

    channels: tuple[str, ...]
    offsets: np.ndarray
    codes: np.ndarray
    conversions: np.ndarray
    nulls: np.ndarray
    value: np.ndarray
    margin: np.ndarray | None = None
    days_before: np.ndarray | None = None
    role: np.ndarray | None = None
    ids: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.offsets) - 1
        if n < 0 or self.offsets[0] != 0 or self.offsets[-1] != len(self.codes):
            raise ValueError("offsets must start at 0 and end at the number of touches")
        if np.any(np.diff(self.offsets) < 0):
            raise ValueError("offsets must not decrease")
        for name in ("conversions", "nulls", "value"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} needs one entry per journey ({n})")
        for name in ("days_before", "role"):
            values = getattr(self, name)
            if values is not None and len(values) != len(self.codes):
                raise ValueError(f"{name} needs one entry per touch ({len(self.codes)})")
        if len(self.codes) and (self.codes.min() < 0 or self.codes.max() >= len(self.channels)):
            raise ValueError("a channel code lies outside the channel names")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        """Touches per journey."""
        return np.diff(self.offsets)

    @property
    def journey_of_touch(self) -> np.ndarray:
        """Index of the journey each touch belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)

    def path(self, i: int) -> list[str]:
        """Channel names of journey ``i``, oldest first."""
        return [self.channels[c] for c in self.codes[self.offsets[i] : self.offsets[i + 1]]]
