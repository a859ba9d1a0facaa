"""Comparable deals: the nearest won and lost deals of a hand-made frame, band first."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from revintel.pricing._comparables import SHOWN, comparable_deals


def _deal(
    opp: str,
    status: str,
    list_price: float,
    discount: float,
    closed: str,
    family: str = "Core",
    segment: str = "Mittelstand",
    industry: str = "Handel",
    region: str = "Nord",
) -> dict[str, object]:
    return {
        "opportunity_id": opp,
        "account_id": "A" + opp[1:],
        "status": status,
        "won": {"won": 1.0, "lost": 0.0}.get(status, np.nan),
        "list_price": list_price,
        "discount": discount,
        "amount": list_price * (1 - discount),
        "closed_at": pd.Timestamp(closed) if status != "open" else pd.NaT,
        "family": family,
        "segment": segment,
        "industry": industry,
        "region": region,
    }


@pytest.fixture(scope="module")
def frame() -> tuple[pd.DataFrame, list[str]]:
    rows = [
        _deal("O01", "won", 100_000, 0.10, "2024-06-01"),  # the twin
        _deal("O02", "won", 100_000, 0.10, "2024-06-01", region="Süd"),  # one mismatch
        _deal("O03", "won", 400_000, 0.10, "2024-06-01"),  # 4× the price
        _deal("O04", "won", 100_000, 0.25, "2024-06-01"),  # a far higher discount
        _deal("O05", "won", 100_000, 0.10, "2020-06-01"),  # four years older
        _deal("O06", "won", 100_000, 0.10, "2024-06-01", family="Cloud", segment="Enterprise"),
        _deal("O07", "won", 100_000, 0.10, "2024-06-01"),  # a twin in another band
        _deal("O10", "lost", 100_000, 0.11, "2024-05-01"),
        _deal("O11", "lost", 90_000, 0.05, "2024-05-01"),
        _deal("O20", "open", 100_000, 0.10, "2024-06-01"),  # open: never comparable
    ]
    bands = ["B1", "B1", "B1", "B1", "B1", "B1", "B2", "B1", "B1", "B1"]
    return pd.DataFrame(rows), bands


def test_nearest_won_deals_come_in_order_of_distance_same_band_first(
    frame: tuple[pd.DataFrame, list[str]],
) -> None:
    deals, bands = frame
    comparables = comparable_deals(deals, bands)
    assert len(comparables) == 9  # the open deal is left out
    probe = _deal("O99", "open", 100_000, 0.10, "2024-06-01")
    found = comparables.nearest(probe, "B1", as_of="2024-06-01")
    won = [r["opportunity_id"] for r in found["won"]]
    # O01 identical; O02 one context mismatch (0.75); O05 four years older (~1.0);
    # O06 two mismatches (1.5); O04 and O03 farther in discount / price; O07 other band.
    assert won[:4] == ["O01", "O02", "O05", "O06"]
    assert len(won) == SHOWN and "O07" not in won
    assert found["won"][0]["similarity"] == 1.0
    assert found["won"][1]["similarity"] == pytest.approx(1 / 1.75, abs=1e-4)
    assert [r["opportunity_id"] for r in found["lost"]] == ["O10", "O11"]
    first = found["won"][0]
    assert first == {
        "opportunity_id": "O01",
        "account_id": "A01",
        "closed_at": "2024-06-01",
        "status": "won",
        "list_price": 100_000.0,
        "discount": 0.1,
        "amount": 90_000.0,
        "similarity": 1.0,
    }


def test_other_bands_fill_up_and_a_deal_is_never_its_own_comparable(
    frame: tuple[pd.DataFrame, list[str]],
) -> None:
    deals, bands = frame
    comparables = comparable_deals(deals, bands)
    found = comparables.nearest(deals.iloc[6].to_dict(), "B2", as_of="2024-06-01")
    won = [r["opportunity_id"] for r in found["won"]]
    assert "O07" not in won  # itself
    assert won[0] == "O01" and len(won) == SHOWN


def test_state_round_trip_gives_the_same_neighbours(frame: tuple[pd.DataFrame, list[str]]) -> None:
    deals, bands = frame
    comparables = comparable_deals(deals, bands)
    again = type(comparables).from_state(comparables.to_state())
    probe = _deal("O99", "open", 120_000, 0.13, "2024-06-01", industry="Bau")
    assert again.nearest(probe, "B1") == comparables.nearest(probe, "B1")


def test_a_lookup_among_five_thousand_deals_is_exact_and_fast() -> None:
    rng = np.random.default_rng(0)
    n = 5_000
    deals = pd.DataFrame(
        {
            "opportunity_id": [f"O{i:05d}" for i in range(n)],
            "account_id": [f"A{i % 500:04d}" for i in range(n)],
            "status": rng.choice(["won", "lost"], n),
            "list_price": rng.lognormal(11, 1, n),
            "discount": rng.uniform(0, 0.3, n),
            "amount": 1.0,
            "closed_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
            "family": rng.choice(["a", "b", "c"], n),
            "segment": rng.choice(["x", "y"], n),
            "industry": rng.choice(list("pqrst"), n),
            "region": rng.choice(list("nsew"), n),
        }
    )
    deals["won"] = (deals["status"] == "won").astype(float)
    comparables = comparable_deals(deals, rng.choice(["B1", "B2", "B3"], n).tolist())
    probe = deals.iloc[0].to_dict()
    found = comparables.nearest(probe, "B1")
    # the band-only lookup gives what ranking every deal by the full distance gives
    distance = comparables.distances(probe, "B1")
    distance[comparables.positions[probe["opportunity_id"]]] = np.inf
    for outcome, among in (("won", comparables.won), ("lost", ~comparables.won)):
        rows = np.flatnonzero(among)
        nearest = rows[np.argsort(distance[rows], kind="stable")][:SHOWN]
        expected = [comparables.rows["opportunity_id"][i] for i in nearest]
        assert [r["opportunity_id"] for r in found[outcome]] == expected
    started = time.perf_counter()
    for _ in range(200):
        comparables.nearest(probe, "B1")
    per_lookup = (time.perf_counter() - started) / 200
    assert per_lookup < 0.003  # ~0.3 ms on a quiet core; generous for a shared machine
