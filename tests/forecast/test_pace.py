"""Pace of groups of deals, time dilation of win timing, and the drift of a short history."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from revintel.forecast import (
    ForecastSettings,
    History,
    Journeys,
    dilate,
    fit_funnel_model,
    milestone_pace,
    run_simulation,
    simulate_open,
)
from revintel.forecast._model import ARRIVAL_DAYS, ARRIVAL_TREND, _arrivals, _win_rate_drift
from tests.forecast.conftest import CUT


def _journeys(entries: np.ndarray, closed: np.ndarray) -> Journeys:
    frame = pd.DataFrame(index=range(len(entries)))
    return Journeys(("x", "y"), entries, closed, np.ones(len(entries), bool), frame)


def test_a_group_that_stopped_moving_gets_a_slow_pace() -> None:
    rng = np.random.default_rng(0)
    n = 400
    entered = rng.uniform(0.0, 1000.0, n)
    slow = np.arange(n) % 4 == 0
    # Deals move on after about 20 days; from day 900 on, group "slow" no longer moves at all.
    moved = entered + rng.exponential(20.0, n)
    moved = np.where(slow & (moved > 900.0), np.nan, moved)
    entries = np.column_stack([entered, np.where(moved < 1000.0, moved, np.nan)])
    journeys, groups = _journeys(entries, np.full(n, np.nan)), np.where(slow, "s", "f")
    # A window of 91 days lies inside the 100 days of the stall.
    pace = milestone_pace(journeys, 1000.0, groups, window=91.0, prior=10.0)
    assert pace[(0, "s")] < 0.3
    assert 0.9 < pace[(0, "f")] < 1.5
    # The default window (182 days) also spans weeks before the stall: a damped slowdown.
    damped = milestone_pace(journeys, 1000.0, groups)
    assert pace[(0, "s")] < damped[(0, "s")] < 0.7


def test_unknown_group_keeps_its_pace() -> None:
    entries = np.array([[100.0, np.nan], [320.0, np.nan]])
    pace = milestone_pace(
        _journeys(entries, np.array([110.0, np.nan])), 400.0, np.array(["(none)"] * 2)
    )
    assert (0, "(none)") not in pace


def test_dilation_keeps_mass_and_slows_the_timing() -> None:
    timing = np.array([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
    edges = np.array([0.0, 30.0, 61.0, 92.0])
    out = dilate(timing, edges, np.array([1.0, 0.5, 2.0]))
    np.testing.assert_allclose(out[0], timing[0])
    # Half speed: by day 92 the chance reached at day 46 of the original timing.
    np.testing.assert_allclose(out[1].sum(), 0.1 + 0.2 * 16 / 31, rtol=1e-9)
    assert out[1, 0] == 0.05
    # Double speed cannot win more than the horizon held; it arrives earlier.
    np.testing.assert_allclose(out[2].sum(), 0.6)
    assert out[2, 0] > timing[2, 0]
    assert (out >= 0).all()


def test_pace_changes_only_the_timing_of_the_open_pipeline(history: History) -> None:
    model = fit_funnel_model(history, CUT)
    assert model.pace and all(0.1 <= v <= 2.0 for v in model.pace.values())
    slowed = replace(model, pace={key: 0.1 for key in model.pace})
    settings = ForecastSettings(months=3, simulations=400, seed=5)
    _, base = run_simulation(model, settings)
    _, slow = run_simulation(slowed, settings)
    _, off = run_simulation(slowed, replace(settings, use_pace=False))
    assert slow.open_pipeline.sum() < 0.5 * base.open_pipeline.sum()
    np.testing.assert_array_equal(slow.not_yet_created, base.not_yet_created)
    assert off.open_pipeline.sum() > slow.open_pipeline.sum()


def test_short_history_still_gets_a_drift(history: History) -> None:
    # Ten months of history: too few quarterly cohorts that had half a year, enough monthly ones.
    start = history.opportunities["created"].min()
    early = np.datetime64("1970-01-01") + np.timedelta64(int(start + 300), "D")
    model = fit_funnel_model(history, early.astype(object))
    assert _win_rate_drift(model.opportunities, model.cut) == 0.0
    assert 0.0 < model.drift < 2.0


def test_parameter_draws_widen_the_range_of_a_thin_history(history: History) -> None:
    model = replace(fit_funnel_model(history, CUT), drift=0.0)
    settings = ForecastSettings(months=3, simulations=2_000, seed=11)
    share = model.posterior[:, :1] / model.posterior.sum(axis=1, keepdims=True)
    thin = replace(model, posterior=np.hstack([share, 1 - share]) * 6.0)
    totals = [
        run_simulation(m, replace(settings, parameter_uncertainty=u))[1].open_pipeline.sum((1, 2))
        for m, u in ((model, False), (thin, True))
    ]
    spread = [np.subtract(*np.quantile(t, [0.9, 0.1])) for t in totals]
    assert spread[1] > 1.15 * spread[0]
    # The draws are centred on the measured share: the mean barely moves.
    assert totals[1].mean() / totals[0].mean() == pytest.approx(1.0, abs=0.1)


def test_shock_per_kind_scales_each_kind() -> None:
    p = np.full((2, 1), 0.4)
    shock = np.column_stack([np.full(4000, 0.5), np.full(4000, 1.0)])
    out = simulate_open(
        p,
        np.array([1.0, 1.0]),
        np.array([0, 1]),
        2,
        4000,
        np.random.default_rng(2),
        shock,
        np.array([0, 1]),
    )
    np.testing.assert_allclose(out.mean(axis=0)[0], [0.2, 0.4], atol=0.03)


def test_arrivals_follow_growth_damped() -> None:
    # 90 starts in the quarter before, 180 in the last quarter: rate 180/91 times sqrt(2).
    starts = np.concatenate([np.linspace(0.5, 90.5, 90), np.linspace(91.5, 181.5, 180)])
    starts = np.concatenate([starts, [-100.0]])
    journeys = _journeys(
        np.column_stack([starts, np.full(len(starts), np.nan)]), np.full(len(starts), np.nan)
    )
    rate, stage = _arrivals(journeys, journeys, 182.0, ARRIVAL_DAYS, ARRIVAL_TREND)
    assert stage == "x"
    assert rate == pytest.approx(180 / 91 * np.sqrt(2), rel=0.02)
    flat, _ = _arrivals(journeys, journeys, 182.0, ARRIVAL_DAYS, 0.0)
    assert flat == pytest.approx(180 / 91, rel=0.02)
