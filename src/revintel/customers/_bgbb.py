"""BG/BB model of repeat purchases at discrete opportunities (Fader, Hardie & Shang 2010).

At each of n opportunities (e.g. yearly renewals, quarterly orders) an alive customer buys
with probability p ~ Beta(α, β); before each opportunity they drop out for good with
probability θ ~ Beta(γ, δ). Formulas: FHS 2010, "Customer-Base Analysis in a Discrete-Time
Noncontractual Setting", Marketing Science 29(6).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln, gammaln, logsumexp

from revintel.customers._inputs import as_float_array, fit_weights, group_identical_rows
from revintel.customers._likelihood import FittedModel, FloatArray, maximise_log_likelihood

PARAM_NAMES = ("alpha", "beta", "gamma", "delta")


def _validate(
    frequency: ArrayLike, recency: ArrayLike, periods: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = as_float_array(frequency, "frequency")
    t_x = as_float_array(recency, "recency")
    n = as_float_array(periods, "periods")
    if not x.size == t_x.size == n.size:
        raise ValueError(
            f"frequency, recency and periods differ in length ({x.size}, {t_x.size}, {n.size})"
        )
    for name, values in (("frequency", x), ("recency", t_x), ("periods", n)):
        if np.any(values < 0) or np.any(values != np.round(values)):
            raise ValueError(f"{name} must be a non-negative whole number of periods")
    if np.any(n < 1):
        raise ValueError("periods must be at least 1 purchase opportunity")
    if np.any(t_x > n):
        raise ValueError("recency exceeds periods: the last purchase lies after the last period")
    if np.any(x > t_x):
        raise ValueError("frequency exceeds recency: x purchases need at least x periods")
    if np.any((x > 0) & (t_x == 0)):
        raise ValueError("frequency > 0 with recency 0: a repeat purchase needs a positive recency")
    return x, t_x, n


def _log_alive_through(params: FloatArray, x: FloatArray, n: FloatArray) -> FloatArray:
    """log of B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ): alive through n with x purchases."""
    alpha, beta, gamma, delta = params
    return np.asarray(
        betaln(alpha + x, beta + n - x)
        - betaln(alpha, beta)
        + betaln(gamma, delta + n)
        - betaln(gamma, delta)
    )


def bgbb_log_likelihood(
    params: FloatArray, x: FloatArray, t_x: FloatArray, n: FloatArray
) -> FloatArray:
    """Per-customer log-likelihood of BG/BB (FHS 2010).

    The sum over the period i after t_x in which the customer dropped out is evaluated on a
    (customers × max(n − t_x)) grid with the impossible cells masked.
    """
    alpha, beta, gamma, delta = params
    steps = np.arange(int(np.max(n - t_x)))
    grid = t_x[:, None] + steps[None, :]
    dropped = (
        betaln(alpha + x[:, None], beta + grid - x[:, None])
        - betaln(alpha, beta)
        + betaln(gamma + 1, delta + grid)
        - betaln(gamma, delta)
    )
    dropped = np.where(steps[None, :] < (n - t_x)[:, None], dropped, -np.inf)
    terms = np.column_stack([_log_alive_through(params, x, n), dropped])
    return np.asarray(logsumexp(terms, axis=1))


class BetaGeoBetaBinomModel(FittedModel):
    """BG/BB model for purchases at discrete, equally spaced opportunities.

    Parameters of the fit: ``alpha``, ``beta`` (Beta distribution of the purchase probability
    per opportunity) and ``gamma``, ``delta`` (Beta distribution of the drop-out probability).
    """

    _model_name = "BetaGeoBetaBinomModel"
    _param_names = PARAM_NAMES

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        periods: ArrayLike,
        *,
        weights: ArrayLike | None = None,
    ) -> BetaGeoBetaBinomModel:
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency
            Repeat purchases x in the n calibration opportunities.
        recency
            Opportunity t_x (1..n) of the last repeat purchase, 0 without repeats.
        periods
            Number n of purchase opportunities observed.
        weights
            Number of customers with each pattern (default one each).

        Returns
        -------
        BetaGeoBetaBinomModel
            ``self``, with ``params_``, ``standard_errors_`` and ``log_likelihood_`` set.
        """
        x, t_x, n = _validate(frequency, recency, periods)
        (x, t_x, n), w = group_identical_rows([x, t_x, n], fit_weights(weights, x.size))

        def total(params: FloatArray) -> float:
            return float(np.sum(w * bgbb_log_likelihood(params, x, t_x, n)))

        self._store(maximise_log_likelihood(total, [1.0, 1.0, 1.0, 1.0], PARAM_NAMES))
        return self

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, periods: ArrayLike) -> FloatArray:
        """Probability of being alive at opportunity n + 1 (FHS 2010)."""
        params = self._fitted_params()
        x, t_x, n = _validate(frequency, recency, periods)
        alpha, beta, gamma, delta = params
        alive_next = (
            betaln(alpha + x, beta + n - x)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n + 1)
            - betaln(gamma, delta)
        )
        return np.asarray(np.exp(alive_next - bgbb_log_likelihood(params, x, t_x, n)))

    def expected_purchases(
        self,
        n_future: int,
        frequency: ArrayLike,
        recency: ArrayLike,
        periods: ArrayLike,
    ) -> FloatArray:
        """Expected purchases in the next ``n_future`` opportunities (FHS 2010)."""
        alpha, beta, gamma, delta = params = self._fitted_params()
        if n_future < 0 or n_future != int(n_future):
            raise ValueError(f"n_future must be a non-negative whole number, got {n_future}")
        x, t_x, n = _validate(frequency, recency, periods)
        log_buying = (
            betaln(alpha + x + 1, beta + n - x)
            - betaln(alpha, beta)
            - bgbb_log_likelihood(params, x, t_x, n)
        )

        def survival_ratio(k: FloatArray) -> FloatArray:
            return np.asarray(np.exp(gammaln(1 + delta + k) - gammaln(gamma + delta + k)))

        scale = delta / (gamma - 1) * np.exp(gammaln(gamma + delta) - gammaln(1 + delta))
        bracket = survival_ratio(n) - survival_ratio(n + n_future)
        return np.asarray(np.exp(log_buying) * scale * bracket)
