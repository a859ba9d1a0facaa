"""Price bands in the store: written in one transaction per fit, read back as fitted, on DuckDB
and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.pricing._band_store import (
    new_fit_id,
    store_bands,
    stored_band_deals,
    stored_bands,
)
from revintel.pricing._bands import PriceBands, band_positions, fit_bands
from revintel.pricing._deals import deal_frame
from revintel.store import Store, open_store


def check_round_trip(store: Store, bands: PriceBands, deals: pd.DataFrame) -> None:
    assert stored_bands(store).empty
    assert store_bands(store, bands, deals, "PF-1") == len(deals)
    # the same fit again replaces its rows; a later fit becomes the latest
    assert store_bands(store, bands, deals, "PF-1") == len(deals)
    back = stored_bands(store, "PF-1")
    expected = bands.table.drop(columns=["median_list_price"])
    pd.testing.assert_frame_equal(
        back[list(expected.columns)].astype({"won_deals": int, "deals": int}),
        expected.astype({"won_deals": int, "deals": int}),
        check_dtype=False,
    )
    assert set(back["fit_id"]) == {"PF-1"}
    placed = stored_band_deals(store, "PF-1")
    wanted = band_positions(deals, bands).sort_values("opportunity_id", ignore_index=True)
    assert placed["opportunity_id"].tolist() == wanted["opportunity_id"].tolist()
    assert placed["band_id"].tolist() == wanted["band_id"].tolist()
    assert placed["position"].tolist() == wanted["position"].tolist()
    assert placed["price_ratio"].to_numpy() == pytest.approx(wanted["price_ratio"].to_numpy())
    store_bands(store, bands, deals.iloc[:5], "PF-2")
    assert stored_bands(store)["fit_id"].unique().tolist() == ["PF-2"]
    assert len(stored_band_deals(store)) == 5
    assert len(stored_band_deals(store, "PF-1")) == len(deals)
    with pytest.raises(LookupError, match="no price bands are stored for fit 'PF-9'"):
        stored_bands(store, "PF-9")
    with pytest.raises(ValueError, match="fit_id must be non-empty and free of '/'"):
        store_bands(store, bands, deals, "a/b")


def test_bands_round_trip_on_duckdb(small_pricing_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(small_pricing_db, db)
    with open_store(db) as store:
        deals = deal_frame(store)
        bands = fit_bands(deals, min_won=30)
        check_round_trip(store, bands, deals)
        assert int(store.table("price_band_deals").count().execute()) == len(deals) + 5


def synthetic_deals(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    segment = rng.choice(["Enterprise", "Mittelstand"], n)
    return pd.DataFrame(
        {
            "opportunity_id": [f"O{i:05d}" for i in range(n)],
            "family": "A",
            "segment": segment,
            "industry": "Chemie",
            "region": "Nord",
            "value_tier": "none",
            "list_price": 50_000.0,
            "price_ratio": np.where(segment == "Enterprise", 0.85, 0.92) + rng.normal(0, 0.01, n),
            "current_price_ratio": np.nan,
            "status": rng.choice(["won", "lost", "open"], n, p=[0.5, 0.4, 0.1]),
        }
    )


@pytest.mark.postgres
def test_bands_round_trip_on_postgresql(postgres_url: str) -> None:
    deals = synthetic_deals()
    bands = fit_bands(deals, min_won=30)
    assert bands.table["segment"].tolist() == ["Enterprise", "Mittelstand"]
    with open_store(postgres_url) as store:
        check_round_trip(store, bands, deals)


def test_fit_ids_are_readable_and_unique() -> None:
    now = datetime(2026, 3, 1, 9, 30, 5)
    first, second = new_fit_id(now), new_fit_id(now)
    assert first.startswith("PF20260301-093005-") and len(first) == 22
    assert first != second or new_fit_id(now) != first
