"""Pareto/NBD repeat-purchase model (Schmittlein, Morrison & Colombo 1987).

While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); independently of purchasing,
their lifetime is exponential with rate μ ~ Gamma(s, β), so they can drop out at any moment.
The likelihood follows Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and
Related Expressions", with the Gauss hypergeometric terms rewritten by Euler's
transformation into 2F1(1, ·; ·; z), a series of positive terms that stays stable for large x.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, hyp2f1

from revintel.customers._inputs import fit_weights, group_identical_rows, validate_recency_frequency
from revintel.customers._likelihood import FittedModel, FloatArray, maximise_log_likelihood

PARAM_NAMES = ("r", "alpha", "s", "beta")


def _log_hyper_term(params: FloatArray, x: FloatArray, time: FloatArray) -> FloatArray:
    """log of  2F1(r+s+x, ·; r+s+x+1; z(time)) / (max(α,β)+time)^(r+s+x).

    For α ≥ β: 2F1(r+s+x, s+1; c; z) = (1−z)^(−s) 2F1(1, r+x; c; z) with z = (α−β)/(α+time).
    For α < β: 2F1(r+s+x, r+x; c; z) = (1−z)^(1−r−x) 2F1(1, s+1; c; z) with z = (β−α)/(β+time).
    """
    r, alpha, s, beta = params
    c = r + s + x + 1
    if alpha >= beta:
        z = (alpha - beta) / (alpha + time)
        return np.asarray(
            -(r + x) * np.log(alpha + time)
            - s * np.log(beta + time)
            + np.log(hyp2f1(1.0, r + x, c, z))
        )
    z = (beta - alpha) / (beta + time)
    return np.asarray(
        -(s + 1) * np.log(beta + time)
        + (1 - r - x) * np.log(alpha + time)
        + np.log(hyp2f1(1.0, s + 1, c, z))
    )


class _Pairs:
    """Distinct (x, time) pairs and where each customer's pair sits among them.

    The hypergeometric term is the costly part of the likelihood and depends only on x and one
    time; customers share far fewer (x, t_x) and (x, T) pairs than (x, t_x, T) rows.
    """

    def __init__(self, x: FloatArray, time: FloatArray) -> None:
        pairs, inverse = np.unique(np.column_stack([x, time]), axis=0, return_inverse=True)
        self.x, self.time, self.position = pairs[:, 0], pairs[:, 1], inverse.ravel()

    def log_hyper_term(self, params: FloatArray) -> FloatArray:
        return _log_hyper_term(params, self.x, self.time)[self.position]


def _log_parts(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    big_t: FloatArray,
    pairs: tuple[_Pairs, _Pairs] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(common factor, alive-at-T term, dropped-before-T term) of the likelihood, in logs."""
    r, alpha, s, beta = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    if pairs is None:
        at_last = _log_hyper_term(params, x, t_x)
        at_end = _log_hyper_term(params, x, big_t)
    else:
        at_last, at_end = pairs[0].log_hyper_term(params), pairs[1].log_hyper_term(params)
    with np.errstate(divide="ignore", invalid="ignore"):
        # A0 = F(t_x) − F(T) ≥ 0, computed as F(t_x)·(1 − F(T)/F(t_x)) to avoid cancellation
        gap = at_last + np.log(-np.expm1(np.minimum(at_end - at_last, 0.0)))
    dropped = np.log(s / (r + s + x)) + gap
    return common, alive, dropped


def paretonbd_log_likelihood(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    big_t: FloatArray,
    pairs: tuple[_Pairs, _Pairs] | None = None,
) -> FloatArray:
    """Per-customer log-likelihood of Pareto/NBD (FH 2005)."""
    common, alive, dropped = _log_parts(params, x, t_x, big_t, pairs)
    return np.asarray(common + np.logaddexp(alive, dropped))


class ParetoNBDModel(FittedModel):
    """Pareto/NBD model of repeat purchases in continuous time.

    Parameters of the fit: ``r``, ``alpha`` (Gamma purchase rate per time unit) and ``s``,
    ``beta`` (Gamma drop-out rate per time unit).
    """

    _model_name = "ParetoNBDModel"
    _param_names = PARAM_NAMES

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803 - the literature's name for the customer's age
        *,
        weights: ArrayLike | None = None,
    ) -> ParetoNBDModel:
        """Fit by maximum likelihood; arguments as in :meth:`BetaGeoModel.fit`."""
        x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
        (x, t_x, big_t), w = group_identical_rows([x, t_x, big_t], fit_weights(weights, x.size))

        pairs = (_Pairs(x, t_x), _Pairs(x, big_t))

        def total(params: FloatArray) -> float:
            return float(np.sum(w * paretonbd_log_likelihood(params, x, t_x, big_t, pairs)))

        mean_rate = max(float(np.sum(w * x) / np.sum(w * big_t)), 1e-3)
        start = [1.0, 1.0 / mean_rate, 1.0, float(np.average(big_t, weights=w))]
        self._store(maximise_log_likelihood(total, start, PARAM_NAMES))
        return self

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:  # noqa: N803
        """Probability that each customer is still alive at T (FH 2005, in log form)."""
        params = self._fitted_params()
        x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
        _, alive, dropped = _log_parts(params, x, t_x, big_t)
        return np.asarray(1.0 / (1.0 + np.exp(dropped - alive)))

    def expected_purchases(
        self,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Expected purchases in the next ``t`` time units given the history (FH 2005).

        E = P(alive) · (r+x)/(α+T) · (β+T)/(s−1) · [1 − ((β+T)/(β+T+t))^(s−1)], with the limit
        (r+x)/(α+T) · (β+T) · log((β+T+t)/(β+T)) at s = 1.
        """
        r, alpha, s, beta = self._fitted_params()
        if not np.isfinite(t) or t < 0:
            raise ValueError(f"time horizon t must be a non-negative number, got {t}")
        alive = self.p_alive(frequency, recency, T)
        x = np.asarray(frequency, dtype=float)
        big_t = np.asarray(T, dtype=float)
        log_ratio = np.log((beta + big_t + t) / (beta + big_t))
        if abs(s - 1.0) < 1e-10:
            lifetime_factor = log_ratio
        else:
            lifetime_factor = -np.expm1(-(s - 1) * log_ratio) / (s - 1)
        return np.asarray(alive * (r + x) / (alpha + big_t) * (beta + big_t) * lifetime_factor)

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray:
        """Expected repeat purchases of a newly acquired customer in (0, t] (FH 2005).

        E = r β / (α (s−1)) · [1 − (β/(β+t))^(s−1)], with the limit r β/α · log((β+t)/β) at s = 1.
        """
        r, alpha, s, beta = self._fitted_params()
        times = np.atleast_1d(np.asarray(t, dtype=float))
        if np.any(times < 0):
            raise ValueError("time horizon t must not be negative")
        log_ratio = np.log((beta + times) / beta)
        if abs(s - 1.0) < 1e-10:
            return np.asarray(r * beta / alpha * log_ratio)
        return np.asarray(r * beta / alpha * -np.expm1(-(s - 1) * log_ratio) / (s - 1))

    def p_no_purchase(
        self,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Probability of no purchase in the next ``t`` time units.

        The likelihood L(x, t_x, T) is the probability of the observed history *and* no purchase
        in (t_x, T]; so P(no purchase in (T, T+t] | history) = L(x, t_x, T+t) / L(x, t_x, T).
        """
        params = self._fitted_params()
        if not np.isfinite(t) or t < 0:
            raise ValueError(f"time horizon t must be a non-negative number, got {t}")
        x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
        later = paretonbd_log_likelihood(params, x, t_x, big_t + t)
        now = paretonbd_log_likelihood(params, x, t_x, big_t)
        return np.asarray(np.exp(later - now))
