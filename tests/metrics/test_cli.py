"""The ``funnel``, ``kpi``, ``alerts`` and ``targets import`` commands on the hand-made company."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.store import Store, open_store
from tests.metrics.fixtures import hand_store

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "hand.duckdb")
    hand_store(path).close()
    return path


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_kpi_json_with_grain_breakdown_and_range(db: str) -> None:
    out = _invoke(
        "kpi",
        "mqls",
        "--db",
        db,
        "--grain",
        "quarter",
        "--by",
        "channel",
        "--from",
        "2024-01-01",
        "--to",
        "2024-03-31",
        "--format",
        "json",
    )
    rows = json.loads(out)
    assert {(r["channel"], r["value"]) for r in rows} == {("search", 4.0), ("webinar", 4.0)}
    assert all(r["period"] == "2024-01-01" for r in rows)


def test_kpi_csv_with_filter_and_comparison(db: str) -> None:
    out = _invoke(
        "kpi",
        "lvr",
        "--db",
        db,
        "--where",
        "channel=webinar",
        "--compare",
        "-f",
        "csv",
        "--as-of",
        "2024-06-30",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    # Webinar MQLs: February 2 (L5, L6), March 2 (L7, L8), April 1 (L9).
    assert [(r["period"], r["numerator"]) for r in rows] == [
        ("2024-02-01", "2"),
        ("2024-03-01", "2"),
        ("2024-04-01", "1"),
    ]
    assert rows[2]["value"] == "-0.5"
    assert rows[2]["previous"] == "0.0"


def test_kpi_table_and_catalogue_listing(db: str) -> None:
    assert "win_rate" in _invoke("kpi", "win_rate", "--db", db)
    listing = _invoke("kpi", "--list", "--lang", "de", "-f", "csv")
    assert "MQL→SAL-Akzeptanzrate" in listing


def test_funnel_overview_and_views(db: str) -> None:
    rows = json.loads(_invoke("funnel", "--db", db, "-f", "json", "--as-of", "2024-06-30"))
    assert [r["milestone"] for r in rows][:3] == ["mql", "sal", "sql"]
    leakage = _invoke("funnel", "--db", db, "--view", "leakage", "-f", "csv")
    assert "Falsche Zielgruppe" in leakage


def test_alerts_in_german(db: str, tmp_path: Path) -> None:
    company = tmp_path / "company.yaml"
    company.write_text(
        "kpis:\n  - id: mql_sal_acceptance\n    alert: {threshold: 0.7, min_count: 2, "
        "lookback_periods: 4}\n",
        encoding="utf-8",
    )
    out = _invoke(
        "alerts",
        "--db",
        db,
        "--metrics",
        str(company),
        "--lang",
        "de",
        "-f",
        "json",
        "--as-of",
        "2024-06-30",
    )
    reasons = [r["reason_de"] for r in json.loads(out) if r["kpi"] == "mql_sal_acceptance"]
    assert any("unter der Schwelle von 70,0 %" in r for r in reasons)


def test_bad_options_fail_with_one_clear_line(db: str) -> None:
    result = runner.invoke(app, ["kpi", "mqls", "--db", db, "--by", "colour"])
    assert result.exit_code != 0
    assert "unknown dimension" in str(result.exception)


def test_targets_import_then_coverage(tmp_path: Path) -> None:
    path = str(tmp_path / "t.duckdb")
    hand_store(path).close()
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "period_start;period_end;team;amount\n2024-07-01;2024-09-30;Süd;5000\n", encoding="utf-8"
    )
    assert "imported 1 target" in _invoke("targets", "import", str(targets), "--db", path)
    # Importing twice replaces instead of duplicating.
    _invoke("targets", "import", str(targets), "--db", path)
    with open_store(path, read_only=True) as store:
        assert store.table("targets").count().execute() == 2  # the fixture's Nord target + Süd
    rows = json.loads(
        _invoke("kpi", "pipeline_coverage", "--db", path, "--by", "team", "-f", "json")
    )
    assert {r["team"]: r["value"] for r in rows} == {"Nord": 0.0, "Süd": 0.8}


def test_targets_errors_name_file_row_and_column(tmp_path: Path) -> None:
    path = str(tmp_path / "t.duckdb")
    hand_store(path).close()
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "period_start,period_end,amount\n2024-07-01,2024-09-30,viel\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["targets", "import", str(targets), "--db", path])
    assert result.exit_code != 0
    assert f"{targets}: row 2: column amount: 'viel' is not a number" in str(result.exception)


def test_demo_summary_section_shows_funnel_and_alerts(demo: tuple[Store, object]) -> None:
    from rich.console import Console

    from revintel.cli._summary import SUMMARY_SECTIONS

    section = dict(SUMMARY_SECTIONS)["cli.demo.section.funnel"]
    console = Console(record=True, width=120)
    console.print(section(demo[0]))
    text = console.export_text()
    assert "95 % interval" in text
    assert "(Channel: Social media)" in text
    assert "open opportunities" in text
