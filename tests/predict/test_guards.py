"""Guard rails: leakage on purpose-built leaky data, the minimum-data rule, drift."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from revintel.model import load_funnel
from revintel.predict import (
    LeakageError,
    build_frame,
    check_leakage,
    check_minimum_data,
    drift,
    leaky_features,
    psi,
    target,
    train_score,
)
from revintel.predict._guards import filled_at_closing, reference_distribution
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company


def _lead_frame(store: Store, lead_id: str, at: datetime) -> pd.DataFrame:
    snaps = ibis.memtable(pd.DataFrame({"entity_id": [lead_id], "at": [pd.Timestamp(at)]}))
    return build_frame(store, target("lead_to_sql"), load_funnel(), snaps)


def test_touches_after_the_prediction_time_are_not_seen(module_store: Store) -> None:
    leads = module_store.table("leads").to_pandas().sort_values("lead_id")
    lead = leads.iloc[100]
    at = (lead["created_at"] + pd.Timedelta(hours=1)).to_pydatetime()
    before = _lead_frame(module_store, lead["lead_id"], at)
    future = pd.DataFrame(
        {
            "touchpoint_id": ["T-future-1", "T-future-2"],
            "lead_id": [lead["lead_id"]] * 2,
            "channel": ["webinar"] * 2,
            "kind": ["webinar"] * 2,
            "digital": [True] * 2,
            "self_service": [True] * 2,
            "occurred_at": [pd.Timestamp(at) + pd.Timedelta(minutes=m) for m in (1, 600)],
            "source_system": ["test"] * 2,
            "source_id": ["f1", "f2"],
            "import_batch_id": ["test"] * 2,
        }
    )
    module_store.insert("touchpoints", future)
    after = _lead_frame(module_store, lead["lead_id"], at)
    assert len(before) == 1
    pd.testing.assert_frame_equal(before, after)
    later = _lead_frame(module_store, lead["lead_id"], at + pd.Timedelta(days=1))
    assert later["webinars"].iloc[0] == before["webinars"].iloc[0] + 2


def test_a_feature_recorded_after_the_prediction_time_is_refused() -> None:
    at = pd.Timestamp("2024-03-01 12:00")
    frame = pd.DataFrame(
        {
            "entity_id": ["O1", "O2"],
            "at": [at, at],
            "quote_recorded_at": [at - pd.Timedelta(days=3), at + pd.Timedelta(seconds=1)],
        }
    )
    with pytest.raises(LeakageError, match=r"1 rows use quote data recorded after .* O2"):
        check_leakage(frame)
    check_leakage(frame.iloc[:1])


def test_a_column_written_with_the_outcome_is_detected_and_dropped(module_db: Path) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2_000)
    frame = pd.DataFrame(
        {
            "honest": rng.normal(size=2_000) + 0.3 * y,
            "reason_filled": np.where(y == 1, "Preis", None),
            "close_value": np.where(y == 1, rng.uniform(1e3, 1e5, 2_000), 0.0),
        }
    )
    assert leaky_features(frame, y, ("honest", "reason_filled", "close_value")) == [
        "reason_filled",
        "close_value",
    ]


def test_an_amount_only_filled_on_closing_is_not_used(module_db: Path, tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.duckdb"
    leaky.write_bytes(module_db.read_bytes())
    with open_store(leaky) as store:
        store.execute_sql("UPDATE opportunities SET amount = NULL WHERE status = 'open'")
        store.execute_sql("UPDATE opportunities SET amount = 0 WHERE status = 'lost'")
        assert filled_at_closing(store) == ["amount"]
        result = train_score(store, "deal_win")
    assert result.record.metrics["dropped"] == ["amount"]
    assert "amount" not in result.record.features
    assert result.comparison.set_index("algorithm").loc["lightgbm", "auc"] < 0.85


def test_too_little_data_falls_back_to_a_prior_based_baseline(tmp_path: Path) -> None:
    assert check_minimum_data(1_000, 120).enough
    assert not check_minimum_data(999, 500).enough
    with open_store(tmp_path / "tiny.duckdb") as store:
        write_demo_company(store, SynthConfig(seed=3, leads=1_200, accounts=80, reps=5))
        result = train_score(store, "deal_win", horizon_days=120, test_days=365)
    assert result.record.status == "fallback"
    assert result.record.algorithm in ("naive_bayes", "points", "milestone_prior")
    assert "lightgbm" not in set(result.comparison["algorithm"])
    assert "a learned model needs at least 1,000 rows and 120 conversions" in result.message


def test_psi_is_zero_for_the_same_population_and_large_for_a_shifted_one() -> None:
    rng = np.random.default_rng(1)
    train = pd.DataFrame({"x": rng.normal(size=5_000), "c": rng.choice(["a", "b"], 5_000)})
    same = pd.DataFrame({"x": rng.normal(size=5_000), "c": rng.choice(["a", "b"], 5_000)})
    shifted = pd.DataFrame({"x": rng.normal(1.0, 1, 5_000), "c": ["a"] * 5_000})
    reference = {
        "x": reference_distribution(train["x"], categorical=False),
        "c": reference_distribution(train["c"], categorical=True),
    }
    stable = drift(reference, same).set_index("feature")
    moved = drift(reference, shifted).set_index("feature")
    assert (stable["psi"] < 0.02).all() and (stable["status"] == "stable").all()
    assert (moved["psi"] > 0.25).all() and (moved["status"] == "major").all()
    assert psi([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.4 * np.log(1.8) + 0.4 * np.log(5), 1e-9)
