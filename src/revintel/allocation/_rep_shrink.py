"""Partial pooling: rates and cycle times of small groups pulled toward their parent group.

A group's win rate is shrunk toward its parent's with the beta-binomial posterior mean
``(won + κ · parent) / (deals + κ)``; the prior strength κ is estimated from the data by the
method of moments (how much more the groups' rates scatter than binomial noise allows). Cycle
times are shrunk alike on the log scale, with κ = within-group variance / between-group
variance. Normal estimates with standard errors (the reps' skill) are pooled in two levels,
rep → team → company, by the same moment estimates.
"""

from __future__ import annotations

import numpy as np

#: κ used when the groups scatter no more than noise: full pooling in practice.
MAX_STRENGTH = 10_000.0
#: κ when there is too little to estimate it from (fewer than two groups).
DEFAULT_STRENGTH = 20.0


def beta_binomial_strength(won: np.ndarray, deals: np.ndarray, prior: np.ndarray) -> float:
    """Prior strength κ of rates ``won / deals`` around their prior means ``prior``.

    Method of moments: for a beta prior with mean m and strength κ, a group of n deals has
    ``E[n (p̂ - m)²] = m (1 - m) (1 + (n - 1) / (κ + 1))``; summed over the groups this gives
    ``1 / (κ + 1)``.

    Examples
    --------
    >>> beta_binomial_strength(np.array([5.0, 5.0]), np.array([10.0, 10.0]), np.array([0.5, 0.5]))
    10000.0
    >>> round(beta_binomial_strength(np.array([2.0, 18.0]), np.array([20.0, 20.0]),
    ...                              np.array([0.5, 0.5])), 2)
    0.61
    """
    keep = (deals > 0) & (prior > 0) & (prior < 1)
    n, x, m = deals[keep], won[keep], prior[keep]
    if len(n) < 2:
        return DEFAULT_STRENGTH
    spread = np.sum(n * (x / n - m) ** 2 - m * (1 - m))
    scale = np.sum(m * (1 - m) * (n - 1))
    if scale <= 0 or spread <= 0:
        return MAX_STRENGTH
    share = min(spread / scale, 1.0)
    return float(min(1.0 / share - 1.0, MAX_STRENGTH))


def shrink_rates(
    won: np.ndarray, deals: np.ndarray, prior: np.ndarray, strength: float | None = None
) -> tuple[np.ndarray, float]:
    """Posterior mean rates of groups toward ``prior`` and the strength κ used.

    Examples
    --------
    >>> rates, k = shrink_rates(np.array([1.0]), np.array([2.0]), np.array([0.2]), 8.0)
    >>> rates.round(2).tolist(), k
    ([0.26], 8.0)
    """
    k = beta_binomial_strength(won, deals, prior) if strength is None else strength
    return (won + k * prior) / (deals + k), k


def shrink_log_means(
    means: np.ndarray, variances: np.ndarray, counts: np.ndarray, prior: np.ndarray
) -> tuple[np.ndarray, float]:
    """Group means of log cycle times pulled toward ``prior`` with weight n / (n + κ).

    κ = pooled within-group variance / between-group variance (moment estimates); groups
    without observations get the prior.
    """
    has = counts > 0
    if has.sum() < 2:
        return np.where(has, means, prior), DEFAULT_STRENGTH
    n = counts[has]
    within = float(np.sum((n - 1) * np.nan_to_num(variances[has])) / max(np.sum(n - 1), 1.0))
    between = float(np.sum(n * (means[has] - prior[has]) ** 2) / np.sum(n))
    between -= within * has.sum() / np.sum(n)
    k = MAX_STRENGTH if between <= 0 else min(within / between, MAX_STRENGTH)
    weight = np.where(has, counts / (counts + k), 0.0)
    return weight * np.nan_to_num(means) + (1 - weight) * prior, float(k)


def pool_two_levels(
    estimate: np.ndarray, se: np.ndarray, group: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Normal estimates (``estimate`` ± ``se``, centred on 0 = company) pooled toward their
    group (team), the groups toward 0.

    Returns the posterior means, their standard deviations, the between-rep variance within a
    group τ² and the between-group variance ω², both by the precision-weighted moment
    estimator of DerSimonian and Laird (so one vague estimate cannot hide the spread of the
    precise ones).
    """
    labels, inverse = np.unique(group, return_inverse=True)
    n = len(labels)
    weight = 1 / se**2
    s1 = np.bincount(inverse, weights=weight, minlength=n)
    s2 = np.bincount(inverse, weights=weight**2, minlength=n)
    fixed_mean = np.bincount(inverse, weights=weight * estimate, minlength=n) / s1
    q = np.bincount(inverse, weights=weight * (estimate - fixed_mean[inverse]) ** 2, minlength=n)
    sizes = np.bincount(inverse, minlength=n)
    several = sizes > 1
    scale = float(np.sum((s1 - s2 / s1)[several]))
    excess = float(np.sum((q - (sizes - 1))[several]))
    tau2 = max(0.0, excess / scale) if scale > 0 else 0.0
    random_weight = 1 / (se**2 + tau2)
    group_var = 1 / np.bincount(inverse, weights=random_weight, minlength=n)
    group_mean = np.bincount(inverse, weights=random_weight * estimate, minlength=n) * group_var
    precision = 1 / group_var
    omega2 = max(0.0, float((np.sum(precision * group_mean**2) - n) / np.sum(precision)))
    group_post = group_mean * omega2 / (omega2 + group_var)
    group_sd = np.sqrt(group_var * omega2 / (omega2 + group_var))
    if tau2 <= 0:
        return group_post[inverse], group_sd[inverse], tau2, omega2
    rep_precision = weight + 1 / tau2
    post = (estimate * weight + group_post[inverse] / tau2) / rep_precision
    return post, np.sqrt(1 / rep_precision), tau2, omega2
