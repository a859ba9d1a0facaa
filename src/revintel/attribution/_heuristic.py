"""Rule-based attribution: credit split over a journey's touches by position or by age.

Every model gives each touch a share of its journey; the shares of a journey sum to 1, so a
journey's conversions, value and margin are split exactly among its touches. All models work on
whole arrays (per-touch weights normalised per journey with :func:`numpy.bincount`), never one
journey at a time.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from revintel.attribution._paths import (
    CLOSING,
    LEAD_CREATION,
    OPPORTUNITY_CREATION,
    Paths,
)
from revintel.attribution._result import CHANNEL_COLUMNS, Attribution

#: The rule-based models, in the order they are usually shown.
HEURISTIC_MODELS = ("first", "last", "linear", "time_decay", "u_shaped", "w_shaped", "full_path")

#: Weight of each position of the position-based models; ``rest`` is shared evenly by the touches
#: holding none of the model's positions. ``lead``, ``opportunity`` and ``closing`` are the
#: touches flagged :data:`LEAD_CREATION`, :data:`OPPORTUNITY_CREATION` and :data:`CLOSING`.
POSITION_WEIGHTS: dict[str, dict[str, float]] = {
    "u_shaped": {"first": 0.4, "lead": 0.4, "rest": 0.2},
    "w_shaped": {"first": 0.3, "lead": 0.3, "opportunity": 0.3, "rest": 0.1},
    "full_path": {
        "first": 0.225,
        "lead": 0.225,
        "opportunity": 0.225,
        "closing": 0.225,
        "rest": 0.1,
    },
}

#: Half-life of the time-decay model unless told otherwise (HubSpot's default).
DEFAULT_HALF_LIFE_DAYS = 7.0

_ROLE_FLAGS = {"lead": LEAD_CREATION, "opportunity": OPPORTUNITY_CREATION, "closing": CLOSING}


def heuristic_attribution(
    paths: Paths, model: str, *, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
) -> Attribution:
    """Attribute every journey's conversions, value and margin to its touches by a fixed rule.

    Parameters
    ----------
    paths
        The journeys.
    model
        One of :data:`HEURISTIC_MODELS` (see :func:`touch_shares` for each rule).
    half_life_days
        Half-life of ``time_decay``: a touch this many days older than another earns half its
        credit.

    Returns
    -------
    Attribution
        Per-touch credits (``touch_conversions``, ``touch_revenue`` and, when the journeys carry
        a margin, ``touch_margin``) and their sums per channel. A journey without touches
        contributes nothing: ``notes["journeys_without_touches"]`` counts such journeys and
        ``notes["unattributed_conversions"]`` (``_revenue``, ``_margin``) holds what they had,
        so the channel rows plus these notes equal the journeys' totals.

    Raises
    ------
    ValueError
        For an unknown model, for ``time_decay`` without touch dates or with a half-life that
        is not a positive number, and for ``w_shaped``/``full_path`` without touch roles.

    Examples
    --------
    >>> import numpy as np
    >>> paths = Paths(
    ...     channels=("ads", "email"), offsets=np.array([0, 2, 3]),
    ...     codes=np.array([0, 1, 1], dtype=np.int32), conversions=np.array([1.0, 1.0]),
    ...     nulls=np.array([0.0, 0.0]), value=np.array([100.0, 50.0]))
    >>> heuristic_attribution(paths, "linear").channels[["channel", "conversions", "revenue"]]
      channel  conversions  revenue
    0   email          1.5    100.0
    1     ads          0.5     50.0
    """
    shares = touch_shares(paths, model, half_life_days=half_life_days)
    journey = paths.journey_of_touch
    touch_conversions = shares * _as_float(paths.conversions)[journey]
    touch_revenue = shares * _as_float(paths.value)[journey]
    touch_margin = None if paths.margin is None else shares * _as_float(paths.margin)[journey]
    notes: dict[str, Any] = _unattributed(paths)
    if model == "time_decay":
        notes["half_life_days"] = float(half_life_days)
    if model in POSITION_WEIGHTS:
        notes["position_weights"] = dict(POSITION_WEIGHTS[model])
        notes["lead_creation_touch"] = "flagged" if paths.role is not None else "last touch"
    return Attribution(
        model=model,
        channels=channel_table(paths, touch_conversions, touch_revenue, touch_margin),
        touch_conversions=touch_conversions,
        touch_revenue=touch_revenue,
        touch_margin=touch_margin,
        notes=notes,
    )


def touch_shares(
    paths: Paths, model: str, *, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
) -> np.ndarray:
    """Share of its journey that every touch earns under a rule-based model.

    The rules:

    - ``first``/``last``: everything to the first/last touch;
    - ``linear``: the same share to every touch (a channel touched twice earns twice);
    - ``time_decay``: weight ``2 ** (-days_before / half_life_days)`` per touch;
    - ``u_shaped``: 40 % first touch, 40 % the lead-creation touch (the touch flagged
      :data:`LEAD_CREATION`, or the last touch when the journeys carry no roles), 20 % shared
      by the other touches;
    - ``w_shaped``: 30 % first, 30 % lead creation, 30 % opportunity creation, 10 % the rest;
    - ``full_path``: 22.5 % each first, lead creation, opportunity creation and closing touch,
      10 % the rest.

    Two positions on one touch add their weights; several touches flagged with one role share
    its weight evenly. Positions a journey lacks (a journey to SAL has no opportunity creation;
    two touches leave no rest) drop out and the others are scaled up to sum to 1, so one touch
    earns 100 % and two touches under ``u_shaped`` 50 % each.

    Parameters
    ----------
    paths
        The journeys.
    model
        One of :data:`HEURISTIC_MODELS`.
    half_life_days
        Half-life of ``time_decay`` in days.

    Returns
    -------
    numpy.ndarray
        ``float64`` share per touch (aligned with ``paths.codes``); the shares of each journey
        with touches sum to 1.
    """
    if model not in HEURISTIC_MODELS:
        raise ValueError(
            f"unknown rule-based attribution model {model!r}; "
            f"choose one of: {', '.join(HEURISTIC_MODELS)}"
        )
    journey = paths.journey_of_touch
    if model == "time_decay":
        raw = _decay_weights(paths, journey, half_life_days)
    elif model == "linear":
        raw = np.ones(len(paths.codes))
    else:
        raw = _position_weights(paths, model, journey)
    journey_total = np.bincount(journey, weights=raw, minlength=len(paths))
    return raw / journey_total[journey]


def channel_table(
    paths: Paths,
    touch_conversions: np.ndarray,
    touch_revenue: np.ndarray,
    touch_margin: np.ndarray | None,
) -> pd.DataFrame:
    """Per-touch credits summed by channel, largest conversions first (ties by channel name).

    Every channel of ``paths.channels`` gets a row, also one that earned nothing; ``margin`` is
    NaN when ``touch_margin`` is ``None``.
    """
    n = len(paths.channels)
    codes = paths.codes
    margin = (
        np.full(n, np.nan)
        if touch_margin is None
        else np.bincount(codes, weights=touch_margin, minlength=n)
    )
    table = pd.DataFrame(
        {
            "channel": list(paths.channels),
            "conversions": np.bincount(codes, weights=touch_conversions, minlength=n),
            "revenue": np.bincount(codes, weights=touch_revenue, minlength=n),
            "margin": margin,
        },
        columns=list(CHANNEL_COLUMNS),
    )
    return table.sort_values(
        ["conversions", "channel"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def _first_touch(paths: Paths) -> np.ndarray:
    """Index of each journey's first touch, for journeys with touches."""
    lengths = paths.lengths
    return np.asarray(paths.offsets[:-1][lengths > 0], dtype=np.int64)


def _last_touch(paths: Paths) -> np.ndarray:
    """Index of each journey's last touch, for journeys with touches."""
    lengths = paths.lengths
    return np.asarray(paths.offsets[1:][lengths > 0], dtype=np.int64) - 1


def _position_weights(paths: Paths, model: str, journey: np.ndarray) -> np.ndarray:
    """Unnormalised weights of first/last and the position-based models."""
    n_touches = len(paths.codes)
    if model in ("first", "last"):
        raw = np.zeros(n_touches)
        raw[_first_touch(paths) if model == "first" else _last_touch(paths)] = 1.0
        return raw
    weights = POSITION_WEIGHTS[model]
    needs_roles = [name for name in weights if name in ("opportunity", "closing")]
    if paths.role is None and needs_roles:
        raise ValueError(
            f"{model} needs the role of every touch (which touch created the lead, the "
            "opportunity, closed the deal); these journeys carry none"
        )
    positions: dict[str, np.ndarray] = {}
    for name in weights:
        if name == "rest":
            continue
        mask = np.zeros(n_touches, dtype=bool)
        if name == "first":
            mask[_first_touch(paths)] = True
        elif paths.role is None:  # only "lead" gets here: the last touch stands in for it
            mask[_last_touch(paths)] = True
        else:
            mask = (np.asarray(paths.role) & _ROLE_FLAGS[name]) != 0
        positions[name] = mask
    rest = ~np.logical_or.reduce(list(positions.values()), axis=0)
    positions["rest"] = rest
    raw = np.zeros(n_touches)
    for name, mask in positions.items():
        # A position held by several touches of one journey is shared evenly among them.
        holders = np.bincount(journey, weights=mask, minlength=len(paths))
        raw[mask] += weights[name] / holders[journey[mask]]
    return raw


def _decay_weights(paths: Paths, journey: np.ndarray, half_life_days: float) -> np.ndarray:
    """Unnormalised ``2 ** (-days_before / half_life)`` weights of the time-decay model."""
    if paths.days_before is None:
        raise ValueError(
            "time_decay needs the date of every touch; aggregated path files have none"
        )
    if not (isinstance(half_life_days, Real) and 0 < half_life_days < math.inf):
        raise ValueError(f"half_life_days must be a positive number of days, got {half_life_days}")
    days = _as_float(paths.days_before)
    if not np.all(np.isfinite(days)):
        raise ValueError("days_before holds a missing or infinite value")
    if np.any(days < 0):
        raise ValueError("days_before is negative for a touch: touches must precede the outcome")
    # Measured from each journey's most recent touch: the shares are unchanged (the factor
    # cancels in the normalisation), but old journeys cannot underflow to all-zero weights.
    starts = _first_touch(paths)
    newest = np.zeros(len(paths))
    if len(starts):
        newest[paths.lengths > 0] = np.minimum.reduceat(days, starts)
    return np.exp2(-(days - newest[journey]) / half_life_days)


def _unattributed(paths: Paths) -> dict[str, Any]:
    """What journeys without touches had: no model can give it to a channel."""
    empty = paths.lengths == 0
    notes: dict[str, Any] = {
        "journeys_without_touches": int(empty.sum()),
        "unattributed_conversions": float(_as_float(paths.conversions)[empty].sum()),
        "unattributed_revenue": float(_as_float(paths.value)[empty].sum()),
    }
    if paths.margin is not None:
        notes["unattributed_margin"] = float(_as_float(paths.margin)[empty].sum())
    return notes


def _as_float(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)
