"""The foundation commands, run as a user runs them: in a subprocess against a temporary store."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "revintel", *args], capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


def test_help_lists_the_commands() -> None:
    out = run("--help").stdout
    for command in ("init", "synth", "demo", "info"):
        assert command in out


def test_init_synth_info_round_trip(tmp_path: Path) -> None:
    db = str(tmp_path / "store" / "demo.duckdb")
    assert "created store" in run("init", "--db", db).stdout
    assert "up to date" in run("init", "--db", db).stdout
    out = run("synth", "--db", db, "--leads", "3000", "--accounts", "200", "--reps", "8").stdout
    # The summary wraps at the terminal's width, wherever the temporary path ends.
    assert "3,000 leads" in " ".join(out.split())
    info = json.loads(run("info", "--db", db, "--format", "json").stdout)
    assert info["schema_version"] == 10
    assert info["tables"]["leads"] == 3000
    # 200 customers, and the guest placeholder when a webshop order came without a customer
    # number (about 1.5 of a company this size)
    assert info["tables"]["accounts"] in (200, 201)
    assert info["tables"]["reps"] == 8
    assert Path(info["ground_truth"]).name == "demo.truth.json"
    truth = json.loads(Path(info["ground_truth"]).read_text(encoding="utf-8"))
    assert truth["config"]["leads"] == 3000
    csv_lines = run("info", "--db", db, "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "table,rows,description"
    assert any(line.startswith("leads,3000,") for line in csv_lines)


def test_errors_are_one_line_with_a_non_zero_exit(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db.duckdb"
    bad.write_text("this is not a database", encoding="utf-8")
    result = run("info", "--db", str(bad), check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot open store")
    assert "Traceback" not in result.stderr
    debug = run("--debug", "info", "--db", str(bad), check=False)
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_info_on_an_empty_store_in_every_format(tmp_path: Path, fmt: str) -> None:
    out = run("info", "--db", str(tmp_path / "e.duckdb"), "--format", fmt).stdout
    assert "milestones" in out


def test_demo_fills_every_table_of_the_model(tmp_path: Path) -> None:
    db = str(tmp_path / "demo" / "revintel.duckdb")
    out = run("demo", "--db", db, "--leads", "3000", "--no-serve").stdout
    assert "imported planzahlen_2025.csv: 20 rows read, 18 accepted, 2 rejected" in out
    tables = json.loads(run("info", "--db", db, "--format", "json").stdout)["tables"]
    empty = [name for name, rows in tables.items() if rows == 0]
    # Filled only by what the demo's EUR-only exports do not contain: declared custom fields,
    # and exchange rates.
    assert sorted(empty) == ["custom_fields", "custom_values", "fx_rates"]
    assert tables["rejected_rows"] == 2
