"""``revintel campaign build | list | measure`` end to end on a small demo company."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from revintel.cli import app
from revintel.store import open_store
from tests.customers.campaign_company import AS_OF, FAMILY, pick, plant_orders, write_company

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(write_company(tmp_path_factory.mktemp("campaign-cli") / "company.duckdb"))


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_build_exports_the_treatment_list_measure_reports_uplift(db: str, tmp_path: Path) -> None:
    target_csv, target_xlsx = tmp_path / "ziel.csv", tmp_path / "targets.xlsx"
    common = ["--product", FAMILY, "--as-of", AS_OF, "--db", db]
    built = json.loads(_run("campaign", "build", *common, "--size", "120", "--control-share",
                            "0.5", "--seed", "11", "--name", "Software Q3", "--lang", "de",
                            "--output", str(target_csv), "--format", "json"))  # fmt: skip
    assert [m["group"] for m in built].count("treatment") == 120 and len(built) == 240
    with target_csv.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["Kunden-ID", "Kunde", "Ansprechpartner", "E-Mail", "Vertriebsmitarbeiter",
                       "Empfohlene Produkte", "Begründung", "Priorität"]  # fmt: skip
    treated = [m["account_id"] for m in built if m["group"] == "treatment"]
    assert [r[0] for r in rows[1:]] == treated  # by rank, and no control account
    assert rows[1][6].startswith("Kunden, die ") and "," in rows[1][7]

    _run("campaign", "build", *common, "--size", "30", "--seed", "2", "--lang", "en",
         "--output", str(target_xlsx))  # fmt: skip
    sheet = CalamineWorkbook.from_path(str(target_xlsx)).get_sheet_by_name("Target accounts")
    cells = sheet.to_python()
    assert cells[0][:3] == ["Account ID", "Account", "Contact person"] and len(cells) == 31

    listed = json.loads(_run("campaign", "list", "--db", db, "--format", "json"))
    assert [(c["name"], c["size"], c["control_size"]) for c in listed] == [
        (f"{FAMILY} {AS_OF}", 30, 8),
        ("Software Q3", 120, 120),
    ]
    campaign_id = listed[1]["campaign_id"]
    with open_store(db) as store:
        plant_orders(store, pick(treated, 0.5, 1), FAMILY, margin=30_000.0,
                     at=datetime(2024, 9, 1))  # fmt: skip
    measured = json.loads(_run("campaign", "measure", campaign_id, "--until", "2024-12-31",
                               "--db", db, "--format", "json"))  # fmt: skip
    orders = next(r for r in measured if r["outcome"] == "orders_family")
    assert orders["ci_low"] <= 0.5 <= orders["ci_high"] and orders["ci_low"] > 0
    assert orders["treatment_accounts"] == orders["control_accounts"] == 120
    table = _run("campaign", "measure", campaign_id, "--db", db, "--lang", "en")
    assert table.startswith(f"Uplift of {campaign_id} ({FAMILY}), orders after Jun 30, 2024")
    assert "share of" in table and "%" in table


def test_bad_options_are_named_and_record_nothing(db: str, tmp_path: Path) -> None:
    recorded = len(json.loads(_run("campaign", "list", "--db", db, "--format", "json")))
    result = runner.invoke(app, ["campaign", "build", "--product", FAMILY, "--size", "5",
                                 "--db", db, "--output", str(tmp_path / "x.txt")])  # fmt: skip
    assert result.exit_code != 0 and "--output must end in .csv or .xlsx" in result.output
    missing = "/no-such-folder/x.csv"
    result = runner.invoke(app, ["campaign", "build", "--product", FAMILY, "--size", "5",
                                 "--db", db, "--output", missing])  # fmt: skip
    assert result.exit_code != 0 and "does not exist" in result.output
    assert len(json.loads(_run("campaign", "list", "--db", db, "--format", "json"))) == recorded
    result = runner.invoke(app, ["campaign", "measure", "XC-none", "--db", db])
    assert isinstance(result.exception, LookupError)
    assert "no campaign 'XC-none'" in str(result.exception)
