"""Order-intake targets from CSV: read, check every cell, and load into the ``targets`` table.

A CSV has the columns ``period_start``, ``period_end`` and ``amount`` (required) and optionally
``target_id``, ``team``, ``rep_id``, ``segment``, ``currency`` and ``measure``. Errors name file,
row and column.

A target's ``measure`` is ``order_intake`` (the default: ``amount`` is money in ``currency``) or
a count of funnel milestones reached in the period (``mqls``, ``sals``, ``sqls``,
``opportunities``: ``amount`` is a number of leads or deals, without currency).
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from datetime import date
from pathlib import Path

import pandas as pd

from revintel.metrics._target_audit import (
    changes_frame,
    new_change,
    stored_target_rows,
    target_fields,
)
from revintel.store import Store, store_now

REQUIRED = ("period_start", "period_end", "amount")
OPTIONAL = ("target_id", "team", "rep_id", "segment", "currency", "measure")
#: The measure of a money target, the default.
ORDER_INTAKE = "order_intake"
#: Every measure a target may have: order intake, then the counted milestones.
TARGET_MEASURES = (ORDER_INTAKE, "mqls", "sals", "sqls", "opportunities")
#: Characters in one cell by default.
MAX_CELL_CHARS = 32_767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


class TargetsError(ValueError):
    """A targets file cannot be loaded; the message names file, row and column."""


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise TargetsError(f"{where}: {text!r} is not an ISO date (YYYY-MM-DD)") from None


def _amount(text: str, where: str) -> float:
    cleaned = text.strip().replace(" ", "")
    try:
        amount = float(cleaned)
    except ValueError:
        raise TargetsError(f"{where}: {text!r} is not a number") from None
    # An infinite, missing, negative or zero target makes coverage meaningless (or zero).
    if not math.isfinite(amount) or amount <= 0:
        raise TargetsError(f"{where}: {text!r} is not a positive amount")
    return amount


def _check_cells(row: dict[str, str], where: str, max_cell_chars: int) -> None:
    for column, value in row.items():
        if len(value) > max_cell_chars:
            raise TargetsError(
                f"{where}: column {column}: {len(value):,} characters; the limit is "
                f"{max_cell_chars:,}"
            )
        if _CONTROL.search(value):
            raise TargetsError(f"{where}: column {column}: a control character or undecodable byte")


def _overlong_column(line: str, delimiter: str, header: list[str], limit: int) -> str:
    """The header of the first field of ``line`` longer than ``limit`` (split naively)."""
    for index, field in enumerate(line.split(delimiter)):
        if len(field) > limit:
            return header[index] if index < len(header) else f"{index + 1}"
    return "?"


def _measure(text: str, where: str) -> str:
    measure = text.strip().lower() or ORDER_INTAKE
    if measure not in TARGET_MEASURES:
        raise TargetsError(f"{where}: {text!r} is not one of {', '.join(TARGET_MEASURES)}")
    return measure


def _target_id(row: dict[str, str]) -> str:
    parts = [row.get(c, "") or "" for c in ("period_start", "team", "rep_id", "segment")]
    measure = (row.get("measure") or ORDER_INTAKE).strip().lower()
    # Order-intake targets keep the identity they had before targets had a measure.
    if measure != ORDER_INTAKE:
        parts.append(measure)
    return "T" + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:12]


def read_targets_csv(path: str | Path, max_cell_chars: int = MAX_CELL_CHARS) -> pd.DataFrame:
    """Read and check a targets CSV into rows of the ``targets`` table (lineage included).

    Raises
    ------
    TargetsError
        The file has no target rows, or a cell is too long, holds a control character, is not
        a date, or an amount is not a positive finite number; the message names file, row and
        column.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TargetsError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise TargetsError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.splitlines()[0] if text else ",", delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise TargetsError(f"{path}: row 1: missing column(s) {', '.join(missing)}")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise TargetsError(f"{path}: row 1: unknown column(s) {', '.join(unknown)}")
    rows = []
    lines = text.splitlines()
    records = iter(reader)
    number = 1
    while True:
        number += 1
        try:
            raw = next(records)
        except StopIteration:
            break
        except csv.Error:
            # The reader refuses fields beyond its own limit before we could measure them.
            column = _overlong_column(lines[number - 1], dialect.delimiter, header, max_cell_chars)
            raise TargetsError(
                f"{path}: row {number}: column {column}: longer than {max_cell_chars:,} characters"
            ) from None
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        _check_cells(row, f"{path}: row {number}", max_cell_chars)
        start = _date(row["period_start"], f"{path}: row {number}: column period_start")
        end = _date(row["period_end"], f"{path}: row {number}: column period_end")
        if end < start:
            raise TargetsError(f"{path}: row {number}: column period_end: before period_start")
        measure = _measure(row.get("measure", ""), f"{path}: row {number}: column measure")
        if measure != ORDER_INTAKE and row.get("currency"):
            raise TargetsError(
                f"{path}: row {number}: column currency: a target of {measure} is a count, "
                "without currency"
            )
        target_id = row.get("target_id") or _target_id(row)
        rows.append(
            {
                "target_id": target_id,
                "period_start": start,
                "period_end": end,
                "team": row.get("team") or None,
                "rep_id": row.get("rep_id") or None,
                "segment": row.get("segment") or None,
                "amount": _amount(row["amount"], f"{path}: row {number}: column amount"),
                "currency": row.get("currency") or None,
                "measure": measure,
                "source_system": "csv",
                "source_id": target_id,
                "import_batch_id": f"targets:{path.name}",
            }
        )
    if not rows:
        raise TargetsError(f"{path}: no target rows (only a header)")
    return pd.DataFrame(rows)


def import_targets(
    store: Store,
    path: str | Path,
    max_cell_chars: int = MAX_CELL_CHARS,
    *,
    actor: str = "cli",
    note: str | None = None,
) -> int:
    """Load a targets CSV into ``store``; rows with an existing ``target_id`` are replaced.

    Every row is checked before anything is written (see :func:`read_targets_csv`). Each target
    loaded gets one ``import`` row in the audit trail ``target_changes`` (by ``actor``: the
    importing user, ``"cli"`` from the command line), written in the same transaction.
    """
    frame = read_targets_csv(path, max_cell_chars)
    ids = [str(i) for i in frame["target_id"]]
    before = stored_target_rows(store, ids)
    now = store_now(store)
    changes = [
        new_change(
            store,
            str(row["target_id"]),
            "import",
            actor,
            before.get(str(row["target_id"])),
            target_fields(row),
            note or Path(path).name,
            now,
        )
        for row in frame.drop_duplicates("target_id", keep="last").to_dict(orient="records")
    ]
    with store.transaction():
        store.delete_keys("targets", frame[["target_id"]])
        written = store.insert("targets", frame)
        store.insert("target_changes", changes_frame(changes))
    return written
