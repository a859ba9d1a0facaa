"""Times of exports in other zones: stored as wall-clock times of the store's zone.

Expected values were worked out by hand from the zone rules: Berlin is UTC+1 in winter and
UTC+2 from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October
(31 March and 27 October 2024); New York is UTC-5 in winter and UTC-4 in summer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from revintel.ingest import IngestError, import_files
from revintel.store import (
    Store,
    StoreError,
    UnknownTimezoneError,
    open_store,
    set_store_timezone,
    store_timezone,
)

from .conftest import WriteFile

NOW = datetime(2025, 6, 1)
HEADER = "Id,FirstName,LastName,Company,Status,LeadSource,CreatedDate,ConvertedDate,IsConverted\n"


def _leads(created: list[str], converted: str = "") -> str:
    rows = [
        f"00Q{i:02d},A,B,C{i},Open - Not Contacted,Web,{value},{converted},false"
        for i, value in enumerate(created)
    ]
    return HEADER + "\n".join(rows) + "\n"


def _created(store: Store) -> list[str]:
    rows = store.execute_sql(
        "SELECT strftime(created_at, '%Y-%m-%d %H:%M:%S') AS at FROM leads ORDER BY source_id"
    ).to_pylist()
    return [str(r["at"]) for r in rows]


# The same instants, once as a UTC export and once as a Berlin export, around both DST changes.
AS_UTC = [
    "2024-03-31T00:30:00Z",  # 01:30 CET, half an hour before clocks go forward
    "2024-03-31T01:30:00Z",  # 03:30 CEST, half an hour after
    "2024-10-27 00:30:00",  # 02:30 CEST, first pass through the repeated hour
    "2024-10-27 02:30:00",  # 03:30 CET, after clocks went back
    "2024-12-31T16:08:54.272Z",
    "2024-07-01 07:30:00",
]
AS_BERLIN = [
    "2024-03-31 01:30:00",
    "2024-03-31 03:30:00",
    "2024-10-27 02:30:00",
    "2024-10-27 03:30:00",
    "2024-12-31 17:08:54.272",
    "2024-07-01T09:30:00",
]
STORED = [
    "2024-03-31 01:30:00",
    "2024-03-31 03:30:00",
    "2024-10-27 02:30:00",
    "2024-10-27 03:30:00",
    "2024-12-31 17:08:54",
    "2024-07-01 09:30:00",
]


def _open(tmp_path: Path, name: str) -> Store:
    return open_store(tmp_path / f"{name}.duckdb")


def test_a_utc_export_and_a_local_export_store_the_same_times(
    tmp_path: Path, write_file: WriteFile
) -> None:
    with _open(tmp_path, "utc") as store:
        import_files(store, "salesforce", [write_file("Lead.csv", _leads(AS_UTC))], now=NOW)
        from_utc = _created(store)
    with _open(tmp_path, "local") as store:
        path = write_file("Lead-local.csv", _leads(AS_BERLIN))
        import_files(store, "salesforce", [path], timezone="Europe/Berlin", now=NOW)
        from_local = _created(store)
    assert from_utc == STORED
    assert from_local == STORED


def test_the_option_overrides_the_preset_zone(tmp_path: Path, write_file: WriteFile) -> None:
    # Berlin times declared as UTC: 01:30Z is already summer time (03:30), 03:30Z is 05:30.
    with _open(tmp_path, "wrong") as store:
        path = write_file("Lead.csv", _leads(AS_BERLIN[:2]))
        import_files(store, "salesforce", [path], timezone="UTC", now=NOW)
        assert _created(store) == ["2024-03-31 03:30:00", "2024-03-31 05:30:00"]


def test_the_repeated_hour_maps_both_instants_to_one_wall_clock_time(
    store: Store, write_file: WriteFile
) -> None:
    path = write_file("Lead.csv", _leads(["2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z"]))
    import_files(store, "salesforce", [path], now=NOW)
    assert _created(store) == ["2024-10-27 02:30:00", "2024-10-27 02:30:00"]


def test_the_skipped_hour_is_read_with_the_offset_before_the_change(
    tmp_path: Path, write_file: WriteFile
) -> None:
    # 02:30 does not exist in Berlin that night; read as +01:00 (fold=0) it is 01:30Z.
    path = write_file("Lead.csv", _leads(["2024-03-31 02:30:00"]))
    with _open(tmp_path, "utc") as store:
        set_store_timezone(store, "UTC")
        import_files(store, "salesforce", [path], timezone="Europe/Berlin", now=NOW)
        assert _created(store) == ["2024-03-31 01:30:00"]
    with _open(tmp_path, "york") as store:
        set_store_timezone(store, "America/New_York")
        import_files(store, "salesforce", [path], timezone="Europe/Berlin", now=NOW)
        assert _created(store) == ["2024-03-30 21:30:00"]
    with _open(tmp_path, "berlin") as store:
        # Source and store zone agree: kept as written (and read back as 01:30Z, +01:00).
        import_files(store, "salesforce", [path], timezone="Europe/Berlin", now=NOW)
        assert _created(store) == ["2024-03-31 02:30:00"]


def test_values_with_their_own_offset_ignore_the_declared_zone(
    store: Store, write_file: WriteFile
) -> None:
    values = [
        "2024-03-05T10:00:00Z",  # 11:00 CET
        "2024-03-05 10:00:00+01:00",  # 10:00 CET
        "2024-07-05T10:00:00-0400",  # 14:00Z = 16:00 CEST
        "2024-03-05 10:00:00 UTC",  # 11:00 CET
        "2024-03-05 10:00:00",  # New York EST: 15:00Z = 16:00 CET
        "2024-07-05 10:00:00",  # New York EDT: 14:00Z = 16:00 CEST
    ]
    path = write_file("Lead.csv", _leads(values))
    import_files(store, "salesforce", [path], timezone="America/New_York", now=NOW)
    assert _created(store) == [
        "2024-03-05 11:00:00",
        "2024-03-05 10:00:00",
        "2024-07-05 16:00:00",
        "2024-03-05 11:00:00",
        "2024-03-05 16:00:00",
        "2024-07-05 16:00:00",
    ]


def test_dates_without_a_time_are_not_shifted(store: Store, write_file: WriteFile) -> None:
    path = write_file("Lead.csv", _leads(["2024-02-01", "2024-07-31"], converted="2024-02-20"))
    import_files(store, "salesforce", [path], now=NOW)
    assert _created(store) == ["2024-02-01 00:00:00", "2024-07-31 00:00:00"]
    rows = store.execute_sql(
        "SELECT strftime(occurred_at, '%Y-%m-%d %H:%M') AS at FROM milestones "
        "WHERE milestone = 'sql' AND NOT inferred"
    ).to_pylist()
    assert [r["at"] for r in rows] == ["2024-02-20 00:00", "2024-02-20 00:00"]


def test_a_store_in_utc_converts_a_berlin_export_back(
    tmp_path: Path, write_file: WriteFile
) -> None:
    with _open(tmp_path, "utc-store") as store:
        set_store_timezone(store, "UTC")
        path = write_file("Lead.csv", _leads(AS_BERLIN))
        import_files(store, "salesforce", [path], timezone="Europe/Berlin", now=NOW)
        assert _created(store) == [
            "2024-03-31 00:30:00",
            "2024-03-31 01:30:00",
            "2024-10-27 00:30:00",
            "2024-10-27 02:30:00",
            "2024-12-31 16:08:54",
            "2024-07-01 07:30:00",
        ]


def test_parquet_timestamps_with_a_zone_are_instants(store: Store, tmp_path: Path) -> None:
    instants = [datetime(2024, 3, 31, 0, 30), datetime(2024, 10, 27, 2, 30)]
    naive = [datetime(2024, 1, 15, 9, 0), datetime(2024, 8, 15, 9, 0)]
    for name, values, dtype in [
        ("aware", instants, pa.timestamp("us", "UTC")),
        ("naive", naive, pa.timestamp("us")),
    ]:
        table = pa.table(
            {
                "Id": [f"{name}1", f"{name}2"],
                "LastName": ["B", "B"],
                "Company": ["C", "D"],
                "Status": ["Open - Not Contacted"] * 2,
                "CreatedDate": pa.array(values, dtype),
            }
        )
        pq.write_table(table, tmp_path / f"Lead-{name}.parquet")
    files = [tmp_path / "Lead-aware.parquet", tmp_path / "Lead-naive.parquet"]
    # Declared New York: the naive column is New York time, the aware one keeps its instants.
    import_files(store, "salesforce", files, timezone="America/New_York", now=NOW)
    assert _created(store) == [
        "2024-03-31 01:30:00",
        "2024-10-27 03:30:00",
        "2024-01-15 15:00:00",
        "2024-08-15 15:00:00",
    ]


def test_xlsx_times_are_in_the_source_zone(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "Lead.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for col, name in enumerate(["Id", "LastName", "Company", "Status", "CreatedDate"]):
        sheet.write(0, col, name)
    for row, value in enumerate([datetime(2024, 3, 31, 0, 30), datetime(2024, 6, 1, 22, 0)], 1):
        sheet.write_row(row, 0, [f"x{row}", "B", f"C{row}", "Open - Not Contacted"])
        sheet.write_datetime(row, 4, value, stamp)
    book.close()
    import_files(store, "salesforce", [path], now=NOW)  # the preset's zone: UTC
    assert _created(store) == ["2024-03-31 01:30:00", "2024-06-02 00:00:00"]


def test_a_mapping_states_its_zone_and_unknown_zones_are_named(
    store: Store, write_file: WriteFile
) -> None:
    mapping = write_file(
        "erp.yaml",
        "system: erp\ntimezone: Mars/Olympus_Mons\nobjects:\n  x:\n    table: leads\n"
        "    detect: [lead_id]\n    id: lead_id\n",
    )
    with pytest.raises(IngestError, match=r"erp\.yaml: timezone: .*'Mars/Olympus_Mons'"):
        import_files(store, "generic", [mapping], mapping=mapping)
    path = write_file("Lead.csv", _leads(["2024-01-01 10:00"]))
    with pytest.raises(IngestError, match="unknown time zone 'Europe/Berln'"):
        import_files(store, "salesforce", [path], timezone="Europe/Berln")
    assert _created(store) == []


def test_a_generic_mapping_with_a_zone(store: Store, write_file: WriteFile) -> None:
    mapping = write_file(
        "crm.yaml",
        "system: crm\ntimezone: Asia/Tokyo\nobjects:\n  leads:\n    table: leads\n"
        "    detect: [key]\n    id: key\n    fields:\n      created_at: created\n",
    )
    path = write_file("leads.csv", "key,created\nk1,2024-01-10 09:00\nk2,2024-01-10\n")
    import_files(store, "generic", [path], mapping=mapping, now=NOW)
    # 09:00 in Tokyo (UTC+9) is 00:00Z, 01:00 in Berlin; the bare day stays.
    assert _created(store) == ["2024-01-10 01:00:00", "2024-01-10 00:00:00"]


def test_store_zone_default_change_and_refusal(tmp_path: Path, write_file: WriteFile) -> None:
    location = tmp_path / "zone.duckdb"
    with open_store(location) as store:
        assert store_timezone(store).key == "Europe/Berlin"
        assert set_store_timezone(store, "America/New_York").key == "America/New_York"
        with pytest.raises(UnknownTimezoneError, match="'Berlin/Europe'"):
            set_store_timezone(store, "Berlin/Europe")
        import_files(store, "salesforce", [write_file("Lead.csv", _leads(AS_UTC[:1]))], now=NOW)
        assert _created(store) == ["2024-03-30 20:30:00"]  # EDT since 10 March
        with pytest.raises(StoreError, match="--force"):
            set_store_timezone(store, "UTC")
        assert store_timezone(store).key == "America/New_York"
    with open_store(location, read_only=True) as store:
        assert store_timezone(store).key == "America/New_York"
    with open_store(location) as store:
        set_store_timezone(store, "UTC", force=True)
        # Stored times are not converted by a forced change.
        assert _created(store) == ["2024-03-30 20:30:00"]
    with open_store(location) as store:
        assert store_timezone(store) == ZoneInfo("UTC")


def test_import_batches_are_stamped_with_the_store_clock(
    tmp_path: Path, write_file: WriteFile
) -> None:
    with _open(tmp_path, "tokyo") as store:
        set_store_timezone(store, "Asia/Tokyo")
        before = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")).replace(tzinfo=None)
        import_files(store, "salesforce", [write_file("Lead.csv", _leads(AS_UTC[:1]))])
        after = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")).replace(tzinfo=None)
        [batch] = store.execute_sql(
            "SELECT started_at, finished_at FROM import_batches"
        ).to_pylist()
    assert before <= batch["started_at"] <= batch["finished_at"] <= after
