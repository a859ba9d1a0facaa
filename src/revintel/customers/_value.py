"""Customer value: discounted expected future purchases times expected order value."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from revintel.customers._calibration import ConditionalModel
from revintel.customers._gammagamma import GammaGammaModel
from revintel.customers._inputs import validate_recency_frequency
from revintel.customers._likelihood import FloatArray
from revintel.customers._own_values import OwnMeanOrderValues
from revintel.customers._summary import UNIT_DAYS, TimeUnit

_MONTH_DAYS = 365.25 / 12


def customer_value(
    purchase_model: ConditionalModel,
    value_model: GammaGammaModel | OwnMeanOrderValues,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803 - the literature's name for the customer's age
    mean_value: ArrayLike,
    *,
    unit: TimeUnit,
    months: int = 12,
    annual_discount_rate: float = 0.1,
) -> FloatArray:
    """Discounted expected value of each customer's purchases over the next ``months``.

    Discretisation: the horizon is cut into monthly steps (365.25/12 days). The purchases
    expected in step k are the difference of the purchase model's conditional expectations
    E[Y(k months)] − E[Y(k−1 months)]; each is valued at the Gamma-Gamma expected order value
    and discounted to today at the end of its month with (1 + annual rate)^(−k/12).

    Parameters
    ----------
    purchase_model
        A fitted ``BetaGeoModel`` or ``ParetoNBDModel``.
    value_model
        A fitted ``GammaGammaModel`` (or ``OwnMeanOrderValues`` when it has no finite mean).
    frequency, recency, T, mean_value
        Each customer's history, as in :func:`purchase_summary` (recency and T in ``unit``).
    unit
        Time unit the purchase model was fitted in (``"D"``, ``"W"``, ``"M"`` or ``"Y"``).
    months
        Horizon in months (at least 1).
    annual_discount_rate
        Yearly discount rate, e.g. 0.1 for 10 %; 0 for no discounting.

    Returns
    -------
    numpy.ndarray
        Expected discounted value per customer, in the currency of ``mean_value``.
    """
    if unit not in UNIT_DAYS:
        raise ValueError(f"unknown time unit {unit!r}; use one of {', '.join(UNIT_DAYS)}")
    if months < 1 or months != int(months):
        raise ValueError(f"months must be a whole number of at least 1, got {months}")
    if not annual_discount_rate > -1.0:
        raise ValueError(f"annual_discount_rate must exceed -1, got {annual_discount_rate}")
    x, t_x, big_t = validate_recency_frequency(frequency, recency, T)
    order_value = value_model.expected_order_value(x, mean_value)
    month = _MONTH_DAYS / UNIT_DAYS[unit]
    cumulative = np.vstack(
        [np.zeros_like(x)]
        + [
            purchase_model.expected_purchases(k * month, x, t_x, big_t)
            for k in range(1, int(months) + 1)
        ]
    )
    per_month = np.diff(cumulative, axis=0)
    discount = (1.0 + annual_discount_rate) ** (-np.arange(1, int(months) + 1) / 12.0)
    return np.asarray(order_value * (discount @ per_month))
