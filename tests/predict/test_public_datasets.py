"""Olist (MQL → won) and Maven (deal won/lost) scored through the CLI on imported stores.

Both are small: the learned model must be compared honestly with the baselines and give way
to the best of them when it does not beat them all.
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


def test_olist_mql_to_won_falls_back_to_naive_bayes(tmp_path: Path) -> None:
    folder = shared_dataset("olist_marketing_funnel")
    db = tmp_path / "olist.duckdb"
    with open_store(db) as store:
        import_files(store, "olist", sorted(folder.glob("*.csv")))
    # MQLs end in May 2018 and closed deals in November; won within 60 days of the MQL
    args = ("--db", str(db), "--as-of", "2018-08-31", "--horizon-days", "60", "--test-days", "60")
    rows = _by_algorithm(_run("score", "train", "leads", *args), "lead_to_won")
    assert rows["lightgbm"]["rows"] == rows["naive_bayes"]["rows"] > 2_000
    assert rows["naive_bayes"]["chosen"] and not rows["lightgbm"]["chosen"]
    assert 0.6 < rows["naive_bayes"]["auc"] < 0.7
    assert rows["milestone_prior"]["auc"] == 0.5  # every Olist lead is an MQL
    with open_store(db, read_only=True) as store:
        record = load_model(store, "lead_to_won")
    assert (
        record.status == "fallback" and "falling back to naive_bayes" in record.metrics["message"]
    )
    applied = _run("score", "apply", "leads", "--db", str(db), "--as-of", "2018-08-31")
    assert applied[0]["algorithm"] == "naive_bayes" and applied[0]["scored"] > 1_000


def test_maven_deals_drop_the_close_value_and_fall_back(tmp_path: Path) -> None:
    folder = shared_dataset("maven_crm_sales_opportunities")
    db = tmp_path / "maven.duckdb"
    with open_store(db) as store:
        import_files(store, "maven", [folder / name for name in MAVEN_FILES])
    args = ("--db", str(db), "--horizon-days", "90", "--test-days", "90")
    rows = _by_algorithm(_run("score", "train", "deals", *args), "deal_win")
    with open_store(db, read_only=True) as store:
        record = load_model(store, "deal_win")
    assert record.metrics["dropped"] == ["amount"]  # close_value is 0 on every lost deal
    assert rows["lightgbm"]["auc"] < 0.7  # without the leak there is little signal
    assert record.algorithm == "naive_bayes" and record.status == "fallback"
    assert rows["points"]["auc"] == rows["milestone_prior"]["auc"] == 0.5
    applied = {r["kind"]: r for r in _run("score", "apply", "--db", str(db))}
    assert applied["deal_win"]["scored"] == 2_089  # the open deals of the snapshot
    assert applied["lead_to_sql"]["algorithm"] == "(not trained)"  # Maven has no leads
