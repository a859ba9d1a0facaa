"""As-of replay without leakage, and the backtest against its baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revintel.forecast import (
    ForecastSettings,
    History,
    backtest,
    fit_funnel_model,
    forecast,
    month_ends,
    replay_leads,
    replay_opportunities,
    score_points,
    split_origins,
)
from tests.forecast.conftest import CUT


def test_replay_is_identical_without_later_events(
    history: History, truncated_history: History
) -> None:
    full = replay_opportunities(history, CUT)
    cut = replay_opportunities(truncated_history, CUT)
    np.testing.assert_array_equal(full.entries, cut.entries)
    np.testing.assert_array_equal(full.closed, cut.closed)
    np.testing.assert_array_equal(full.won, cut.won)
    np.testing.assert_array_equal(
        replay_leads(history, CUT).entries, replay_leads(truncated_history, CUT).entries
    )
    assert full.is_open.sum() > 20  # deals open at the cut-off that closed later in the store


def test_forecast_as_of_is_identical_without_later_events(
    history: History, truncated_history: History
) -> None:
    settings = ForecastSettings(months=3, simulations=300, seed=3, by="team")
    full = forecast(history, CUT, settings)
    cut = forecast(truncated_history, CUT, settings)
    pd.testing.assert_frame_equal(full.frame, cut.frame)
    pd.testing.assert_frame_equal(full.model.probabilities, cut.model.probabilities)


def test_replay_ignores_the_current_status_column(history: History) -> None:
    model = fit_funnel_model(history, CUT)
    frame = model.opportunities.frame
    # Deals won after the cut-off are open in the replay although the store says "won".
    later = model.opportunities.is_open
    assert later.sum() > 0
    assert frame.loc[later, "created"].max() < model.cut


def test_backtest_scores_forecast_and_both_baselines(history: History) -> None:
    result = backtest(history, origins=4, settings=ForecastSettings(months=3, simulations=300))
    points, summary = result.points, result.summary
    assert len(points) == 8
    assert set(summary["method"]) >= {"forecast P50", "weighted pipeline (default)", "run-rate"}
    month = points[points["window"] == "next month"].reset_index(drop=True)
    # The run-rate of one origin is the actual intake of the month before it.
    np.testing.assert_allclose(month["run_rate"][1:], month["actual"][:-1])
    p50 = summary[summary["method"] == "forecast P50"]
    assert ((p50["coverage_p10_p90"] >= 0) & (p50["coverage_p10_p90"] <= 1)).all()
    for _, row in summary.iterrows():
        column = {"forecast P50": "p50", "run-rate": "run_rate"}.get(row["method"])
        if column is None:
            continue
        part = points[points["window"] == row["window"]]
        wape = np.abs(part[column] - part["actual"]).sum() / part["actual"].sum()
        assert row["wape"] == pytest.approx(wape)


def test_backtest_of_given_origins_scores_tuning_and_reported_apart(history: History) -> None:
    settings = ForecastSettings(months=3, simulations=200)
    ends = month_ends(history.last_event, 4, 3)
    tuning, reported = split_origins(ends, 2)
    assert tuning == ends[:2] and reported == ends[2:]
    result = backtest(history, [*reversed(tuning), *reported], settings)
    counted = backtest(history, 4, settings)
    pd.testing.assert_frame_equal(result.points, counted.points)
    later = result.score(reported)
    assert (later["origins"] == 2).all()
    pd.testing.assert_frame_equal(
        later, score_points(result.points[result.points["origin"] >= reported[0]])
    )
