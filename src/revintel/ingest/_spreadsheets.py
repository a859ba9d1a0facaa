"""Reading spreadsheets safely: their extent is checked before a cell is parsed.

A spreadsheet may declare or place a single cell at ``XFD1048576``; a reader that builds the
sheet as a dense grid then asks for hundreds of gigabytes and the process aborts. So the
declared and actual extent of an Office Open XML workbook is read from its XML first (streamed,
with the decompressed size bounded), and the cells are then parsed in a child process whose
address space is limited: a file that still needs more memory fails with a clear error instead
of taking the importing process (or the server) down.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

from revintel.ingest._limits import FileLimits

OOXML_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_CHUNK = 1 << 20
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,7})\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"([A-Z0-9:]+)\"")
_RANGE_END = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")
# Longest tag fragment a regex must see whole when the XML arrives in chunks.
_OVERLAP = 256


#: Spreadsheets share the bounds of every other file type.
SpreadsheetLimits = FileLimits


class SpreadsheetError(ValueError):
    """The spreadsheet is larger than the limits allow, or cannot be parsed."""


def column_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - 64)
    return number


def check_ooxml_extent(path: Path, limits: SpreadsheetLimits) -> None:
    """Refuse an ``.xlsx`` whose parts unpack, or whose sheets extend, beyond ``limits``."""
    name = str(path)
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError(f"{name}: not a readable .xlsx workbook ({exc})") from None
    with book:
        declared = sum(info.file_size for info in book.infolist())
        if declared > limits.max_unpacked_bytes:
            raise SpreadsheetError(
                f"{name}: unpacks to {declared:,} bytes; the limit is "
                f"{limits.max_unpacked_bytes:,} (split the workbook or export it as CSV)"
            )
        budget = [limits.max_unpacked_bytes]
        for info in book.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _check_sheet(book, info, name, limits, budget)


def _check_sheet(
    book: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    limits: SpreadsheetLimits,
    budget: list[int],
) -> None:
    sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    rows = columns = 0
    tail = b""
    with book.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            # The declared sizes in a zip can lie; count what actually comes out.
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise SpreadsheetError(
                    f"{name}: sheet {sheet} unpacks beyond the limit of "
                    f"{limits.max_unpacked_bytes:,} bytes"
                )
            text = tail + chunk
            for match in _DIMENSION.finditer(text):
                _check_declared(match[1].decode(), name, sheet, limits)
            for match in _CELL_REF.finditer(text):
                columns = max(columns, column_number(match[1].decode()))
                rows = max(rows, int(match[2]))
            for match in _ROW_REF.finditer(text):
                rows = max(rows, int(match[1]))
            tail = text[-_OVERLAP:]
    _check_extent(rows, columns, name, sheet, "uses cells up to", limits)


def _check_declared(ref: str, name: str, sheet: str, limits: SpreadsheetLimits) -> None:
    end = _RANGE_END.search(ref)
    if end:
        columns, rows = column_number(end[1]), int(end[2])
        _check_extent(rows, columns, name, sheet, f"declares the range {ref}, i.e.", limits)


def _check_extent(
    rows: int, columns: int, name: str, sheet: str, what: str, limits: SpreadsheetLimits
) -> None:
    if rows > limits.max_rows or columns > limits.max_columns:
        raise SpreadsheetError(
            f"{name}: sheet {sheet} {what} row {rows:,}, column {columns:,}; the limits are "
            f"{limits.max_rows:,} rows and {limits.max_columns:,} columns"
        )
    if rows * columns > limits.max_cells:
        raise SpreadsheetError(
            f"{name}: sheet {sheet} {what} {rows:,} rows × {columns:,} columns; the limit is "
            f"{limits.max_cells:,} cells"
        )


def parse_in_child(path: Path, limits: SpreadsheetLimits, sheet: str | None = None) -> pa.Table:
    """Every cell of ``sheet`` (default: the first sheet with data), as text, parsed in a
    memory-limited child."""
    name = str(path)
    with tempfile.TemporaryDirectory(prefix="revintel-sheet-") as folder:
        out = Path(folder) / "cells.arrow"
        command = [sys.executable, "-m", "revintel.ingest._sheet_worker", str(path), str(out)]
        if sheet is not None:
            command.append(sheet)
        env = {**os.environ, "REVINTEL_SHEET_LIMITS": _limits_text(limits)}
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            said = lines[-1] if lines else ""
            if said.startswith("SpreadsheetError: "):
                raise SpreadsheetError(said.removeprefix("SpreadsheetError: "))
            raise SpreadsheetError(
                f"{name}: the spreadsheet could not be read within "
                f"{limits.memory_bytes >> 20:,} MiB of memory (exit {done.returncode}); "
                "export it as CSV"
            )
        with ipc.open_file(out) as reader:
            return reader.read_all()


def _limits_text(limits: SpreadsheetLimits) -> str:
    return limits.as_text()


def limits_from_text(text: str) -> SpreadsheetLimits:
    """The inverse of how :func:`parse_in_child` passes the limits to the child."""
    return FileLimits.from_text(text)
