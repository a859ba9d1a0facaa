"""The price response: population, out-of-time evaluation, curves, monotonicity, state."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.pricing._deals import deal_frame
from revintel.pricing._response import DEFAULT_GRID, PriceResponse, fit_price_response
from revintel.pricing._response_evaluation import split_windows
from revintel.pricing._response_features import price_population, segment_targets
from revintel.store import open_store


@pytest.fixture(scope="module")
def deals(small_pricing_db: Path) -> pd.DataFrame:
    with open_store(small_pricing_db, read_only=True) as store:
        return deal_frame(store)


@pytest.fixture(scope="module")
def no_targets() -> pd.Series:
    return pd.Series(dtype=float)


@pytest.fixture(scope="module")
def logistic(deals: pd.DataFrame, no_targets: pd.Series) -> PriceResponse:
    return fit_price_response(deals, no_targets, seed=3, bootstrap=8, algorithm="logistic")


@pytest.fixture(scope="module")
def boosted(deals: pd.DataFrame, no_targets: pd.Series) -> PriceResponse:
    return fit_price_response(deals, no_targets, seed=3, bootstrap=4, algorithm="lightgbm_monotone")


def test_population_is_closed_priced_deals_in_closing_order(deals: pd.DataFrame) -> None:
    population = price_population(deals)
    assert len(population) == 1108
    assert set(population["status"]) == {"won", "lost"}
    assert population["reached_price_stage"].all()
    assert population["closed_at"].is_monotonic_increasing
    train, validation, test = split_windows(population)
    assert (len(train), len(validation), len(test)) == (665, 221, 222)
    assert train["closed_at"].max() <= validation["closed_at"].min()
    assert validation["closed_at"].max() <= test["closed_at"].min()


def test_segment_targets_are_won_medians(deals: pd.DataFrame) -> None:
    population = price_population(deals)
    targets = segment_targets(population)
    won = population[population["won"] == 1.0]
    assert targets["Enterprise"] == pytest.approx(
        won.loc[won["segment"] == "Enterprise", "discount"].median()
    )
    assert targets[""] == pytest.approx(won["discount"].median())


def test_evaluation_reports_every_candidate_and_the_baseline(logistic: PriceResponse) -> None:
    e = logistic.evaluation
    json.dumps(e)  # serialisable as it is
    assert [r["model"] for r in e["test"]] == ["logistic", "lightgbm_monotone", "discount_blind"]
    assert sum(r["chosen"] for r in e["test"]) == 1
    assert e["chosen"] in ("logistic", "lightgbm_monotone")
    for row in e["test"]:
        assert 0.4 < row["auc"] < 0.8
        assert 0.5 < row["log_loss"] < 0.75
        assert 0.15 < row["brier"] < 0.3
    assert e["rows"] == {"train": 665, "validation": 221, "test": 222}
    assert e["rows_fitted"] == 1108
    assert e["slope"]["logistic_low"] < e["slope"]["logistic"] < e["slope"]["logistic_high"]


def test_win_probability_rises_with_discount_for_every_deal(
    logistic: PriceResponse, boosted: PriceResponse, deals: pd.DataFrame
) -> None:
    for response in (logistic, boosted):
        grid = response.win_probability(deals, DEFAULT_GRID)
        assert grid.shape == (len(deals), len(DEFAULT_GRID))
        assert np.all(np.diff(grid, axis=1) >= 0.0)
        assert np.all((grid > 0.0) & (grid < 1.0))


def test_logistic_curve_rises_strictly_and_at_the_fitted_slope(logistic: PriceResponse) -> None:
    deal = {"segment": "Mittelstand", "list_price": 50_000.0, "rep_id": "R001"}
    curve = logistic.curve(deal, interval=False)
    p = curve["win_probability"].to_numpy()
    assert np.all(np.diff(p) > 0)
    logit = np.log(p / (1 - p))
    slope = logistic.evaluation["slope"]["logistic"]
    assert np.diff(logit) / 0.01 == pytest.approx(np.full(40, slope), rel=1e-9)


def test_single_row_and_batch_paths_agree(logistic: PriceResponse, deals: pd.DataFrame) -> None:
    block = deals.iloc[:40]
    batch = logistic.win_probability(block)
    one_by_one = np.concatenate([logistic.win_probability(block.iloc[[i]]) for i in range(40)])
    np.testing.assert_allclose(batch, one_by_one, rtol=1e-12)
    curve = logistic.curve(block.iloc[3].to_dict(), interval=False)
    at_grid = logistic.win_probability(block.iloc[[3]], DEFAULT_GRID)[0]
    np.testing.assert_allclose(curve["win_probability"], at_grid, rtol=1e-12)


def test_target_discount_column_shifts_the_curve(
    logistic: PriceResponse, deals: pd.DataFrame
) -> None:
    row = deals.iloc[[0]]
    base = logistic.win_probability(row.assign(target_discount=0.10), np.array([0.10]))
    higher = logistic.win_probability(row.assign(target_discount=0.15), np.array([0.15]))
    np.testing.assert_allclose(base, higher, rtol=1e-12)  # only the gap counts


def test_curve_band_brackets_and_carries_samples(
    logistic: PriceResponse, deals: pd.DataFrame
) -> None:
    curve = logistic.curve(deals.iloc[5].to_dict())
    assert list(curve.columns) == ["discount", "price_ratio", "win_probability", "lower", "upper"]
    assert curve["discount"].tolist() == pytest.approx(np.linspace(0, 0.4, 41).tolist())
    assert (curve["lower"] <= curve["upper"]).all()
    assert (curve["upper"] - curve["lower"]).mean() > 0.01
    assert curve.attrs["samples"].shape == (8, 41)
    no_band = logistic.curve(deals.iloc[5].to_dict(), interval=False)
    assert no_band["lower"].isna().all()
    np.testing.assert_allclose(no_band["win_probability"], curve["win_probability"])


def test_state_round_trips_bit_for_bit(
    boosted: PriceResponse, logistic: PriceResponse, deals: pd.DataFrame
) -> None:
    for response in (logistic, boosted):
        state = json.loads(json.dumps(response.to_state()))
        again = PriceResponse.from_state(state)
        assert again.algorithm == response.algorithm
        deal = deals.iloc[7].to_dict()
        pd.testing.assert_frame_equal(again.curve(deal), response.curve(deal))


def test_fits_are_reproducible(
    deals: pd.DataFrame, no_targets: pd.Series, boosted: PriceResponse
) -> None:
    again = fit_price_response(
        deals, no_targets, seed=3, bootstrap=4, algorithm="lightgbm_monotone"
    )
    assert again.to_state() == boosted.to_state()


def test_bad_input_names_what_is_wrong(logistic: PriceResponse, deals: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="lacks the column"):
        price_population(deals.drop(columns=["reached_price_stage"]))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        logistic.win_probability(deals.iloc[:2], np.array([0.1, 1.2]))
    with pytest.raises(ValueError, match="list_price must be positive"):
        logistic.curve({"segment": "Mittelstand", "list_price": 0.0})
    with pytest.raises(ValueError, match="at least 100"):
        fit_price_response(deals.iloc[:50], pd.Series(dtype=float))


def test_cli_prints_the_evaluation_and_one_deals_curve(small_pricing_db: Path) -> None:
    from typer.testing import CliRunner

    from revintel.cli import app

    runner = CliRunner()
    args = ["pricing", "response", "--db", str(small_pricing_db), "--bootstrap", "4"]
    result = runner.invoke(app, [*args, "--opportunity", "O0006210", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["algorithm"] in ("logistic", "lightgbm_monotone")
    assert len(payload["curve"]) == 41
    best = payload["optimum"]
    assert 0.0 <= best["discount_low"] <= best["discount"] <= best["discount_high"] <= 0.4
    german = runner.invoke(app, [*args, "--format", "csv", "--lang", "de"])
    assert german.exit_code == 0, german.output
    # German CSV, as Excel in Germany opens it: a byte order mark and semicolons
    assert german.output.splitlines()[0] == "\ufeffModell;gewählt;AUC;Log-Loss;Brier-Score"
    unknown = runner.invoke(app, [*args, "--opportunity", "O9999999"])
    assert unknown.exit_code != 0
    assert "O9999999" in unknown.output
