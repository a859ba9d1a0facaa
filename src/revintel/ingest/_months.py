"""Months as cost and budget sheets write them: ``2024-01``, ``01.2024``, ``Jan 2024``, ``März 24``.

Read on whole Arrow columns into the month's first and last day, for the ``month_start()`` and
``month_end()`` of mapping expressions. A cell that is none of these is left to the date parser
(a full date stands for its month).
"""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._typing import trim_whitespace

#: Month names and abbreviations, German and English, lower case → month number.
MONTH_NAMES: dict[str, int] = {
    **dict.fromkeys(("jan", "januar", "january", "jän", "jänner"), 1),
    **dict.fromkeys(("feb", "februar", "february"), 2),
    **dict.fromkeys(("mar", "mär", "märz", "maerz", "march", "mrz"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("jun", "juni", "june"), 6),
    **dict.fromkeys(("jul", "juli", "july"), 7),
    **dict.fromkeys(("aug", "august"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("okt", "oct", "oktober", "october"), 10),
    **dict.fromkeys(("nov", "november"), 11),
    **dict.fromkeys(("dez", "dec", "dezember", "december"), 12),
}
# year first (2024-01, 2024/1, 202401), month first (01.2024, 1/24), a name (Jan 2024, März-24)
_NUMERIC = (
    r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})$",
    r"^(?P<year>\d{4})(?P<month>\d{2})$",
    r"^(?P<month>\d{1,2})[-/.](?P<year>\d{4}|\d{2})$",
)
_NAMED = r"^(?P<name>[a-zäöü]+)\.?[\s\-/']*(?P<year>\d{4}|\d{2})$"


def _years(text: pa.Array) -> pa.Array:
    """Four-digit years; two digits are years of this century (``24`` → 2024)."""
    numbers = pc.cast(text, pa.int32())
    return pc.if_else(pc.less(numbers, 100), pc.add(numbers, 2000), numbers)


def parse_months(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Year and month (int32, null where a cell is empty or not written as a month).

    Examples
    --------
    >>> years, months = parse_months(pa.array(["2024-01", "02.2024", "März 24", "15.03.2024"]))
    >>> years.to_pylist(), months.to_pylist()
    ([2024, 2024, 2024, None], [1, 2, 3, None])
    """
    cells = pc.utf8_lower(trim_whitespace(text))
    years = pa.nulls(len(cells), pa.int32())
    months = pa.nulls(len(cells), pa.int32())
    for pattern in _NUMERIC:
        found = pc.extract_regex(cells, pattern)
        matched = pc.is_valid(found)
        year = _years(pc.struct_field(found, "year"))
        month = pc.cast(pc.struct_field(found, "month"), pa.int32())
        years = pc.if_else(pc.and_(matched, pc.is_null(years)), year, years)
        months = pc.if_else(pc.and_(matched, pc.is_null(months)), month, months)
    named = pc.extract_regex(cells, _NAMED)
    keys = pa.array(list(MONTH_NAMES), pa.string())
    numbers = pa.array(list(MONTH_NAMES.values()), pa.int32())
    index = pc.index_in(pc.struct_field(named, "name"), value_set=keys)
    by_name = pc.take(numbers, index)
    use = pc.and_(pc.is_valid(by_name), pc.is_null(months))
    years = pc.if_else(use, _years(pc.struct_field(named, "year")), years)
    months = pc.if_else(use, by_name, months)
    known = pc.and_kleene(pc.greater_equal(months, 1), pc.less_equal(months, 12))
    unknown = pc.invert(pc.fill_null(known, False))
    return pc.if_else(unknown, None, years), pc.if_else(unknown, None, months)


def parse_month_numbers(text: pa.Array) -> pa.Array:
    """Months written without a year, as a number (``1``, ``01``) or a name (``Jan``, ``März``).

    Examples
    --------
    >>> parse_month_numbers(pa.array(["1", "12", "März", "13", None])).to_pylist()
    [1, 12, 3, None, None]
    """
    cells = pc.utf8_rtrim(pc.utf8_lower(trim_whitespace(text)), characters=".")
    digits = pc.match_substring_regex(cells, r"^\d{1,2}$")
    numbers = pc.if_else(digits, cells, pa.scalar(None, pa.string()))
    months = pc.cast(numbers, pa.int32())
    keys = pa.array(list(MONTH_NAMES), pa.string())
    named = pc.take(pa.array(list(MONTH_NAMES.values()), pa.int32()), pc.index_in(cells, keys))
    months = pc.coalesce(months, named)
    known = pc.and_kleene(pc.greater_equal(months, 1), pc.less_equal(months, 12))
    return pc.if_else(pc.fill_null(known, False), months, pa.scalar(None, pa.int32()))


def month_bounds(years: pa.Array, months: pa.Array) -> tuple[pa.Array, pa.Array]:
    """First and last day (timestamps at midnight) of each month; null where either is null."""
    first = _first_days(years, months)
    later = pc.equal(months, 12)
    next_year = pc.if_else(later, pc.add(years, 1), years)
    next_month = pc.if_else(later, 1, pc.add(months, 1))
    following = _first_days(next_year, next_month)
    last = pc.subtract(following, pa.scalar(timedelta(days=1), pa.duration("us")))
    return first, last


def _first_days(years: pa.Array, months: pa.Array) -> pa.Array:
    padded = pc.utf8_lpad(pc.cast(months, pa.string()), width=2, padding="0")
    text = pc.binary_join_element_wise(pc.cast(years, pa.string()), padded, "01", "-")
    return pc.cast(pc.cast(text, pa.date32()), pa.timestamp("us"))


def dated_months(dates: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Year and month of each timestamp."""
    return pc.cast(pc.year(dates), pa.int32()), pc.cast(pc.month(dates), pa.int32())
