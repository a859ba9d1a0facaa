"""The month a scorecard covers: read from ``YYYY-MM``, checked against the data's as-of date,
and the quarter containing it."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ScorecardMonthError(ValueError):
    """A month cannot be used for a scorecard; the message names ``month`` and says why."""


def next_month(month: date) -> date:
    """The first day of the month after ``month``'s.

    Examples
    --------
    >>> next_month(date(2024, 12, 1)), next_month(date(2024, 2, 10))
    (datetime.date(2025, 1, 1), datetime.date(2024, 3, 1))
    """
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    """The first day of the month before ``month``'s."""
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def quarter_of(month: date) -> tuple[date, date]:
    """First and last day of the calendar quarter containing ``month``.

    Examples
    --------
    >>> quarter_of(date(2024, 11, 1))
    (datetime.date(2024, 10, 1), datetime.date(2024, 12, 31))
    """
    first = date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
    return first, next_month(next_month(next_month(first))) - timedelta(days=1)


def quarter_label(month: date) -> str:
    """``2024-Q4`` for any month of that quarter."""
    return f"{month.year}-Q{(month.month - 1) // 3 + 1}"


def default_month(as_of: date) -> date:
    """The last complete month before ``as_of``: the month before ``as_of``'s own (the as-of
    day itself may not be over).

    Examples
    --------
    >>> default_month(date(2024, 12, 31)), default_month(date(2025, 1, 1))
    (datetime.date(2024, 11, 1), datetime.date(2024, 12, 1))
    """
    return previous_month(as_of)


def parse_month(text: str | None, as_of: date) -> date:
    """The first day of the month ``text`` (``YYYY-MM``); :func:`default_month` when empty.

    Raises
    ------
    ScorecardMonthError
        ``text`` is not ``YYYY-MM``, or the month begins after ``as_of`` (no data yet).

    Examples
    --------
    >>> parse_month("2024-11", date(2024, 12, 31))
    datetime.date(2024, 11, 1)
    >>> parse_month(None, date(2024, 12, 31))
    datetime.date(2024, 11, 1)
    """
    cleaned = (text or "").strip()
    if not cleaned:
        return default_month(as_of)
    found = _MONTH.match(cleaned)
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1900:
        raise ScorecardMonthError(f"month: {text!r} is not a month; write it as YYYY-MM (2024-11)")
    month = date(int(found[1]), int(found[2]), 1)
    if month > as_of:
        raise ScorecardMonthError(
            f"month: {cleaned} lies in the future; the data reach {as_of.isoformat()}"
        )
    return month
