"""Maximum-likelihood fitting shared by the repeat-purchase models.

Every model maximises a weighted sum of per-customer log-likelihoods over strictly positive
parameters. The search runs on log-parameters (L-BFGS-B), the standard errors come from a
numerical Hessian of the negative log-likelihood on the log scale, carried to the natural
parameters by the delta method (``se(θ) = θ · se(log θ)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

FloatArray = NDArray[np.float64]

#: Log-parameters are kept in this box so that no evaluation overflows.
_LOG_BOUND = 12.0


@dataclass(frozen=True)
class MaximumLikelihoodFit:
    """Result of a maximum-likelihood fit on strictly positive parameters."""

    names: tuple[str, ...]
    params: FloatArray
    log_params_covariance: FloatArray
    log_likelihood: float
    converged: bool

    @property
    def log_standard_errors(self) -> FloatArray:
        """Standard errors of the log-parameters.

        NaN where the Hessian is not positive definite: a parameter at the edge of its range, or
        one the data do not identify.
        """
        variance = np.diag(self.log_params_covariance)
        return np.asarray(np.sqrt(np.where(variance > 0, variance, np.nan)))

    @property
    def standard_errors(self) -> FloatArray:
        """Standard errors of the natural parameters (delta method from the log scale)."""
        return self.params * self.log_standard_errors


def maximise_log_likelihood(
    log_likelihood: Callable[[FloatArray], float],
    initial: Sequence[float],
    names: Sequence[str],
    *,
    with_gradient: Callable[[FloatArray], tuple[float, FloatArray]] | None = None,
) -> MaximumLikelihoodFit:
    """Maximise ``log_likelihood(params)`` over positive ``params`` starting from ``initial``.

    Parameters
    ----------
    log_likelihood
        Total (weighted) log-likelihood as a function of the natural parameters.
    initial
        Starting values, all > 0.
    names
        Parameter names, in the order of ``initial``.
    with_gradient
        Optional: log-likelihood and its gradient with respect to the natural parameters. With
        it, each optimiser step costs one evaluation instead of one per parameter, and the
        Hessian is taken by differencing the gradient.

    Returns
    -------
    MaximumLikelihoodFit
        Parameters at the optimum, covariance of their logarithms and the log-likelihood there.
    """

    def negative(log_params: FloatArray) -> float:
        value = log_likelihood(np.exp(log_params))
        return -value if np.isfinite(value) else 1e300

    # a handful of parameters gains nothing from BLAS threads, which only spin against each other
    with threadpool_limits(1):
        return _maximise(negative, initial, names, with_gradient)


def _maximise(
    negative: Callable[[FloatArray], float],
    initial: Sequence[float],
    names: Sequence[str],
    with_gradient: Callable[[FloatArray], tuple[float, FloatArray]] | None,
) -> MaximumLikelihoodFit:
    """L-BFGS-B on log-parameters from ``initial``; Hessian at the optimum."""
    start = np.log(np.asarray(initial, dtype=float))
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(start)
    options = {"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8}
    if with_gradient is None:
        result = optimize.minimize(
            negative, start, method="L-BFGS-B", bounds=bounds, options=options
        )
        hessian = numerical_hessian(negative, result.x)
    else:
        gradient_of = with_gradient

        def negative_with_gradient(log_params: FloatArray) -> tuple[float, FloatArray]:
            params = np.exp(log_params)
            value, gradient = gradient_of(params)
            if not np.isfinite(value):
                return 1e300, np.zeros_like(log_params)
            return -value, -gradient * params  # chain rule: d/d(log θ) = θ · d/dθ

        result = optimize.minimize(
            negative_with_gradient,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options=options,
        )
        hessian = _hessian_from_gradient(lambda p: negative_with_gradient(p)[1], result.x)
    try:
        covariance = np.asarray(np.linalg.inv(hessian), dtype=np.float64)
    except np.linalg.LinAlgError:
        covariance = np.full_like(hessian, np.nan)
    return MaximumLikelihoodFit(
        names=tuple(names),
        params=np.exp(result.x),
        log_params_covariance=covariance,
        log_likelihood=-float(result.fun),
        converged=bool(result.success),
    )


def _hessian_from_gradient(
    gradient: Callable[[FloatArray], FloatArray], point: FloatArray
) -> FloatArray:
    """Central differences of an analytic ``gradient``, symmetrised."""
    size = len(point)
    step = 1e-5 * np.maximum(1.0, np.abs(point))
    columns = []
    for i in range(size):
        offset = np.zeros(size)
        offset[i] = step[i]
        columns.append((gradient(point + offset) - gradient(point - offset)) / (2 * step[i]))
    hessian = np.column_stack(columns)
    return np.asarray((hessian + hessian.T) / 2)


def numerical_hessian(function: Callable[[FloatArray], float], point: FloatArray) -> FloatArray:
    """Central-difference Hessian of a scalar ``function`` at ``point``."""
    size = len(point)
    step = 1e-4 * np.maximum(1.0, np.abs(point))
    hessian = np.empty((size, size))
    centre = function(point)
    for i in range(size):
        ei = np.zeros(size)
        ei[i] = step[i]
        hessian[i, i] = (function(point + ei) - 2 * centre + function(point - ei)) / step[i] ** 2
        for j in range(i):
            ej = np.zeros(size)
            ej[j] = step[j]
            mixed = (
                function(point + ei + ej)
                - function(point + ei - ej)
                - function(point - ei + ej)
                + function(point - ei - ej)
            ) / (4 * step[i] * step[j])
            hessian[i, j] = hessian[j, i] = mixed
    return hessian


def confidence_table(fit: MaximumLikelihoodFit, level: float) -> pd.DataFrame:
    """Parameter estimates with standard errors and ``level`` confidence intervals.

    The intervals are symmetric on the log scale, so they never include zero or negative values.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must lie strictly between 0 and 1, got {level}")
    z = stats.norm.ppf(0.5 + level / 2)
    log_se = fit.log_standard_errors
    return pd.DataFrame(
        {
            "estimate": fit.params,
            "standard_error": fit.standard_errors,
            "lower": fit.params * np.exp(-z * log_se),
            "upper": fit.params * np.exp(z * log_se),
        },
        index=pd.Index(fit.names, name="parameter"),
    )


class FittedModel:
    """Shared fitted state of the repeat-purchase estimators (scikit-learn style).

    Subclasses set ``_model_name`` and call :meth:`_store` at the end of ``fit``.
    """

    _model_name = "model"
    _param_names: tuple[str, ...] = ()
    params_: pd.Series
    standard_errors_: pd.Series
    log_likelihood_: float
    converged_: bool
    _fit: MaximumLikelihoodFit | None = None

    def _store(self, fit: MaximumLikelihoodFit) -> None:
        self._fit = fit
        self.params_ = pd.Series(fit.params, index=list(fit.names), name="estimate")
        self.standard_errors_ = pd.Series(
            fit.standard_errors, index=list(fit.names), name="standard_error"
        )
        self.log_likelihood_ = fit.log_likelihood
        self.converged_ = fit.converged

    @classmethod
    def from_params(cls, **params: float) -> Self:
        """A model with known parameters (e.g. published ones or a simulation's truth), not fitted.

        Its standard errors are unknown (NaN) and its log-likelihood is NaN.
        """
        missing = set(cls._param_names) - set(params)
        unknown = set(params) - set(cls._param_names)
        if missing or unknown:
            raise ValueError(
                f"{cls._model_name} needs exactly the parameters {', '.join(cls._param_names)}; "
                f"missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        values = np.array([float(params[name]) for name in cls._param_names])
        if not np.all(values > 0):
            raise ValueError(f"{cls._model_name} parameters must all be positive, got {params}")
        model = cls()
        size = len(values)
        model._store(
            MaximumLikelihoodFit(
                names=cls._param_names,
                params=values,
                log_params_covariance=np.full((size, size), np.nan),
                log_likelihood=float("nan"),
                converged=True,
            )
        )
        return model

    def _fitted_params(self) -> FloatArray:
        if self._fit is None:
            raise ValueError(f"{self._model_name} is not fitted yet: call fit() first")
        return self._fit.params

    def confidence_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Estimates, standard errors and ``level`` confidence intervals of the parameters.

        Parameters
        ----------
        level
            Coverage of the intervals, strictly between 0 and 1.

        Returns
        -------
        pandas.DataFrame
            Indexed by parameter, columns ``estimate``, ``standard_error``, ``lower``, ``upper``.
        """
        self._fitted_params()
        assert self._fit is not None
        return confidence_table(self._fit, level)
