"""Every file type is bounded: size, extent, cells; and an import keeps a bounded rejection list."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revintel.ingest import (
    FileLimits,
    ImportBusyError,
    IngestError,
    TooManyRejectionsError,
    import_files,
    read_file,
)
from revintel.ingest._exclusive import exclusive_import
from revintel.store import Store

from .conftest import WriteFile


def test_a_csv_wider_than_the_limit_is_refused(write_file: WriteFile) -> None:
    path = write_file("wide.csv", ",".join(f"c{i}" for i in range(50)) + "\n" + "1," * 49 + "1\n")
    with pytest.raises(IngestError, match=r"wide\.csv: 1 rows × 50 columns; the limits are"):
        read_file(path, limits=FileLimits(max_columns=20))


def test_a_csv_with_more_cells_than_the_limit_is_refused(write_file: WriteFile) -> None:
    path = write_file("long.csv", "a,b\n" + "1,2\n" * 600)
    with pytest.raises(IngestError, match=r"600 rows × 2 columns; the limit is 1,000 cells"):
        read_file(path, limits=FileLimits(max_cells=1_000))


def test_a_csv_larger_than_the_limit_is_refused_before_it_is_read(write_file: WriteFile) -> None:
    path = write_file("big.csv", "a,b\n" + "1,2\n" * 1_000)
    with pytest.raises(IngestError, match=r"big\.csv: holds 4,004 bytes of data; the limit is"):
        read_file(path, limits=FileLimits(max_unpacked_bytes=1_000))


def test_a_parquet_file_beyond_the_limits_is_refused_from_its_footer(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"a": list(range(5_000)), "b": ["x" * 50] * 5_000}), path)
    with pytest.raises(IngestError, match=r"5,000 rows × 2 columns; the limits are 1,000 rows"):
        read_file(path, limits=FileLimits(max_rows=1_000))
    with pytest.raises(IngestError, match=r"holds [0-9,]+ bytes of data; the limit is 10,000"):
        read_file(path, limits=FileLimits(max_unpacked_bytes=10_000))


def test_parquet_cells_with_control_characters_reject_their_rows(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"id": ["1", "2"], "name": ["ok", "b\x00d"]}), path)
    raw = read_file(path)
    [problem] = raw.problems
    assert problem.column == "name" and problem.mask.to_pylist() == [False, True]
    assert raw.cells["name"].to_pylist() == ["ok", "b?d"]


def test_more_rejected_rows_than_the_limit_fail_the_import(
    store: Store, write_file: WriteFile
) -> None:
    rows = "".join(f"A{i},Name {i},DE\n" if i % 2 else f"A{i},Bad\x01,DE\n" for i in range(40))
    path = write_file("accounts.csv", "account_id,name,country\n" + rows)
    with pytest.raises(TooManyRejectionsError, match=r"accounts\.csv: 20 rows rejected, more"):
        import_files(store, "generic", [path], limits=FileLimits(max_rejected_rows=5))
    [batch] = store.table("import_batches").to_pyarrow().to_pylist()
    assert batch["status"] == "failed" and batch["rows_rejected"] == 20
    assert store.row_counts()["accounts"] == 0
    assert store.row_counts()["rejected_rows"] == 20


def test_an_import_waits_for_a_running_one_then_gives_up(
    store: Store, write_file: WriteFile
) -> None:
    path = write_file("accounts.csv", "account_id,name\nA1,Acme\n")
    with exclusive_import(store.location, 10), pytest.raises(ImportBusyError, match="another"):
        import_files(store, "generic", [path], wait_seconds=0.05)
    [batch] = store.table("import_batches").to_pyarrow().to_pylist()
    assert batch["status"] == "failed"
    assert store.row_counts()["accounts"] == 0
    assert import_files(store, "generic", [path]).written["accounts"] == 1
