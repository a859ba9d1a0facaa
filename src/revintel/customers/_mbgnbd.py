"""MBG/NBD: BG/NBD where a customer can also drop out right after the first purchase.

Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for
customer base analysis", International Journal of Research in Marketing 24(3). The only change
to BG/NBD is that the drop-out coin is tossed after every purchase, the first one included, so
a customer without repeat purchases is no longer certainly alive. This matches processes where
many one-time buyers never return (and the demo company's purchase process).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import hyp2f1

from revintel.customers._bgnbd import PARAM_NAMES, BetaGeoModel, bgnbd_log_likelihood
from revintel.customers._inputs import validate_recency_frequency
from revintel.customers._likelihood import FloatArray


def mbgnbd_log_likelihood(
    params: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """Per-customer log-likelihood of MBG/NBD.

    Alive at T after x + 1 survived tosses: B(a, b+x+1)/B(a,b) · Γ(r+x)α^r/(Γ(r)(α+T)^(r+x));
    dropped right after the last purchase: B(a+1, b+x)/B(a,b) · Γ(r+x)α^r/(Γ(r)(α+t_x)^(r+x)).
    """
    return bgnbd_log_likelihood(params, x, t_x, big_t, first_toss=True)


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD model: BG/NBD with a possible drop-out right after the first purchase.

    Same parameters and fit as :class:`BetaGeoModel` (``r``, ``alpha``, ``a``, ``b``).
    """

    _model_name = "ModifiedBetaGeoModel"
    _param_names = PARAM_NAMES
    _first_toss = True

    def _odds_dead(self, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
        r, alpha, a, b = self._fitted_params()
        return np.asarray(a / (b + x) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:  # noqa: N803
        """Probability of being alive at T: 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))."""
        x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
        return np.asarray(1.0 / (1.0 + self._odds_dead(x, t_x, big_t)))

    def expected_purchases(
        self,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Expected purchases in the next ``t`` given the history.

        (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive):
        the BG/NBD expression with the drop-out posterior Beta(a, b+x+1) of x + 1 survived tosses.
        """
        r, alpha, a, b = self._fitted_params()
        if not np.isfinite(t) or t < 0:
            raise ValueError(f"time horizon t must be a non-negative number, got {t}")
        x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
        z = t / (alpha + big_t + t)
        growth = 1.0 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(
            r + x, b + x + 1, a + b + x, z
        )
        alive = 1.0 / (1.0 + self._odds_dead(x, t_x, big_t))
        return np.asarray((a + b + x) / (a - 1) * growth * alive)

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray:
        """Expected repeat purchases in (0, t] of a customer who just made the first purchase.

        b/(a−1) · [1 − (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))]: the conditional expectation at
        x = t_x = T = 0, where the customer is alive with probability b/(a+b).
        """
        r, alpha, a, b = self._fitted_params()
        times = np.atleast_1d(np.asarray(t, dtype=float))
        if np.any(times < 0):
            raise ValueError("time horizon t must not be negative")
        hyper = hyp2f1(r, b + 1, a + b, times / (alpha + times))
        return np.asarray(b / (a - 1) * (1.0 - (alpha / (alpha + times)) ** r * hyper))
