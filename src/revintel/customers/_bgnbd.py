"""BG/NBD repeat-purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive, a customer buys at a personal Poisson rate λ ~ Gamma(r, α); after each repeat
purchase they drop out with a personal probability p ~ Beta(a, b). Time is continuous (any unit).
"""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, digamma, gammaln, hyp2f1

from revintel.customers._inputs import fit_weights, group_identical_rows, validate_recency_frequency
from revintel.customers._likelihood import FittedModel, FloatArray, maximise_log_likelihood

PARAM_NAMES = ("r", "alpha", "a", "b")


FrequencyIndex = tuple[FloatArray, NDArray[np.intp]]


def frequency_index(x: FloatArray) -> FrequencyIndex:
    """The distinct frequencies and, per customer, the position of its own among them."""
    distinct, position = np.unique(x, return_inverse=True)
    return distinct, position.ravel()


def _tosses(distinct: FloatArray, first_toss: bool) -> FloatArray:
    """Drop-out tosses survived by x repeat buyers: x (BG/NBD) or x + 1 (MBG/NBD)."""
    return distinct + 1.0 if first_toss else distinct


def bgnbd_log_likelihood(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    big_t: FloatArray,
    index: FrequencyIndex | None = None,
    *,
    first_toss: bool = False,
) -> FloatArray:
    """Per-customer log-likelihood of BG/NBD (FHL 2005), or MBG/NBD with ``first_toss``.

    With m survived tosses, alive at T: B(a, b+m)/B(a,b) · Γ(r+x)α^r/(Γ(r)(α+T)^(r+x)); dropped
    right after the last purchase (m > 0): B(a+1, b+m−1)/B(a,b) · Γ(r+x)α^r/(Γ(r)(α+t_x)^(r+x)).
    Terms that depend only on the (few distinct) frequencies are evaluated once per frequency;
    ``index`` (from :func:`frequency_index`) saves finding them again on every call.
    """
    r, alpha, a, b = params
    distinct, position = index if index is not None else frequency_index(x)
    m = _tosses(distinct, first_toss)
    base = gammaln(r + distinct) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    still_alive = betaln(a, b + m)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(m > 0, betaln(a + 1, b + m - 1), -np.inf)
    exponent = r + x
    alive_term = still_alive[position] - exponent * np.log(alpha + big_t)
    dropped_term = dropped[position] - exponent * np.log(alpha + t_x)
    return np.asarray(base[position] + np.logaddexp(alive_term, dropped_term))


def bgnbd_total_and_gradient(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    big_t: FloatArray,
    weights: FloatArray,
    index: FrequencyIndex | None = None,
    *,
    first_toss: bool = False,
) -> tuple[float, FloatArray]:
    """Weighted total log-likelihood of BG/NBD (or MBG/NBD) and its gradient in (r, α, a, b).

    With LL = A + log(e^u + e^v), u the alive-at-T term and v the dropped-after-t_x term, each
    partial derivative is dA + w_u·du + w_v·dv with w_u, w_v = e^u, e^v / (e^u + e^v). The
    digamma terms depend on the frequency only and are evaluated once per distinct x.
    """
    r, alpha, a, b = params
    distinct, position = index if index is not None else frequency_index(x)
    m = _tosses(distinct, first_toss)
    tossed = m > 0
    log_end = np.log(alpha + big_t)
    log_last = np.log(alpha + t_x)
    exponent = r + x
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(tossed, betaln(a + 1, b + m - 1), -np.inf)
    u = betaln(a, b + m)[position] - exponent * log_end
    v = dropped[position] - exponent * log_last
    mixed = np.logaddexp(u, v)
    w_u, w_v = np.exp(u - mixed), np.exp(v - mixed)
    base = gammaln(r + distinct) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    total = float(np.sum(weights * (base[position] + mixed)))

    # d/da and d/db of log B(a, b+m) and log B(a+1, b+m−1), relative to log B(a, b)
    psi_abm = digamma(a + b + m)
    with np.errstate(invalid="ignore"):
        psi_dropped_b = np.where(tossed, digamma(b + m - 1), 0.0)
    d_alive_da = digamma(a) - psi_abm
    d_dropped_da = np.where(tossed, digamma(a + 1) - psi_abm, 0.0)
    d_alive_db = digamma(b + m) - psi_abm
    d_dropped_db = np.where(tossed, psi_dropped_b - psi_abm, 0.0)
    d_base_da = digamma(a + b) - digamma(a)
    d_base_db = digamma(a + b) - digamma(b)
    d_base_dr = digamma(r + distinct) - digamma(r) + np.log(alpha)
    gradient = np.array(
        [
            np.sum(weights * (d_base_dr[position] - w_u * log_end - w_v * log_last)),
            np.sum(
                weights * (r / alpha - exponent * (w_u / (alpha + big_t) + w_v / (alpha + t_x)))
            ),
            np.sum(
                weights * (d_base_da + w_u * d_alive_da[position] + w_v * d_dropped_da[position])
            ),
            np.sum(
                weights * (d_base_db + w_u * d_alive_db[position] + w_v * d_dropped_db[position])
            ),
        ]
    )
    return total, gradient


def _log_odds_dead(
    params: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """log of  a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)  (−inf for x = 0, who cannot have dropped out)."""
    r, alpha, a, b = params
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (
            np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        )
    return np.where(x > 0, value, -np.inf)


class BetaGeoModel(FittedModel):
    """BG/NBD model of repeat purchases in continuous time.

    Parameters of the fit: ``r`` and ``alpha`` (shape and rate of the Gamma purchase rate per time
    unit), ``a`` and ``b`` (Beta distribution of the drop-out probability after each purchase).

    Examples
    --------
    >>> model = BetaGeoModel().fit([2, 1, 0, 0, 4], [30.4, 1.7, 0.0, 0.0, 20.0], [38.9] * 5)
    >>> sorted(model.params_.index)
    ['a', 'alpha', 'b', 'r']
    """

    _model_name = "BetaGeoModel"
    _param_names = PARAM_NAMES
    #: Whether the drop-out coin is also tossed right after the first purchase (MBG/NBD).
    _first_toss = False

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803 - the literature's name for the customer's age
        *,
        weights: ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency
            Repeat purchases x in the calibration period.
        recency
            Time t_x from the first to the last purchase (0 without repeats).
        T
            Time from the first purchase to the end of the calibration period.
        weights
            Number of customers with each row (default one each).

        Returns
        -------
        Self
            ``self``, with ``params_``, ``standard_errors_`` and ``log_likelihood_`` set.
        """
        x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
        (x, t_x, big_t), w = group_identical_rows([x, t_x, big_t], fit_weights(weights, x.size))

        index, first_toss = frequency_index(x), self._first_toss

        def total(params: FloatArray) -> float:
            ll = bgnbd_log_likelihood(params, x, t_x, big_t, index, first_toss=first_toss)
            return float(np.sum(w * ll))

        def total_and_gradient(params: FloatArray) -> tuple[float, FloatArray]:
            return bgnbd_total_and_gradient(params, x, t_x, big_t, w, index, first_toss=first_toss)

        mean_rate = max(float(np.sum(w * x) / np.sum(w * big_t)), 1e-3)
        start = [1.0, 1.0 / mean_rate, 1.0, 1.0]
        self._store(
            maximise_log_likelihood(total, start, PARAM_NAMES, with_gradient=total_and_gradient)
        )
        return self

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:  # noqa: N803
        """Probability that each customer is still active at the end of observation (FHL 2005)."""
        params = self._fitted_params()
        x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
        return np.asarray(1.0 / (1.0 + np.exp(_log_odds_dead(params, x, t_x, big_t))))

    def expected_purchases(
        self,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Expected purchases in the next ``t`` time units given the history (FHL 2005)."""
        r, alpha, a, b = self._fitted_params()
        _check_horizon(t)
        x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
        z = t / (alpha + big_t + t)
        growth = 1.0 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(
            r + x, b + x, a + b + x - 1, z
        )
        odds = np.exp(_log_odds_dead(np.array([r, alpha, a, b]), x, t_x, big_t))
        return np.asarray((a + b + x - 1) / (a - 1) * growth / (1.0 + odds))

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray:
        """Expected repeat purchases of a newly acquired customer in (0, t] (FHL 2005)."""
        r, alpha, a, b = self._fitted_params()
        times = np.atleast_1d(np.asarray(t, dtype=float))
        if np.any(times < 0):
            raise ValueError("time horizon t must not be negative")
        hyper = hyp2f1(r, b, a + b - 1, times / (alpha + times))
        return np.asarray((a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + times)) ** r * hyper))

    def p_no_purchase(
        self,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Probability of no purchase in the next ``t`` time units.

        Drop-out happens only right after a purchase, so a customer alive at T who makes no
        further purchase stays alive: P = P(alive)·((α+T)/(α+T+t))^(r+x) + (1 − P(alive)),
        where the power is the NBD zero term with the posterior rate Gamma(r+x, α+T).
        For a new customer (x = t_x = 0, T → 0) this is (α/(α+t))^r.
        """
        r, alpha, _, _ = self._fitted_params()
        _check_horizon(t)
        alive = self.p_alive(frequency, recency, T)
        x = np.asarray(frequency, dtype=float)
        big_t = np.asarray(T, dtype=float)
        silent = ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
        return np.asarray(alive * silent + (1.0 - alive))


def _check_horizon(t: float) -> None:
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"time horizon t must be a non-negative number, got {t}")
