"""Empty analyses, told in one sentence: when a result has nothing to show, and why.

Every surface asks here instead of rendering an empty table: :func:`gap_sentence` words a
:class:`revintel.metrics.DataGap` through the message catalogue (``gap.*``), and the
``*_is_empty`` checks say when a result counts as empty.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from revintel.auth import User
from revintel.i18n import Language, Translator, format_date
from revintel.metrics import DataGap, MetricQuery, alerts_gap, funnel_gap, kpi_gap, load_catalogue
from revintel.store import Store
from revintel.views._analytics import metric_sources


def _day(value: date | None, lang: Language, numeric: bool) -> str:
    if value is None:
        return "–"
    return f"{value:%d.%m.%Y}" if numeric else format_date(value, lang)


def date_span(
    first: date | None, last: date | None, lang: Language = "en", numeric: bool = True
) -> str:
    """``12.01.–28.01.2024`` (numeric; the year once when both days share it) or, with
    ``numeric=False``, both days in the language's format.

    Examples
    --------
    >>> date_span(date(2024, 1, 12), date(2024, 1, 28))
    '12.01.–28.01.2024'
    >>> date_span(date(2023, 12, 30), date(2024, 1, 2))
    '30.12.2023–02.01.2024'
    >>> date_span(date(2024, 3, 31), date(2024, 3, 31))
    '31.03.2024'
    """
    if first is None or last is None:
        return "–"
    if first == last:
        return _day(first, lang, numeric)
    if numeric and first.year == last.year:
        return f"{first:%d.%m.}–{last:%d.%m.%Y}"
    return f"{_day(first, lang, numeric)}–{_day(last, lang, numeric)}"


def _range(start: date | None, end: date | None, lang: Language, numeric: bool) -> str:
    if start is not None and end is not None:
        return date_span(start, end, lang, numeric)
    if start is not None:
        return f"≥ {_day(start, lang, numeric)}"
    return f"≤ {_day(end, lang, numeric)}"


def gap_sentence(gap: DataGap, lang: Language = "en", numeric: bool = True) -> str:
    """The one sentence saying why an analysis is empty, in ``lang``.

    ``numeric`` writes days as ``dd.mm.yyyy`` (the command line, German pages); otherwise in
    the language's own format.
    """
    values = {
        "span": date_span(gap.first, gap.last, lang, numeric),
        "first": _day(gap.first, lang, numeric),
        "as_of": _day(gap.as_of, lang, numeric),
        "range": _range(gap.start, gap.end, lang, numeric),
        "needed": "" if gap.needed is None else str(gap.needed),
        "found": "" if gap.found is None else str(gap.found),
    }
    return Translator(lang)(f"gap.{gap.code}").format(**values)


def page_sentence(gap: DataGap | None, lang: Language) -> str | None:
    """:func:`gap_sentence` as a dashboard page shows it (numeric days in German)."""
    return None if gap is None else gap_sentence(gap, lang, numeric=lang == "de")


def _zero(frame: pd.DataFrame, column: str) -> bool:
    return column not in frame or bool(
        pd.to_numeric(frame[column], errors="coerce").fillna(0).eq(0).all()
    )


def funnel_is_empty(frame: pd.DataFrame | list[dict[str, Any]]) -> bool:
    """No row, or no lead reached any milestone (the rows only repeat the defaults)."""
    rows = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    return rows.empty or _zero(rows, "reached")


def kpi_is_empty(frame: pd.DataFrame | list[dict[str, Any]]) -> bool:
    """No row, or every numerator and denominator is zero or missing."""
    rows = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    return rows.empty or (_zero(rows, "numerator") and _zero(rows, "denominator"))


def forecast_is_empty(frame: pd.DataFrame) -> bool:
    """No row, or every expected amount is zero."""
    return frame.empty or (_zero(frame, "mean") and _zero(frame, "p90"))


def funnel_gap_for(store: Store, user: User, query: MetricQuery) -> DataGap | None:
    """Why the funnel of the rows ``user`` sees is empty for ``query`` (``None``: it is not)."""
    return funnel_gap(metric_sources(store, user), load_catalogue(), query)


def kpi_gap_for(store: Store, user: User, query: MetricQuery) -> DataGap | None:
    """Why KPI values of the rows ``user`` sees are empty for ``query``."""
    return kpi_gap(metric_sources(store, user), query)


def alerts_gap_for(store: Store, user: User) -> DataGap:
    """Why no alert fires on the rows ``user`` sees."""
    return alerts_gap(metric_sources(store, user), load_catalogue())


def section_gaps(
    store: Store,
    user: User,
    funnel: list[dict[str, Any]],
    alerts: list[Any],
    forecast: DataGap | None,
    lang: Language,
    numeric: bool | None = None,
) -> dict[str, str]:
    """Why each empty section of an overview (``funnel``, ``alerts``, ``forecast``) is empty,
    worded in ``lang`` (days as ``dd.mm.yyyy`` when ``numeric``, by default in German only);
    sections with content have no entry."""
    found = {
        "funnel": funnel_gap_for(store, user, MetricQuery()) if funnel_is_empty(funnel) else None,
        "alerts": None if alerts else alerts_gap_for(store, user),
        "forecast": forecast,
    }
    numeric = lang == "de" if numeric is None else numeric
    return {k: gap_sentence(gap, lang, numeric) for k, gap in found.items() if gap is not None}
