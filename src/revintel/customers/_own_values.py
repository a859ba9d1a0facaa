"""Each customer's own mean order value, for when the Gamma-Gamma model has no finite mean.

Gamma-Gamma pools the customers' order values under a Gamma mixing distribution; when the
spend of the customers differs more than that distribution allows (its fitted q ≤ 1, e.g.
when spend grows with company size over orders of magnitude) the population mean is infinite
and so is every customer's expected order value. Then each repeat buyer is valued at the mean
of its own orders, and a customer with no repeat order yet at the repeat buyers' mean.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from revintel.customers._inputs import as_float_array


class OwnMeanOrderValues:
    """Expected order value = the customer's own mean, or the repeat buyers' mean without one.

    Examples
    --------
    >>> values = OwnMeanOrderValues().fit([1, 3], [100.0, 300.0])
    >>> values.expected_order_value([2, 0], [50.0, 0.0]).tolist()
    [50.0, 250.0]
    """

    population_mean_: float

    def fit(self, frequency: ArrayLike, mean_value: ArrayLike) -> OwnMeanOrderValues:
        """Remember the repeat buyers' mean order value (weighted by their repeat orders)."""
        x = as_float_array(frequency, "frequency")
        z = as_float_array(mean_value, "mean_value")
        repeat = (x > 0) & (z > 0)
        if not repeat.any():
            raise ValueError("no repeat buyer with a positive mean order value")
        self.population_mean_ = float((x[repeat] * z[repeat]).sum() / x[repeat].sum())
        return self

    def expected_order_value(self, frequency: ArrayLike, mean_value: ArrayLike) -> np.ndarray:
        """Each customer's own mean order value; the repeat buyers' mean for the others."""
        x = as_float_array(frequency, "frequency")
        z = as_float_array(mean_value, "mean_value")
        return np.where(x > 0, z, self.population_mean_)
