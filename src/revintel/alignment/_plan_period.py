"""Periods of a plan (``2026-Q3``, ``2026-07``, ``2026``) and targets read from the store."""

from __future__ import annotations

import calendar
import re
from datetime import date

import pandas as pd

from revintel.metrics import ORDER_INTAKE, in_store_currency
from revintel.store import Store

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period text is not a quarter, month or year; the message shows the accepted forms."""


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> tuple[date, date]:
    """First and last day of ``"2026-Q3"``, ``"2026-07"`` or ``"2026"``.

    Examples
    --------
    >>> parse_period("2026-Q3")
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    >>> parse_period("2026-02")
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    """
    cleaned = text.strip()
    if m := _QUARTER.match(cleaned):
        year, first = int(m[1]), 3 * int(m[2]) - 2
        return date(year, first, 1), _month_end(year, first + 2)
    if (m := _MONTH.match(cleaned)) and 1 <= int(m[2]) <= 12:
        return date(int(m[1]), int(m[2]), 1), _month_end(int(m[1]), int(m[2]))
    if m := _YEAR.match(cleaned):
        return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    raise PeriodError(f"{text!r} is not a period; write 2026-Q3, 2026-07 or 2026")


def month_starts(start: date, end: date) -> list[date]:
    """First days of the calendar months from ``start``'s to ``end``'s, both included."""
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def target_from_table(store: Store, start: date, end: date) -> float | None:
    """The company's order-intake target for the period from the ``targets`` table.

    Rows lying within the period count; company rows (no team, rep or segment) are preferred,
    else the sum of the teams' rows, else of the segments'. None when there is no such row.
    """
    rows: pd.DataFrame = in_store_currency(store, "targets").to_pandas()
    if rows.empty:
        return None
    starts = pd.to_datetime(rows["period_start"]).dt.date
    ends = pd.to_datetime(rows["period_end"]).dt.date
    intake = rows["measure"].isna() | (rows["measure"] == ORDER_INTAKE)
    rows = rows[(starts >= start) & (ends <= end) & intake]
    team, rep, segment = (rows[c].isna() for c in ("team", "rep_id", "segment"))
    for keep in (team & rep & segment, ~team & rep & segment, team & rep & ~segment):
        if keep.any():
            return float(rows.loc[keep, "amount"].sum())
    return None
