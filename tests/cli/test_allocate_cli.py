"""``revintel allocate`` on a small generated company: the CSV contract scripts rely on (columns,
each rep's hours within the capacity stored for the rep), German CSV with semicolons and decimal
commas and German reasons, JSON equal to the library's plan, the subcommands, and the error
of a store without activities."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.allocation import AllocationInputError, estimate_potential
from revintel.cli import app
from revintel.store import open_store
from tests.allocation.company import SmallCompany, small_company

runner = CliRunner()
CONTRACT = ["rep_id", "account_id", "opportunity_id", "hours_per_week", "expected_gain", "reason"]
WIDE = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture(scope="module")
def company() -> SmallCompany:
    return small_company()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def _german_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_german_csv_keeps_the_contract_and_each_rep_s_capacity(company: SmallCompany) -> None:
    text = _run("allocate", "--db", str(company.db), "--format", "csv", "--lang", "de")
    header = text.splitlines()[0]
    assert header == ";".join(CONTRACT)
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == len(company.plan.assignments)
    assert all(bool(r["account_id"]) != bool(r["opportunity_id"]) for r in rows)
    hours = pd.Series([_german_number(r["hours_per_week"]) for r in rows])
    per_rep = hours.groupby([r["rep_id"] for r in rows]).sum()
    for rep, used in per_rep.items():
        assert used <= company.capacity[str(rep)] + 1e-9
    # inside sales is a quarter hour a week: written with a decimal comma
    assert any(r["hours_per_week"] == "0,25" for r in rows)
    assert all("." not in r["hours_per_week"] for r in rows)
    expected = company.plan.assignments.set_index(
        company.plan.assignments["account_id"].fillna(company.plan.assignments["opportunity_id"])
    )["expected_gain"]
    for row in rows[:20]:
        item = row["account_id"] or row["opportunity_id"]
        assert _german_number(row["expected_gain"]) == pytest.approx(expected[item])
    kept = [r for r in rows if r["reason"].startswith("Bestehende Betreuung bleibt")]
    assert kept and all("€" in r["reason"] for r in kept)


def test_json_is_the_library_s_plan(company: SmallCompany) -> None:
    document = json.loads(_run("allocate", "--db", str(company.db), "--format", "json"))
    plan = company.plan
    assert document["status"] == plan.status
    assert document["objective"] == pytest.approx(plan.objective, abs=0.01)
    got = pd.DataFrame(document["assignments"])
    assert list(got.columns[:6]) == CONTRACT
    for column in ("rep_id", "account_id", "opportunity_id"):
        assert got[column].tolist() == plan.assignments[column].tolist()
    assert got["hours_per_week"].tolist() == plan.assignments["hours_per_week"].tolist()
    assert got["expected_gain"].tolist() == pytest.approx(plan.assignments["expected_gain"])
    assert got["reason_kind"].tolist() == [r.kind for r in plan.assignments["reason"]]
    assert got["reason"].str.startswith(("existing relationship", "new rep", "taken over",
                                         "no owner", "open deal")).all()  # fmt: skip


def test_potential_subcommand_lists_the_library_s_white_space(company: SmallCompany) -> None:
    rows = json.loads(_run("allocate", "potential", "--db", str(company.db), "--format", "json"))
    with open_store(company.db, read_only=True) as store:
        expected = estimate_potential(store).by_account()
    assert [r["account_id"] for r in rows["accounts"]] == expected["account_id"].tolist()
    assert rows["accounts"][0]["white_space"] == pytest.approx(expected["white_space"].iloc[0])


def test_a_store_without_activities_is_one_line_naming_what_to_import(
    company: SmallCompany, tmp_path: Path
) -> None:
    copy = tmp_path / "without.duckdb"
    shutil.copy(company.db, copy)
    with open_store(copy) as store:
        store.truncate("activities")
    result = runner.invoke(app, ["allocate", "--db", str(copy)], env=WIDE)
    assert result.exit_code != 0
    # ``revintel`` prints an exception's message as its one line (revintel.cli.main)
    assert isinstance(result.exception, AllocationInputError)
    assert str(result.exception).startswith(
        "no sales activities: import activities (revintel import activities FILE)"
    )
