"""Pace of groups of deals: how fast they recently left each milestone against the pooled curves.

The close curves pool all deals of the last year. When one group's deals slow down — offers to
one industry sitting unanswered, say — its open deals would be timed like everybody else's and the
near-term forecast runs high. For every milestone and group value the recent *exit rate* (moving
on to a later milestone, or closing, per day spent at the milestone) is compared with the pooled
rate of the whole look-back window, shrunk toward 1 with pseudo-exits:

    pace = (exits_recent + prior) / (exposure_recent × pooled rate + prior)

A deal in a group with pace ``ρ`` has its cumulative chance of being won by day ``t`` of the
horizon read at ``ρ·t`` (time runs slower or faster for it); its chance of ever being won is not
changed. This is a proportional-hazards reading of the exit rate (Cox 1972), applied per group.
"""

from __future__ import annotations

import numpy as np

from revintel.forecast._history import Journeys
from revintel.forecast._survival import LOOKBACK_DAYS

#: Days of recent history whose exit rates are compared with the pooled curves (chosen with
#: :data:`PACE_PRIOR` by ``benchmarks/forecast_sweep.py`` on the tuning origins).
PACE_DAYS = 182.0
#: Pseudo-exits pulling a group's pace toward 1 when it has little exposure.
PACE_PRIOR = 30.0
#: Days of history whose pooled exit rate is the reference.
REFERENCE_DAYS = LOOKBACK_DAYS
#: Group value of deals whose group is not known; they keep pace 1.
UNKNOWN = "(none)"
#: Bounds of the pace factor.
PACE_BOUNDS = (0.1, 2.0)


def _exposure(
    entry: np.ndarray, leave: np.ndarray, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """Days each entity spent at a milestone within ``[start, stop)``, and whether it left then."""
    begin = np.maximum(np.nan_to_num(entry, nan=np.inf), start)
    end = np.minimum(leave, stop)
    days = np.maximum(end - begin, 0.0)
    left = (leave >= start) & (leave < stop) & (np.nan_to_num(entry, nan=np.inf) < stop)
    return days, left


def _leave_times(journeys: Journeys, k: int) -> np.ndarray:
    later = journeys.entries[:, k + 1 :]
    moved = np.fmin.reduce(later, axis=1) if later.shape[1] else np.full(len(later), np.nan)
    leave = np.fmin(moved, journeys.closed)
    return np.where(np.isnan(leave), np.inf, leave)


def milestone_pace(
    journeys: Journeys,
    cut: float,
    groups: np.ndarray,
    window: float = PACE_DAYS,
    prior: float = PACE_PRIOR,
) -> dict[tuple[int, str], float]:
    """Pace ``(milestone index, group) -> factor`` of each group's recent exits (see module).

    Examples
    --------
    >>> import pandas as pd
    >>> entries = np.array([[100.0], [320.0], [310.0]])
    >>> closed = np.array([110.0, 330.0, np.nan])
    >>> j = Journeys(("x",), entries, closed, np.array([True] * 3), pd.DataFrame(index=range(3)))
    >>> pace = milestone_pace(j, 400.0, np.array(["a", "a", "b"]), prior=1.0)
    >>> round(pace[(0, "a")], 2), round(pace[(0, "b")], 2)
    (1.69, 0.38)
    """
    pace: dict[tuple[int, str], float] = {}
    values = np.unique(groups)
    for k in range(journeys.entries.shape[1]):
        entry, leave = journeys.entries[:, k], _leave_times(journeys, k)
        long_days, long_left = _exposure(entry, leave, cut - REFERENCE_DAYS, cut)
        if long_days.sum() <= 0:
            continue
        rate = long_left.sum() / long_days.sum()
        days, left = _exposure(entry, leave, cut - window, cut)
        for value in values:
            if value == UNKNOWN:
                continue
            rows = groups == value
            expected = days[rows].sum() * rate
            factor = (left[rows].sum() + prior) / (expected + prior) if expected + prior else 1.0
            pace[(k, str(value))] = float(np.clip(factor, *PACE_BOUNDS))
    return pace


def dilate(timing: np.ndarray, edges: np.ndarray, pace: np.ndarray) -> np.ndarray:
    """Per-period win probabilities with time running ``pace`` times as fast for each row.

    ``timing[i, k]`` is P(won in period ``k``) of row ``i`` for periods between ``edges`` (days
    after the cut-off); the cumulative chance at ``pace·t`` is interpolated linearly and held
    after the last edge.

    Examples
    --------
    >>> t = np.array([[0.2, 0.2], [0.2, 0.2]])
    >>> dilate(t, np.array([0.0, 10.0, 20.0]), np.array([0.5, 1.0])).round(2).tolist()
    [[0.1, 0.1], [0.2, 0.2]]
    """
    cumulative = np.concatenate([np.zeros((len(timing), 1)), np.cumsum(timing, axis=1)], axis=1)
    at = np.minimum(pace[:, None] * edges[None, 1:], edges[-1])
    index = np.clip(np.searchsorted(edges, at, side="right") - 1, 0, len(edges) - 2)
    span = edges[index + 1] - edges[index]
    share = np.where(span > 0, (at - edges[index]) / np.where(span > 0, span, 1.0), 0.0)
    rows = np.arange(len(timing))[:, None]
    low, high = cumulative[rows, index], cumulative[rows, index + 1]
    dilated = low + share * (high - low)
    return np.diff(np.concatenate([np.zeros((len(timing), 1)), dilated], axis=1), axis=1)
