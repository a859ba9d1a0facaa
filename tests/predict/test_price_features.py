"""The deal score's price-band features: point in time, stored with the model, batch = real time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.model import load_funnel
from revintel.predict import (
    DEAL_SPEC,
    GradientBoostingScorer,
    RealTimeScorer,
    current_frame,
    load_model,
    score_frame,
    target,
    train_score,
    training_frame,
)
from revintel.predict._price_features import (
    BAND_FEATURES,
    PriceBandFeatures,
    point_in_time_band_features,
    with_band_features,
)
from revintel.predict._reasons import sentence
from revintel.predict._registry import ModelRecord, encode_artifact, register_model
from revintel.predict._snapshots import history_end
from revintel.pricing._bands import fit_bands
from revintel.store import Store, open_store

DAY = pd.Timedelta(days=1)
START = pd.Timestamp("2024-01-01")


def _deals(prices: list[float], closed: pd.Timestamp, first: int) -> pd.DataFrame:
    """Won deals of one kind (Mittelstand, Antriebstechnik) closed a day apart from ``closed``."""
    n = len(prices)
    return pd.DataFrame(
        {
            "opportunity_id": [f"O{first + i:04d}" for i in range(n)],
            "family": "Antriebstechnik",
            "segment": "Mittelstand",
            "industry": "Maschinenbau",
            "region": "Süd",
            "value_tier": "none",
            "list_price": 10_000.0,
            "price_ratio": prices,
            "status": "won",
            "closed_at": [closed + i * DAY for i in range(n)],
        }
    )


#: Twenty deals won in January at 90 % of list (target discount 10 %).
EARLY = _deals([0.88 + 0.002 * i for i in range(21)], START, 0)
#: Twenty deals won in July at 70 % of list: they would move the band's target to 20 % off.
LATE = _deals([0.68 + 0.002 * i for i in range(21)], START + 182 * DAY, 100)


def _snapshots() -> pd.DataFrame:
    """Open deals of the same kind seen in May (before the late deals) and in December."""
    at = [START + 130 * DAY, START + 140 * DAY, START + 340 * DAY]
    return pd.DataFrame(
        {
            "at": at,
            "discount": [0.15, 0.05, 0.15],
            "product_family": "Antriebstechnik",
            "segment": "Mittelstand",
            "industry": "Maschinenbau",
            "region": "Süd",
            "value_tier": "none",
            "list_price": 10_000.0,
        }
    )


def test_a_deal_won_after_a_snapshot_shapes_none_of_its_features() -> None:
    end = START + 364 * DAY
    rows = _snapshots()
    before, _ = point_in_time_band_features(EARLY, rows, end, every_days=30, min_won=10)
    both = pd.concat([EARLY, LATE], ignore_index=True)
    after, final = point_in_time_band_features(both, rows, end, every_days=30, min_won=10)
    may = rows["at"] < LATE["closed_at"].min()
    # The May snapshots read the January deals only, with or without the July ones.
    pd.testing.assert_frame_equal(after.loc[may], before.loc[may])
    assert after.loc[may, "discount_vs_band"].to_numpy() == pytest.approx([0.05, -0.05], abs=0.01)
    # Bands fitted on everything would have let the July deals move the May features ...
    hindsight = PriceBandFeatures(fit_bands(both, min_won=10)).frame(rows)
    early = before.loc[may, "discount_vs_band"]
    assert hindsight.loc[may, "discount_vs_band"].to_numpy() == pytest.approx(early - 0.1, abs=0.02)
    # ... and in December they do count: the band now holds the cheaper prices.
    december = ~may
    assert after.loc[december, "discount_vs_band"].iloc[0] == pytest.approx(-0.06, abs=0.02)
    assert before.loc[december, "discount_vs_band"].iloc[0] == pytest.approx(0.05, abs=0.01)
    assert final is not None and final.fitted_to == end


def test_positions_follow_the_band() -> None:
    rows = _snapshots()
    features, _ = point_in_time_band_features(EARLY, rows, START + 364 * DAY, every_days=30,
                                              min_won=10)  # fmt: skip
    # 15 % off a band whose won prices lie between 88 % and 92 % of list: below its floor;
    # 5 % off: above its stretch.
    assert features["band_position"].tolist() == [0.0, 3.0, 0.0]


def test_no_bands_before_enough_deals_were_won() -> None:
    rows = _snapshots().assign(at=START + 5 * DAY)
    features, final = point_in_time_band_features(EARLY, rows, START + 8 * DAY, every_days=5,
                                                  min_won=10)  # fmt: skip
    assert features[list(BAND_FEATURES)].isna().all().all() and final is None


@pytest.fixture(scope="module")
def band_model(module_db: Path) -> Iterator[tuple[Store, GradientBoostingScorer, ModelRecord]]:
    """LightGBM on the demo company's deal snapshots, with the bands of its last snapshot,
    registered as a deal score."""
    with open_store(module_db) as store:
        tgt = target("deal_win", 90)
        frame = training_frame(store, tgt, load_funnel())
        end = pd.Timestamp(frame["at"].max())
        train, bands = with_band_features(store, frame, end)
        gbm = GradientBoostingScorer(spec=DEAL_SPEC).fit(train, train["label"].to_numpy())
        gbm.encoder_.use_price_bands(bands)
        record = ModelRecord(
            model_id="deal_win-bands", kind="deal_win", algorithm="lightgbm",
            trained_at=datetime(2026, 1, 1), train_from=None, train_to=end.to_pydatetime(),
            test_to=None, features=list(DEAL_SPEC.names), metrics={"horizon_days": 90},
            baseline_metrics={}, library_versions={}, artifact=encode_artifact(gbm.to_state()),
            status="active",
        )  # fmt: skip
        register_model(store, record)
        yield store, gbm, record


def test_the_bands_are_stored_inside_the_model(
    band_model: tuple[Store, GradientBoostingScorer, ModelRecord],
) -> None:
    store, gbm, _ = band_model
    fitted = gbm.encoder_.price_bands
    loaded = load_model(store, model_id="deal_win-bands").scorer()
    assert isinstance(loaded, GradientBoostingScorer)
    stored = loaded.encoder_.price_bands
    assert fitted is not None and stored is not None
    assert stored.fitted_to == fitted.fitted_to
    pd.testing.assert_frame_equal(stored.bands.table, fitted.bands.table)
    assert stored.bands.segmentation == fitted.bands.segmentation
    assert len(stored.bands.table) >= 2
    # scoring open deals reads the stored bands: the same numbers after the round trip
    frame = current_frame(store, target("deal_win"), load_funnel(), history_end(store))
    np.testing.assert_array_equal(loaded.predict_proba(frame), gbm.predict_proba(frame))
    derived = loaded.encoder_.derived(frame)
    assert derived["discount_vs_band"].notna().mean() > 0.5


def test_real_time_band_features_equal_the_batch_ones(
    band_model: tuple[Store, GradientBoostingScorer, ModelRecord],
) -> None:
    store, _, record = band_model
    scorer = record.scorer()
    frame = current_frame(store, target("deal_win"), load_funnel(), history_end(store))
    batch = score_frame(scorer, frame)
    derived = scorer.encoder_.derived(frame)  # type: ignore[attr-defined]
    real_time = RealTimeScorer.from_record(record)
    checked = 0
    for i, values in enumerate(frame.to_dict(orient="records")):
        encoded = scorer.encoder_.encode_record(values)[0]  # type: ignore[attr-defined]
        single = dict(zip(DEAL_SPEC.names, encoded.tolist(), strict=True))
        for name in BAND_FEATURES:
            expected = float(derived[name].iloc[i])
            assert single[name] == pytest.approx(expected, abs=1e-12, nan_ok=True)
        checked += int(not np.isnan(single["discount_vs_band"]))
        scored = real_time.score(values)
        assert scored["score"] == pytest.approx(batch["score"].iloc[i], abs=1e-12)
        assert scored["reasons"] == batch["reasons"].iloc[i]
    assert checked > 20


def test_more_discount_against_the_band_never_lowers_the_win_chance(
    band_model: tuple[Store, GradientBoostingScorer, ModelRecord],
) -> None:
    _, gbm, _ = band_model
    scorer = RealTimeScorer(gbm)
    deal = {"milestone": "contract_negotiation", "milestone_rank": 7.0, "segment": "Mittelstand",
            "discount": 0.12, "band_position": 1.0}  # fmt: skip
    by_discount = [
        scorer.score({**deal, "discount_vs_band": d}, reasons=False)["score"]
        for d in np.linspace(-0.15, 0.15, 31)
    ]
    assert np.all(np.diff(by_discount) >= -1e-12)  # up to rounding of the summed trees
    by_position = [
        scorer.score({**deal, "discount_vs_band": 0.0, "band_position": p}, reasons=False)["score"]
        for p in (0.0, 1.0, 2.0, 3.0)
    ]
    assert np.all(np.diff(by_position) <= 1e-12)
    # a record's own discount moves all its price features at once: never downwards either
    priced = {key: value for key, value in deal.items() if key != "band_position"}
    by_own_discount = [
        scorer.score({**priced, "discount": d}, reasons=False)["score"]
        for d in np.linspace(0.0, 0.35, 36)
    ]
    assert np.all(np.diff(by_own_discount) >= -1e-12)
    assert by_own_discount[-1] > by_own_discount[0]


def test_training_stores_the_band_features_with_the_deal_score(module_db: Path) -> None:
    with open_store(module_db) as store:
        result = train_score(store, "deal_win")
    assert {"discount_vs_band", "band_position"} <= set(result.record.features)
    assert result.record.metrics["train_rows"] > 1_000


def test_reasons_name_the_price_band_in_german_and_english() -> None:
    assert sentence("discount_vs_band", 0.04, "de") == "Rabatt 4 Punkte über dem Preisband-Ziel"
    english = sentence("discount_vs_band", 0.04, "en")
    assert english == "discount 4 pts above the price band's target"
    assert sentence("discount_vs_band", -0.13, "de") == "Rabatt 13 Punkte unter dem Preisband-Ziel"
    assert sentence("band_position", 3.0, "en") == "price above the price band's stretch"
    assert sentence("band_position", 1.0, "de") == (
        "Preis zwischen Untergrenze und Ziel des Preisbands"
    )
    assert sentence("band_position", float("nan"), "de") == "Preis unbekannt"
