"""Price bands: floor ≤ target ≤ stretch from the won prices of each segment, positions and
percentiles of deals and quotes, and the demo company's planted segment discount norms."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from revintel.cli import app
from revintel.pricing._band_store import open_quotes
from revintel.pricing._bands import (
    POSITIONS,
    PriceBands,
    band_positions,
    fit_bands,
    quote_positions,
)
from revintel.pricing._deals import deal_frame
from revintel.store import open_store
from revintel.synth import truth_path_for

runner = CliRunner()


@pytest.fixture(scope="module")
def small_deals(small_pricing_db: Path) -> pd.DataFrame:
    with open_store(small_pricing_db, read_only=True) as store:
        return deal_frame(store)


def random_deals(seed: int, n: int, won_share: float) -> pd.DataFrame:
    """Deals with random context and prices, about ``won_share`` of them won."""
    rng = np.random.default_rng(seed)
    status = rng.choice(["won", "lost", "open"], n, p=[won_share, 1 - won_share - 0.1, 0.1])
    ratio = np.clip(rng.normal(0.9, 0.05, n) - 0.05 * rng.integers(0, 3, n), 0.4, 1.0)
    return pd.DataFrame(
        {
            "opportunity_id": [f"O{i:05d}" for i in range(n)],
            "family": rng.choice(["A", "B", "C", "D"], n),
            "segment": rng.choice(["Enterprise", "Mittelstand", "Kleinunternehmen"], n),
            "industry": np.array(["Chemie", "Logistik", None], dtype=object)[rng.integers(0, 3, n)],
            "region": rng.choice(["Nord", "Süd", "West"], n),
            "value_tier": rng.choice(["none", "low", "mid", "high"], n),
            "list_price": np.exp(rng.uniform(8, 13, n)).round(-1),
            "price_ratio": ratio.round(3),
            "current_price_ratio": ratio.round(3),
            "status": status,
        }
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(40, 600),
    won_share=st.floats(0.2, 0.7),
    min_won=st.integers(5, 40),
)
def test_bands_never_overlap_the_wrong_way_and_hold_min_won(
    seed: int, n: int, won_share: float, min_won: int
) -> None:
    deals = random_deals(seed, n, won_share)
    won = int((deals["status"] == "won").sum())
    if won < min_won:
        with pytest.raises(ValueError, match=f"at least {min_won} won deals"):
            fit_bands(deals, min_won)
        return
    bands = fit_bands(deals, min_won)
    table = bands.table
    assert (table["floor"] <= table["target"]).all()
    assert (table["target"] <= table["stretch"]).all()
    assert (table["won_deals"] >= min_won).all()
    assert table["won_deals"].sum() == won
    assert table["deals"].sum() == int(deals["status"].isin(["won", "lost"]).sum())
    if won < 2 * min_won:
        assert table["band_id"].tolist() == ["B01"]


def test_the_demo_bands_hold_min_won_and_are_ordered(small_deals: pd.DataFrame) -> None:
    bands = fit_bands(small_deals, min_won=30)
    table = bands.table
    assert (table["won_deals"] >= 30).all()
    assert table["won_deals"].sum() == 685
    assert table["deals"].sum() == 685 + 1782
    assert ((table["floor"] <= table["target"]) & (table["target"] <= table["stretch"])).all()
    assert (table["floor"] < table["stretch"]).all()
    for band_id, prices in bands.won_prices.items():
        row = bands.band(band_id)
        assert row["target"] == pytest.approx(np.median(prices))
        assert row["floor"] == pytest.approx(np.quantile(prices, 0.1))
        assert row["rules"] == bands.segmentation.rules(band_id)


def test_positions_and_percentiles_of_a_hand_made_band() -> None:
    # ten won prices 0.80, 0.81, … 0.89 in one band; the rest lost and open deals
    deals = random_deals(1, 10, 0.5).assign(status="won")
    deals["price_ratio"] = np.arange(80, 90) / 100
    deals.loc[:, "current_price_ratio"] = deals["price_ratio"]
    bands = fit_bands(deals, min_won=10, quantiles=(0.1, 0.5, 0.9))
    assert bands.band("B01") | {"rules": None} == {
        "band_id": "B01",
        "segment": "alle Deals",
        "rules": None,
        "floor": pytest.approx(0.809),
        "target": pytest.approx(0.845),
        "stretch": pytest.approx(0.881),
        "won_deals": 10,
        "deals": 10,
        "median_list_price": pytest.approx(float(np.median(deals["list_price"]))),
    }
    expected = {
        0.80: ("below_floor", 0.0),
        0.809: ("floor_target", 0.1),
        0.845: ("target_stretch", 0.5),
        0.881: ("target_stretch", 0.9),
        0.95: ("above_stretch", 1.0),
    }
    for price, (position, percentile) in expected.items():
        assert bands.position(price, "B01") == position
        assert bands.percentile(price, "B01") == pytest.approx(percentile)
    assert bands.target_discount(deals).round(6).unique().tolist() == [0.155]
    with pytest.raises(ValueError, match="price_ratio is missing"):
        bands.position(float("nan"), "B01")
    with pytest.raises(KeyError, match="unknown band 'B02'"):
        bands.position(0.9, "B02")
    with pytest.raises(ValueError, match="quantiles must be three ascending"):
        fit_bands(deals, min_won=10, quantiles=(0.5, 0.1, 0.9))


def test_open_deals_are_placed_at_their_current_price(small_deals: pd.DataFrame) -> None:
    bands = fit_bands(small_deals, min_won=30)
    placed = band_positions(small_deals, bands)
    assert placed.columns.tolist() == [
        "opportunity_id",
        "band_id",
        "price_ratio",
        "position",
        "percentile",
    ]
    assert placed["opportunity_id"].tolist() == small_deals["opportunity_id"].tolist()
    open_deal = (small_deals["status"] == "open").to_numpy()
    assert placed["price_ratio"].to_numpy()[open_deal] == pytest.approx(
        small_deals["current_price_ratio"].to_numpy()[open_deal]
    )
    assert placed["price_ratio"].to_numpy()[~open_deal] == pytest.approx(
        small_deals["price_ratio"].to_numpy()[~open_deal]
    )
    assert set(placed["position"]) <= set(POSITIONS)
    # by construction about 10 % of the won deals lie below the floor, 10 % above the stretch
    won = placed[small_deals["status"].to_numpy() == "won"]
    shares = won["position"].value_counts(normalize=True)
    assert shares["below_floor"] == pytest.approx(0.1, abs=0.02)
    assert shares["above_stretch"] == pytest.approx(0.1, abs=0.02)
    one = placed.iloc[0]
    assert bands.position(one["price_ratio"], one["band_id"]) == one["position"]
    assert bands.percentile(one["price_ratio"], one["band_id"]) == one["percentile"]


def test_open_quotes_are_placed_in_their_deals_band(
    small_pricing_db: Path, small_deals: pd.DataFrame
) -> None:
    bands = fit_bands(small_deals, min_won=30)
    with open_store(small_pricing_db, read_only=True) as store:
        quotes = open_quotes(store)
    placed = quote_positions(quotes, small_deals, bands)
    assert len(placed) == len(quotes) == 74
    deal_band = band_positions(small_deals, bands).set_index("opportunity_id")["band_id"]
    assert (placed["band_id"].to_numpy() == deal_band[placed["opportunity_id"]].to_numpy()).all()
    price = 1 - quotes["discount"].to_numpy()
    assert placed["price_ratio"].to_numpy() == pytest.approx(price)


def test_the_state_round_trip_keeps_bands_and_positions(small_deals: pd.DataFrame) -> None:
    bands = fit_bands(small_deals, min_won=30)
    restored = PriceBands.from_state(json.loads(json.dumps(bands.to_state())))
    pd.testing.assert_frame_equal(restored.table, bands.table)
    pd.testing.assert_frame_equal(
        band_positions(small_deals, restored), band_positions(small_deals, bands)
    )


@pytest.mark.slow
def test_the_demo_bands_recover_the_planted_segment_norms(default_pricing_db: Path) -> None:
    """Targets per account segment, weighted by won deals, order Enterprise < Mittelstand <
    Kleinunternehmen in price; the median won discount is the planted norm plus the mean
    offset of the won deals (rep offsets average out; discount raises the win chance, so won
    deals carry slightly more discount than all deals). Measured: Enterprise 0.145 vs 0.140 +
    0.005, Mittelstand 0.098 vs 0.100 − 0.001, Kleinunternehmen 0.065 vs 0.070 − 0.001; the
    tolerance is 0.02 (half the spread of one deal's discount noise, 0.04)."""
    with open_store(default_pricing_db, read_only=True) as store:
        deals = deal_frame(store)
    truth = truth_path_for(default_pricing_db)
    assert truth is not None
    norms = json.loads(truth.read_text())["price_response"]["segment_discount_norm"]
    bands = fit_bands(deals, min_won=30)
    alone = [bands.segmentation.band_of(r) for r in deals.to_dict(orient="records")]
    assert bands.segmentation.assign(deals).tolist() == alone
    won = deals[deals["status"] == "won"].copy()
    won["target"] = 1 - bands.target_discount(won)
    target = won.groupby("segment")["target"].mean()
    assert target["Enterprise"] < target["Mittelstand"] < target["Kleinunternehmen"]
    offset = won["discount"] - won["segment"].map(norms)
    for segment, norm in norms.items():
        of_segment = won["segment"] == segment
        median = won.loc[of_segment, "discount"].median()
        assert median == pytest.approx(norm + offset[of_segment].mean(), abs=0.02)
        assert median == pytest.approx(norm, abs=0.02)
        assert 1 - target[segment] == pytest.approx(norm, abs=0.02)


def test_the_bands_command_prints_the_bands(small_pricing_db: Path) -> None:
    args = ["pricing", "bands", "--db", str(small_pricing_db), "--format", "json"]
    result = runner.invoke(app, [*args, "--lang", "de"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["won_deals"] for r in rows] == [153, 88, 444]
    assert [r["segment_de"] for r in rows] == [
        "Region West",
        "Enterprise · Region außer West",
        "Kleinunternehmen, Mittelstand · Region außer West",
    ]
    assert all(r["floor"] <= r["target"] <= r["stretch"] for r in rows)
    table = runner.invoke(app, ["pricing", "bands", "--db", str(small_pricing_db)])
    assert "Region West" not in table.output and "region West" in table.output
    refused = runner.invoke(
        app, ["pricing", "bands", "--db", str(small_pricing_db), "--min-won", "700"]
    )
    assert refused.exit_code != 0
    assert "at least 700 won deals" in refused.output


def test_the_positions_command_lists_open_deals_and_quotes(small_pricing_db: Path) -> None:
    args = ["pricing", "positions", "--db", str(small_pricing_db), "--format", "csv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.output))
    assert frame["kind"].value_counts().to_dict() == {"deal": 128, "quote": 74}
    assert set(frame["position"]) <= set(POSITIONS)
    assert (frame["floor"] <= frame["stretch"]).all()
