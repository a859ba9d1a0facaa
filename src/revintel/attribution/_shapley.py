"""Shapley attribution: each channel earns its fair share of the conversions it added.

A logistic model learns from converting and failed journeys alike how the set of channels a
journey saw moves its conversion probability; Shapley values split each journey's gain over
the no-channel baseline among its channels (Zhao, Mahboobi & Bagheri 2018, "Shapley value
methods for attribution modeling in online advertising", arXiv:1804.05327).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from revintel.attribution._data_driven import channel_touch_counts
from revintel.attribution._heuristic import channel_table
from revintel.attribution._paths import Paths
from revintel.attribution._result import BASELINE, CHANNEL_COLUMNS, Attribution
from revintel.attribution._shapley_fit import (
    ChannelSets,
    channel_sets,
    fit_conversion_model,
)
from revintel.attribution._shapley_values import (
    DEFAULT_SAMPLES,
    EXACT_MAX_CHANNELS,
    WORK_BUDGET,
    exact_shapley,
    plan_sampling,
    sampled_shapley,
)

__all__ = ["DEFAULT_SAMPLES", "EXACT_MAX_CHANNELS", "WORK_BUDGET", "shapley_attribution"]


def shapley_attribution(paths: Paths, *, samples: int | None = None, seed: int = 0) -> Attribution:
    """Credit channels with the Shapley values of their incremental conversion probability.

    A logistic regression of conversion on the channels a journey saw (one indicator per
    channel, with an intercept; each path weighted by its conversions and nulls) gives
    ``p(S)``, the conversion probability of a journey that saw the channel set ``S``. The
    intercept is unpenalised, so the fitted probabilities add up to the observed conversions;
    a ridge penalty on the channel effects is used only when separation or collinear channels
    leave the plain maximum-likelihood fit without a unique finite optimum (``notes["ridge"]``).

    For a journey with set ``S`` the gain ``p(S) - p(∅)`` is split among the channels of ``S``
    by the Shapley values ``φ_c`` of the game ``T ↦ p(T) - p(∅)`` on the subsets ``T ⊆ S``;
    ``p(∅)`` is the baseline. Each conversion of the journey is shared in proportion:
    channel ``c`` earns ``conversions × φ_c / p(S)`` and :data:`BASELINE` earns
    ``conversions × p(∅) / p(S)``, so channels and baseline add up to the conversions exactly;
    value and margin alike. A channel that lowers the conversion probability earns a negative
    credit. Journeys with the same set share their values, so the work is per distinct set:
    exact enumeration of the ``2^k`` coalitions for sets of up to :data:`EXACT_MAX_CHANNELS`
    channels, ``samples`` random orderings (default :data:`DEFAULT_SAMPLES`) for larger sets.
    Where very many distinct large sets would exceed :data:`WORK_BUDGET` coalition
    evaluations, the largest sizes are sampled too, and without an explicit ``samples`` with
    fewer orderings (see :func:`revintel.attribution._shapley_values.plan_sampling`); the
    standard errors in ``notes`` say what that costs in precision.

    On journeys whose channel exposure is random, the credits estimate each channel's
    incremental conversions; on observational journeys they are associations.

    Parameters
    ----------
    paths
        The journeys, converting and not.
    samples
        Orderings sampled per sampled channel set (at least 2); ``None`` for
        :data:`DEFAULT_SAMPLES`, lowered where the work budget requires.
    seed
        Seed of that sampling.

    Returns
    -------
    Attribution
        Channel credits with a :data:`BASELINE` row, per-touch credits (a journey's credit of
        a channel shared evenly by its touches of that channel), ``journey_baseline``, and
        ``notes``: ``method`` (``exact`` or ``sampled``), ``intercept``, ``effects`` (logit
        effect per channel), ``ridge``, ``baseline_probability``; when sampled also
        ``samples``, ``sampled_sets``, ``largest_exact_set`` and ``standard_error`` (of each
        channel's conversions).

    Raises
    ------
    ValueError
        For ``samples`` below 2.
    """
    if samples is not None and (
        isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 2
    ):
        raise ValueError(f"samples must be an integer of at least 2, got {samples!r}")
    journey = paths.journey_of_touch
    sets = channel_sets(paths, journey)
    shared = _set_shares(sets, paths.channels, samples, seed)
    baseline_share = shared.baseline
    of_journey = sets.of_journey
    amounts = {"conversions": _floats(paths.conversions), "revenue": _floats(paths.value)}
    if paths.margin is not None:
        amounts["margin"] = _floats(paths.margin)

    codes = np.asarray(paths.codes)
    earning = np.logical_or.reduce([amount != 0 for amount in amounts.values()])
    touches_of_channel = channel_touch_counts(paths, journey, np.flatnonzero(earning[journey]))
    touch_share = shared.channel[of_journey[journey], codes] / touches_of_channel
    touch = {kind: amount[journey] * touch_share for kind, amount in amounts.items()}
    baseline = {
        kind: float(amount @ baseline_share[of_journey]) for kind, amount in amounts.items()
    }
    table = channel_table(paths, touch["conversions"], touch["revenue"], touch.get("margin"))
    baseline_row = pd.DataFrame([{"channel": BASELINE, **baseline}], columns=list(CHANNEL_COLUMNS))
    table = pd.concat([table, baseline_row], ignore_index=True)

    notes = shared.notes
    if shared.variance is not None:
        # the sets are sampled independently: variances of their credits add up
        scale = sets.conversions / shared.probability
        error = np.sqrt((scale**2) @ shared.variance)
        notes["standard_error"] = dict(zip(paths.channels, error.tolist(), strict=True))
    return Attribution(
        model="shapley",
        channels=table,
        touch_conversions=touch["conversions"],
        touch_revenue=touch["revenue"],
        touch_margin=touch.get("margin"),
        journey_baseline=amounts["conversions"] * baseline_share[of_journey],
        notes=notes,
    )


@dataclass(frozen=True)
class _SetShares:
    """How each distinct channel set's conversions are shared.

    ``channel`` holds ``φ_c / p(S)`` per set and channel, ``baseline`` ``p(∅) / p(S)`` per set,
    ``probability`` ``p(S)``, ``variance`` the sampling variance of ``φ`` (``None`` when every
    set was enumerated exactly).
    """

    channel: np.ndarray
    baseline: np.ndarray
    probability: np.ndarray
    variance: np.ndarray | None
    notes: dict[str, Any]


def _set_shares(
    sets: ChannelSets, channels: tuple[str, ...], samples: int | None, seed: int
) -> _SetShares:
    """Fit the conversion model and take the Shapley values of every distinct channel set."""
    members = sets.members
    converted = sets.conversions.sum()
    failed = sets.trials.sum() - converted
    if converted <= 0 or failed <= 0:
        reason = "no journey converted" if converted <= 0 else "every journey converted"
        ones = np.ones(len(members))
        nothing = {"method": "exact", "no_contrast": reason}
        return _SetShares(np.zeros(members.shape), ones, ones, None, nothing)

    model = fit_conversion_model(sets)
    probability = model.probability(members.astype(np.float64))
    large, draws = plan_sampling(members.sum(axis=1), samples)
    values = np.zeros(members.shape)
    values[~large] = exact_shapley(model, members[~large])
    empty = float(expit(model.intercept))
    notes: dict[str, Any] = {
        "method": "sampled" if large.any() else "exact",
        "intercept": model.intercept,
        "effects": dict(zip(channels, model.effects.tolist(), strict=True)),
        "ridge": model.ridge,
        "baseline_probability": empty,
    }
    variance = None
    if large.any():
        rng = np.random.default_rng(seed)
        variance = np.zeros(members.shape)
        values[large], variance[large] = sampled_shapley(model, members[large], draws, rng)
        exact_sizes = members[~large].sum(axis=1)
        notes |= {
            "samples": draws,
            "sampled_sets": int(large.sum()),
            "largest_exact_set": int(exact_sizes.max()) if len(exact_sizes) else 0,
        }
    channel = values / probability[:, None]
    return _SetShares(channel, empty / probability, probability, variance, notes)


def _floats(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)
