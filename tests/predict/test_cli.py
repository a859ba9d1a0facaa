"""``revintel score`` as a user runs it: train, apply, explain and report on the demo company."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.predict import load_model
from revintel.store import open_store

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def cli_runs(module_db: Path) -> dict[str, Any]:
    db = str(module_db)
    return {
        "train": json.loads(_run("score", "train", "deals", "--db", db, "--format", "json")),
        "apply": json.loads(_run("score", "apply", "deals", "--db", db, "--format", "json")),
    }


def test_train_apply_and_report_deals(
    cli_runs: dict[str, Any], module_db: Path, tmp_path: Path
) -> None:
    db = str(module_db)
    trained = cli_runs["train"]
    assert [r["algorithm"] for r in trained] == ["naive_bayes", "points", "milestone_prior",
                                                 "lightgbm"]  # fmt: skip
    chosen = [r for r in trained if r["chosen"]]
    assert len(chosen) == 1
    if chosen[0]["algorithm"] != "lightgbm":  # fallback: the best baseline on validation
        baselines = [r for r in trained if r["algorithm"] != "lightgbm"]
        assert chosen[0] == min(baselines, key=lambda r: r["validation_log_loss"])
    # the windows are chosen from the data and reported with every row
    assert trained[0]["horizon_days"] > 0 and trained[0]["test_from"] < trained[0]["test_to"]
    applied = cli_runs["apply"]
    assert applied[0]["kind"] == "deal_win" and applied[0]["scored"] > 50
    assert 0.2 < applied[0]["mean_score"] < 0.7
    ids = json.loads(_run("score", "report", "--db", db, "--format", "json"))
    assert {r["algorithm"] for r in ids} == {"lightgbm", "naive_bayes", "points", "milestone_prior"}
    html = tmp_path / "scores.html"
    _run("score", "report", "--db", db, "--html", str(html), "--lang", "de")
    german = html.read_text(encoding="utf-8")
    assert "Kalibrierung" in german and "Scoring-Bericht" in german and "Calibration" not in german
    _run("score", "report", "--db", db, "--html", str(html), "--lang", "en")
    assert "Calibration" in html.read_text(encoding="utf-8")


def test_explain_names_reasons_in_the_chosen_language(
    cli_runs: dict[str, Any], module_db: Path
) -> None:
    db = str(module_db)
    with open_store(module_db, read_only=True) as store:
        entity = store.execute_sql("SELECT max(entity_id) FROM scores").column(0)[0].as_py()
    german = _run("score", "explain", entity, "--db", db, "--lang", "de", "-f", "json")
    english = _run("score", "explain", entity, "--db", db, "--lang", "en", "-f", "json")
    rows = json.loads(german)
    assert rows and german == english  # JSON carries both languages, whatever --lang says
    assert {r["direction"] for r in rows} <= {"positive", "negative"}
    assert all(r["reason_de"] != r["reason_en"] for r in rows)
    table = _run("score", "explain", entity, "--db", db, "--lang", "de")
    assert all(word in table for word in rows[0]["reason_de"].split()[:3])


def test_unknown_ids_and_empty_registries_give_one_clear_error(
    module_db: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.duckdb"
    open_store(empty).close()
    result = runner.invoke(app, ["score", "report", "--db", str(empty)])
    assert result.exit_code != 0
    assert "no trained models in the store" in str(result.exception)
    result = runner.invoke(app, ["score", "explain", "X404", "--db", str(module_db)])
    assert "no lead, opportunity or account with id 'X404'" in str(result.exception)


def test_training_speaks_german_when_asked(module_db: Path) -> None:
    db = str(module_db)
    table = _run("score", "train", "deals", "--db", db, "--lang", "de")
    with open_store(module_db, read_only=True) as store:
        record = load_model(store, "deal_win")
    german, english = record.metrics["message_de"], record.metrics["message"]
    assert german != english
    # the line under the model's name is the registry's German message, word for word
    assert " ".join(german.split()) in " ".join(table.split())
    assert english.split(";")[0] not in table
    assert "Horizont" in german and "Validierung" in german and "Test" in german
    assert re.search(r"\d\d\.\d\d\.\d{4}–\d\d\.\d\d\.\d{4}", german)  # days the German way
