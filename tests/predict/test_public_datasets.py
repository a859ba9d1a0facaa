"""Olist (MQL → won) and Maven (deal won/lost) scored through the CLI on imported stores.

Both are short: without options the horizon and the windows are chosen from the data, and the
learned model must beat the baselines on the validation window to be used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from revintel.cli import app
from revintel.ingest import import_files
from revintel.predict import load_model
from revintel.store import open_store
from tests.shared_data import shared_dataset

runner = CliRunner()
MAVEN_FILES = ("accounts.csv", "products.csv", "sales_teams.csv", "sales_pipeline.csv")


def _run(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


def _by_algorithm(rows: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {r["algorithm"]: r for r in rows if r["kind"] == kind}


def test_olist_leads_train_with_windows_chosen_from_the_data(tmp_path: Path) -> None:
    folder = shared_dataset("olist_marketing_funnel")
    db = tmp_path / "olist.duckdb"
    with open_store(db) as store:
        import_files(store, "olist", sorted(folder.glob("*.csv")))
    # MQLs span one year (June 2017 to May 2018): the 90th percentile of the days to a win
    # (180) leaves no training window, the median (21) does
    rows = _by_algorithm(_run("score", "train", "leads", "--db", str(db)), "lead_to_won")
    chosen = next(r for r in rows.values() if r["chosen"])
    assert chosen["horizon_days"] == 21
    assert chosen["train_to"] < chosen["validation_from"] < chosen["validation_to"]
    assert chosen["validation_to"] < chosen["test_from"] < chosen["test_to"]
    assert chosen["test_to"].startswith("2018-06-02")  # the last MQL's second snapshot
    assert chosen["rows"] > 1_000 and chosen["positives"] >= 30
    assert 0.6 < chosen["auc"] < 0.8
    assert rows["milestone_prior"]["auc"] == 0.5  # every Olist lead is an MQL
    with open_store(db, read_only=True) as store:
        record = load_model(store, "lead_to_won")
    assert "windows chosen from the data" in record.metrics["message"]
    assert "horizon 21 days" in record.metrics["message"]
    applied = {r["kind"]: r for r in _run("score", "apply", "leads", "--db", str(db))}
    assert applied["lead_to_won"]["algorithm"] == record.algorithm
    assert applied["lead_to_won"]["scored"] > 1_000


def test_maven_deals_drop_the_close_value(tmp_path: Path) -> None:
    folder = shared_dataset("maven_crm_sales_opportunities")
    db = tmp_path / "maven.duckdb"
    with open_store(db) as store:
        import_files(store, "maven", [folder / name for name in MAVEN_FILES])
    rows = _by_algorithm(_run("score", "train", "deals", "--db", str(db)), "deal_win")
    with open_store(db, read_only=True) as store:
        record = load_model(store, "deal_win")
    assert record.metrics["dropped"] == ["amount"]  # close_value is 0 on every lost deal
    assert rows["lightgbm"]["auc"] < 0.7  # without the leak there is little signal
    assert rows["points"]["auc"] == rows["milestone_prior"]["auc"] == 0.5
    chosen = rows[record.algorithm]
    assert chosen["chosen"] and chosen["rows"] > 500 and chosen["positives"] >= 30
    applied = {r["kind"]: r for r in _run("score", "apply", "--db", str(db))}
    assert applied["deal_win"]["scored"] == 2_089  # the open deals of the snapshot
    assert applied["lead_to_sql"]["algorithm"] == "(not trained)"  # Maven has no leads
