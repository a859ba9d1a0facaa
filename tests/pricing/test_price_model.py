"""Fitted price models: stored as JSON, loaded back to give identical guidance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revintel.pricing._deals import deal_frame
from revintel.pricing._guidance import guidance
from revintel.pricing._price_model import (
    ARTIFACT_VERSION,
    PriceModel,
    PriceModelError,
    latest_fit_id,
    load_price_model,
)
from revintel.store import open_store
from tests.pricing.fitted import fitted_small_store


@pytest.fixture(scope="module")
def fitted_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fitted_small_store(tmp_path_factory)


def test_one_stored_row_with_a_json_artifact_and_its_bands(fitted_db: Path) -> None:
    with open_store(fitted_db, read_only=True) as store:
        rows = store.table("price_models").to_pandas()
        fit_id = latest_fit_id(store)
        bands = store.table("price_bands").to_pandas()
        band_deals = store.table("price_band_deals").to_pandas()
    assert len(rows) == 1 and rows["fit_id"][0] == fit_id
    artifact = json.loads(rows["artifact"][0])
    assert artifact["version"] == ARTIFACT_VERSION and artifact["fit_id"] == fit_id
    assert set(artifact) >= {"bands", "response", "comparables", "as_of", "fitted_at"}
    assert rows["algorithm"][0] in ("logistic", "lightgbm_monotone")
    assert json.loads(rows["metrics"][0])["chosen"] == rows["algorithm"][0]
    mine = bands[bands["fit_id"] == fit_id]
    assert len(mine) == len(artifact["bands"]["table"]) >= 2
    assert (mine["floor"] <= mine["target"]).all() and (mine["target"] <= mine["stretch"]).all()
    assert (mine["won_deals"] >= 30).all()
    assert (band_deals["fit_id"] == fit_id).sum() > 1_000


def test_stored_then_loaded_model_gives_identical_guidance(fitted_db: Path) -> None:
    with open_store(fitted_db, read_only=True) as store:
        model = load_price_model(store)
        deals = deal_frame(store)
    assert model is not None
    again = PriceModel.from_state(json.loads(json.dumps(model.to_state())))
    records = deals[deals["status"] == "open"].head(5).to_dict(orient="records")
    assert len(records) == 5
    for record in records:
        assert guidance(again, record) == guidance(model, record)
    # the comparables survive too: the same neighbours with the same similarity
    first = guidance(model, records[0])["comparable_deals"]
    assert len(first["won"]) == 5 and len(first["lost"]) == 5


def test_no_model_loads_as_none_and_a_foreign_artifact_is_refused(
    small_pricing_db: Path, fitted_db: Path
) -> None:
    with open_store(small_pricing_db, read_only=True) as store:
        assert load_price_model(store) is None
        assert latest_fit_id(store) is None
    with open_store(fitted_db, read_only=True) as store:
        model = load_price_model(store)
    assert model is not None
    state = model.to_state() | {"version": 99}
    with pytest.raises(PriceModelError, match="artifact version 99"):
        PriceModel.from_state(state)
