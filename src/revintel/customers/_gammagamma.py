"""Gamma-Gamma model of order values (Fader, Hardie & Lee 2005, "RFM and CLV", note 025).

Each order's value is Gamma(p, ν) around the customer's own mean p/ν; the customers' ν vary as
Gamma(q, γ). Order values are assumed independent of how often a customer buys, so the model
is fitted on repeat buyers (x > 0) with the mean value of their repeat orders.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln

from revintel.customers._inputs import as_float_array, fit_weights, group_identical_rows
from revintel.customers._likelihood import FittedModel, FloatArray, maximise_log_likelihood

PARAM_NAMES = ("p", "q", "gamma")


def gammagamma_log_likelihood(
    params: FloatArray, x: FloatArray, mean_value: FloatArray
) -> FloatArray:
    """Per-customer log-likelihood of the mean value z̄ of x orders (note 025)."""
    p, q, gamma = params
    px = p * x
    return np.asarray(
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(mean_value)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * mean_value)
    )


def _validate(frequency: ArrayLike, mean_value: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = as_float_array(frequency, "frequency")
    z = as_float_array(mean_value, "mean_value")
    if x.size != z.size:
        raise ValueError(f"frequency and mean_value differ in length ({x.size}, {z.size})")
    if np.any(x <= 0):
        raise ValueError("frequency must be > 0: the Gamma-Gamma model uses repeat buyers only")
    if np.any(z <= 0):
        raise ValueError("mean_value must be positive for every repeat buyer")
    return x, z


class GammaGammaModel(FittedModel):
    """Gamma-Gamma model of the mean order value of repeat buyers.

    Parameters of the fit: ``p`` (shape of the order values around a customer's mean),
    ``q`` and ``gamma`` (shape and rate of the customers' Gamma-distributed scale ν).
    The population mean order value is p·γ/(q−1) for q > 1.
    """

    _model_name = "GammaGammaModel"
    _param_names = PARAM_NAMES

    def fit(
        self, frequency: ArrayLike, mean_value: ArrayLike, *, weights: ArrayLike | None = None
    ) -> GammaGammaModel:
        """Fit by maximum likelihood on repeat buyers.

        Parameters
        ----------
        frequency
            Repeat purchases x (> 0) of each customer.
        mean_value
            Mean value z̄ of those repeat purchases (> 0).
        weights
            Number of customers with each row (default one each).

        Returns
        -------
        GammaGammaModel
            ``self``, with ``params_``, ``standard_errors_`` and ``log_likelihood_`` set.
        """
        x, z = _validate(frequency, mean_value)
        (x, z), w = group_identical_rows([x, z], fit_weights(weights, x.size))

        def total(params: FloatArray) -> float:
            return float(np.sum(w * gammagamma_log_likelihood(params, x, z)))

        mean = float(np.average(z, weights=w))
        self._store(maximise_log_likelihood(total, [1.0, 2.0, mean], PARAM_NAMES))
        return self

    def expected_order_value(self, frequency: ArrayLike, mean_value: ArrayLike) -> FloatArray:
        """Expected value of a customer's future orders given x repeat orders of mean z̄.

        A weighted average of the population mean p·γ/(q−1) and the customer's own mean
        (note 025): p(γ + x z̄)/(p x + q − 1). Customers without repeats (x = 0) get
        the population mean.
        """
        p, q, gamma = self._fitted_params()
        x = as_float_array(frequency, "frequency")
        z = as_float_array(mean_value, "mean_value")
        if x.size != z.size:
            raise ValueError(f"frequency and mean_value differ in length ({x.size}, {z.size})")
        if np.any(x < 0) or np.any(z < 0):
            raise ValueError("frequency and mean_value must not be negative")
        if q <= 1.0:
            raise ValueError(f"q = {q:.3g} ≤ 1: the population mean order value is infinite")
        z = np.where(x > 0, z, 0.0)
        return np.asarray(p * (gamma + x * z) / (p * x + q - 1))
