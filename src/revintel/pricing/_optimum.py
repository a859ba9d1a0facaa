"""The margin-optimal discount of a deal: argmax over a curve of (price − cost) × P(win | price).

The interval of the optimal discount comes from the bootstrap curves a price-response curve
carries (``curve.attrs["samples"]``): the optimum of each, then their 5th and 95th percentiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Percentiles of the bootstrap optima that bound the optimal discount (a 90 % interval).
INTERVAL_QUANTILES = (0.05, 0.95)


@dataclass(frozen=True)
class Optimum:
    """The margin-optimal point of a curve.

    Attributes
    ----------
    discount, price
        The optimal discount (a grid point) and the price it gives: list price × (1 − discount).
    win_probability, expected_margin
        P(win) there and (price − cost) × P(win).
    discount_low, discount_high
        90 % interval of the optimal discount over the bootstrap curves (both equal
        ``discount`` when the curve carries none).
    """

    discount: float
    price: float
    win_probability: float
    expected_margin: float
    discount_low: float
    discount_high: float


def expected_margin(
    list_price: float, cost: float, discount: float, win_probability: float
) -> float:
    """(list price × (1 − discount) − cost) × P(win): the margin a deal is expected to bring.

    >>> expected_margin(1000.0, 600.0, 0.1, 0.5)
    150.0
    """
    return (list_price * (1.0 - discount) - cost) * win_probability


def _best(list_price: float, cost: float, discounts: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Index of the best grid point of each row of ``p`` (first one on ties: the least discount)."""
    margin = (list_price * (1.0 - discounts) - cost)[None, :] * np.atleast_2d(p)
    return np.argmax(margin, axis=1)


def _within(discounts: np.ndarray, lowest: float, highest: float) -> np.ndarray:
    """Mask of the grid points covering [lowest, highest] (at least one point)."""
    lowest, highest = min(lowest, highest), max(lowest, highest)
    below = np.flatnonzero(discounts <= lowest + 1e-12)
    above = np.flatnonzero(discounts >= highest - 1e-12)
    start = int(below[-1]) if len(below) else 0
    stop = int(above[0]) if len(above) else len(discounts) - 1
    kept = np.zeros(len(discounts), dtype=bool)
    kept[start : stop + 1] = True
    return kept


def margin_optimum(
    list_price: float,
    cost: float,
    curve: pd.DataFrame,
    within: tuple[float, float] | None = None,
) -> Optimum:
    """The grid point of ``curve`` that maximises the expected margin.

    Parameters
    ----------
    list_price, cost
        The deal's list price and cost (store currency); a missing cost counts as 0, which
        maximises expected revenue instead.
    curve
        :meth:`revintel.pricing._response.PriceResponse.curve` (columns ``discount`` and
        ``win_probability``; optional ``attrs["samples"]`` of bootstrap curves).
    within
        The lowest and highest discount to consider, e.g. the deal's price band (1 − stretch,
        1 − floor): the price response is measured from the prices deals were really closed
        at, so a recommendation stays where comparable deals were priced. The grid points
        from the last one at or below the lowest to the first one at or above the highest
        are considered; ``None`` considers the whole curve.

    Raises
    ------
    ValueError
        When the list price is not positive or the curve is empty or lacks a column.

    Examples
    --------
    >>> curve = pd.DataFrame({"discount": [0.0, 0.1, 0.2], "win_probability": [0.2, 0.5, 0.6]})
    >>> margin_optimum(100.0, 50.0, curve).discount
    0.1
    """
    if not list_price > 0:
        raise ValueError(f"list_price must be positive, got {list_price!r}")
    missing = sorted({"discount", "win_probability"} - set(curve.columns))
    if missing or curve.empty:
        raise ValueError(f"price curve is empty or lacks column(s) {', '.join(missing)}")
    cost = 0.0 if cost is None or cost != cost else float(cost)
    discounts = curve["discount"].to_numpy(dtype=float)
    p = curve["win_probability"].to_numpy(dtype=float)
    samples = curve.attrs.get("samples")
    if within is not None:
        kept = _within(discounts, *within)
        discounts, p = discounts[kept], p[kept]
        if samples is not None and len(samples):
            samples = np.asarray(samples, dtype=float)[:, kept]
    best = int(_best(list_price, cost, discounts, p)[0])
    low = high = float(discounts[best])
    if samples is not None and len(samples):
        optima = discounts[_best(list_price, cost, discounts, np.asarray(samples, dtype=float))]
        low, high = (float(v) for v in np.quantile(optima, INTERVAL_QUANTILES, method="nearest"))
    return Optimum(
        discount=float(discounts[best]),
        price=list_price * (1.0 - float(discounts[best])),
        win_probability=float(p[best]),
        expected_margin=expected_margin(list_price, cost, float(discounts[best]), float(p[best])),
        discount_low=low,
        discount_high=high,
    )
