"""Files as they arrive: gzipped, zipped, workbooks of several sheets, and files that hold no
export."""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli._batches import BATCH_COMMANDS
from revintel.ingest import FileLimits, IngestError, import_files, preset_names, read_file
from revintel.server import Settings
from revintel.store import Store, open_store
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import build_store

NOW = datetime(2025, 1, 1)
ACCOUNTS = "account_id,name,country\nA1,Acme GmbH,DE\nA2,Globex AG,\nA3,Initech,DE\n"
OPPORTUNITIES = """opportunity_id,account_id,amount,created_at,closed_at,stage
O1,A1,1000,2024-01-10,2024-03-01,won
O2,A2,,2024-01-10,,offer_sent
O3,A1,-5,2024-01-10,,offer_sent
"""


def _gzip(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode()))
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name.endswith("/"):
                archive.writestr(zipfile.ZipInfo(name), b"")
            else:
                archive.writestr(name, data)
    return path


def _workbook(sheets: dict[str, str]) -> bytes:
    """A workbook with one sheet per CSV text (an empty text: an empty sheet)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, text in sheets.items():
        sheet = book.add_worksheet(name)
        for r, line in enumerate(text.splitlines()):
            sheet.write_row(r, 0, line.split(","))
    book.close()
    return out.getvalue()


def _stored(store: Store, name: str) -> pd.DataFrame:
    return store.table(name).to_pyarrow().to_pandas()


def test_a_gzipped_csv_reads_as_the_csv(tmp_path: Path) -> None:
    plain = tmp_path / "accounts.csv"
    plain.write_text(ACCOUNTS)
    packed = _gzip(tmp_path / "accounts.csv.gz", ACCOUNTS)
    assert read_file(packed).cells.equals(read_file(plain).cells)
    assert read_file(_gzip(tmp_path / "accounts.txt.gz", ACCOUNTS)).cells.num_rows == 3


def test_a_zip_archive_imports_every_file_inside(store: Store, tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "export.zip",
        {
            "export/": b"",
            "export/accounts.csv": ACCOUNTS.encode(),
            "export/opps.csv": OPPORTUNITIES.encode(),
            "__MACOSX/export/._accounts.csv": b"\x00\x05\x16\x07 resource fork",
            "export/.DS_Store": b"\x00\x00\x00\x01Bud1",
        },
    )
    report = import_files(store, "generic", [archive], now=NOW, file_names=["export.zip"])
    by_file = {f.file: (f.rows_read, f.rows_accepted, f.rows_rejected) for f in report.files}
    assert by_file == {
        "export.zip:export/accounts.csv": (3, 3, 0),
        "export.zip:export/opps.csv": (3, 2, 1),
    }
    rejected = _stored(store, "rejected_rows")
    assert rejected[["file", "row_number", "reason"]].values.tolist() == [
        ["export.zip:export/opps.csv", 4, "negative amount"]
    ]
    assert sorted(_stored(store, "accounts")["source_id"]) == ["A1", "A2", "A3"]
    batch = _stored(store, "import_batches").iloc[0]
    assert batch["files"].split("\n") == [
        "export.zip:export/accounts.csv",
        "export.zip:export/opps.csv",
    ]


def test_every_sheet_with_data_is_a_file_of_the_import(store: Store, tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(_workbook({"Notes": "", "Accounts": ACCOUNTS, "Deals & more": OPPORTUNITIES}))
    report = import_files(store, "generic", [book], now=NOW, file_names=["book.xlsx"])
    assert [(f.file, f.table, f.rows_accepted) for f in report.files] == [
        ("book.xlsx:Accounts", "accounts", 3),
        ("book.xlsx:Deals & more", "opportunities", 2),
    ]
    # The same workbook inside an archive: archive, member and sheet name each file.
    archive = _zip(tmp_path / "books.zip", {"book.xlsx": book.read_bytes()})
    again = import_files(store, "generic", [archive], now=NOW, file_names=["books.zip"])
    assert [f.file for f in again.files] == [
        "books.zip:book.xlsx:Accounts",
        "books.zip:book.xlsx:Deals & more",
    ]
    assert store.row_counts()["opportunities"] == 2


def test_a_single_sheet_workbook_keeps_its_name(store: Store, tmp_path: Path) -> None:
    book = tmp_path / "accounts.xlsx"
    book.write_bytes(_workbook({"Sheet1": ACCOUNTS, "Empty": ""}))
    report = import_files(store, "generic", [book], now=NOW, file_names=["accounts.xlsx"])
    assert [(f.file, f.rows_accepted) for f in report.files] == [("accounts.xlsx", 3)]


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("export.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "a PNG image"),
        ("export.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        ("export.xlsx", random.Random(14).randbytes(4096), "binary data"),
        ("export.xls", b"<html><body><table><tr><td>Id</td></tr></table>", "an HTML page"),
        ("export.csv.gz", gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(64), mtime=0), "a PNG image"),
    ],
)
def test_a_file_that_is_no_export_is_refused_in_one_line(
    tmp_path: Path, name: str, content: bytes, looks_like: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as caught:
        read_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert looks_like in message
    assert "\n" not in message and "\\x" not in message


def test_the_cli_names_the_file_and_prints_no_bytes(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(2000))
    result = CliRunner().invoke(
        app, ["import", "generic", str(path), "--db", str(tmp_path / "s.duckdb")]
    )
    assert result.exit_code == 1
    assert str(result.exception) == (
        f"{path}: not a text or spreadsheet file (looks like a PNG image)"
    )


def test_archives_are_bounded_before_and_while_they_unpack(tmp_path: Path) -> None:
    limits = FileLimits(max_unpacked_bytes=100_000)
    zeros = "account_id,name\n" + "A,B\n" * 50_000  # 200,016 bytes, compresses to little
    archive = _zip(tmp_path / "bomb.zip", {"accounts.csv": zeros.encode()})
    assert archive.stat().st_size < 5_000
    with pytest.raises(IngestError, match=r"bomb\.zip: unpacks to 200,016 bytes; the limit is"):
        import_files_limits(archive, limits)
    packed = _gzip(tmp_path / "bomb.csv.gz", zeros)
    with pytest.raises(IngestError, match=r"bomb\.csv\.gz: unpacks beyond the limit of 100,000"):
        read_file(packed, limits=limits)


def import_files_limits(path: Path, limits: FileLimits) -> None:
    with open_store(":memory:") as store:
        import_files(store, "generic", [path], now=NOW, limits=limits)


def test_no_preset_is_called_like_an_import_command() -> None:
    assert set(BATCH_COMMANDS) == {"list", "undo"}
    assert not set(BATCH_COMMANDS) & set(preset_names())


def test_the_api_takes_gzipped_and_zipped_uploads(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    archive = _zip(
        tmp_path / "export.zip",
        {"accounts.csv": ACCOUNTS.encode(), "deals/opps.csv": OPPORTUNITIES.encode()},
    )
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        client = LiveServer(url, db, tokens).client("marie")
        zipped = client.post(
            "/api/v1/imports", files=[("files", ("export.zip", archive.read_bytes(), "x"))]
        )
        assert zipped.status_code == 201, zipped.text
        assert [(f["file"], f["rows_accepted"]) for f in zipped.json()["files"]] == [
            ("export.zip:accounts.csv", 3),
            ("export.zip:deals/opps.csv", 2),
        ]
        packed = gzip.compress(ACCOUNTS.replace("Acme GmbH", "Acme SE").encode())
        gz = client.post(
            "/api/v1/imports", files=[("files", ("accounts.csv.gz", packed, "application/gzip"))]
        )
        assert gz.status_code == 201, gz.text
        assert gz.json()["written"] == {"accounts": 1}
        png = client.post(
            "/api/v1/imports",
            files=[("files", ("leads.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "text/csv"))],
        )
        assert png.status_code == 400
        assert png.json()["error"]["message"] == (
            "leads.csv: not a text or spreadsheet file (looks like a PNG image)"
        )
