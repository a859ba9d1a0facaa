"""Markov-chain attribution: a channel earns what the journeys would lose without it.

The journeys are read as an absorbing Markov chain (Anderl, Becker, von Wangenheim & Schumann
2016, "Mapping the customer journey: Lessons learned from graph-based online attribution
modeling", IJRM 33(3)), with the conventions the ChannelAttribution package (Altomare & Loris)
documents. The removal effects are solved exactly from the chain's fundamental matrix instead
of being estimated by simulating journeys.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg

from revintel.attribution._data_driven import channel_touch_counts, spread_channel_totals
from revintel.attribution._heuristic import channel_table
from revintel.attribution._markov_chain import TransitionCounts, count_transitions
from revintel.attribution._paths import Paths
from revintel.attribution._result import Attribution

# Up to this many states the linear systems are solved densely; sparse LU beyond.
_DENSE_STATES = 100


def markov_attribution(paths: Paths, order: int = 1) -> Attribution:
    """Credit channels by their removal effects in an absorbing Markov chain of the journeys.

    States are the last ``order`` channels of a journey (1 to 3; at a journey's start, the
    fewer channels it has seen so far), after consecutive repeats of a channel were collapsed
    into one touch; start, conversion and null are further states, the last two absorbing. A
    path that converted ``conversions`` times and failed ``nulls`` times moves with that weight;
    its last state moves ``conversions`` times to conversion and ``nulls`` times to null.

    Removing channel ``c`` sends every move into a state that remembers ``c`` to null. Its
    removal effect is ``RE_c = 1 - P_-c / P``, with ``P`` the probability of being absorbed in
    conversion from the start, solved exactly as ``(I - Q) x = r`` (``Q`` the moves between
    transient states, ``r`` the moves into conversion). Channel ``c`` earns
    ``conversions × RE_c / Σ RE``.

    Value and margin use the same chain with value-weighted conversion moves: ``r`` holds the
    value (margin) of the journeys that converted from each state per journey leaving it, so
    ``x`` is the expected value collected, and ``c`` earns ``value × REv_c / Σ REv``. Where
    the value (margin) removal effects sum to nothing, the conversion shares stand in.

    Per touch, a channel's credit goes to its touches in converting journeys: a touch of ``c``
    in journey ``j`` weighs ``conversions_j / n(j, c)`` (``value_j`` for revenue, ``margin_j``
    for margin), ``n`` the touches of ``c`` in ``j`` (repeats included).

    Parameters
    ----------
    paths
        The journeys, converting and not.
    order
        Channels a state remembers, 1 to 3.

    Returns
    -------
    Attribution
        Channel and touch credits; ``notes`` holds ``order``, ``states`` (transient states
        that occur), ``conversion_probability``, ``removal_effects`` and
        ``removal_effects_revenue`` (and ``_margin``) per channel. Journeys without touches earn
        nothing: ``notes["journeys_without_touches"]`` counts them and
        ``notes["unattributed_conversions"]`` (``_revenue``, ``_margin``) holds what they had.

    Raises
    ------
    ValueError
        For an order outside 1 to 3.

    Examples
    --------
    >>> from revintel.attribution._paths import Paths
    >>> paths = Paths(
    ...     channels=("a", "b"),
    ...     offsets=np.array([0, 2, 3, 4]),
    ...     codes=np.array([0, 1, 0, 1], dtype=np.int32),
    ...     conversions=np.array([1.0, 0.0, 0.0]),
    ...     nulls=np.array([0.0, 1.0, 1.0]),
    ...     value=np.array([10.0, 0.0, 0.0]),
    ... )
    >>> result = markov_attribution(paths)
    >>> result.notes["removal_effects"]
    {'a': 0.5, 'b': 1.0}
    >>> result.channels[["channel", "conversions"]].round(4).values.tolist()
    [['b', 0.6667], ['a', 0.3333]]
    """
    journey = paths.journey_of_touch
    counts = count_transitions(paths, order, journey)
    touched = paths.lengths > 0
    has_margin = paths.margin is not None
    kinds = ("conversions", "revenue", "margin") if has_margin else ("conversions", "revenue")
    rewards = [counts.to_conversion, counts.value_out]
    journey_amounts = [_floats(paths.conversions), _floats(paths.value)]
    if paths.margin is not None and counts.margin_out is not None:
        rewards.append(counts.margin_out)
        journey_amounts.append(_floats(paths.margin))
    effects, reached = removal_effects(counts, np.column_stack(rewards), len(paths.channels))

    earning = np.logical_or.reduce([amount != 0 for amount in journey_amounts])
    earning_touches = np.flatnonzero(earning[journey])
    touch_counts = channel_touch_counts(paths, journey, earning_touches)
    touch_credits: list[np.ndarray] = []
    fallback: dict[str, list[str]] = {}
    for kind, column, amount in zip(kinds, effects.T, journey_amounts, strict=True):
        shares = _shares(column if column.sum() > 0 else effects[:, 0])
        totals = shares * amount[touched].sum()
        credit, even = spread_channel_totals(
            paths, totals, amount, journey, touch_counts, earning_touches
        )
        touch_credits.append(credit)
        if even:
            fallback[kind] = even

    notes: dict[str, Any] = {
        "order": counts.order,
        "states": len(counts.state_channels),
        "conversion_probability": float(reached[0]),
        "removal_effects": _by_channel(paths, effects[:, 0]),
        "removal_effects_revenue": _by_channel(paths, effects[:, 1]),
    }
    if has_margin:
        notes["removal_effects_margin"] = _by_channel(paths, effects[:, 2])
    if fallback:
        notes["touches_shared_evenly"] = fallback
    notes |= _unattributed(paths)
    margin = touch_credits[2] if has_margin else None
    return Attribution(
        model="markov",
        channels=channel_table(paths, touch_credits[0], touch_credits[1], margin),
        touch_conversions=touch_credits[0],
        touch_revenue=touch_credits[1],
        touch_margin=margin,
        notes=notes,
    )


def removal_effects(
    counts: TransitionCounts, rewards: np.ndarray, n_channels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Removal effect of every channel for every column of ``rewards``.

    Parameters
    ----------
    counts
        The chain's transition counts.
    rewards
        ``(states + 1, k)`` amounts collected on leaving each state into conversion (start last).
    n_channels
        Number of channel codes.

    Returns
    -------
    tuple
        ``(n_channels, k)`` removal effects (0 where nothing is collected or a channel has no
        state) and the ``k`` amounts expected from the start with every channel present.
    """
    leaving = counts.leaving
    scale = np.where(leaving > 0, 1.0 / np.where(leaving > 0, leaving, 1.0), 0.0)
    moves = sparse.diags(scale) @ counts.flows
    per_step = rewards * scale[:, None]
    everything = np.ones(counts.start + 1, dtype=bool)
    reached = _expected_from_start(moves, per_step, everything)
    effects = np.zeros((n_channels, rewards.shape[1]))
    for channel in range(n_channels):
        removed = counts.containing(channel)
        if not removed.any():
            continue
        keep = np.append(~removed, True)
        without = _expected_from_start(moves, per_step, keep)
        with np.errstate(invalid="ignore", divide="ignore"):
            effects[channel] = np.where(reached > 0, 1.0 - without / reached, 0.0)
    return np.clip(effects, 0.0, 1.0), reached


def _expected_from_start(
    moves: sparse.csr_matrix, per_step: np.ndarray, keep: np.ndarray
) -> np.ndarray:
    """Amounts collected before absorption from the start (last state), only ``keep`` states.

    Moves into dropped states are lost (they end in null): solve ``(I - Q) x = r`` on the kept
    states, by the fundamental matrix of the absorbing chain.
    """
    kept = np.flatnonzero(keep)
    q = moves[kept][:, kept]
    r = per_step[kept]
    if len(kept) <= _DENSE_STATES:
        x = np.linalg.solve(np.eye(len(kept)) - q.toarray(), r)
    else:
        system = (sparse.identity(len(kept), format="csc") - q).tocsc()
        x = sparse_linalg.splu(system).solve(np.ascontiguousarray(r))
    return np.asarray(x[-1], dtype=np.float64)


def _shares(effects: np.ndarray) -> np.ndarray:
    total = effects.sum()
    return effects / total if total > 0 else np.zeros_like(effects)


def _by_channel(paths: Paths, values: np.ndarray) -> dict[str, float]:
    return {name: round(float(v), 12) for name, v in zip(paths.channels, values, strict=True)}


def _unattributed(paths: Paths) -> dict[str, Any]:
    """What the journeys without touches had: no channel can earn it."""
    empty = paths.lengths == 0
    notes: dict[str, Any] = {
        "journeys_without_touches": int(empty.sum()),
        "unattributed_conversions": float(_floats(paths.conversions)[empty].sum()),
        "unattributed_revenue": float(_floats(paths.value)[empty].sum()),
    }
    if paths.margin is not None:
        notes["unattributed_margin"] = float(_floats(paths.margin)[empty].sum())
    return notes


def _floats(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)
