"""Uplift of a campaign: treatment against control, with 95 % confidence intervals.

Per-account means (orders, margin) are compared with Welch's t-interval (Welch 1947, "The
generalization of 'Student's' problem when several different population variances are
involved", Biometrika 34), which does not assume equal variances in the two groups. The share of
accounts ordering the family is compared with Newcombe's hybrid score interval for a difference
of proportions, built from two Wilson intervals (Newcombe 1998, "Interval estimation for the
difference between independent proportions", Statistics in Medicine 17, method 10); its p-value
is Fisher's exact test, valid for small counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Accounts needed in each group before an interval is given at all.
MIN_GROUP_ACCOUNTS = 10
LEVEL = 0.95


@dataclass(frozen=True)
class UpliftEstimate:
    """Treatment minus control for one outcome.

    Attributes
    ----------
    treatment, control
        Mean per account (for a share: the share of accounts).
    difference
        ``treatment − control``: the uplift per account.
    relative
        ``difference / control`` (``None`` when the control mean is 0).
    low, high
        The 95 % confidence interval of ``difference`` (``None`` when it cannot be given).
    p_value
        Two-sided p-value of "no difference" (``None`` with the interval).
    method
        ``welch`` or ``newcombe_wilson``.
    """

    treatment: float
    control: float
    difference: float
    relative: float | None
    low: float | None
    high: float | None
    p_value: float | None
    method: str

    def contains(self, value: float) -> bool:
        """Whether the interval holds ``value`` (``False`` without an interval)."""
        return self.low is not None and self.high is not None and self.low <= value <= self.high


def _relative(difference: float, control: float) -> float | None:
    return difference / control if control != 0 else None


def welch_difference(
    treatment: np.ndarray, control: np.ndarray, level: float = LEVEL
) -> UpliftEstimate:
    """Difference of means with Welch's t-interval and two-sided p-value.

    Examples
    --------
    >>> e = welch_difference(np.array([1.0, 2, 3, 4]), np.array([0.0, 1, 1, 2]))
    >>> round(e.difference, 2), round(e.low, 2), round(e.high, 2)
    (1.5, -0.46, 3.46)
    """
    t = np.asarray(treatment, dtype=float)
    c = np.asarray(control, dtype=float)
    if len(t) < 2 or len(c) < 2:
        raise ValueError("each group needs at least 2 accounts for a Welch interval")
    mean_t, mean_c = float(t.mean()), float(c.mean())
    difference = mean_t - mean_c
    var_t, var_c = t.var(ddof=1) / len(t), c.var(ddof=1) / len(c)
    se = math.sqrt(var_t + var_c)
    if se == 0.0:  # every account alike in both groups: no spread to measure uncertainty by
        return UpliftEstimate(mean_t, mean_c, difference, _relative(difference, mean_c),
                              None, None, None, "welch")  # fmt: skip
    df = se**4 / (var_t**2 / (len(t) - 1) + var_c**2 / (len(c) - 1))
    quantile = float(stats.t.ppf(0.5 + level / 2, df))
    p_value = float(2 * stats.t.sf(abs(difference) / se, df))
    return UpliftEstimate(
        mean_t,
        mean_c,
        difference,
        _relative(difference, mean_c),
        difference - quantile * se,
        difference + quantile * se,
        p_value,
        "welch",
    )


def wilson_interval(successes: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson 1927)."""
    if n < 1:
        raise ValueError("a proportion needs at least one account")
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference(
    successes_t: int, n_t: int, successes_c: int, n_c: int, level: float = LEVEL
) -> UpliftEstimate:
    """Difference of two shares with Newcombe's hybrid score interval and Fisher's p-value.

    Examples
    --------
    >>> e = newcombe_difference(56, 70, 48, 80)  # Newcombe (1998), table II, example (a)
    >>> round(e.difference, 4), round(e.low, 4), round(e.high, 4)
    (0.2, 0.0524, 0.3339)
    """
    if not (0 <= successes_t <= n_t and 0 <= successes_c <= n_c):
        raise ValueError("successes must lie between 0 and the number of accounts")
    p_t, p_c = successes_t / n_t, successes_c / n_c
    low_t, high_t = wilson_interval(successes_t, n_t, level)
    low_c, high_c = wilson_interval(successes_c, n_c, level)
    difference = p_t - p_c
    low = difference - math.sqrt((p_t - low_t) ** 2 + (high_c - p_c) ** 2)
    high = difference + math.sqrt((high_t - p_t) ** 2 + (p_c - low_c) ** 2)
    table = [[successes_t, n_t - successes_t], [successes_c, n_c - successes_c]]
    p_value = float(stats.fisher_exact(table).pvalue)
    return UpliftEstimate(
        p_t, p_c, difference, _relative(difference, p_c), low, high, p_value, "newcombe_wilson"
    )


def point_difference(treatment: np.ndarray, control: np.ndarray, method: str) -> UpliftEstimate:
    """The difference of means alone, for groups too small for an honest interval."""
    mean_t = float(np.mean(treatment)) if len(treatment) else 0.0
    mean_c = float(np.mean(control)) if len(control) else 0.0
    difference = mean_t - mean_c
    return UpliftEstimate(
        mean_t, mean_c, difference, _relative(difference, mean_c), None, None, None, method
    )
