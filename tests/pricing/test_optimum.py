"""The margin-optimal discount against a curve whose optimum is known in closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.special import expit

from revintel.pricing._optimum import expected_margin, margin_optimum

LIST_PRICE, COST = 100.0, 60.0


def logistic_curve(intercept: float, slope: float, grid: np.ndarray) -> pd.DataFrame:
    """P(win | d) = expit(intercept + slope · d) on ``grid``."""
    return pd.DataFrame(
        {
            "discount": grid,
            "price_ratio": 1 - grid,
            "win_probability": expit(intercept + slope * grid),
        }
    )


def analytic_optimum(intercept: float, slope: float) -> float:
    """Root of the first-order condition of (L(1 − d) − C) · expit(a + b·d) in d.

    d/dd = −L·P + (L(1 − d) − C)·b·P(1 − P) = 0  ⇔  (L(1 − d) − C)·b·(1 − P) = L: with the
    price p = L(1 − d) and the slope β = b / L per unit of price, the logit price response's
    optimality condition (p − c)·β·(1 − P(p)) = 1 (Phillips, *Pricing and Revenue
    Optimization*, 2005, ch. 3, the logit price-response function).
    """

    def condition(d: float) -> float:
        p = expit(intercept + slope * d)
        return (LIST_PRICE * (1 - d) - COST) * slope * (1 - p) - LIST_PRICE

    return float(brentq(condition, 0.0, 1.0 - COST / LIST_PRICE))


@pytest.mark.parametrize(("intercept", "slope"), [(-1.0, 8.0), (-0.5, 10.0), (-2.0, 12.0)])
def test_grid_optimum_matches_the_first_order_condition(intercept: float, slope: float) -> None:
    grid = np.round(np.arange(0.0, 0.4001, 0.001), 4)
    exact = analytic_optimum(intercept, slope)
    best = margin_optimum(LIST_PRICE, COST, logistic_curve(intercept, slope, grid))
    assert 0.0 < exact < 0.4
    assert best.discount == pytest.approx(exact, abs=0.001)
    assert best.price == pytest.approx(LIST_PRICE * (1 - best.discount))
    assert best.win_probability == pytest.approx(expit(intercept + slope * best.discount))
    assert best.expected_margin == pytest.approx(
        (LIST_PRICE * (1 - best.discount) - COST) * best.win_probability
    )
    assert best.discount_low == best.discount_high == best.discount  # no bootstrap curves


def test_known_optimum_of_one_case() -> None:
    # a = −1, b = 8: the condition's root is d* ≈ 0.1372 (brentq); the 1 % grid picks 0.14.
    assert analytic_optimum(-1.0, 8.0) == pytest.approx(0.1372, abs=5e-4)
    grid = np.round(np.linspace(0.0, 0.4, 41), 4)
    assert margin_optimum(LIST_PRICE, COST, logistic_curve(-1.0, 8.0, grid)).discount == 0.14
    # where the condition is negative already at d = 0, no discount is best
    assert margin_optimum(LIST_PRICE, COST, logistic_curve(0.5, 4.0, grid)).discount == 0.0


def test_optimum_stays_on_the_grid() -> None:
    grid = np.round(np.linspace(0.0, 0.4, 41), 4)
    flat = logistic_curve(0.0, 0.0, grid)  # price does not matter: no discount
    assert margin_optimum(LIST_PRICE, COST, flat).discount == 0.0
    steep = logistic_curve(-10.0, 20.0, grid)  # margin still rises at the grid's end
    assert margin_optimum(LIST_PRICE, 0.0, steep).discount == 0.4
    loss = margin_optimum(LIST_PRICE, 150.0, logistic_curve(-1.0, 8.0, grid))  # cost > price
    assert loss.discount in set(grid)
    assert loss.expected_margin < 0


def test_interval_comes_from_the_bootstrap_curves() -> None:
    grid = np.round(np.linspace(0.0, 0.4, 41), 4)
    curve = logistic_curve(-1.0, 8.0, grid)
    slopes = np.linspace(5.0, 11.0, 21)
    curve.attrs["samples"] = expit(-1.0 + slopes[:, None] * grid[None, :])
    optima = [
        margin_optimum(LIST_PRICE, COST, logistic_curve(-1.0, s, grid)).discount for s in slopes
    ]
    best = margin_optimum(LIST_PRICE, COST, curve)
    assert best.discount == 0.14
    assert best.discount_low == pytest.approx(np.quantile(optima, 0.05, method="nearest"))
    assert best.discount_high == pytest.approx(np.quantile(optima, 0.95, method="nearest"))
    assert (best.discount_low, best.discount_high) == (0.1, 0.14)


def test_expected_margin_and_bad_input() -> None:
    assert expected_margin(1000.0, 600.0, 0.1, 0.5) == pytest.approx(150.0)
    assert expected_margin(1000.0, 950.0, 0.1, 0.5) == pytest.approx(-25.0)
    curve = logistic_curve(0.0, 4.0, np.array([0.0, 0.1]))
    with pytest.raises(ValueError, match="list_price must be positive"):
        margin_optimum(0.0, 1.0, curve)
    with pytest.raises(ValueError, match="win_probability"):
        margin_optimum(100.0, 1.0, curve.drop(columns=["win_probability"]))
    # a missing cost maximises expected revenue
    assert margin_optimum(100.0, float("nan"), curve).expected_margin == pytest.approx(
        90.0 * expit(0.4)
    )
