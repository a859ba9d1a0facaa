"""Spreadsheets are bounded before their cells are parsed: no file can take the process down."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from revintel.ingest import IngestError, read_file
from revintel.ingest._spreadsheets import (
    SpreadsheetError,
    SpreadsheetLimits,
    column_number,
    parse_in_child,
)


def _far_cell_workbook(path: Path, *, declare: bool = True) -> Path:
    """A tiny workbook with one cell at XFD1048576 (the last cell Excel allows)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write(0, 0, "name")
    sheet.write(1_048_575, 16_383, "x")
    book.close()
    if not declare:
        _rewrite_sheet(path, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    return path


def _rewrite_sheet(path: Path, change: object) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name])  # type: ignore[operator]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)


def test_column_letters_are_numbered_as_excel_does() -> None:
    assert [column_number(c) for c in ("A", "Z", "AA", "AZ", "XFD")] == [1, 26, 27, 52, 16_384]


def test_a_far_declared_cell_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _far_cell_workbook(tmp_path / "far.xlsx")
    assert path.stat().st_size < 8_000
    with pytest.raises(IngestError, match=r"far\.xlsx: sheet sheet1 declares the range A1:XFD"):
        read_file(path)


def test_a_far_cell_without_declared_range_is_found_in_the_cells(tmp_path: Path) -> None:
    path = _far_cell_workbook(tmp_path / "far.xlsx", declare=False)
    with pytest.raises(IngestError, match=r"uses cells up to row 1,048,576, column 16,384"):
        read_file(path)


def test_the_cli_import_fails_with_one_line_instead_of_aborting(tmp_path: Path) -> None:
    path = _far_cell_workbook(tmp_path / "far.xlsx")
    db = tmp_path / "s.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "revintel", "import", "odoo", str(path), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "declares the range A1:XFD1048576" in done.stderr


def test_the_child_parser_fails_cleanly_when_memory_runs_out(tmp_path: Path) -> None:
    # Extent checks off: the dense grid the parser builds exceeds the child's address space.
    path = _far_cell_workbook(tmp_path / "far.xlsx")
    generous = SpreadsheetLimits(max_columns=20_000, max_cells=10**12, memory_bytes=1 << 30)
    with pytest.raises(SpreadsheetError, match=r"could not be read within 1,024 MiB of memory"):
        parse_in_child(path, generous)


def test_unpacked_size_is_bounded_by_what_actually_comes_out(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for row in range(3_000):
        sheet.write_row(row, 0, [f"value {row} {c}" for c in range(10)])
    book.close()
    with pytest.raises(IngestError, match=r"unpacks to [0-9,]+ bytes; the limit is 100,000"):
        read_file(path, limits=SpreadsheetLimits(max_unpacked_bytes=100_000))
    with pytest.raises(IngestError, match=r"3,000 rows × 10 columns; the limit is 20,000 cells"):
        read_file(path, limits=SpreadsheetLimits(max_cells=20_000))
    assert read_file(path).cells.num_rows == 2_999


def test_an_overlong_cell_is_named_by_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Firma", "Notiz"])
    sheet.write_row(1, 0, ["Müller GmbH", "kurz"])
    sheet.write_row(2, 0, ["Öz KG", "x" * 5_000])
    book.close()
    with pytest.raises(IngestError, match=r"row 3, column Notiz: a cell of 5,000 characters"):
        read_file(path, limits=SpreadsheetLimits(max_cell_chars=1_000))


def test_a_header_wider_than_the_sniffing_window_is_read_whole(tmp_path: Path) -> None:
    names = [f"Feld {i} " + "x" * 300 for i in range(300)]
    rows = [";".join(names)] + [";".join(str(r * 1000 + i) for i in range(300)) for r in range(3)]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert len(rows[0].encode()) > 1 << 16
    raw = read_file(path)
    assert raw.cells.num_rows == 3 and raw.cells.num_columns == 300
    assert raw.cells.column(299).to_pylist() == ["299", "1299", "2299"]
    assert raw.bad_rows == []


def test_a_header_row_without_end_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "endless.csv"
    path.write_bytes(b"a;" * (3 << 20))
    with pytest.raises(IngestError, match=r"endless\.csv: the header row is longer than"):
        read_file(path)
