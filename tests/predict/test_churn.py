"""Churn early warning: the label against its definition, point-in-time features, out-of-time
evaluation beside the churn baselines, reasons, alerts and the CLI, on a demo company whose
repeat purchases follow a planted BG/NBD process with drop-out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.model import load_funnel
from revintel.predict import load_model, sentence, target
from revintel.predict._churn_evaluation import lead_times, threshold_at_precision
from revintel.predict._churn_features import CHURN_SPEC, churn_features
from revintel.predict._churn_risk import churn_alerts, churn_risk, warning_threshold
from revintel.predict._churn_snapshots import ChurnDefinition, account_snapshots, label_churn
from revintel.predict._dataset import build_frame
from revintel.predict._snapshots import history_end
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

# Larger than the scoring tests' company: about 770 customers, enough for a learned model
# one 365-day horizon after another.
CONFIG = SynthConfig(seed=11, leads=20_000, accounts=1_200, reps=12)
runner = CliRunner()


@pytest.fixture(scope="module")
def churn_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("churn") / "demo.duckdb"
    with open_store(path) as store:
        write_demo_company(store, CONFIG)
    return path


@pytest.fixture()
def store(churn_db: Path) -> Iterator[Store]:
    with open_store(churn_db) as opened:
        yield opened


def _run(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def trained(churn_db: Path) -> dict[str, Any]:
    """``revintel score train accounts`` and ``score apply accounts`` as a user runs them."""
    db = str(churn_db)
    return {
        "train": _run("score", "train", "accounts", "--db", db),
        "apply": _run("score", "apply", "accounts", "--db", db),
    }


def _orders(store: Store) -> pd.DataFrame:
    orders = store.table("orders").to_pandas()
    accounts = store.table("accounts").to_pandas()
    guests = set(accounts.loc[accounts["placeholder"].fillna(False), "account_id"])
    kept = orders.loc[(orders["kind"] != "return") & ~orders["account_id"].isin(guests)]
    return kept.assign(ordered_at=pd.to_datetime(kept["ordered_at"]))


def _churned_by_definition(orders: pd.DataFrame, account: str, at: pd.Timestamp) -> dict:
    """The churn definition computed directly on the raw orders of one account."""
    mine = orders.loc[orders["account_id"] == account, "ordered_at"]
    past = mine[mine <= at]
    days = np.sort(past.dt.normalize().unique())
    gaps = np.diff(days) / np.timedelta64(1, "D")
    median = float(np.median(gaps)) if len(gaps) else None
    window = ChurnDefinition().window(median)
    later = mine[(mine > at) & (mine <= at + pd.Timedelta(days=window))]
    active = len(past) > 0 and (at - past.max()) <= pd.Timedelta(days=365)
    return {"active": active, "window": window, "churned": later.empty}


def test_label_matches_the_definition_on_raw_orders(store: Store) -> None:
    tgt = target("account_churn")
    snapshots = account_snapshots(store, load_funnel())
    state = label_churn(store, snapshots, tgt, load_funnel()).to_pandas()
    last_order = _orders(store)["ordered_at"].max()
    known = state.loc[state["at"] + pd.Timedelta(days=365) <= last_order]
    sample = known.sample(300, random_state=3)
    orders = _orders(store)
    for row in sample.itertuples():
        expected = _churned_by_definition(orders, row.entity_id, pd.Timestamp(row.at))
        assert expected["active"] == (not row.ended), row
        if expected["active"]:
            assert row.churn_window_days == pytest.approx(expected["window"]), row
            assert expected["churned"] == pd.notna(row.outcome_at), row
    active = known.loc[~known["ended"]]
    assert 0.3 < active["outcome_at"].notna().mean() < 0.7  # churn is common, not universal
    assert active["churn_window_days"].min() >= 180 and active["churn_window_days"].max() == 365


def test_definition_rejects_a_window_above_its_cap() -> None:
    with pytest.raises(ValueError, match="window_days must lie between 1 and cap_days"):
        ChurnDefinition(window_days=400, cap_days=365)


def _features_at(store: Store, accounts: list[str], at: datetime) -> pd.DataFrame:
    snaps = ibis.memtable(
        pd.DataFrame({"entity_id": accounts, "at": pd.to_datetime([at] * len(accounts))})
    )
    state = label_churn(store, snaps, target("account_churn"), load_funnel())
    frame = churn_features(store, state).to_pandas()
    return frame.set_index("entity_id").loc[accounts, list(CHURN_SPEC.names)]


def test_features_ignore_orders_after_the_snapshot(churn_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(churn_db.read_bytes())
    at = datetime(2023, 6, 1)
    with open_store(copy) as store:
        orders = store.table("orders").to_pandas()
        before = orders.loc[(orders["ordered_at"] < at) & (orders["kind"] == "order")]
        accounts = sorted(before["account_id"].unique())[:25]
        first = _features_at(store, accounts, at)
        later = before.loc[before["account_id"].isin(accounts)].drop_duplicates("account_id")
        later = later.assign(
            order_id=later["order_id"] + "-later",
            ordered_at=pd.Timestamp(at) + pd.Timedelta(days=9),
        )
        store.insert("orders", later)
        second = _features_at(store, accounts, at)
    pd.testing.assert_frame_equal(first, second)
    assert first["p_alive"].between(0, 1).all() and first["days_since_order"].gt(0).all()


def test_training_reports_the_churn_baselines_out_of_time(trained: dict[str, Any]) -> None:
    rows = {r["algorithm"]: r for r in trained["train"]}
    assert set(rows) >= {"lightgbm", "points", "recency", "bgnbd_no_order", "bgnbd_not_alive"}
    assert sum(r["chosen"] for r in rows.values()) == 1
    # Measured on this company: LightGBM 0.610 (chosen on validation), BG/NBD P(no order)
    # 0.631, points 0.586, recency 0.541, 1 - P(alive) 0.472. The purchases follow BG/NBD, so
    # its P(no order) is hard to beat here; on the 3,000-account company LightGBM does (churn.md).
    assert rows["lightgbm"]["auc"] > 0.58
    assert rows["lightgbm"]["auc"] > rows["recency"]["auc"] + 0.04
    assert rows["lightgbm"]["auc"] > rows["bgnbd_no_order"]["auc"] - 0.05
    assert rows["bgnbd_no_order"]["auc"] > 0.6 > rows["bgnbd_not_alive"]["auc"]
    assert 0.45 < rows["bgnbd_no_order"]["average_precision"] < 0.8
    chosen = next(r for r in rows.values() if r["chosen"])
    assert chosen["auc"] > rows["recency"]["auc"]


def test_evaluation_is_kept_with_the_model(store: Store, trained: dict[str, Any]) -> None:
    record = load_model(store, "account_churn")
    churn = record.metrics["churn"]
    lead = churn["lead_time"]
    # set on the test window's first half, measured on its second: close to, not exactly, 0.5
    assert lead["precision_target"] == 0.5 and 0.4 <= lead["precision"] <= 0.6
    assert lead["threshold_set_before"] is not None
    assert 0 < lead["warned_episodes"] <= lead["churn_episodes"]
    assert 0 < lead["median_days_after_last_order"] < 365
    assert len(churn["calibration"]) == 10
    assert warning_threshold(record) == pytest.approx(lead["threshold"])


def test_apply_writes_account_scores(store: Store, trained: dict[str, Any]) -> None:
    applied = trained["apply"][0]
    assert applied["kind"] == "account_churn" and applied["scored"] > 300
    scores = store.table("scores").to_pandas()
    mine = scores.loc[scores["kind"] == "account_churn"]
    assert len(mine) == applied["scored"] and (mine["entity_type"] == "account").all()
    assert mine["score"].between(0, 1).all()


def test_churn_risk_has_reasons_in_both_languages(store: Store, trained: dict[str, Any]) -> None:
    risk = churn_risk(store, train=False)
    assert len(risk) > 300 and risk["churn_risk"].is_monotonic_decreasing
    assert risk["account_id"].is_unique
    explained = risk.loc[risk["reasons_de"] != ""]
    assert len(explained) > 0.5 * len(risk)
    assert explained["reasons_en"].ne("").all()
    top = risk.iloc[0]["reasons"]["positive"][0]
    assert top["de"] == sentence(top["feature"], _value_of(store, risk, top["feature"]), "de")
    assert sentence("days_since_order", 240.0, "de") == "seit 240 Tagen keine Bestellung"
    assert sentence("days_since_order", 240.0, "en") == "no order for 240 days"
    assert sentence("median_gap_days", 60.0, "en") == "usually orders every 60 days"


def _value_of(store: Store, risk: pd.DataFrame, feature: str) -> Any:
    snaps = ibis.memtable(
        pd.DataFrame({"entity_id": [risk.iloc[0]["account_id"]], "at": [history_end(store)]})
    )
    frame = build_frame(store, target("account_churn", 365), load_funnel(), snaps)
    return frame[feature].iloc[0]


def test_alerts_keep_valuable_accounts_above_the_threshold(
    store: Store, trained: dict[str, Any]
) -> None:
    risk = churn_risk(store, train=False)
    alerts = churn_alerts(risk, top_value_share=0.2)
    cut = risk["value_365d"].quantile(0.8)
    assert len(alerts) > 0 and alerts["warning"].all()
    assert (alerts["value_365d"] >= cut).all() and len(alerts) <= 0.2 * len(risk) + 1
    assert alerts["value_365d"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="top_value_share"):
        churn_alerts(risk, top_value_share=0)
    with pytest.raises(ValueError, match="lacks the column"):
        churn_alerts(risk.drop(columns=["warning"]))


def test_lead_time_counts_from_the_last_order_to_the_first_warning() -> None:
    last = pd.Timestamp("2024-01-10")
    at = pd.to_datetime(["2024-03-01", "2024-04-01", "2024-05-01", "2024-04-01"])
    frame = pd.DataFrame(
        {"entity_id": ["a", "a", "a", "b"], "at": at, "label": [1, 1, 1, 1],
         "last_order_at": [last, last, last, last], "churn_window_days": [180.0] * 4}
    )  # fmt: skip
    episodes = lead_times(frame, np.array([0.2, 0.7, 0.9, 0.1]), 0.5).set_index("entity_id")
    assert episodes.loc["a", "days_after_last_order"] == 82.0  # 10 January to 1 April
    assert episodes.loc["a", "days_before_window_end"] == 180.0 - 82.0
    assert pd.isna(episodes.loc["b", "warned_at"])  # never crossed the threshold
    y, p = np.array([1, 1, 0, 1, 0, 0]), np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    assert threshold_at_precision(y, p, 0.75) == 0.6  # 3 of the 4 top rows churn
    assert np.isnan(threshold_at_precision(np.zeros(3), np.ones(3), 0.5))
    with pytest.raises(ValueError, match="precision must lie in"):
        threshold_at_precision(y, p, 1.5)
