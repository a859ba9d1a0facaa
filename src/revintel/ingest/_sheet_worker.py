"""Child process that parses one spreadsheet's cells under a memory limit.

``python -m revintel.ingest._sheet_worker SOURCE TARGET [SHEET]`` writes the sheet (default:
the first sheet with data) as an Arrow file of text columns; limits come from
``REVINTEL_SHEET_LIMITS``. A refusal is printed as ``SpreadsheetError: <message>`` on the last
line of stderr with exit code 2.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from revintel.ingest._reading import cell_text, unique_names
from revintel.ingest._spreadsheets import SpreadsheetError, SpreadsheetLimits, limits_from_text


def _sheet_rows(path: Path, limits: SpreadsheetLimits, wanted: str | None) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types per format
        raise SpreadsheetError(f"{path}: cannot open spreadsheet: {exc}") from None
    if wanted is not None and wanted not in book.sheet_names:
        raise SpreadsheetError(f"{path}: the workbook has no sheet {wanted!r}")
    for sheet_name in [wanted] if wanted is not None else book.sheet_names:
        sheet = book.get_sheet_by_name(sheet_name)
        cells = sheet.height * sheet.width
        if sheet.height > limits.max_rows or sheet.width > limits.max_columns:
            raise SpreadsheetError(
                f"{path}: sheet {sheet_name} spans {sheet.height:,} rows × {sheet.width:,} "
                f"columns; the limits are {limits.max_rows:,} rows and "
                f"{limits.max_columns:,} columns"
            )
        if cells > limits.max_cells:
            raise SpreadsheetError(
                f"{path}: sheet {sheet_name} spans {cells:,} cells; the limit is "
                f"{limits.max_cells:,}"
            )
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=True)
        if rows:
            return rows
    where = f"sheet {wanted!r}" if wanted is not None else "the workbook"
    raise SpreadsheetError(f"{path}: {where} has no data")


def read_cells(path: Path, limits: SpreadsheetLimits, sheet: str | None = None) -> pa.Table:
    """``sheet`` (default: the first sheet with data) as a table of text columns (header from
    its first row)."""
    rows = _sheet_rows(path, limits, sheet)
    names = unique_names([cell_text(v) for v in rows[0]])
    columns: dict[str, list[str]] = {n: [] for n in names}
    for number, row in enumerate(rows[1:], start=2):
        padded = list(row) + [None] * (len(names) - len(row))
        for column, value in zip(names, padded, strict=False):
            text = cell_text(value)
            if len(text) > limits.max_cell_chars:
                raise SpreadsheetError(
                    f"{path}: row {number}, column {column}: a cell of {len(text):,} characters; "
                    f"the limit is {limits.max_cell_chars:,}"
                )
            columns[column].append(text)
    return pa.table({n: pa.array(v, pa.string()) for n, v in columns.items()})


def main(argv: list[str]) -> int:
    """Parse ``argv[0]`` (sheet ``argv[2]`` if given) into the Arrow file ``argv[1]``; 2 on a
    refusal."""
    given = os.environ.get("REVINTEL_SHEET_LIMITS")
    limits = limits_from_text(given) if given else SpreadsheetLimits()
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    source, target = Path(argv[0]), Path(argv[1])
    try:
        table = read_cells(source, limits, argv[2] if len(argv) > 2 else None)
    except SpreadsheetError as exc:
        print(f"SpreadsheetError: {exc}", file=sys.stderr)
        return 2
    with ipc.new_file(str(target), table.schema) as writer:
        writer.write_table(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
