"""Shapley values of the conversion-probability game ``T ↦ p(T) - p(∅)`` over a channel set.

Shapley (1953), "A value for n-person games", Contributions to the Theory of Games II: player
``c`` of a set ``S`` of ``k`` players receives
``Σ_{T ⊆ S∖c} |T|! (k - |T| - 1)! / k! · (v(T ∪ c) - v(T))``. Enumerated exactly over all
``2^k`` coalitions, or estimated from random orderings of the players (the mean marginal
contribution over sampled permutations, Castro, Gómez & Tejada 2009, "Polynomial calculation
of the Shapley value based on sampling", Comput. Oper. Res. 36(5)).
"""

from __future__ import annotations

from math import factorial

import numpy as np
from scipy.special import expit

from revintel.attribution._shapley_fit import ConversionModel

#: Channel sets up to this size are enumerated exactly (when the work allows, see
#: :func:`plan_sampling`); larger ones are sampled.
EXACT_MAX_CHANNELS = 15

#: Orderings sampled per channel set when the caller does not choose.
DEFAULT_SAMPLES = 2000

#: Coalition evaluations (players × coalitions, or players × orderings, summed over the sets)
#: one attribution may spend; about five seconds on one core.
WORK_BUDGET = 1 << 27

#: Fewest orderings per sampled set when the budget forces fewer than the default.
MIN_SAMPLES = 32

# Rows × coalitions (or × sampled orderings × players) evaluated at once.
_BLOCK = 1 << 21


def plan_sampling(sizes: np.ndarray, samples: int | None) -> tuple[np.ndarray, int]:
    """Which channel sets to sample, and with how many orderings each.

    Sets of up to :data:`EXACT_MAX_CHANNELS` channels are enumerated (``k · 2^k`` evaluations
    for ``k`` channels) as long as that fits :data:`WORK_BUDGET`; otherwise the largest sizes
    are sampled, from the top, until the rest fits. Larger sets are always sampled, with
    ``samples`` orderings, or with :data:`DEFAULT_SAMPLES` lowered (not below
    :data:`MIN_SAMPLES`) so that the sampling fits the budget too.

    Returns
    -------
    tuple
        Mask of the sets to sample, and the orderings per sampled set.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    exact_work = np.where(sizes <= EXACT_MAX_CHANNELS, sizes * 2.0 ** np.minimum(sizes, 62), 0.0)
    sampled = sizes > EXACT_MAX_CHANNELS
    work_by_size = np.bincount(sizes, weights=exact_work)
    cumulative = np.cumsum(work_by_size)  # exact work of all sets up to each size
    if cumulative[-1] > WORK_BUDGET:
        largest_exact = int(np.searchsorted(cumulative, WORK_BUDGET, side="right")) - 1
        sampled |= sizes > max(largest_exact, 1)
    if samples is not None:
        return sampled, int(samples)
    players = float(sizes[sampled].sum())
    affordable = int(WORK_BUDGET // players) if players else DEFAULT_SAMPLES
    return sampled, max(MIN_SAMPLES, min(DEFAULT_SAMPLES, affordable))


def exact_shapley(model: ConversionModel, members: np.ndarray) -> np.ndarray:
    """Exact Shapley value of every channel in every set (``members`` rows), by enumeration.

    Work grows as ``k · 2^k`` for a set of ``k`` channels; sets of equal size are evaluated
    together. Returns a ``members``-shaped array (0 for channels outside a set); each row
    adds up to ``p(S) - p(∅)``.
    """
    values = np.zeros(members.shape)
    sizes = members.sum(axis=1)
    for k in np.unique(sizes[sizes > 0]):
        rows = np.flatnonzero(sizes == k)
        channels = np.nonzero(members[rows])[1].reshape(len(rows), k)
        coalitions = np.arange(1 << k)
        in_coalition = ((coalitions[:, None] >> np.arange(k)[None, :]) & 1).astype(np.float64)
        coalition_size = in_coalition.sum(axis=1).astype(np.int64)
        weight = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])
        block = max(1, _BLOCK >> k)
        for lo in range(0, len(rows), block):
            effects = model.effects[channels[lo : lo + block]]
            p = expit(model.intercept + effects @ in_coalition.T)
            for player in range(k):
                without = coalitions[((coalitions >> player) & 1) == 0]
                gain = p[:, without | (1 << player)] - p[:, without]
                values[rows[lo : lo + block], channels[lo : lo + block, player]] = (
                    gain @ weight[coalition_size[without]]
                )
    return values


def sampled_shapley(
    model: ConversionModel, members: np.ndarray, samples: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values estimated from ``samples`` random orderings of each set's channels.

    Each set gets its own orderings. Every ordering's marginal contributions add up to
    ``p(S) - p(∅)``, so each row of the estimate does too.

    Returns
    -------
    tuple
        ``members``-shaped estimates and their variances (the variance of a channel's marginal
        contribution over the orderings divided by ``samples``).
    """
    values = np.zeros(members.shape)
    variances = np.zeros(members.shape)
    sizes = members.sum(axis=1)
    empty = expit(model.intercept)
    for k in np.unique(sizes[sizes > 0]):
        rows = np.flatnonzero(sizes == k)
        channels = np.nonzero(members[rows])[1].reshape(len(rows), k)
        block = max(1, _BLOCK // (samples * k))
        for lo in range(0, len(rows), block):
            part = slice(lo, lo + block)
            n = len(rows[part])
            order = rng.permuted(np.broadcast_to(np.arange(k), (n, samples, k)), axis=2)
            effects = np.take_along_axis(model.effects[channels[part]][:, None, :], order, axis=2)
            p = expit(model.intercept + np.cumsum(effects, axis=2))
            before = np.concatenate([np.full((n, samples, 1), empty), p[:, :, :-1]], axis=2)
            marginal = np.empty_like(p)
            np.put_along_axis(marginal, order, p - before, axis=2)
            target = (rows[part][:, None], channels[part])
            values[target] = marginal.mean(axis=1)
            if samples > 1:
                variances[target] = marginal.var(axis=1, ddof=1) / samples
    return values, variances
