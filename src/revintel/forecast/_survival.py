"""Time to close from a milestone: Kaplan–Meier with censoring, split into won and lost.

Entities still open at the cut-off are censored at their age, so slow deals are not mistaken for
lost ones and fast wins are not over-represented. With two ways to close (won, lost) the
Kaplan–Meier survival generalises to the Aalen–Johansen cumulative incidence of winning
(Aalen & Johansen 1978; Putter, Fiocco & Geskus 2007, "Tutorial in biostatistics: competing risks
and multi-state models", Stat. Med. 26), whose end value is the censoring-aware P(won | milestone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Longest follow-up (days) the curves resolve; later closes count at this day.
MAX_DAYS = 1_460
#: Only entities that reached the milestone this many days before the cut-off describe it, so
#: the curves follow a funnel that changes over the years (censoring keeps recent entrants fair).
LOOKBACK_DAYS = 365.0


@dataclass(frozen=True)
class CloseCurve:
    """Survival and cumulative incidence of winning by whole days since reaching a milestone.

    ``survival[t]`` is P(still open after ``t`` days); ``won[t]`` P(won within ``t`` days);
    ``entrants`` how many entities reached the milestone.
    """

    survival: np.ndarray
    won: np.ndarray
    entrants: int

    @property
    def win_probability(self) -> float:
        """P(won | milestone reached), censoring handled (0 when nobody reached it)."""
        return float(self.won[-1]) if self.entrants else 0.0

    def win_between(self, age: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """P(won between ``start`` and ``end`` days after entry | open at ``age`` days).

        Arrays broadcast; days are clipped to the curve's range. Entities older than anything
        observed get probability 0.
        """
        last = len(self.won) - 1
        a = np.clip(np.floor(age), 0, last).astype(np.int64)
        lo = np.clip(np.floor(np.maximum(start, age)), 0, last).astype(np.int64)
        hi = np.clip(np.floor(end), 0, last).astype(np.int64)
        alive = self.survival[a]
        gained = np.maximum(self.won[hi] - self.won[lo], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(alive > 1e-9, gained / alive, 0.0)
        return np.clip(out, 0.0, 1.0)


def kaplan_meier(
    durations: np.ndarray, observed: np.ndarray, max_days: int = MAX_DAYS
) -> np.ndarray:
    """Kaplan–Meier survival by whole day from durations (days) and event flags.

    Examples
    --------
    >>> s = kaplan_meier(np.array([1.0, 2.0, 2.0, 3.0]), np.array([True, True, False, True]), 4)
    >>> [round(float(v), 3) for v in s]
    [1.0, 0.75, 0.5, 0.0, 0.0]
    """
    curve = close_curve(durations, np.where(observed, 2, 0), max_days)
    return curve.survival


def close_curve(
    durations: np.ndarray,
    event: np.ndarray,
    max_days: int = MAX_DAYS,
    weights: np.ndarray | None = None,
) -> CloseCurve:
    """Aalen–Johansen estimate from durations (days) and events (0 censored, 1 won, 2 lost).

    With ``weights`` (e.g. deal amounts) each entity counts with its weight, so the curve gives
    the share of pipeline *value* won rather than the share of deals.

    Examples
    --------
    >>> c = close_curve(np.array([1.0, 2.0, 3.0, 3.0]), np.array([1, 2, 1, 0]), 5)
    >>> round(c.win_probability, 3), round(float(c.survival[3]), 3)
    (0.5, 0.25)
    """
    days = np.clip(np.floor(np.asarray(durations, float)), 0, max_days).astype(np.int64)
    event = np.where(np.asarray(durations) > max_days, 0, np.asarray(event))
    size = max_days + 1
    w = np.ones(len(days)) if weights is None else np.asarray(weights, float)
    leaving = np.bincount(days, w, minlength=size)
    at_risk = w.sum() - np.concatenate(([0.0], np.cumsum(leaving)[:-1]))
    wins = np.bincount(days[event == 1], w[event == 1], minlength=size)
    losses = np.bincount(days[event == 2], w[event == 2], minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        win_hazard = np.where(at_risk > 1e-12, wins / at_risk, 0.0)
        close_hazard = np.where(at_risk > 1e-12, np.minimum((wins + losses) / at_risk, 1.0), 0.0)
    survival = np.cumprod(1.0 - close_hazard)
    before = np.concatenate(([1.0], survival[:-1]))
    won = np.cumsum(before * win_hazard)
    return CloseCurve(survival=survival, won=won, entrants=len(days))


def milestone_curves(
    entries: np.ndarray,
    closed: np.ndarray,
    won: np.ndarray,
    cut: float,
    groups: np.ndarray | None = None,
    lookback: float = LOOKBACK_DAYS,
) -> dict[tuple[int, str], CloseCurve]:
    """One close curve per milestone column of ``entries`` (and per group, if given).

    Keys are ``(milestone index, group)``; the group ``""`` pools every entity. Only entities
    that reached the milestone within ``lookback`` days before ``cut`` count.
    """
    event = np.where(np.isnan(closed), 0, np.where(won, 1, 2))
    end = np.where(np.isnan(closed), cut, closed)
    curves: dict[tuple[int, str], CloseCurve] = {}
    for k in range(entries.shape[1]):
        reached = entries[:, k] >= cut - lookback
        duration = end[reached] - entries[reached, k]
        curves[(k, "")] = close_curve(duration, event[reached])
        if groups is None:
            continue
        for value in np.unique(groups[reached]):
            mask = groups[reached] == value
            curves[(k, str(value))] = close_curve(duration[mask], event[reached][mask])
    return curves


#: Ages (days at the current milestone) at which the curves of open entities are re-estimated.
LANDMARKS = np.array([0.0, 7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0])


def landmark_curves(
    entries: np.ndarray,
    closed: np.ndarray,
    won: np.ndarray,
    cut: float,
    left: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    landmarks: np.ndarray = LANDMARKS,
    lookback: float = LOOKBACK_DAYS,
) -> dict[tuple[int, int], CloseCurve]:
    """Close curves of entities still *at* a milestone after a landmark age, from that age on.

    An open deal that has sat at a milestone for ``a`` days is unlike the average entrant: the
    quick ones have moved on. Landmarking (van Houwelingen 2007, "Dynamic prediction by
    landmarking in event history analysis", Scand. J. Stat. 34) estimates its outlook from the
    entities that were still at the milestone, open, ``a`` days after reaching it. Keys are
    ``(milestone index, landmark index)``; ``left`` is when an entity left the path in another
    way (a lead becoming an opportunity), ``NaN`` if it did not; ``weights`` as in
    :func:`close_curve`.
    """
    event = np.where(np.isnan(closed), 0, np.where(won, 1, 2))
    end = np.where(np.isnan(closed), cut, closed)
    curves: dict[tuple[int, int], CloseCurve] = {}
    for k in range(entries.shape[1]):
        later = entries[:, k + 1 :]
        moved = np.fmin.reduce(later, axis=1) if later.shape[1] else np.full(len(entries), np.nan)
        if left is not None:
            moved = np.fmin(moved, left)
        moved = np.where(np.isnan(moved), np.inf, moved)
        for j, age in enumerate(landmarks):
            mark = entries[:, k] + age
            still = (entries[:, k] >= cut - lookback) & (mark < cut) & (moved > mark) & (end > mark)
            w = None if weights is None else weights[still]
            curves[(k, j)] = close_curve(end[still] - mark[still], event[still], weights=w)
    return curves
