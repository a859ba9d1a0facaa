"""Rates with Wilson intervals and tests of each group's rate against the rest of the groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

#: Confidence of the Wilson intervals.
CONFIDENCE = 0.95
#: Family-wise error rate of the group tests (Holm correction).
ALPHA = 0.05


def wilson(
    successes: np.ndarray, trials: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bound of the Wilson score interval of ``successes / trials``.

    Groups without trials get ``NaN`` bounds.

    Examples
    --------
    >>> low, high = wilson(np.array([5]), np.array([10]))
    >>> round(float(low[0]), 3), round(float(high[0]), 3)
    (0.237, 0.763)
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = float(norm.ppf(0.5 + confidence / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)


def against_rest(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Two-sided p-value of each group's rate against the pooled rate of all other groups
    (two-proportion z-test, the same as a 2×2 chi-square test without continuity correction).

    Groups that are empty, or whose rest is empty or without variation, get ``NaN``.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    rest_k, rest_n = k.sum() - k, n.sum() - n
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (k + rest_k) / (n + rest_n)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / rest_n))
        z = (k / n - rest_k / rest_n) / se
    p = 2 * norm.sf(np.abs(z))
    return np.where((n > 0) & (rest_n > 0) & (se > 0), p, np.nan)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (``NaN`` stays ``NaN`` and does not count as a test).

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, 0.03])).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    running = 0.0
    for i, idx in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[idx]))
        out[idx] = running
    return out


def rate_table(
    frame: pd.DataFrame, successes: str, trials: str, alpha: float = ALPHA
) -> pd.DataFrame:
    """``frame`` with ``rate``, ``rate_low``, ``rate_high`` (Wilson), ``p_value`` (against the
    rest), ``p_adjusted`` (Holm over the groups) and ``significant`` (``p_adjusted < alpha``)."""
    k = frame[successes].to_numpy(dtype=float)
    n = frame[trials].to_numpy(dtype=float)
    low, high = wilson(k, n)
    p = against_rest(k, n)
    adjusted = holm(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, k / n, np.nan)
    return frame.assign(
        rate=rate,
        rate_low=low,
        rate_high=high,
        p_value=p,
        p_adjusted=adjusted,
        significant=np.nan_to_num(adjusted, nan=1.0) < alpha,
    )
