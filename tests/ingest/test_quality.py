"""``revintel quality`` and the import commands, end to end through the CLI."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from revintel.cli import app
from revintel.ingest import import_files, quality_report
from revintel.store import Store, open_store

from .conftest import WriteFile

NOW = datetime(2025, 1, 1)
ACCOUNTS = "account_id,name,country\nA1,Acme GmbH,DE\nA2,ACME AG,\nA3,Initech,DE\n"
OPPORTUNITIES = """opportunity_id,account_id,amount,created_at,closed_at,stage
O1,A1,1000,2024-01-10,2024-03-01,won
O2,A2,,2024-01-10,,offer_sent
O3,A1,-5,2024-01-10,,offer_sent
O4,A3,100,2024-02-01,,lost
"""
HISTORY = """entity_id,milestone,occurred_at
O4,opportunity_generated,2024-02-01
O4,lost,2024-02-20
"""


def test_quality_views(store: Store, write_file: WriteFile) -> None:
    files = [
        write_file("accounts.csv", ACCOUNTS),
        write_file("opps.csv", OPPORTUNITIES),
        write_file("history.csv", HISTORY),
    ]
    import_files(store, "generic", files, now=NOW)
    import_files(store, "generic", files, now=NOW)  # a re-import does not double the counts
    report = quality_report(store)
    country = report.completeness.query("table == 'accounts' and column == 'country'")
    assert country[["rows", "filled"]].values.tolist() == [[3, 2]]
    amount = report.completeness.query("table == 'opportunities' and column == 'amount'")
    assert amount[["rows", "filled"]].values.tolist() == [[3, 2]]
    assert report.rejections.to_dict(orient="records") == [
        {
            "source_system": "generic",
            "target_table": "opportunities",
            "reason": "negative amount",
            "rows": 1,
        }
    ]
    assert report.duplicates.to_dict(orient="records") == [
        {"source_system": "generic", "accounts": 3, "duplicate_in_source": 2, "in_other_sources": 0}
    ]
    history = report.history.iloc[0]
    assert (history["opportunities"], history["with_dated_history"], history["fully_dated"]) == (
        3,
        2,
        1,
    )


def test_import_and_quality_commands(tmp_path: Path, write_file: WriteFile) -> None:
    db = str(tmp_path / "cli.duckdb")
    runner = CliRunner()
    files = [str(write_file("accounts.csv", ACCOUNTS)), str(write_file("opps.csv", OPPORTUNITIES))]
    result = runner.invoke(app, ["import", "generic", *files, "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert (payload["rows_read"], payload["rows_accepted"], payload["rows_rejected"]) == (7, 6, 1)
    assert payload["rejected_by_reason"] == {"negative amount": 1}
    strict = runner.invoke(app, ["import", "generic", *files, "--db", db, "--strict"])
    assert strict.exit_code == 1
    assert "1 of 7 rows rejected, nothing loaded" in str(strict.exception)
    result = runner.invoke(app, ["quality", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    views = json.loads(result.output)
    assert views["rejected rows by reason"][0]["reason"] == "negative amount"
    with open_store(db) as store:
        assert store.row_counts()["opportunities"] == 3
