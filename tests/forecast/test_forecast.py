"""The forecast on a small generated company: reproducible, consistent, and driven by its inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from revintel.forecast import (
    ForecastSettings,
    History,
    ScenarioError,
    fit_funnel_model,
    forecast,
    parse_horizon,
    parse_scenario,
    simulate_open,
    weighted_pipeline,
)
from revintel.model import load_funnel

FAST = ForecastSettings(months=3, simulations=400, seed=11)


def test_same_seed_same_numbers(history: History) -> None:
    first = forecast(history, settings=FAST).frame
    again = forecast(history, settings=FAST).frame
    other = forecast(history, settings=ForecastSettings(months=3, simulations=400, seed=12)).frame
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["p50"], other["p50"])


def test_quantiles_are_ordered_and_sources_add_up(history: History) -> None:
    result = forecast(history, settings=FAST)
    frame = result.frame
    assert (frame["p10"] <= frame["p50"]).all() and (frame["p50"] <= frame["p90"]).all()
    sim = result.simulation
    assert sim.repeat_and_direct is not None
    np.testing.assert_allclose(
        sim.total, sim.open_pipeline + sim.not_yet_created + sim.repeat_and_direct
    )
    quarter = frame[(frame["grain"] == "quarter") & (frame["source"] == "total")]
    months = frame[(frame["grain"] == "month") & (frame["source"] == "total")]
    assert quarter["mean"].sum() == pytest.approx(months["mean"].sum())
    assert set(frame["period"]) >= {"2025-01", "2025-02", "2025-03", "2025-Q1"}


def test_split_by_segment_sums_to_all(history: History) -> None:
    settings = ForecastSettings(months=3, simulations=400, seed=11, by="segment")
    frame = forecast(history, settings=settings).frame
    total = frame[(frame["grain"] == "month") & (frame["source"] == "total")]
    parts = total[total["segment"] != "all"].groupby("period")["mean"].sum()
    whole = total[total["segment"] == "all"].set_index("period")["mean"]
    np.testing.assert_allclose(parts.sort_index(), whole.sort_index())
    assert {"Enterprise", "Mittelstand", "Kleinunternehmen"} <= set(total["segment"])


def test_simulated_mean_matches_the_probabilities() -> None:
    rng = np.random.default_rng(5)
    probs = rng.uniform(0, 0.3, (300, 3))
    amounts = rng.uniform(1_000, 9_000, 300)
    out = simulate_open(probs, amounts, np.zeros(300, dtype=np.int64), 1, 4_000, rng)
    expected = (probs * amounts[:, None]).sum(axis=0)
    np.testing.assert_allclose(out[:, :, 0].mean(axis=0), expected, rtol=0.03)


def test_weighted_pipeline_uses_defaults_and_shrunk_measurements(history: History) -> None:
    model = fit_funnel_model(history)
    frame = weighted_pipeline(model, by="opportunity_id")
    funnel = load_funnel()
    opps = model.opportunities
    furthest, _ = opps.current()
    keep = opps.is_open & (furthest >= 0)
    stages = np.array(opps.milestones)[furthest[keep]]
    defaults = [funnel.get(s).default_probability for s in stages]
    expected = float((opps.frame.loc[keep, "amount"].to_numpy() * defaults).sum())
    assert frame["weighted_default"].sum() == pytest.approx(expected)
    probs = model.probabilities
    pooled = probs[probs["segment"] == ""].set_index("milestone")
    assert pooled.loc["contract_negotiation", "measured"] > pooled.loc["offer_sent", "measured"]
    # Each segment's probability lies between its measurement and the configured default.
    lo = np.minimum(probs["measured"], probs["default"]) - 1e-12
    hi = np.maximum(probs["measured"], probs["default"]) + 1e-12
    assert ((probs["probability"] >= lo) & (probs["probability"] <= hi)).all()


def test_what_if_moves_the_forecast_in_the_right_direction(history: History) -> None:
    funnel = load_funnel()
    base = forecast(history, settings=FAST).simulation
    better = parse_scenario(["win_rate*1.2"], funnel)
    fewer = parse_scenario(["mql_sal_rate=0.2"], funnel)
    up = forecast(history, settings=ForecastSettings(3, None, 400, 11, better)).simulation
    down = forecast(history, settings=ForecastSettings(6, None, 400, 11, fewer)).simulation
    assert up.open_pipeline.mean() > base.open_pipeline.mean() * 1.1
    base6 = forecast(history, settings=ForecastSettings(6, None, 400, 11)).simulation
    assert down.not_yet_created.mean() < base6.not_yet_created.mean() * 0.8
    np.testing.assert_allclose(down.open_pipeline, base6.open_pipeline)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("win_rate[colour=red]*1.1", "unknown dimension 'colour'"),
        ("mql_sql_rate=0.5", "unknown step 'mql_sql'"),
        ("mql_sal_rate=1.5", "between 0 and 1"),
        ("more please", "not understood"),
    ],
)
def test_bad_what_if_names_the_expression(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_scenario([text], load_funnel())


def test_horizon_syntax() -> None:
    assert parse_horizon("2Q") == 6
    with pytest.raises(ValueError, match="horizon 'soon'"):
        parse_horizon("soon")


def test_deal_scores_replace_milestone_probabilities_only_today(history: History) -> None:
    model = fit_funnel_model(history)
    open_ids = model.opportunities.frame.loc[model.opportunities.is_open, "opportunity_id"]
    sure = replace(history, deal_scores=pd.Series(1.0, index=open_ids.to_numpy()))
    hopeless = replace(history, deal_scores=pd.Series(0.0, index=open_ids.to_numpy()))
    base = forecast(history, settings=FAST).simulation.open_pipeline.mean()
    assert forecast(sure, settings=FAST).simulation.open_pipeline.mean() > 1.5 * base
    assert forecast(hopeless, settings=FAST).simulation.open_pipeline.sum() == 0.0
    # A forecast of the past ignores scores computed today.
    past = date(2024, 6, 30)
    np.testing.assert_array_equal(
        forecast(hopeless, past, FAST).simulation.total,
        forecast(history, past, FAST).simulation.total,
    )
