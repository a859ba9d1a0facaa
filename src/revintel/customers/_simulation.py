"""Simulated customer histories with known parameters, to check that the fits recover them."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from revintel.customers._likelihood import FloatArray


def simulate_bgnbd(
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: ArrayLike,  # noqa: N803 - the literature's name for the customer's age
    rng: np.random.Generator,
    *,
    dropout_at_first_purchase: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """Frequency and recency of customers following BG/NBD, observed for ``T`` units each.

    Each customer gets λ ~ Gamma(r, rate α) and p ~ Beta(a, b). Drop-out can follow each repeat
    purchase, so the number of repeat purchases a customer lives to make is N ~ Geometric(p).
    With K ~ Poisson(λT) purchases the process would make in (0, T], the observed frequency is
    x = min(K, N), and given K the x-th arrival time is T times the x-th order statistic of K
    uniforms, i.e. T · Beta(x, K − x + 1). With ``dropout_at_first_purchase`` (MBG/NBD) the
    first toss comes right after the first purchase, so N ~ Geometric(p) − 1.

    Returns
    -------
    tuple of numpy.ndarray
        Frequency x and recency t_x per customer, in the units of ``T``.
    """
    ages = np.asarray(T, dtype=float)
    rate = rng.gamma(r, 1.0 / alpha, ages.size)
    drop = rng.beta(a, b, ages.size)
    would_buy = rng.poisson(rate * ages)
    lives_for = rng.geometric(drop) - (1 if dropout_at_first_purchase else 0)
    x = np.minimum(would_buy, lives_for)
    recency = np.zeros(ages.size)
    buyers = x > 0
    recency[buyers] = ages[buyers] * rng.beta(x[buyers], would_buy[buyers] - x[buyers] + 1)
    return x.astype(float), recency


def simulate_gammagamma(
    p: float, q: float, gamma: float, frequency: ArrayLike, rng: np.random.Generator
) -> FloatArray:
    """Mean order value of ``frequency`` orders per customer under the Gamma-Gamma model.

    ν ~ Gamma(q, rate γ) per customer; the sum of x order values Gamma(p, rate ν) is
    Gamma(p·x, rate ν), so the mean is that sum divided by x.
    """
    x = np.asarray(frequency, dtype=float)
    if np.any(x <= 0):
        raise ValueError("frequency must be > 0 to simulate mean order values")
    nu = rng.gamma(q, 1.0 / gamma, x.size)
    return np.asarray(rng.gamma(p * x, 1.0 / nu) / x)
