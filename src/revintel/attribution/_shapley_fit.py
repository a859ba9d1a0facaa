"""The conversion model behind Shapley attribution: which channels a journey saw, and a
logistic regression of conversion on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from revintel.attribution._paths import Paths

#: Ridge penalty on the channel effects when the unpenalised fit has no finite optimum; a
#: normal prior with standard deviation 1 on each logit effect (Gelman, Jakulin, Pittau & Su
#: 2008, "A weakly informative default prior distribution for logistic and other regression
#: models", Ann. Appl. Stat. 2(4), argue for such priors against separation).
SEPARATION_RIDGE = 1.0

# Effects larger than this on the logit scale mean the optimum is at infinity (separation).
_MAX_EFFECT = 15.0
_MAX_ITERATIONS = 100


@dataclass(frozen=True)
class ChannelSets:
    """The distinct sets of channels the journeys saw.

    Attributes
    ----------
    members
        ``(sets, channels)`` booleans: which channels each set holds.
    of_journey
        Index of each journey's set.
    conversions, trials
        Conversions and journeys (``conversions + nulls``) per set.
    """

    members: np.ndarray
    of_journey: np.ndarray
    conversions: np.ndarray
    trials: np.ndarray


@dataclass(frozen=True)
class ConversionModel:
    """``P(conversion | channels) = expit(intercept + Σ effects[c])``.

    Attributes
    ----------
    intercept
        Logit of the conversion probability without any channel.
    effects
        Logit effect of each channel (0 for channels no journey saw).
    ridge
        Penalty on the effects used in the fit (0 when none was needed).
    """

    intercept: float
    effects: np.ndarray
    ridge: float

    def probability(self, members: np.ndarray) -> np.ndarray:
        """Conversion probability of each row of channel-membership booleans."""
        return np.asarray(expit(self.intercept + members @ self.effects), dtype=np.float64)


def channel_sets(paths: Paths, journey_of_touch: np.ndarray) -> ChannelSets:
    """Group the journeys by the set of channels they saw (a journey without touches: ∅)."""
    n_channels = len(paths.channels)
    codes = np.asarray(paths.codes, dtype=np.int64)
    if n_channels <= 63:
        present = np.zeros(len(paths), dtype=np.int64)
        touched = paths.lengths > 0
        bits = np.left_shift(np.int64(1), codes)
        present[touched] = np.bitwise_or.reduceat(bits, paths.offsets[:-1][touched])
        keys, of_journey = np.unique(present, return_inverse=True)
        members = ((keys[:, None] >> np.arange(n_channels)[None, :]) & 1).astype(bool)
    else:
        matrix = np.zeros((len(paths), n_channels), dtype=bool)
        matrix[journey_of_touch, codes] = True
        packed = np.packbits(matrix, axis=1)
        _, first, of_journey = np.unique(packed, axis=0, return_index=True, return_inverse=True)
        members = matrix[first]
    of_journey = of_journey.ravel()
    conversions = np.asarray(paths.conversions, dtype=np.float64)
    trials = conversions + np.asarray(paths.nulls, dtype=np.float64)
    return ChannelSets(
        members=members,
        of_journey=of_journey,
        conversions=np.bincount(of_journey, weights=conversions, minlength=len(members)),
        trials=np.bincount(of_journey, weights=trials, minlength=len(members)),
    )


def fit_conversion_model(sets: ChannelSets) -> ConversionModel:
    """Maximum-likelihood logistic regression of conversion on channel presence.

    Newton-Raphson on the grouped journeys. The intercept is never penalised, so the fitted
    probabilities add up to the observed conversions (the score equation of the intercept);
    only where the unpenalised optimum lies at infinity (a channel only ever seen in converting
    or only in failed journeys) or not unique (channels that always occur together) is the fit
    repeated with :data:`SEPARATION_RIDGE`.
    """
    seen = sets.members[sets.trials > 0].any(axis=0)
    design = np.column_stack([np.ones(len(sets.members)), sets.members[:, seen]])
    fitted = _newton(design, sets.conversions, sets.trials, ridge=0.0)
    ridge = 0.0
    if fitted is None:
        ridge = SEPARATION_RIDGE
        fitted = _newton(design, sets.conversions, sets.trials, ridge=ridge)
    if fitted is None:  # pragma: no cover - a penalised logistic likelihood is strictly concave
        raise RuntimeError("the conversion model did not converge")
    effects = np.zeros(sets.members.shape[1])
    effects[seen] = fitted[1:]
    return ConversionModel(intercept=float(fitted[0]), effects=effects, ridge=ridge)


def _newton(
    design: np.ndarray, successes: np.ndarray, trials: np.ndarray, ridge: float
) -> np.ndarray | None:
    """Penalised logistic maximum likelihood, or ``None`` when effects run off to infinity."""
    penalty = np.full(design.shape[1], ridge)
    penalty[0] = 0.0
    rate = successes.sum() / trials.sum()
    theta = np.zeros(design.shape[1])
    theta[0] = np.log(rate / (1.0 - rate))
    for _ in range(_MAX_ITERATIONS):
        p = expit(design @ theta)
        gradient = design.T @ (successes - trials * p) - penalty * theta
        hessian = (design * (trials * p * (1.0 - p))[:, None]).T @ design + np.diag(penalty)
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:  # collinear channels: only a penalty identifies them
            return None
        theta = theta + step
        if np.any(np.abs(theta[1:]) > _MAX_EFFECT) or not np.all(np.isfinite(theta)):
            return None
        if np.max(np.abs(step)) < 1e-10:
            return theta
    return theta if np.max(np.abs(step)) < 1e-6 else None
