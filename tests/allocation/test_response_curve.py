"""The response curve: recovers planted parameters from simulated account-years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revintel.allocation import ResponseCurve, ResponseCurveError, fit_response_curve
from revintel.allocation._response_curve import response_share

TRUTH = {"s0": 0.08, "s_max": 0.40, "h_half": 30.0}


def _history(n: int, seed: int, with_potential: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    potential = rng.lognormal(11.0, 0.8, n) if with_potential else np.full(n, 1.0)
    hours = rng.uniform(0.0, 150.0, n)
    mean = potential * response_share(hours, **TRUTH)
    intake = mean * rng.gamma(25.0, 1 / 25.0, n)  # 20 % noise around the curve
    frame = pd.DataFrame({"hours": hours, "order_intake": intake})
    if with_potential:
        frame["potential"] = potential
    return frame


def test_the_fit_recovers_the_planted_curve_within_its_intervals() -> None:
    curve = fit_response_curve(_history(800, seed=4), bootstrap=60, seed=1)
    assert curve.accounts == 800
    for name, truth in TRUTH.items():
        estimate = getattr(curve, name)
        assert estimate == pytest.approx(truth, rel=0.15), name
        low, high = curve.intervals[name]
        assert low < estimate < high
        # a 95 % interval may miss; twice its half-width around the estimate must not
        assert abs(estimate - truth) < (high - low), name


def test_without_potential_the_curve_is_in_euros() -> None:
    history = _history(400, seed=8, with_potential=False)
    history["order_intake"] *= 50_000.0
    curve = fit_response_curve(history, bootstrap=0)
    assert curve.intervals == {}
    assert curve.s0 == pytest.approx(0.08 * 50_000, rel=0.15)
    assert curve.s_max == pytest.approx(0.40 * 50_000, rel=0.1)


def test_lift_has_diminishing_returns() -> None:
    curve = ResponseCurve(s0=0.1, s_max=0.5, h_half=20.0)
    hours = np.array([0.0, 10.0, 20.0, 40.0, 80.0])
    lift = np.asarray(curve.lift(hours))
    # (0.5 − 0.1)(1 − e^(−1)) at h_half
    assert lift[2] == pytest.approx(0.4 * (1 - np.exp(-1.0)))
    assert lift[0] == 0.0
    assert np.all(np.diff(lift) > 0)
    assert np.all(np.diff(np.diff(lift) / np.diff(hours)) < 0)
    assert curve.share(20.0) == pytest.approx(0.1 + lift[2])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="hours"), "column 'hours' is missing"),
        (lambda f: f.assign(order_intake=-1.0), "column 'order_intake' holds a missing or neg"),
        (lambda f: f.assign(potential=0.0), "column 'potential' must be positive"),
        (lambda f: f.head(5), "5 account-years; at least 10 needed"),
        (lambda f: f.assign(hours=12.0), "every account-year has the same hours"),
    ],
)
def test_bad_history_is_refused_with_the_column_named(change, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ResponseCurveError, match=message):
        fit_response_curve(change(_history(50, seed=1)), bootstrap=0)


def _panel(accounts: int, years: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Account-years where larger accounts get more hours (as under a size-based rule) and
    order more for their size alone; each year's hours vary around the account's (leave, a new
    rep). Returns the history with an estimated potential off by a factor per account, and the
    true potential."""
    rng = np.random.default_rng(seed)
    potential = rng.lognormal(11.0, 0.8, accounts)
    size_hours = 40.0 * (potential / np.median(potential)) ** 0.8
    hours = size_hours[:, None] * rng.lognormal(-0.08, 0.4, (accounts, years))
    mean = potential[:, None] * response_share(hours, **TRUTH)
    # Poisson numbers of orders of Gamma values: many account-years order nothing at all
    count = rng.poisson(3.0, (accounts, years))
    value = rng.gamma(np.maximum(count, 1) * 2.0, 1 / 2.0) * (count > 0)
    intake = mean * value / 3.0
    # the company's estimate of potential is proportional to the truth with 30 % error and grows
    # with the hours, the way a size-based service biases any cross-section
    estimate = potential * rng.lognormal(0.0, 0.3, accounts) * (size_hours / 40.0) ** 0.3
    frame = pd.DataFrame(
        {
            "account_id": np.repeat([f"A{a}" for a in range(accounts)], years),
            "hours": hours.ravel(),
            "order_intake": intake.ravel(),
            "potential": np.repeat(estimate, years),
        }
    )
    return frame, estimate


def test_with_years_per_account_the_shape_is_read_within_accounts() -> None:
    # s0 / s_max and h_half are what the curve's shape needs; the level s_max is in the units of
    # the estimated potential, so the test checks euros: the lift of 40 more hours a year
    wanted_ratio = TRUTH["s0"] / TRUTH["s_max"]
    for seed in (1, 2, 3):
        history, _ = _panel(1_500, 4, seed)
        curve = fit_response_curve(history, bootstrap=20, seed=seed)
        assert curve.method == "within accounts" and curve.accounts == 6_000
        assert curve.h_half == pytest.approx(TRUTH["h_half"], rel=0.25), seed
        assert curve.s0 / curve.s_max == pytest.approx(wanted_ratio, abs=0.08), seed
        low, high = curve.intervals["h_half"]
        assert low < curve.h_half < high
        # the curve's intake at the hours logged equals what was ordered
        fitted = (history["potential"] * curve.share(history["hours"])).sum()
        assert fitted == pytest.approx(history["order_intake"].sum(), rel=1e-6)
        # a cross-section of the same account-years credits time with what size buys
        across = fit_response_curve(history.drop(columns="account_id"), bootstrap=0)
        assert across.method == "across accounts"
        assert abs(across.h_half - TRUTH["h_half"]) > 2 * abs(curve.h_half - TRUTH["h_half"])


def test_accounts_with_the_same_hours_every_year_fall_back_to_the_cross_section() -> None:
    history, _ = _panel(200, 3, seed=5)
    history["hours"] = history.groupby("account_id")["hours"].transform("mean")
    assert fit_response_curve(history, bootstrap=0).method == "across accounts"
    few, _ = _panel(20, 3, seed=5)  # under 30 accounts with changing hours
    assert fit_response_curve(few, bootstrap=0).method == "across accounts"
