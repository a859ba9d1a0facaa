"""``revintel init --timezone``, ``revintel store timezone``, ``info`` and ``import --timezone``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from revintel.cli import app
from revintel.store import open_store

runner = CliRunner()
LEAD = (
    "Id,LastName,Company,Status,CreatedDate\n00Q01,B,C,Open - Not Contacted,2024-03-31 01:30:00\n"
)


def test_init_sets_the_zone_and_the_store_command_shows_and_guards_it(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.duckdb")
    result = runner.invoke(app, ["init", "--db", db, "--timezone", "Europe/Vienna"])
    assert result.exit_code == 0, result.output
    assert "time zone Europe/Vienna" in result.output
    shown = runner.invoke(app, ["store", "timezone", "--db", db])
    assert shown.output.strip() == "Europe/Vienna"
    changed = runner.invoke(app, ["store", "timezone", "UTC", "--db", db])
    assert changed.exit_code == 0 and "time zone: UTC (was Europe/Vienna)" in changed.output
    info = json.loads(runner.invoke(app, ["info", "--db", db, "-f", "json"]).output)
    assert info["timezone"] == "UTC"
    lead = tmp_path / "Lead.csv"
    lead.write_text(LEAD, encoding="utf-8")
    imported = runner.invoke(
        app, ["import", "salesforce", str(lead), "--timezone", "Asia/Tokyo", "--db", db]
    )
    assert imported.exit_code == 0, imported.output
    with open_store(db, read_only=True) as store:
        [row] = store.execute_sql("SELECT created_at FROM leads").to_pylist()
    assert str(row["created_at"]) == "2024-03-30 16:30:00"  # 01:30 in Tokyo is 16:30 UTC
    refused = runner.invoke(app, ["store", "timezone", "Europe/Berlin", "--db", db])
    assert refused.exit_code != 0
    assert "--force" in str(refused.exception)
    forced = runner.invoke(app, ["store", "timezone", "Europe/Berlin", "--force", "--db", db])
    assert forced.exit_code == 0, forced.output


def test_unknown_zones_are_named(tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    result = runner.invoke(app, ["init", "--db", str(db), "--timezone", "Europe/Berln"])
    assert result.exit_code != 0
    assert "unknown time zone 'Europe/Berln'" in str(result.exception)
    assert not db.exists()
