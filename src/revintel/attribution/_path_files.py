"""Aggregated path files (channel paths with their conversion counts) read into :class:`Paths`.

Such files come from web-analytics exports and the ChannelAttribution package: one row per
path (``"eta > iota > alpha"``) with its conversions and, optionally, its conversion value and
the journeys on it that did not convert.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from revintel.attribution._paths import Paths

#: Accepted header names per column, compared in lower case with ``_``, ``-`` and spaces alike.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "path": ("path", "paths", "channel path", "pfad", "kanalpfad"),
    "conversions": ("total conversions", "conversions", "conversion", "konversionen"),
    "value": ("total conversion value", "conversion value", "value", "wert", "konversionswert"),
    "nulls": ("total null", "total nulls", "nulls", "null", "non conversions"),
}

#: Separators between the channels of a path, tried in this order; the first one found in any
#: path splits every path (channel names are stripped of surrounding spaces).
PATH_SEPARATORS = (">", "→", "|", ",", ";", "\t")

_NUMBER_COLUMNS = ("conversions", "value", "nulls")
_GERMAN_HEADERS = frozenset({"pfad", "kanalpfad", "konversionen", "wert", "konversionswert"})
_FILE_DELIMITERS = (";", "\t", ",")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GERMAN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


@dataclass(frozen=True)
class _Table:
    """The cells of a path file: header names and data rows with their spreadsheet numbers."""

    file: Path
    delimiter: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_path_file(path: Path) -> Paths:
    """Read an aggregated path file into journeys, one per distinct path.

    The file's delimiter (``;``, tab or ``,``) is taken from its header line. Header names are
    recognised case-insensitively (:data:`COLUMN_NAMES`): ``path``/``Pfad``,
    ``total_conversions``/``conversions``/``Konversionen`` and the optional
    ``total_conversion_value``/``value``/``conversion value``/``Wert`` and
    ``total_null``/``nulls``; other columns are ignored. The path separator is the first of
    :data:`PATH_SEPARATORS` found in the paths (``" > "``, ``">"``, ``"|"``, ``","``…). A
    ``;``-delimited file with a decimal comma in a number, or with German headers, is read in
    German number format (``1.234,5``). Rows repeating a path are added up; empty rows are
    skipped.

    Parameters
    ----------
    path
        The file (UTF-8 with or without byte-order mark, else Windows-1252).

    Returns
    -------
    Paths
        One journey per distinct path in the order of first appearance, with ``conversions``,
        ``nulls`` (0 without a nulls column) and ``value`` (0 without a value column). Channel
        codes number the channel names sorted alphabetically. No dates, roles or ids.

    Raises
    ------
    ValueError
        Naming the file, and for a wrong cell its row (as a spreadsheet numbers it: the header
        is row 1, the first data row row 2) and column: an empty path or channel name, a
        number that is not one, a negative or infinite number. Also when the file cannot be
        read, has no data rows or lacks the path or conversions column.
    """
    table = _read_table(Path(path))
    columns = _recognise_columns(table)
    german = table.delimiter == ";" and _uses_german_numbers(table, columns)
    texts = [_cell(table, row, cells, columns["path"]) for row, cells in table.rows]
    separator = next((s for s in PATH_SEPARATORS if any(s in text for text in texts)), None)
    journeys = [
        _channels(table, row, columns["path"], text, separator)
        for (row, _), text in zip(table.rows, texts, strict=True)
    ]
    numbers = {
        name: np.array(
            [_number(table, row, cells, columns[name], german) for row, cells in table.rows]
        )
        if name in columns
        else np.zeros(len(table.rows))
        for name in _NUMBER_COLUMNS
    }
    return _aggregate(journeys, numbers)


def _read_table(file: Path) -> _Table:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ValueError(f"{file}: cannot be read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise ValueError(f"{file}: the file is empty")
    delimiter = max(_FILE_DELIMITERS, key=header_line.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = list(enumerate(reader, 1))
    except csv.Error as exc:
        raise ValueError(f"{file}: not a readable CSV file ({exc})") from exc
    records = [(row, cells) for row, cells in records if any(c.strip() for c in cells)]
    (_, header), data = records[0], records[1:]
    if not data:
        raise ValueError(f"{file}: the file has a header but no data rows")
    for row, cells in data:
        if any(cell.strip() for cell in cells[len(header) :]):
            raise ValueError(
                f"{file}: row {row} has {len(cells)} cells but the header only {len(header)} "
                f"columns (is the delimiter {delimiter!r} also inside a cell without quotes?)"
            )
    return _Table(file, delimiter, [name.strip() for name in header], data)


def _recognise_columns(table: _Table) -> dict[str, int]:
    """Position of each recognised column; the path and conversions columns are required."""
    found: dict[str, int] = {}
    for position, name in enumerate(table.header):
        key = re.sub(r"[\s_\-]+", " ", name.lower()).strip()
        for column, aliases in COLUMN_NAMES.items():
            if key not in aliases:
                continue
            if column in found:
                raise ValueError(
                    f"{table.file}: both {table.header[found[column]]!r} and {name!r} hold the "
                    f"{column}; keep one of them"
                )
            found[column] = position
    for column in ("path", "conversions"):
        if column not in found:
            raise ValueError(
                f"{table.file}: no {column} column (a header named "
                f"{' or '.join(repr(a) for a in COLUMN_NAMES[column][:3])}); "
                f"found the columns {', '.join(repr(h) for h in table.header)}"
            )
    return found


def _uses_german_numbers(table: _Table, columns: dict[str, int]) -> bool:
    headers = {table.header[p].strip().lower() for p in columns.values()}
    if headers & _GERMAN_HEADERS:
        return True
    positions = [columns[name] for name in _NUMBER_COLUMNS if name in columns]
    return any("," in cells[p] for _, cells in table.rows for p in positions if p < len(cells))


def _cell(table: _Table, row: int, cells: list[str], position: int) -> str:
    text = cells[position].strip() if position < len(cells) else ""
    if not text:
        raise ValueError(f"{table.file}: row {row}, column {table.header[position]!r}: empty")
    return text


def _channels(
    table: _Table, row: int, position: int, text: str, separator: str | None
) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(separator)) if separator else (text,)
    if not all(names):
        raise ValueError(
            f"{table.file}: row {row}, column {table.header[position]!r}: the path {text!r} "
            "has an empty channel name"
        )
    return names


def _number(table: _Table, row: int, cells: list[str], position: int, german: bool) -> float:
    text = _cell(table, row, cells, position).replace("\u00a0", "").replace(" ", "")
    where = f"{table.file}: row {row}, column {table.header[position]!r}"
    if german and _GERMAN_NUMBER.match(text):
        number = float(text.replace(".", "").replace(",", "."))
    elif not german and _PLAIN_NUMBER.match(text):
        number = float(text)
    else:
        style = "German number format (1.234,5)" if german else "a number like 1234.5"
        raise ValueError(f"{where}: {cells[position].strip()!r} is not {style}")
    if not np.isfinite(number):
        raise ValueError(f"{where}: {text!r} is too large")
    if number < 0:
        raise ValueError(f"{where}: {text!r} is negative")
    return number


def _aggregate(journeys: list[tuple[str, ...]], numbers: dict[str, np.ndarray]) -> Paths:
    """One journey per distinct path, its numbers added up over the rows repeating it."""
    distinct: dict[tuple[str, ...], int] = {}
    journey_of_row = np.array([distinct.setdefault(j, len(distinct)) for j in journeys])
    channels = tuple(sorted({name for journey in distinct for name in journey}))
    code_of = {name: code for code, name in enumerate(channels)}
    codes = np.array([code_of[name] for journey in distinct for name in journey], dtype=np.int32)
    lengths = np.array([len(journey) for journey in distinct], dtype=np.int64)
    totals = {
        name: np.bincount(journey_of_row, weights=values, minlength=len(distinct))
        for name, values in numbers.items()
    }
    return Paths(
        channels=channels,
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        codes=codes,
        conversions=totals["conversions"],
        nulls=totals["nulls"],
        value=totals["value"],
    )
