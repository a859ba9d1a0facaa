"""Custom fields declared in a mapping: typed values per record, rejected like fields, updated."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from revintel.ingest import ImportReport, IngestError, import_files, undo_import
from revintel.store import Store

from .conftest import WriteFile

NOW = datetime(2024, 6, 1, 12, 0)
MAPPING = """
system: edu
objects:
  leads:
    table: leads
    detect: [Lead Number, Lead Origin]
    id: Lead Number
    fields:
      created_at: Created
      channel: Lead Origin
    custom:
      web_visits: {column: "Total Visits|Website Visits", type: number}
      last_activity: {column: Last Activity, type: text}
      do_not_email: {column: Do Not Email, type: flag}
      last_visit: {column: Last Visit Date, type: date}
      engagement_score: {column: Score, type: number, observed_at: Score Date}
"""
HEADER = (
    "Lead Number,Lead Origin,Created,Website Visits,Last Activity,Do Not Email,"
    "Last Visit Date,Score,Score Date\n"
)
LEADS = HEADER + (
    "L1,API,2024-01-05,3,Email Opened,No,2024-01-20,12.5,2024-02-01\n"
    "L2,Landing Page,2024-01-06,,Page Visited,Yes,,7,\n"
    "L3,API,2024-01-07,many,SMS Sent,No,2024-01-09,1,2024-01-10\n"
    "L4,API,2024-01-08,2,Email Opened,perhaps,2024-01-09,4,2024-01-10\n"
)


def _values(store: Store) -> dict[tuple[str, str], dict[str, object]]:
    rows = store.execute_sql("SELECT * FROM custom_values").to_pylist()
    return {(r["record_id"], r["field_name"]): r for r in rows}


def _import(store: Store, write_file: WriteFile, text: str) -> ImportReport:
    mapping = write_file("mapping.yaml", MAPPING)
    return import_files(store, "generic", [write_file("leads.csv", text)], mapping=mapping, now=NOW)


def test_values_are_typed_and_bad_rows_are_rejected(store: Store, write_file: WriteFile) -> None:
    report = _import(store, write_file, LEADS)
    # L3 has "many" visits, L4 "perhaps" as flag: both rejected, their values not written
    assert report.rows_accepted == 2 and report.rows_rejected == 2
    rejected = store.execute_sql(
        'SELECT row_number, "column", value, reason FROM rejected_rows ORDER BY row_number'
    ).to_pylist()
    assert [(r["row_number"], r["column"], r["value"]) for r in rejected] == [
        (4, "Website Visits", "many"),
        (5, "Do Not Email", "perhaps"),
    ]
    assert rejected[0]["reason"].startswith("not a number")
    values = _values(store)
    assert {k[0] for k in values} == {"edu:L1", "edu:L2"}
    assert len(values) == 2 * 5
    assert values[("edu:L1", "web_visits")]["number_value"] == 3.0
    assert values[("edu:L2", "web_visits")]["number_value"] is None
    assert values[("edu:L1", "last_activity")]["text_value"] == "Email Opened"
    assert values[("edu:L2", "do_not_email")]["flag_value"] is True
    assert values[("edu:L1", "do_not_email")]["flag_value"] is False
    assert values[("edu:L1", "last_visit")]["date_value"] == datetime(2024, 1, 20)
    # dated by its column where given, else by the import's time
    assert values[("edu:L1", "engagement_score")]["observed_at"] == datetime(2024, 2, 1)
    assert values[("edu:L2", "engagement_score")]["observed_at"] == NOW
    assert values[("edu:L1", "web_visits")]["observed_at"] == NOW
    fields = store.execute_sql(
        "SELECT field_name, field_type, label FROM custom_fields ORDER BY field_name"
    ).to_pylist()
    assert fields[-1] == {"field_name": "web_visits", "field_type": "number",
                          "label": "Website Visits"}  # fmt: skip
    assert len(fields) == 5


def test_reimport_updates_changed_values_only(store: Store, write_file: WriteFile) -> None:
    _import(store, write_file, LEADS)
    first = _values(store)
    later = datetime(2024, 7, 1)
    changed = LEADS.replace("L1,API,2024-01-05,3,", "L1,API,2024-01-05,9,")
    mapping = write_file("mapping.yaml", MAPPING)
    report = import_files(
        store, "generic", [write_file("leads2.csv", changed)], mapping=mapping, now=later
    )
    assert report.written["custom_values"] == 1
    values = _values(store)
    assert values[("edu:L1", "web_visits")]["number_value"] == 9.0
    assert values[("edu:L1", "web_visits")]["observed_at"] == later
    # an unchanged value keeps the time it was first seen
    assert values[("edu:L2", "last_activity")] == first[("edu:L2", "last_activity")]
    assert report.written.get("custom_fields", 0) == 0


def test_a_missing_declared_column_is_named(store: Store, write_file: WriteFile) -> None:
    text = LEADS.replace("Last Activity", "Activity")
    with pytest.raises(
        IngestError, match="custom field 'last_activity': no column 'Last Activity'"
    ):
        _import(store, write_file, text)
    assert store.execute_sql("SELECT count(*) FROM custom_values").column(0)[0].as_py() == 0


def test_bad_names_and_types_are_refused(
    store: Store, write_file: WriteFile, tmp_path: Path
) -> None:
    bad = MAPPING.replace("web_visits:", "Web Visits:").replace("type: text", "type: words")
    path = write_file("bad.yaml", bad)
    with pytest.raises(IngestError) as caught:
        import_files(store, "generic", [write_file("leads.csv", LEADS)], mapping=path)
    message = str(caught.value)
    assert "objects.leads.custom.Web Visits" in message
    assert "objects.leads.custom.last_activity.type" in message


def test_undo_restores_the_values_a_reimport_changed(store: Store, write_file: WriteFile) -> None:
    _import(store, write_file, LEADS)
    before = _values(store)
    changed = LEADS.replace("L1,API,2024-01-05,3,Email Opened", "L1,API,2024-01-05,9,SMS Sent")
    mapping = write_file("mapping.yaml", MAPPING)
    second = import_files(
        store, "generic", [write_file("leads2.csv", changed)], mapping=mapping, now=NOW
    )
    assert second.written["custom_values"] == 2
    undo_import(store, second.batch_id)
    assert _values(store) == before
