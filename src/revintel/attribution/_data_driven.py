"""What the data-driven models (Markov chains, Shapley values) share: how often a channel
occurs within a journey, and handing a channel's total down to its touches."""

from __future__ import annotations

import numpy as np

from revintel.attribution._paths import Paths

# Count (journey, channel) pairs with ``np.bincount`` up to this many bins; sort beyond.
_DENSE_BINS = 1 << 23
# With few channels, one counting pass per channel beats sorting the pairs.
_CHANNEL_PASSES = 64


def channel_touch_counts(
    paths: Paths, journey: np.ndarray, touches: np.ndarray | None = None
) -> np.ndarray:
    """For every touch, the number of touches of its channel in its journey (itself included).

    ``journey`` is :attr:`Paths.journey_of_touch`, passed in to be computed once. With
    ``touches`` (indices of whole journeys' touches) only those are counted; the others get 1.
    """
    codes = np.asarray(paths.codes)
    n_channels = len(paths.channels)
    counts = np.ones(len(codes), dtype=np.int64)
    if touches is None:
        touches = np.arange(len(codes))
    codes, journey = codes[touches], journey[touches]
    if len(paths) * n_channels <= _DENSE_BINS:
        key = journey * n_channels + codes
        counts[touches] = np.bincount(key, minlength=len(paths) * n_channels)[key]
    elif n_channels <= _CHANNEL_PASSES:
        for channel in range(n_channels):
            mask = codes == channel
            of_channel = journey[mask]
            counts[touches[mask]] = np.bincount(of_channel, minlength=len(paths))[of_channel]
    else:
        key = journey * n_channels + codes
        _, inverse, found = np.unique(key, return_inverse=True, return_counts=True)
        counts[touches] = found[inverse]
    return counts


def spread_channel_totals(
    paths: Paths,
    totals: np.ndarray,
    journey_weight: np.ndarray,
    journey: np.ndarray,
    touch_counts: np.ndarray,
    touches: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Hand each channel's total to its touches.

    A touch of channel ``c`` in journey ``j`` weighs ``journey_weight[j] / n(j, c)`` (``n`` the
    touches of ``c`` in ``j``, as :func:`channel_touch_counts` gives them; ``journey`` is
    :attr:`Paths.journey_of_touch`), and the channel's total is shared in proportion to these
    weights, so the touches of a channel add up to its total exactly. ``touches`` may name the
    touches of the journeys with a weight (the others weigh nothing) to spare work. A channel
    with a total but no weighted touch (it occurs only in journeys of weight 0) shares its total
    evenly over all its touches; such channels are returned by name.

    Returns
    -------
    tuple
        Credit of every touch, and the channels that were shared evenly.
    """
    codes = np.asarray(paths.codes)
    n_channels = len(paths.channels)
    if touches is None:
        touches = np.arange(len(codes))
    weight = np.asarray(journey_weight, dtype=np.float64)[journey[touches]] / touch_counts[touches]
    per_channel = np.bincount(codes[touches], weights=weight, minlength=n_channels)
    totals = np.asarray(totals, dtype=np.float64)
    # each touch's share of its channel first, then the total: a channel whose weights are all
    # tiny (a value near the smallest float) would overflow total / weights
    own = per_channel[codes[touches]]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(own != 0, weight / own, 0.0)
    credit = np.zeros(len(codes))
    credit[touches] = share * totals[codes[touches]]
    even = (per_channel == 0) & (totals != 0)
    if np.any(even):
        alike = even[codes]
        touches_of = np.bincount(codes[alike], minlength=n_channels)
        credit[alike] = totals[codes[alike]] / touches_of[codes[alike]]
    return credit, [paths.channels[c] for c in np.flatnonzero(even)]
