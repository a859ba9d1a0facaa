"""Segments of comparable deals: found from the data, every leaf backed by enough won deals,
and the same band whether a deal is looked up alone, in bulk or after a JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.pricing._deals import deal_frame
from revintel.pricing._segment_tree import round_between
from revintel.pricing._segments import (
    SEGMENT_FEATURES,
    Node,
    Segmentation,
    find_segments,
)
from revintel.store import open_store


@pytest.fixture(scope="module")
def small_deals(small_pricing_db: Path) -> pd.DataFrame:
    with open_store(small_pricing_db, read_only=True) as store:
        return deal_frame(store)


def planted_deals(n: int = 1200, seed: int = 3) -> pd.DataFrame:
    """Won deals whose price ratio depends on family (A 0.80, else 0.90) and, outside family
    A, on deal size (from 100,000 another 0.05 lower); everything else is noise."""
    rng = np.random.default_rng(seed)
    family = rng.choice(["A", "B", "C"], n)
    list_price = np.exp(rng.uniform(np.log(10_000), np.log(400_000), n)).round(-1)
    ratio = np.where(family == "A", 0.80, np.where(list_price >= 100_000, 0.85, 0.90))
    return pd.DataFrame(
        {
            "opportunity_id": [f"O{i:05d}" for i in range(n)],
            "family": family,
            "segment": rng.choice(["Enterprise", "Mittelstand"], n),
            "industry": rng.choice(["Chemie", "Logistik"], n),
            "region": rng.choice(["Nord", "Süd"], n),
            "value_tier": rng.choice(["none", "low", "high"], n),
            "list_price": list_price,
            "price_ratio": ratio + rng.normal(0, 0.01, n),
            "status": "won",
        }
    )


def test_the_planted_segments_are_found_with_round_price_limits() -> None:
    segmentation = find_segments(planted_deals(), min_won=30)
    rules = {b: segmentation.rules(b) for b in segmentation.band_ids}
    assert sorted(map(json.dumps, rules.values())) == sorted(
        json.dumps(r)
        for r in (
            [{"feature": "family", "in": ["A"]}],
            [{"feature": "family", "in": ["B", "C"]}, {"feature": "list_price", "min": 100000.0}],
            [{"feature": "family", "in": ["B", "C"]}, {"feature": "list_price", "max": 100000.0}],
        )
    )


def test_structureless_prices_give_one_band() -> None:
    deals = planted_deals()
    deals["price_ratio"] = np.random.default_rng(5).normal(0.9, 0.04, len(deals))
    segmentation = find_segments(deals, min_won=30)
    assert segmentation.band_ids == ("B01",)
    assert segmentation.label("B01") == "alle Deals"
    assert segmentation.label("B01", "en") == "all deals"


def test_every_leaf_holds_at_least_min_won_won_deals(small_deals: pd.DataFrame) -> None:
    segmentation = find_segments(small_deals, min_won=30)
    won = small_deals[small_deals["status"] == "won"]
    counts = segmentation.assign(won).value_counts()
    assert len(segmentation.band_ids) >= 2
    assert set(counts.index) == set(segmentation.band_ids)
    assert counts.min() >= 30
    assert counts.sum() == len(won) == 685


def test_one_deal_alone_gets_the_band_of_the_bulk_lookup(small_deals: pd.DataFrame) -> None:
    segmentation = find_segments(small_deals, min_won=20)
    bulk = segmentation.assign(small_deals)
    alone = [segmentation.band_of(r) for r in small_deals.to_dict(orient="records")]
    assert bulk.tolist() == alone
    assert len(set(alone)) == len(segmentation.band_ids) >= 3


def test_the_json_round_trip_keeps_every_assignment(small_deals: pd.DataFrame) -> None:
    segmentation = find_segments(small_deals, min_won=20)
    restored = Segmentation.from_state(json.loads(json.dumps(segmentation.to_state())))
    assert restored == segmentation
    assert restored.assign(small_deals).equals(segmentation.assign(small_deals))


def hand_built() -> Segmentation:
    """Enterprise (left, 50 won) split by list price at 120,000; the rest (200 won) by family."""
    return Segmentation(
        nodes=(
            Node(
                won=250,
                feature="segment",
                left_values=frozenset({"Enterprise"}),
                right_values=frozenset({"Mittelstand", "Kleinunternehmen"}),
                left=1,
                right=4,
                larger_left=False,
            ),
            Node(
                won=50,
                feature="list_price",
                threshold=120_000.0,
                left=2,
                right=3,
                larger_left=False,
            ),
            Node(won=20, band_id="B01"),
            Node(won=30, band_id="B02"),
            Node(
                won=200,
                feature="family",
                left_values=frozenset({"Hydraulikaggregate", "Förderanlagen"}),
                right_values=frozenset({"Sensorik"}),
                left=5,
                right=6,
                larger_left=True,
            ),
            Node(won=150, band_id="B03"),
            Node(won=50, band_id="B04"),
        )
    )


def test_rules_and_labels_read_as_the_tree_splits() -> None:
    segmentation = hand_built()
    assert segmentation.rules("B02") == [
        {"feature": "segment", "in": ["Enterprise"]},
        {"feature": "list_price", "min": 120000.0},
    ]
    assert segmentation.label("B02") == "Enterprise · Listenpreis ab 120.000\u00a0€"
    assert segmentation.label("B01", "en") == "Enterprise · list price below €120,000"
    assert segmentation.label("B03") == (
        "Kleinunternehmen, Mittelstand · Förderanlagen, Hydraulikaggregate"
    )
    with pytest.raises(KeyError, match="unknown band 'B09'; the bands are B01, B02, B03, B04"):
        segmentation.rules("B09")


def test_unknown_and_missing_values_follow_the_larger_child() -> None:
    segmentation = hand_built()
    deal = {"segment": "Enterprise", "family": "Sensorik", "list_price": 150_000.0}
    assert segmentation.band_of(deal) == "B02"
    assert segmentation.band_of(deal | {"list_price": 119_999.0}) == "B01"
    # an unknown segment goes right (200 won deals), an unknown family left (150 of 200)
    assert segmentation.band_of(deal | {"segment": "Konzern", "family": "Neu"}) == "B03"
    assert segmentation.band_of({"segment": None, "family": "Sensorik"}) == "B04"
    # a missing list price goes to the larger child of Enterprise: from 120,000 (30 won)
    assert segmentation.band_of({"segment": "Enterprise", "list_price": None}) == "B02"
    frame = pd.DataFrame(
        [deal, {"segment": "Konzern", "family": "Neu"}, {"segment": "Enterprise"}],
        columns=list(SEGMENT_FEATURES),
    )
    assert segmentation.assign(frame).tolist() == ["B02", "B03", "B02"]


def test_too_few_won_deals_are_refused_and_few_give_one_band() -> None:
    deals = planted_deals(n=59)
    with pytest.raises(ValueError, match=r"at least 60 won deals .*the deals hold 59"):
        find_segments(deals, min_won=60)
    assert find_segments(deals, min_won=30).band_ids == ("B01",)
    with pytest.raises(ValueError, match=r"deals lack the column\(s\): region"):
        find_segments(deals.drop(columns="region"))
    with pytest.raises(ValueError, match="min_won must be at least 1, got 0"):
        find_segments(deals, min_won=0)


def test_a_broken_state_is_refused_with_its_reason() -> None:
    state = hand_built().to_state()
    state["nodes"][1]["left"] = 0
    with pytest.raises(ValueError, match="node 1 has bad children"):
        Segmentation.from_state(state)
    with pytest.raises(ValueError, match="missing or malformed 'nodes'"):
        Segmentation.from_state({})


def test_round_between_picks_the_roundest_price_between_two_deals() -> None:
    assert round_between(118_430.0, 131_200.0) == 120_000.0
    assert round_between(99_990.0, 100_010.0) == 100_000.0
    assert round_between(12_345.0, 12_346.0) == 12_346.0
    assert round_between(500.0, 500.0) == 500.0
