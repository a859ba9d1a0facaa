"""``revintel plan``: the JSON contract scripts rely on, CSV and Excel exports, plain errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plan_cli") / "store.duckdb"
    with open_store(path) as store:
        write_demo_company(store, SynthConfig(seed=3, leads=3_000, accounts=300, reps=6))
    return str(path)


def _plan(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["plan", "--db", db, "--draws", "200", *args])
    return result.exit_code, result.output


def test_json_has_needs_per_month_with_intervals_and_gap(db: str) -> None:
    code, out = _plan(db, "--target", "1500000", "--period", "2025-Q1", "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["target"] == 1_500_000 and doc["target_source"] == "argument"
    assert doc["period"] == {"start": "2025-01-01", "end": "2025-03-31"}
    assert doc["as_of"] == "2024-12-31" and doc["by"] == "channel"
    company = [r for r in doc["months"] if r["group"] == "total"]
    assert {r["stage"] for r in company} == {"mql", "sal", "sql", "opportunity", "won"}
    for row in company:
        assert row["required_low"] <= row["required_p50"] <= row["required_high"]
        assert row["gap"] == pytest.approx(row["required_p50"] - row["run_rate"], abs=0.011)
    totals = {r["stage"]: r for r in doc["totals"] if r["group"] == "total"}
    # each earlier stage needs more entries than the next
    need = [totals[s]["required_p50"] for s in ("mql", "sal", "sql", "opportunity", "won")]
    assert need == sorted(need, reverse=True) and need[-1] > 0
    won_months = sum(r["required_p50"] for r in company if r["stage"] == "won")
    assert won_months == pytest.approx(totals["won"]["required_p50"], rel=0.1)


def test_scenarios_in_json_and_csv_with_semicolons(db: str, tmp_path: Path) -> None:
    code, out = _plan(
        db,
        "--target",
        "1500000",
        "--period",
        "2025-Q1",
        "--by",
        "none",
        "--format",
        "json",
        "--scenario",
        "sal=mql_to_sal:1.5",
    )
    assert code == 0, out
    rows = json.loads(out)["scenarios"]
    mql = {r["scenario"]: r["required_p50"] for r in rows if r["stage"] == "mql"}
    assert mql["sal"] < mql["base"]
    target = tmp_path / "plan.csv"
    code, out = _plan(
        db,
        "--target",
        "1500000",
        "--period",
        "2025-Q1",
        "--format",
        "csv",
        "--lang",
        "de",
        "--output",
        str(target),
    )
    assert code == 0, out
    header = target.read_text(encoding="utf-8-sig").splitlines()[0]
    assert (
        header
        == "Monat;Gruppe;Stufe;Bedarf (Median);Untergrenze;Obergrenze;Ist-Rate je Monat;Lücke"
    )
    book = tmp_path / "plan.xlsx"
    code, out = _plan(
        db, "--target", "1500000", "--period", "2025-Q1", "--format", "xlsx", "--output", str(book)
    )
    assert code == 0 and book.read_bytes()[:2] == b"PK"


def test_missing_target_and_bad_period_fail_in_one_sentence(db: str) -> None:
    code, out = _plan(db, "--period", "2025-Q1")
    assert code == 1
    assert "the targets table has no target for 2025-01-01 to 2025-03-31" in out
    code, out = _plan(db, "--target", "1", "--period", "2025-Q7")
    assert code == 2 and "2025-Q7" in out
