"""Importing a table or query of the store's own engine goes through the file pipeline."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from revintel.ingest import IngestError, TableSource, import_files, parse_mapping
from revintel.store import Store

NOW = datetime(2025, 1, 1)


@pytest.fixture
def extract(store: Store) -> Store:
    store.backend.create_database("crm")
    rows = pa.table(
        {
            "account_id": ["A1", "A2", "A3"],
            "name": ["Acme GmbH", "Globex AG", ""],
            "created_at": pa.array([datetime(2024, 5, 1, 9, 30), None, None], pa.timestamp("us")),
            "employees": pa.array([120, None, 7], pa.int64()),
        }
    )
    store.backend.create_table("accounts_extract", rows, database="crm")
    return store


def test_a_table_is_typed_validated_and_loaded_like_a_file(extract: Store) -> None:
    report = import_files(extract, "generic", [TableSource(table="crm.accounts_extract")], now=NOW)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (3, 2, 1)
    assert report.files[0].file == "table crm.accounts_extract"
    assert report.rejected_by_reason() == {"missing name": 1}
    t = extract.table("accounts")
    rows = t.order_by("account_id").select("account_id", "employees", "created_at")
    rows = rows.to_pyarrow().to_pylist()
    assert rows == [
        {"account_id": "generic:A1", "employees": 120, "created_at": datetime(2024, 5, 1, 9, 30)},
        {"account_id": "generic:A2", "employees": None, "created_at": None},
    ]


def test_a_mapping_object_may_name_its_source(extract: Store) -> None:
    mapping = parse_mapping(
        {
            "system": "crm",
            "objects": {
                "firms": {
                    "table": "accounts",
                    "id": "account_id",
                    "source": {"query": "SELECT * FROM crm.accounts_extract WHERE employees > 100"},
                    "fields": {"name": "name", "employees": "employees"},
                }
            },
        }
    )
    report = import_files(extract, "generic", [], mapping=mapping, now=NOW)
    assert report.written["accounts"] == 1
    assert extract.table("accounts").account_id.to_pyarrow().to_pylist() == ["crm:A1"]


def test_unknown_tables_bad_queries_and_bad_mappings_are_named(extract: Store) -> None:
    with pytest.raises(IngestError, match=r"table crm\.missing: no such table"):
        import_files(extract, "generic", [TableSource(table="crm.missing")], now=NOW)
    with pytest.raises(IngestError, match="query SELECT nonsense FROM: cannot be read"):
        import_files(extract, "generic", [TableSource(query="SELECT nonsense FROM")], now=NOW)
    with pytest.raises(IngestError, match="either a table or a query"):
        TableSource(table="a", query="SELECT 1")
    with pytest.raises(IngestError, match=r"objects.x.source: .*give either table or query"):
        parse_mapping(
            {"system": "s", "objects": {"x": {"table": "accounts", "id": "a", "source": {}}}},
            "m.yaml",
        )
    with pytest.raises(IngestError, match=r"objects\.x\.detect: needs the headers"):
        parse_mapping({"system": "s", "objects": {"x": {"table": "accounts", "id": "a"}}})
    with pytest.raises(IngestError, match="nothing to import"):
        import_files(extract, "generic", [], now=NOW)
