"""Exchange rates from CSV or XLSX into the ``fx_rates`` table, each row checked on its own.

A file has the columns ``currency``, ``valid_from`` and ``rate`` (German headers ``Währung``,
``gültig ab`` and ``Kurs`` too): the rate is the number of units of the store currency one unit
of ``currency`` is worth from ``valid_from`` on. CSV may be separated by commas, semicolons or
tabs and write decimals with a comma; dates are ISO (``2024-01-31``) or German (``31.01.2024``).
Rows that cannot be read are kept in ``rejected_rows`` with file, row, column and reason, like
those of every import; the rows read are loaded in one transaction, a rate already stored for
the same currency and day being replaced.
"""

from __future__ import annotations

import csv
import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from revintel.store import Store, UnknownCurrencyError, parse_currency, store_currency, store_now

#: Header (lower case) → column of ``fx_rates``.
HEADERS = {
    "currency": "currency",
    "währung": "currency",
    "waehrung": "currency",
    "valid_from": "valid_from",
    "gültig ab": "valid_from",
    "gueltig ab": "valid_from",
    "gültig_ab": "valid_from",
    "rate": "rate",
    "kurs": "rate",
}
REQUIRED = ("currency", "valid_from", "rate")
SOURCE_SYSTEM = "fx"


class FxRatesError(ValueError):
    """A rates file cannot be read at all; the message names the file (and row, column)."""


@dataclass
class FxImportReport:
    """What one rates import read, loaded and rejected."""

    batch_id: str
    file: str
    rows_read: int = 0
    rows_accepted: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        """Rows kept in ``rejected_rows``."""
        return len(self.rejections)


def _cells(path: Path) -> list[list[Any]]:
    """The file's rows (header first) as cell values."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            return [list(r) for r in sheet.to_python(skip_empty_area=False)]
        except Exception as exc:  # calamine raises its own error type per format
            raise FxRatesError(f"{path}: not a readable workbook ({exc})") from None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise FxRatesError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise FxRatesError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    lines = text.splitlines()
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            lines[0] if lines else ",", delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(lines, dialect=dialect)
    try:
        return list(reader)
    except csv.Error as exc:  # a NUL byte, or a field beyond the reader's size limit
        raise FxRatesError(f"{path}: row {reader.line_num + 1}: {exc}") from None


def parse_rate(value: Any) -> float:
    """A positive finite rate from a number or text with a decimal point or comma.

    Examples
    --------
    >>> parse_rate("1,1734"), parse_rate("1.234,5"), parse_rate(0.85)
    (1.1734, 1234.5, 0.85)
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            # The separator written last is the decimal one: 1.234,5 or 1,234.5.
            thousands = "." if text.rfind(",") > text.rfind(".") else ","
            text = text.replace(thousands, "")
        number = float(text.replace(",", "."))
    if not math.isfinite(number) or number <= 0:
        raise ValueError(value)
    return number


def parse_day(value: Any) -> date:
    """A day from a date cell, ISO text (``2024-01-31``) or German text (``31.01.2024``).

    Examples
    --------
    >>> parse_day("31.01.2024"), parse_day("2024-01-31")
    (datetime.date(2024, 1, 31), datetime.date(2024, 1, 31))
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if "." in text:
        return datetime.strptime(text, "%d.%m.%Y").date()
    return datetime.fromisoformat(text).date() if len(text) > 10 else date.fromisoformat(text)


def _positions(path: Path, header: list[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    unknown = []
    for index, name in enumerate(header):
        key = HEADERS.get(str(name).strip().lower())
        if key is None:
            if str(name).strip():
                unknown.append(str(name).strip())
        else:
            positions.setdefault(key, index)
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        found = ", ".join(str(h) for h in header) or "none"
        raise FxRatesError(
            f"{path}: row 1: missing column(s) {', '.join(missing)} (found: {found}; expected "
            "currency;valid_from;rate or Währung;gültig ab;Kurs)"
        )
    if unknown:
        raise FxRatesError(f"{path}: row 1: unknown column(s) {', '.join(unknown)}")
    return positions


def _row(cells: list[Any], positions: dict[str, int], currency: str) -> dict[str, Any]:
    """The rate of one row; ``ValueError(column, value, reason)`` for the first bad cell."""

    def cell(column: str) -> Any:
        index = positions[column]
        value = cells[index] if index < len(cells) else None
        if value is None or str(value).strip() == "":
            raise ValueError(column, "", "empty")
        return value

    raw_code = cell("currency")
    try:
        code = parse_currency(str(raw_code))
    except UnknownCurrencyError:
        raise ValueError("currency", raw_code, "not an ISO 4217 currency code") from None
    if code == currency:
        raise ValueError("currency", raw_code, f"the store currency {currency} needs no rate")
    raw_day = cell("valid_from")
    try:
        day = parse_day(raw_day)
    except ValueError:
        raise ValueError("valid_from", raw_day, "not a date (YYYY-MM-DD or DD.MM.YYYY)") from None
    raw_rate = cell("rate")
    try:
        rate = parse_rate(raw_rate)
    except ValueError:
        raise ValueError("rate", raw_rate, "not a positive number") from None
    return {"currency": code, "valid_from": day, "rate": rate}


def read_fx_rates(
    path: str | Path, currency: str, batch_id: str = "fx"
) -> tuple[pd.DataFrame, FxImportReport]:
    """Read a rates file into rows of ``fx_rates`` (lineage included) and the rejected rows.

    ``currency`` is the store currency (a rate for it is rejected). A second rate for the same
    currency and day is rejected, naming the row that set it first.

    Raises
    ------
    FxRatesError
        The file cannot be read or its header lacks a column.
    """
    path = Path(path)
    rows = _cells(path)
    if not rows:
        raise FxRatesError(f"{path}: empty file (expected a header currency;valid_from;rate)")
    positions = _positions(path, rows[0])
    report = FxImportReport(batch_id, str(path))
    accepted: list[dict[str, Any]] = []
    seen: dict[tuple[str, date], int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        report.rows_read += 1
        try:
            rate = _row(cells, positions, currency)
            key = (rate["currency"], rate["valid_from"])
            if key in seen:
                raise ValueError("valid_from", str(key[1]), f"a second rate (row {seen[key]})")
        except ValueError as exc:
            column, value, reason = exc.args
            report.rejections.append(_rejection(report, number, column, value, reason, cells))
            continue
        seen[key] = number
        source_id = f"{rate['currency']}:{rate['valid_from'].isoformat()}"
        accepted.append(
            {
                **rate,
                "source_system": SOURCE_SYSTEM,
                "source_id": source_id,
                "import_batch_id": batch_id,
            }
        )
    report.rows_accepted = len(accepted)
    return pd.DataFrame(
        accepted, columns=[*REQUIRED, "source_system", "source_id", "import_batch_id"]
    ), report


def _rejection(
    report: FxImportReport, number: int, column: str, value: Any, reason: str, cells: list[Any]
) -> dict[str, Any]:
    return {
        "rejected_row_id": f"{report.batch_id}:{number}",
        "import_batch_id": report.batch_id,
        "file": report.file,
        "row_number": number,
        "column": column,
        "value": "" if value is None else str(value),
        "reason": reason,
        "target_table": "fx_rates",
        "raw": json.dumps([None if c is None else str(c) for c in cells], ensure_ascii=False),
        "superseded": False,
    }


def import_fx_rates(store: Store, path: str | Path, file_name: str | None = None) -> FxImportReport:
    """Load a rates file into ``store`` in one transaction, with its import batch and rejected
    rows; rates already stored for the same currency and day are replaced.

    ``file_name`` is the name recorded for the file (default: ``path``). The batch is marked
    ``failed`` and nothing but it and its rejections is written when no row can be read.

    Raises
    ------
    FxRatesError
        The file cannot be read, or none of its rows holds a rate (the rejections are kept).
    """
    started = store_now(store)
    batch_id = f"{SOURCE_SYSTEM}-{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    name = str(path) if file_name is None else file_name
    frame, report = read_fx_rates(path, store_currency(store), batch_id)
    report.file = name
    for rejection in report.rejections:
        rejection["file"] = name
    status = "committed" if report.rows_accepted else "failed"
    batch = {
        "import_batch_id": batch_id,
        "source_system": SOURCE_SYSTEM,
        "preset": "fx_rates",
        "files": name,
        "started_at": started,
        "rows_read": report.rows_read,
        "rows_accepted": report.rows_accepted,
        "rows_rejected": report.rows_rejected,
    }
    with store.transaction():
        if len(frame):
            store.delete_keys("fx_rates", frame[["currency", "valid_from"]])
            store.insert("fx_rates", frame)
        store.insert(
            "import_batches",
            pd.DataFrame([{**batch, "finished_at": store_now(store), "status": status}]),
        )
        if report.rejections:
            store.insert("rejected_rows", pd.DataFrame(report.rejections))
    if not report.rows_accepted:
        first = report.rejections[0] if report.rejections else None
        detail = (
            f"; row {first['row_number']}: column {first['column']}: {first['reason']}"
            if first
            else ""
        )
        raise FxRatesError(f"{name}: no exchange rate loaded (batch {batch_id}){detail}")
    return report


def stored_fx_rates(store: Store) -> pd.DataFrame:
    """Every stored rate by currency and date: currency, valid_from, rate, import_batch_id."""
    t = store.table("fx_rates")
    frame = t.select("currency", "valid_from", "rate", "import_batch_id").to_pandas()
    return frame.sort_values(["currency", "valid_from"], kind="stable").reset_index(drop=True)


__all__ = [
    "FxImportReport",
    "FxRatesError",
    "import_fx_rates",
    "parse_day",
    "parse_rate",
    "read_fx_rates",
    "stored_fx_rates",
]
