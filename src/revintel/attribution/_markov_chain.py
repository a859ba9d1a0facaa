"""The transition counts of a Markov chain over journeys, counted without a loop over journeys.

States are the last ``order`` channels a journey has seen, after consecutive repeats of a
channel were collapsed into one touch. Every journey starts in the start state and ends in the
conversion state (as often as it converted) or the null state (as often as it did not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from revintel.attribution._paths import Paths

#: Largest order :func:`count_transitions` accepts.
MAX_ORDER = 3

# Dense counting with ``np.bincount`` up to this many bins; sorting (``np.unique``) beyond.
_DENSE_BINS = 1 << 22


@dataclass(frozen=True)
class TransitionCounts:
    """How often the journeys moved between states.

    Attributes
    ----------
    order
        Channels remembered by a state.
    state_channels
        ``(states, order)`` channel codes of each state, the most recent channel first, ``-1``
        where a state remembers fewer channels (the first touches of a journey).
    flows
        Sparse ``(states + 1, states + 1)`` weights of the moves between states; the last row
        is the start state (no move enters it).
    to_conversion, to_null
        Weight of the moves from each state (start last) into conversion and null.
    value_out, margin_out
        Conversion value and margin of the journeys that ended in each state.
    """

    order: int
    state_channels: np.ndarray
    flows: sparse.csr_matrix
    to_conversion: np.ndarray
    to_null: np.ndarray
    value_out: np.ndarray
    margin_out: np.ndarray | None

    @property
    def start(self) -> int:
        """Index of the start state."""
        return len(self.state_channels)

    @property
    def leaving(self) -> np.ndarray:
        """Total weight of the moves out of each state (start last)."""
        rows = np.asarray(self.flows.sum(axis=1)).ravel()
        return rows + self.to_conversion + self.to_null

    def containing(self, channel: int) -> np.ndarray:
        """Mask of the states (start excluded) that remember ``channel``."""
        return np.any(self.state_channels == channel, axis=1)

    def state_names(self, channels: tuple[str, ...]) -> list[str]:
        """Each state as ``"older > newer"`` channel names."""
        return [" > ".join(channels[c] for c in row[::-1] if c >= 0) for row in self.state_channels]


def check_order(order: object) -> int:
    """``order`` if it is an integer from 1 to :data:`MAX_ORDER`; a clear error otherwise."""
    if isinstance(order, bool) or not isinstance(order, int | np.integer):
        raise ValueError(f"order of the Markov chain must be an integer, got {order!r}")
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order of the Markov chain must be 1 to {MAX_ORDER}, got {order}")
    return int(order)


def count_transitions(
    paths: Paths, order: int = 1, journey_of_touch: np.ndarray | None = None
) -> TransitionCounts:
    """Count the moves of every journey between the states of an order-``order`` chain.

    A journey on a path that occurred ``conversions + nulls`` times moves with that weight;
    journeys without touches take no part. ``codes`` is read once, without a loop over journeys;
    ``journey_of_touch`` (:attr:`Paths.journey_of_touch`) may be passed when already at hand.
    """
    order = check_order(order)
    if journey_of_touch is None:
        journey_of_touch = paths.journey_of_touch
    codes, journey, first = _collapsed_touches(paths, journey_of_touch)
    conversions = np.asarray(paths.conversions, dtype=np.float64)
    nulls = np.asarray(paths.nulls, dtype=np.float64)
    weight = (conversions + nulls)[journey]
    last = np.ones(len(codes), dtype=bool)
    last[:-1] = first[1:]

    state, state_channels = _states(codes, first, order, len(paths.channels))
    n_states = len(state_channels)
    start = n_states
    entering = _sparse_counts(
        np.full(int(first.sum()), start), state[first], weight[first], n_states + 1
    )
    # every touch moves on to the next one; the pairs across journeys carry no weight
    weight[first] = 0.0
    onward = _sparse_counts(state[:-1], state[1:], weight[1:], n_states + 1)
    flows = (onward + entering).tocsr()

    ending = np.append(state[last], start)  # the start entry keeps the length n_states + 1
    ended = journey[last]

    def at_end(per_journey: np.ndarray) -> np.ndarray:
        values = np.append(np.asarray(per_journey, dtype=np.float64)[ended], 0.0)
        return np.bincount(ending, weights=values, minlength=n_states + 1)

    return TransitionCounts(
        order=order,
        state_channels=state_channels,
        flows=flows,
        to_conversion=at_end(conversions),
        to_null=at_end(nulls),
        value_out=at_end(paths.value),
        margin_out=None if paths.margin is None else at_end(paths.margin),
    )


def _collapsed_touches(
    paths: Paths, journey: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channel code, journey and first-touch flag of each touch, with consecutive repeats of a
    channel within a journey dropped."""
    codes = np.asarray(paths.codes)
    first = np.zeros(len(codes), dtype=bool)
    first[paths.offsets[:-1][paths.lengths > 0]] = True
    keep = first.copy()
    keep[1:] |= codes[1:] != codes[:-1]
    return codes[keep], journey[keep], first[keep]


def _states(
    codes: np.ndarray, first: np.ndarray, order: int, n_channels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dense state index (``int32``) of every touch and the channels of each state that occurs.

    A state is encoded as the digits ``channel + 1`` (0 for "none") in base ``n_channels + 1``,
    the most recent channel lowest; only the codes that occur become states.
    """
    base = n_channels + 1
    if base**order >= 2**62:
        raise ValueError(f"too many channels ({n_channels}) for a chain of order {order}")
    if order == 1:  # the channel codes themselves, renumbered only if some never occur
        present = np.bincount(codes, minlength=n_channels) > 0
        occurring = np.flatnonzero(present)
        state = codes if present.all() else (np.cumsum(present) - 1).astype(np.int32)[codes]
        return np.asarray(state, dtype=np.int32), occurring[:, None].astype(np.int64)
    encoded = codes + np.int64(1)
    if order > 1:
        touch = np.arange(len(codes))
        position = touch - np.maximum.accumulate(np.where(first, touch, 0))
        for back in range(1, order):
            earlier = np.where(position[back:] >= back, encoded[:-back] % base, 0)
            encoded[back:] += earlier * base**back
    if base**order <= _DENSE_BINS:
        present = np.bincount(encoded, minlength=base**order) > 0
        index = np.cumsum(present) - 1
        occurring = np.flatnonzero(present)
        state = index[encoded]
    else:
        occurring, state = np.unique(encoded, return_inverse=True)
    digits = (occurring[:, None] // base ** np.arange(order)[None, :]) % base
    return state.astype(np.int32), (digits - 1).astype(np.int64)


def _sparse_counts(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, size: int
) -> sparse.csr_matrix:
    """Sum ``weights`` per ``(row, col)`` pair into a sparse ``size × size`` matrix."""
    # int32 arithmetic where the pair codes fit: half the memory traffic of int64
    kind = np.int32 if size * size < 2**31 else np.int64
    pair = np.asarray(rows, dtype=kind) * size + np.asarray(cols, dtype=kind)
    if size * size <= _DENSE_BINS:
        totals = np.bincount(pair, weights=weights, minlength=size * size)
        used = np.flatnonzero(totals)
        return sparse.csr_matrix((totals[used], (used // size, used % size)), shape=(size, size))
    unique, inverse = np.unique(pair, return_inverse=True)
    totals = np.bincount(inverse, weights=weights, minlength=len(unique))
    return sparse.csr_matrix((totals, (unique // size, unique % size)), shape=(size, size))
