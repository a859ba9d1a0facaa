"""Reading export files as users have them: every cell as text, whatever the delimiter or encoding.

Typing happens afterwards, per column (see :mod:`revintel.ingest._typing`), so a German
``31.12.2024`` is never mistaken for a number with a decimal comma.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from revintel.ingest._archives import (
    SNIFF_BYTES,
    FilePart,
    archive_members,
    describe,
    gunzip,
    is_workbook,
    member_on_disk,
    not_an_export,
    read_head,
)
from revintel.ingest._cells import CellProblem, defuse_cells
from revintel.ingest._errors import IngestError
from revintel.ingest._limits import FileLimits
from revintel.ingest._spreadsheets import SpreadsheetError, check_ooxml_extent, parse_in_child
from revintel.ingest._text import (
    as_utf8,
    detect_encoding,
    header_text,
    sniff_delimiter,
    strip_footer,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BadRow:
    """A physical row the reader could not split into the header's columns."""

    row_number: int
    text: str
    reason: str


@dataclass
class RawTable:
    """One file's cells as text.

    Attributes
    ----------
    file
        Path of the file as given.
    cells
        Every column as ``string``, header names stripped, empty cells as empty strings.
    row_numbers
        Record number in the file for each row of ``cells`` (the header is row 1).
    delimiter, encoding
        What the reader detected (``None`` for spreadsheets and Parquet).
    bad_rows
        Rows that could not be split into the header's columns.
    problems
        Rows to reject for cells that cannot be stored (control characters, overlong text).
    """

    file: str
    cells: pa.Table
    row_numbers: pa.Array
    delimiter: str | None = None
    encoding: str | None = None
    bad_rows: list[BadRow] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Data rows found in the file, including those the reader could not split."""
        return self.cells.num_rows + len(self.bad_rows)


def read_file(
    path: str | Path | FilePart,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    limits: FileLimits | None = None,
) -> RawTable:
    """Read a CSV/TSV/TXT, ``.xlsx`` or Parquet file with every cell as text.

    What the file's bytes are decides how it is read: text may come gzipped, a zip archive
    with one file inside is read as that file, and a file that holds no export (an image, a
    PDF) is refused in one line saying what it looks like.

    Parameters
    ----------
    path
        The file, or one export inside it (an archive member or workbook sheet).
    encoding, delimiter
        Override detection (CSV only).
    limits
        Bounds on size, extent and cells (defaults: :class:`FileLimits`); a file beyond them is
        refused, a row with a cell that cannot be stored is rejected.

    Returns
    -------
    RawTable
        The cells, their row numbers and what was detected.
    """
    part = path if isinstance(path, FilePart) else FilePart(Path(path))
    name = str(part)
    if not part.path.is_file():
        raise IngestError(f"{name}: no such file")
    limits = limits or FileLimits()
    if part.member is not None:
        with member_on_disk(part.path, part.member, name, limits) as unpacked:
            raw = _read_path(unpacked, part.sheet, name, encoding, delimiter, limits)
    else:
        raw = _read_path(part.path, part.sheet, name, encoding, delimiter, limits)
    return checked_cells(raw, limits)


def _read_path(
    path: Path,
    sheet: str | None,
    name: str,
    encoding: str | None,
    delimiter: str | None,
    limits: FileLimits,
) -> RawTable:
    """One file read by what its first bytes are; ``name`` is how messages call it."""
    what = describe(read_head(path))
    if (what == "zip" and is_workbook(path)) or what == "ole2":
        return _read_spreadsheet(path, name, sheet, limits)
    if what == "zip":
        members = archive_members(path, name, limits)
        if len(members) > 1:
            raise IngestError(
                f"{name}: a zip archive of {len(members)} files; import the archive to read each"
            )
        with member_on_disk(path, members[0], f"{name}:{members[0]}", limits) as unpacked:
            return _read_path(unpacked, sheet, f"{name}:{members[0]}", encoding, delimiter, limits)
    if what == "parquet":
        return _read_parquet(path, name, limits)
    if what == "gzip":
        data = gunzip(path, name, limits)
        inner = describe(data[:SNIFF_BYTES])
        if inner != "text":
            shown = {"zip": "a zip archive or workbook", "ole2": "an Excel workbook"}.get(
                inner, inner
            )
            raise IngestError(
                f"{name}: holds {shown} inside gzip; only text exports (CSV, TXT) are read gzipped"
            )
        return _read_delimited(data, name, encoding, delimiter)
    if what != "text":
        raise not_an_export(name, what)
    _check_size(name, path.stat().st_size, limits)
    return _read_delimited(path.read_bytes(), name, encoding, delimiter)


def checked_cells(raw: RawTable, limits: FileLimits) -> RawTable:
    """``raw`` once within ``limits``; cells that cannot be stored become row problems."""
    _check_extent(raw, limits)
    raw.cells, raw.problems = defuse_cells(raw.cells, limits.max_cell_chars)
    return raw


def _check_size(name: str, size: int, limits: FileLimits) -> None:
    if size > limits.max_unpacked_bytes:
        raise IngestError(
            f"{name}: holds {size:,} bytes of data; the limit is "
            f"{limits.max_unpacked_bytes:,} (split the file)"
        )


def _check_extent(raw: RawTable, limits: FileLimits) -> None:
    rows, columns = raw.rows_read, raw.cells.num_columns
    if rows > limits.max_rows or columns > limits.max_columns:
        raise IngestError(
            f"{raw.file}: {rows:,} rows × {columns:,} columns; the limits are "
            f"{limits.max_rows:,} rows and {limits.max_columns:,} columns"
        )
    if rows * columns > limits.max_cells:
        raise IngestError(
            f"{raw.file}: {rows:,} rows × {columns:,} columns; the limit is "
            f"{limits.max_cells:,} cells"
        )


def _read_delimited(
    data: bytes, name: str, encoding: str | None, delimiter: str | None
) -> RawTable:
    detected = encoding or detect_encoding(data)
    utf8 = as_utf8(data, detected, name)
    head = header_text(utf8, name)
    delimiter = delimiter or sniff_delimiter(head, name)
    utf8, footer = strip_footer(utf8, delimiter)
    if footer:
        logger.info("%s: ignored a footer of %d lines", name, footer)
    try:
        header = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), None)
    except csv.Error as exc:
        raise IngestError(f"{name}: cannot read the header row: {exc}") from None
    if not header or not any(h.strip() for h in header):
        raise IngestError(f"{name}: the file has no header row")
    names = unique_names(header)
    try:
        cells, bad = _parse(utf8, names, delimiter)
    except pa.ArrowInvalid as exc:
        if encoding is None and detected == "utf-8" and "UTF8" in str(exc):
            # Valid UTF-8 at the start only: the file is cp1252 after all.
            return _read_delimited(data, name, "cp1252", delimiter)
        raise IngestError(f"{name}: cannot read as delimited text: {exc}") from None
    if bad:
        # Rare: locate every record's first line exactly with a (slower) second pass.
        numbers, bad = _locate_records(bytes(utf8).decode("utf-8"), delimiter, len(names))
    else:
        numbers = pa.array(np.arange(2, cells.num_rows + 2, dtype=np.int64))
    return RawTable(name, cells, numbers, delimiter, detected, bad)


def _parse(
    utf8: bytes | memoryview, names: list[str], delimiter: str
) -> tuple[pa.Table, list[BadRow]]:
    bad: list[BadRow] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        reason = f"expected {row.expected_columns} fields, found {row.actual_columns}"
        bad.append(BadRow(row.number or 0, row.text, reason))
        return "skip"

    cells = pacsv.read_csv(
        pa.py_buffer(utf8),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=8 << 20),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False
        ),
    )
    return cells, bad


def _locate_records(text: str, delimiter: str, width: int) -> tuple[pa.Array, list[BadRow]]:
    """Line numbers of well-formed records and the malformed ones, as pyarrow splits them."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)
    good: list[int] = []
    bad: list[BadRow] = []
    start = reader.line_num + 1
    for record in reader:
        if record:
            if len(record) == width:
                good.append(start)
            else:
                line = delimiter.join(record)
                reason = f"expected {width} fields, found {len(record)}"
                bad.append(BadRow(start, line, reason))
        start = reader.line_num + 1
    return pa.array(good, pa.int64()), bad


def unique_names(header: list[str]) -> list[str]:
    """Header names stripped, empty ones numbered, repeated ones suffixed ``_2``, ``_3``…"""
    names: list[str] = []
    for i, raw in enumerate(header):
        base = raw.strip().lstrip("\ufeff") or f"column_{i + 1}"
        candidate, n = base, 2
        while candidate in names:
            candidate, n = f"{base}_{n}", n + 1
        names.append(candidate)
    return names


def cell_text(value: object) -> str:
    """A spreadsheet or Parquet value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_spreadsheet(path: Path, name: str, sheet: str | None, limits: FileLimits) -> RawTable:
    try:
        if is_workbook(path):
            check_ooxml_extent(path, limits)
        cells = parse_in_child(path, limits, sheet)
    except SpreadsheetError as exc:
        # An unpacked archive member is read from a temporary file: name it as the user does.
        raise IngestError(str(exc).replace(str(path), name)) from None
    numbers = pa.array(np.arange(2, cells.num_rows + 2, dtype=np.int64))
    return RawTable(name, cells, numbers)


def _read_parquet(path: Path, name: str, limits: FileLimits) -> RawTable:
    try:
        meta = pq.read_metadata(path)
        _check_size(name, _parquet_size(meta), limits)
        if meta.num_columns > limits.max_columns or meta.num_rows > limits.max_rows:
            raise IngestError(
                f"{name}: {meta.num_rows:,} rows × {meta.num_columns:,} columns; the limits are "
                f"{limits.max_rows:,} rows and {limits.max_columns:,} columns"
            )
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise IngestError(f"{name}: cannot read Parquet: {exc}") from None
    return RawTable(name, *text_cells(table, name))


def text_cells(table: pa.Table, name: str) -> tuple[pa.Table, pa.Array]:
    """Every column of typed ``table`` as text (nulls empty) and the rows' numbers (from 2)."""
    columns = {}
    for column_name, column in zip(table.column_names, table.columns, strict=True):
        try:
            text = column.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise IngestError(
                f"{name}: column {column_name}: cannot be read as text: {exc}"
            ) from None
        columns[column_name.strip()] = pc.fill_null(text, "")
    cells = pa.table(columns)
    return cells, pa.array(np.arange(2, cells.num_rows + 2, dtype=np.int64))


def _parquet_size(meta: pq.FileMetaData) -> int:
    """Uncompressed bytes of every column chunk, as the file's footer declares them."""
    return sum(
        meta.row_group(g).column(c).total_uncompressed_size
        for g in range(meta.num_row_groups)
        for c in range(meta.num_columns)
    )
