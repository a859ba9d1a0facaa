"""How the buying-journey commands print their results: tables with German or English headers
and numbers (``1.234``, ``66,7 %``, ``01.03.2020``), and CSV, JSON and Excel at full precision
with the analyses' own column names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from revintel._frames import json_records
from revintel.cli._attribution_output import AttributionFormat, deliver
from revintel.cli._common import OutputFormat, console, emit
from revintel.i18n import Translator, label, label_texts

#: Columns holding a share, a rate or a difference of shares: shown as percentages.
_PERCENT_PARTS = ("share", "rate", "difference")
#: Columns holding a ratio of rates: shown with two decimals.
_RATIOS = ("lift", "lift_low", "lift_high")
_DATES = ("period", "start", "end")
#: Separator of channels in a sequence as the library writes it, and as tables show it.
LIBRARY_SEPARATOR, SHOWN_SEPARATOR = " > ", " → "


def _text(t: Translator, key: str, value: str) -> str:
    """The message ``key`` if the catalogue has it, else ``value`` itself."""
    found = t(key)
    return value if found == key else found


def _content(value: str, t: Translator) -> str:
    texts = label_texts("touchpoint_kind", value)
    fallback = value if texts is None else texts[0 if t.lang == "de" else 1]
    return _text(t, f"journey.content.{value}", fallback)


def _cell(column: str, value: Any, t: Translator) -> str:
    """One value of ``column`` written in the language of ``t``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column in _DATES:
        shown = value.date() if isinstance(value, datetime) else value
        return t.date(shown) if isinstance(shown, date) else str(shown)
    if column == "channel":
        return label("channel", str(value), t.lang)
    if column == "sequence":
        channels = str(value).split(LIBRARY_SEPARATOR)
        return SHOWN_SEPARATOR.join(label("channel", c, t.lang) for c in channels if c)
    if column in ("phase", "window"):
        return _text(t, f"journey.{column}.{value}", str(value))
    if column == "content":
        return _content(str(value), t)
    if column == "year":
        return str(int(value))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if column in _RATIOS:
        return t.number(float(value), 2)
    if any(part in column for part in _PERCENT_PARTS):
        # A difference that rounds to 0.0 % reads 0,0 %, not -0,0 %.
        return t.percent(0.0 if abs(value) < 5e-4 else float(value))
    return t.number(float(value), 0 if float(value).is_integer() else 2)


def _header(column: str, analysis: str, t: Translator) -> str:
    """The header of ``column``: the analysis' own (``journey.cli.col.content.difference``)
    if the catalogue has one, else the one every analysis shares."""
    shared = _text(t, f"journey.cli.col.{column}", column)
    return _text(t, f"journey.cli.col.{analysis}.{column}", shared)


def readable(
    frame: pd.DataFrame, t: Translator, analysis: str = "", overall: Sequence[str] = ()
) -> pd.DataFrame:
    """``frame`` of ``analysis`` with headers and values in the language of ``t``; a row whose
    ``overall`` columns are all empty (every journey together) reads *all* in the first."""
    shown: dict[str, list[str]] = {}
    for column in frame.columns:
        header = _header(str(column), analysis, t)
        shown[header] = [_cell(str(column), v, t) for v in frame[column]]
    table = pd.DataFrame(shown, index=frame.index)
    if overall:
        total = frame[list(overall)].isna().all(axis=1)
        first = _header(overall[0], analysis, t)
        table.loc[total, first] = t("journey.all")
    return table.reset_index(drop=True)


def document(frame: pd.DataFrame, parameters: dict[str, Any]) -> dict[str, Any]:
    """What ``--format json`` prints: the request's parameters and the rows."""
    plain = {k: v.isoformat() if isinstance(v, date) else v for k, v in parameters.items()}
    return {**plain, "rows": json_records(frame)}


def show(
    frame: pd.DataFrame,
    fmt: AttributionFormat,
    output: Path | None,
    *,
    parameters: dict[str, Any],
    sheet: str,
    title: str,
    t: Translator,
    overall: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> None:
    """Print ``frame`` as a table in the language of ``t`` with ``notes`` below it, or write it
    as CSV, JSON or Excel."""
    if deliver(frame, fmt, output, document(frame, parameters), sheet):
        return
    if frame.empty:
        console.print(title, style="bold", highlight=False)
        console.print(t("journey.cli.empty"), highlight=False)
        return
    emit(readable(frame, t, sheet, overall), OutputFormat.table, title, split=False)
    for note in notes:
        console.print(note, highlight=False)
