"""Small statistics on counts: Wilson score intervals and the two-proportion z-test."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri  # normal cdf and its inverse, without scipy.stats


def wilson_interval(
    successes: np.ndarray | float, trials: np.ndarray | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (vectorised).

    Wilson (1927), "Probable inference, the law of succession, and statistical inference",
    JASA 22(158); the interval stays inside [0, 1] and behaves well for small counts.
    Trials of zero give NaN bounds.

    Examples
    --------
    >>> lo, hi = wilson_interval(8, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.4902, 0.9433)
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = float(ndtri(1.0 - (1.0 - confidence) / 2.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


@dataclass(frozen=True)
class ProportionTest:
    """Result of a one-sided two-proportion z-test of ``p1 < p2``."""

    p1: float
    p2: float
    z: float
    p_value: float


def two_proportion_z_test(x1: float, n1: float, x2: float, n2: float) -> ProportionTest:
    """One-sided pooled two-proportion z-test that the first proportion is below the second.

    The statistic is ``(p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))`` with the pooled ``p``;
    the p-value is ``Φ(z)``.

    Examples
    --------
    >>> t = two_proportion_z_test(30, 100, 300, 600)
    >>> round(t.z, 3), round(t.p_value, 5)
    (-3.709, 0.0001)
    """
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return ProportionTest(p1, p2, 0.0, 0.5)
    z = (p1 - p2) / se
    return ProportionTest(p1, p2, z, float(ndtr(z)))
