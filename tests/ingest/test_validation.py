"""Validation: every bad input becomes a rejected row with its exact reason; nothing is lost."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from revintel.ingest import IngestError, StrictImportError, import_files
from revintel.store import Store

from .conftest import WriteFile

NOW = datetime(2025, 1, 1)
ACCOUNTS = "account_id,name,country\nA1,Acme GmbH,DE\nA2,Globex AG,DE\n"
OPPORTUNITIES = """opportunity_id,account_id,amount,created_at,closed_at,stage
O1,A1,1000,2024-01-10,2024-03-01,won
O2,A9,500,2024-01-10,,offer_sent
O3,A1,-5,2024-01-10,,offer_sent
O4,A1,100,2024-03-01,2024-02-01,lost
O5,A1,100,2030-01-01,,offer_sent
O1,A1,100,2024-01-10,,offer_sent
O7,A1,abc,2024-01-10,,offer_sent
O8,A1,100,,,offer_sent
O9,A1,100,2024-01-10,,Zauberei
O10,A1,100,2024-13-45,,offer_sent
O11,A1,100,2024-01-10,,offer_sent,extra
O12,A2,250,2024-02-01,,offer_sent
"""
EXPECTED = [
    (3, "account_id", "A9", "unknown account"),
    (4, "amount", "-5", "negative amount"),
    (5, "closed_at", "2024-02-01", "closed before created"),
    (6, "created_at", "2030-01-01", "date in the future"),
    (7, "opportunity_id", "O1", "duplicate source id"),
    (8, "amount", "abc", "not a number"),
    (9, "created_at", None, "missing created_at"),
    (10, "stage", "Zauberei", "unknown stage"),
    (11, "created_at", "2024-13-45", "not a date (yyyy-mm-dd)"),
    (12, None, "O11,A1,100,2024-01-10,,offer_sent,extra", "expected 6 fields, found 7"),
]


def _files(write_file: WriteFile) -> list[Path]:
    return [write_file("accounts.csv", ACCOUNTS), write_file("opportunities.csv", OPPORTUNITIES)]


def test_each_problem_has_its_row_column_value_and_reason(
    store: Store, write_file: WriteFile
) -> None:
    report = import_files(store, "generic", _files(write_file), now=NOW)
    rejected = report.rejections
    assert rejected is not None
    found = sorted(
        zip(
            rejected["row_number"].to_pylist(),
            rejected["column"].to_pylist(),
            rejected["value"].to_pylist(),
            rejected["reason"].to_pylist(),
            strict=True,
        ),
        key=lambda r: (r[0], r[3]),
    )
    assert found == sorted(EXPECTED, key=lambda r: (r[0], r[3]))
    opportunities = next(f for f in report.files if f.table == "opportunities")
    assert (opportunities.rows_read, opportunities.rows_accepted, opportunities.rows_rejected) == (
        12,
        2,
        10,
    )
    assert report.rows_read == report.rows_accepted + report.rows_rejected == 14


def test_rejections_and_the_batch_are_stored(store: Store, write_file: WriteFile) -> None:
    report = import_files(store, "generic", _files(write_file), now=NOW)
    stored = store.execute_sql(
        "SELECT file, row_number, reason, raw FROM rejected_rows ORDER BY row_number, reason"
    ).to_pylist()
    assert len(stored) == len(EXPECTED)
    assert stored[0]["file"].endswith("opportunities.csv")
    assert '"account_id": "A9"' in stored[0]["raw"]
    batch = store.execute_sql("SELECT * FROM import_batches").to_pylist()[0]
    assert batch["import_batch_id"] == report.batch_id
    assert (batch["rows_read"], batch["rows_accepted"], batch["rows_rejected"]) == (14, 4, 10)
    assert batch["status"] == "committed"
    ids = store.execute_sql("SELECT opportunity_id FROM opportunities ORDER BY 1").column(0)
    assert ids.to_pylist() == ["generic:O1", "generic:O12"]


def test_strict_loads_nothing_but_records_why(store: Store, write_file: WriteFile) -> None:
    with pytest.raises(StrictImportError, match="10 of 14 rows rejected, nothing loaded"):
        import_files(store, "generic", _files(write_file), strict=True, now=NOW)
    counts = store.row_counts()
    assert counts["accounts"] == counts["opportunities"] == counts["milestones"] == 0
    assert counts["rejected_rows"] == len(EXPECTED)
    status = store.execute_sql("SELECT status FROM import_batches").column(0).to_pylist()
    assert status == ["failed"]


def test_strict_passes_a_clean_file(store: Store, write_file: WriteFile) -> None:
    report = import_files(store, "generic", [write_file("a.csv", ACCOUNTS)], strict=True, now=NOW)
    assert report.rows_accepted == 2


def test_ambiguous_dates_fail_the_import_asking_for_the_format(
    store: Store, write_file: WriteFile
) -> None:
    text = "opportunity_id,created_at,stage\nO1,03/04/2024,offer_sent\nO2,05/06/2024,won\n"
    path = write_file("opps.csv", text)
    with pytest.raises(IngestError, match=r"opps\.csv: column 'created_at' .*--date-format"):
        import_files(store, "generic", [path], now=NOW)
    report = import_files(store, "generic", [path], now=NOW, date_format="dd/mm/yyyy")
    created = store.execute_sql("SELECT created_at FROM opportunities ORDER BY 1").column(0)
    assert [d.isoformat() for d in created.to_pylist()] == [
        "2024-04-03T00:00:00",
        "2024-06-05T00:00:00",
    ]
    assert report.rows_rejected == 0


def test_unrecognised_files_and_presets_are_named(store: Store, write_file: WriteFile) -> None:
    with pytest.raises(
        IngestError, match=r"x\.csv: its columns \(foo, bar\) match no generic export"
    ):
        import_files(store, "generic", [write_file("x.csv", "foo,bar\n1,2\n")])
    with pytest.raises(IngestError, match="unknown preset 'nope'; choose one of"):
        import_files(store, "nope", [write_file("y.csv", "a\n1\n")])


def test_files_are_recorded_under_the_names_given(store: Store, write_file: WriteFile) -> None:
    # uploads are read from a temporary folder but must be reported as the user named them
    files = _files(write_file)
    names = ["Accounts (CRM).csv", "Opportunities (CRM).csv"]
    with pytest.raises(StrictImportError):
        import_files(store, "generic", files, strict=True, now=NOW, file_names=names)
    stored = store.execute_sql("SELECT DISTINCT file FROM rejected_rows").column(0).to_pylist()
    assert stored == ["Opportunities (CRM).csv"]
    batch = store.execute_sql("SELECT files FROM import_batches").column(0).to_pylist()
    assert batch == ["Accounts (CRM).csv\nOpportunities (CRM).csv"]
    with pytest.raises(IngestError, match="2 file names given for 1 files"):
        import_files(store, "generic", files[:1], file_names=names)
