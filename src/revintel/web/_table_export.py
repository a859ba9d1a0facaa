"""Tables of the analysis pages, shown as HTML and downloaded as CSV or Excel from the same rows.

A :class:`PageTable` holds raw values (numbers as numbers, ids already put into words) and how
each column is written. The page formats its cells in the reader's language; the CSV is written
the way a spreadsheet of that language reads it — German: semicolons, decimal commas,
``dd.mm.yyyy`` and a byte order mark; English: commas, decimal points and ISO dates — and the
Excel workbook keeps numbers, shares and amounts as numbers with a display format.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
import xlsxwriter
from fastapi.responses import Response

from revintel.i18n import Language, Translator

ColumnKind = Literal["text", "count", "number", "percent", "money", "date"]
#: Download formats of every table.
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Decimals written into a CSV per kind of column (amounts in cents, shares to a hundredth of a
#: percentage point).
_CSV_DIGITS = {"number": 2, "percent": 4, "money": 2}
_XLSX_FORMATS = {"count": "#,##0", "number": "#,##0.00", "percent": "0.0%"}


@dataclass(frozen=True)
class Column:
    """One column: the row key it shows, its header, how its values are written and with how
    many decimals on the page."""

    key: str
    header: str
    kind: ColumnKind = "text"
    digits: int = 1

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers (right-aligned on the page)."""
        return self.kind not in ("text", "date")


@dataclass(frozen=True)
class PageTable:
    """A table of a page with its id (element id and file name), title, columns and rows."""

    table_id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]

    def text(self, t: Translator, column: Column, row: dict[str, Any]) -> str:
        """The cell of ``row`` in ``column`` as the page shows it."""
        return cell_text(t, column, row.get(column.key))


def plain(value: Any) -> Any:
    """``value`` as a plain Python value: numpy numbers as numbers, NaN and NaT as ``None``."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def page_table(
    table_id: str, title: str, columns: Sequence[Column], records: Iterable[dict[str, Any]]
) -> PageTable:
    """A :class:`PageTable` of ``records`` (dicts keyed by the columns' keys), values made plain."""
    keys = [c.key for c in columns]
    rows = tuple({k: plain(r.get(k)) for k in keys} for r in records)
    return PageTable(table_id, title, tuple(columns), rows)


def cell_text(t: Translator, column: Column, value: Any) -> str:
    """``value`` written for the page in the language of ``t``; ``–`` when missing."""
    value = plain(value)
    if value is None:
        return "–" if column.numeric else ""
    if column.kind == "count":
        return t.number(value)
    if column.kind == "number":
        return t.number(value, column.digits)
    if column.kind == "percent":
        return t.percent(value, column.digits)
    if column.kind == "money":
        return t.money(value)
    if column.kind == "date":
        return t.date(value)
    return str(value)


def _csv_cell(column: Column, value: Any, lang: Language) -> str:
    value = plain(value)
    if value is None:
        return ""
    if column.kind == "date" and isinstance(value, date | datetime):
        day = value.date() if isinstance(value, datetime) else value
        return day.strftime("%d.%m.%Y") if lang == "de" else day.isoformat()
    if column.kind == "count":
        return str(int(value))
    if column.kind in _CSV_DIGITS:
        text = f"{float(value):.{_CSV_DIGITS[column.kind]}f}"
        return text.replace(".", ",") if lang == "de" else text
    return str(value)


def csv_text(table: PageTable, lang: Language) -> str:
    """The table as CSV with a header line in ``lang``: ``;`` and decimal commas in German,
    ``,`` and decimal points in English. The German text starts with a byte order mark, by
    which Excel in Germany recognises UTF-8 (umlauts)."""
    buffer = io.StringIO()
    if lang == "de":
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";" if lang == "de" else ",", lineterminator="\n")
    writer.writerow([c.header for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(c, row.get(c.key), lang) for c in table.columns])
    return buffer.getvalue()


def xlsx_bytes(table: PageTable, currency_symbol: str) -> bytes:
    """The table as an Excel workbook of one sheet: a bold, frozen header row, numbers as
    numbers (shares formatted as percentages, amounts in the store currency), days as dates."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        sheet = book.add_worksheet(table.table_id[:31])
        header = book.add_format({"bold": True})
        formats = {k: book.add_format({"num_format": f}) for k, f in _XLSX_FORMATS.items()}
        formats["money"] = book.add_format({"num_format": f'#,##0.00 "{currency_symbol}"'})
        formats["date"] = book.add_format({"num_format": "dd.mm.yyyy"})
        for c, column in enumerate(table.columns):
            sheet.write(0, c, column.header, header)
            sheet.set_column(c, c, max(12, min(50, len(column.header) + 2)))
        for r, row in enumerate(table.rows, start=1):
            for c, column in enumerate(table.columns):
                value = plain(row.get(column.key))
                if value is None:
                    continue
                if column.kind == "date" and isinstance(value, date | datetime):
                    sheet.write_datetime(r, c, value, formats["date"])
                elif column.numeric:
                    sheet.write_number(r, c, float(value), formats[column.kind])
                else:
                    sheet.write_string(r, c, str(value))
        sheet.freeze_panes(1, 0)
    return buffer.getvalue()


def export_response(table: PageTable, fmt: str, t: Translator) -> Response:
    """The table as a download named after it: ``fmt`` is ``csv`` or ``xlsx``."""
    if fmt == "xlsx":
        body: bytes | str = xlsx_bytes(table, t.symbol)
        media_type = XLSX_MEDIA_TYPE
    else:
        body, media_type = csv_text(table, t.lang), "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{table.table_id}.{fmt}"'},
    )
