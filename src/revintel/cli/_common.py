"""What every CLI command shares: options, output formats, the console and error handling.

Tables (``--format table``) are laid out to fit the terminal: numbers are written compactly,
headers wrap at word boundaries instead of being cut, empty columns are left out, a long frame
is printed as one table per value of its leading column, and columns that do not fit are named
below the table. ``--format csv`` and ``--format json`` always carry every column at full
precision. Tables and CSV are written in the language of ``--lang`` (see ``_locale``); JSON is
the same in every language.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from revintel._frames import json_records, json_value
from revintel.cli._locale import LangOption as LangOption
from revintel.cli._locale import (
    column_header,
    csv_text,
    day_text,
    german_number,
    german_text,
    labelled_value,
    money_text,
)
from revintel.cli._locale import output_language as output_language
from revintel.cli._locale import resolve_language as resolve_language
from revintel.i18n import LANGUAGES, Language, Translator
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store

console = Console()
err_console = Console(stderr=True)

#: Frames with more rows than this are split into one table per value of their leading column.
SPLIT_MIN_ROWS = 12
#: ... as long as that column has at most this many values.
SPLIT_MAX_GROUPS = 40
#: Text columns wrap, but not below this width (or their header's longest word).
TEXT_MIN_WIDTH = 12
#: ... nor below their longest word, up to this many characters.
TEXT_MAX_WORD = 24
#: Characters between two columns of a table.
COLUMN_GAP = 2
#: Text that reads as a number: right-aligned like one.
_NUMBER_TEXT = re.compile(r"^[-+]?[\d.,]+\s?[%kM]?$|^[-+]?[\d.,]+bn$")
#: Value of ``--columns`` that shows every column.
ALL_COLUMNS = "all"


class OutputFormat(StrEnum):
    """How an analytical command prints its result."""

    table = "table"
    json = "json"
    csv = "csv"


DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Store path or URL (default: $REVINTEL_DB or ./revintel.duckdb)."),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format: table, json or csv.")
]
FunnelOption = Annotated[
    Path | None,
    typer.Option("--funnel", help="Funnel definition YAML (default: the built-in funnel)."),
]
ColumnsOption = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="Table columns to show, comma-separated, named as in --format csv; 'all' for "
        "every column (default: the main columns that fit the terminal).",
    ),
]


def content_language(lang: str | None, fmt: OutputFormat) -> Language:
    """The language of texts inside the rows (labels, reasons): ``--lang`` for tables and CSV,
    English for JSON, which reads the same whatever ``--lang`` says."""
    return "en" if fmt is OutputFormat.json else resolve_language(lang)


def texts_for_readers(
    frame: pd.DataFrame,
    fmt: OutputFormat,
    lang: Language,
    texts: dict[str, Callable[[Language], Sequence[Any]]],
) -> pd.DataFrame:
    """``frame`` with columns of texts written for a reader (reasons, labels): in ``lang`` for
    tables and CSV; in JSON as ``NAME_de`` and ``NAME_en`` in the column's place, so that JSON
    is the same whatever ``--lang`` says.

    ``texts`` maps each column to a function giving its values, row by row, in a language.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a"], "reason": ["x"]})
    >>> say = {"reason": lambda lang: ["ja" if lang == "de" else "yes"]}
    >>> list(texts_for_readers(frame, OutputFormat.json, "de", say).iloc[0])
    ['a', 'ja', 'yes']
    >>> list(texts_for_readers(frame, OutputFormat.csv, "de", say).columns)
    ['id', 'reason']
    """

    def column(values: Sequence[Any]) -> pd.Series:
        return pd.Series(list(values), index=frame.index, dtype=object)

    if fmt is not OutputFormat.json:
        return frame.assign(**{name: column(text(lang)) for name, text in texts.items()})
    out = frame.copy()
    for name, text in texts.items():
        at = out.columns.get_loc(name) if name in out else len(out.columns)
        out = out.drop(columns=name, errors="ignore")
        for offset, language in enumerate(LANGUAGES):
            out.insert(int(at) + offset, f"{name}_{language}", column(text(language)))
    return out


def translator(lang: str | None = None) -> Translator:
    """The texts of the running command's language (``--lang``), or of ``lang`` when given."""
    return Translator(resolve_language(lang) if lang is not None else output_language())


def store_from(db: str | None, *, read_only: bool = False) -> Store:
    """Open the store named by ``--db`` (or the default); when ``revintel serve`` holds its
    DuckDB file, the command runs in that server (:mod:`revintel.cli._bridge`)."""
    from revintel.cli._bridge import open_beside_server

    return open_beside_server(db, read_only=read_only)


def funnel_from(path: Path | None) -> FunnelDefinition:
    """Load the funnel named by ``--funnel`` (or the built-in one)."""
    return load_funnel(path)


def parse_columns(text: str | None) -> tuple[str, ...] | None:
    """The column names of a ``--columns`` value (``None`` when not given).

    Examples
    --------
    >>> parse_columns("reached, p_won")
    ('reached', 'p_won')
    """
    if text is None:
        return None
    return tuple(name.strip() for name in text.split(",") if name.strip())


def compact_number(value: float) -> str:
    """A number written short: whole numbers in full up to ten million, others with three
    significant digits and a k/M/bn suffix from ten thousand on.

    Examples
    --------
    >>> [compact_number(v) for v in (0.08789, 3.0236, 169.52, 20695, 892065.5, 1850284.06)]
    ['0.0879', '3.02', '170', '20,695', '892k', '1.85M']
    """
    size = abs(value)
    whole = float(value).is_integer()
    if size >= 1e4 and not (whole and size < 1e7):
        for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
            # 999,960.5 is written 1M, not 1e+03k.
            if size >= limit * 0.9995 or suffix == "k":
                scaled = value / limit
                return f"{scaled:.3g}{suffix}" if abs(scaled) < 999.5 else f"{scaled:,.0f}{suffix}"
    if size >= 100 or whole:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _english_cell(value: Any, percent: bool) -> str:
    if isinstance(value, pd.Timestamp | datetime | date) and not pd.isna(value):
        return day_text(value, "en")
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isinf(value)):
        return f"{value * 100:.1f} %" if percent else compact_number(value)
    return str(value)


def _cell(value: Any, percent: bool = False, lang: Language = "en") -> str:
    if lang == "en":
        return _english_cell(value, percent)
    if isinstance(value, pd.Timestamp | datetime | date) and not pd.isna(value):
        return day_text(value, lang)
    plain = json_value(value)
    if isinstance(plain, int | float) and not isinstance(plain, bool):
        return german_number(_english_cell(plain, percent))
    return german_text(_english_cell(plain, percent))


@dataclass(frozen=True)
class _Column:
    """One column as shown: name, header, formatted cells and the width it needs."""

    name: str
    cells: list[str]
    numeric: bool
    # Spaces instead of underscores let a narrow header wrap between words.
    header: str = ""

    @property
    def least_width(self) -> int:
        """The narrowest this column can be without cutting a header word or a number."""
        head = max((len(w) for w in self.header.split()), default=0)
        longest = max((len(c) for c in self.cells), default=0)
        if self.numeric:
            return max(head, longest)
        word = max((len(w) for c in self.cells for w in c.split()), default=0)
        return max(head, min(longest, max(TEXT_MIN_WIDTH, min(word, TEXT_MAX_WORD))))


def _is_numeric(series: pd.Series) -> bool:
    """Whether ``series`` holds numbers, or text written as numbers (``12.5 %``)."""
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_numeric_dtype(series):
        return True
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind == "string":
        texts = [v for v in series.dropna() if v != ""]
        return bool(texts) and all(_NUMBER_TEXT.match(v) for v in texts)
    return kind in ("integer", "floating", "mixed-integer-float", "decimal")


def _column_cells(
    name: str, values: pd.Series, percent: bool, money: bool, currency: str | None, lang: Language
) -> list[str]:
    if money and lang == "de":  # English tables keep amounts compact (892k)
        return [money_text(v, lang, currency) for v in values]
    return [_cell(labelled_value(name, v, lang), percent, lang) for v in values]


def _columns(
    frame: pd.DataFrame,
    percent: Sequence[str],
    lang: Language = "en",
    money: Sequence[str] = (),
    currency: str | None = None,
) -> list[_Column]:
    return [
        _Column(
            str(name),
            _column_cells(
                str(name), frame[name], str(name) in percent, str(name) in money, currency, lang
            ),
            _is_numeric(frame[name]),
            column_header(str(name), lang),
        )
        for name in frame.columns
    ]


def _fit(columns: list[_Column], width: int) -> tuple[list[_Column], list[_Column]]:
    """The leading columns that fit in ``width`` (at least one) and the columns left out."""
    used = columns[0].least_width if columns else 0
    count = min(1, len(columns))
    for column in columns[1:]:
        used += COLUMN_GAP + column.least_width
        if used > width:
            break
        count += 1
    return columns[:count], columns[count:]


def _widths(columns: list[_Column], width: int) -> list[int]:
    """Column widths within ``width``: each column's least width, then the room left shared by
    text columns in proportion to what they lack (so labels wrap less), then by headers."""
    widths = [c.least_width for c in columns]
    spare = width - sum(widths) - COLUMN_GAP * (len(columns) - 1)
    for numeric in (False, True):
        lacking = {
            i: max([len(c.header), *(len(x) for x in c.cells)]) - widths[i]
            for i, c in enumerate(columns)
            if c.numeric is numeric
        }
        total = sum(v for v in lacking.values() if v > 0)
        if spare <= 0 or total == 0:
            continue
        share = min(1.0, spare / total)
        # Proportional shares rounded down, then what rounding left over, in column order.
        for exact in (False, True):
            for i, lack in lacking.items():
                room = lack - (widths[i] - columns[i].least_width)
                grow = min(spare, room) if exact else int(max(lack, 0) * share)
                widths[i] += max(grow, 0)
                spare -= max(grow, 0)
    return widths


def _render(
    columns: list[_Column], title: str | None, widths: Sequence[int | None] | None = None
) -> RichTable:
    out = RichTable(
        title=title,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    for column, width in zip(columns, widths or [None] * len(columns), strict=True):
        out.add_column(
            column.header,
            justify="right" if column.numeric else "left",
            overflow="fold",
            min_width=column.least_width,
            width=width,
        )
    for row in zip(*(c.cells for c in columns), strict=True):
        out.add_row(*row)
    return out


def _table_width() -> int:
    """The terminal width, read at each call so ``COLUMNS=…`` set later still counts."""
    text = os.environ.get("COLUMNS", "")
    return int(text) if text.isdigit() and int(text) > 0 else console.width


def _split_column(frame: pd.DataFrame) -> str | None:
    """The leading column to split a long frame by, if it is a text column with few values."""
    if len(frame) <= SPLIT_MIN_ROWS or frame.shape[1] < 2:
        return None
    first = frame.columns[0]
    values = frame[first].nunique(dropna=False)
    if _is_numeric(frame[first]) or not 1 < values <= min(SPLIT_MAX_GROUPS, len(frame) // 2):
        return None
    return str(first)


@dataclass(frozen=True)
class _Section:
    """One table of a split frame: its title, rows and value of the split column."""

    title: str | None
    frame: pd.DataFrame
    key: Any = None


def _sections(
    frame: pd.DataFrame, title: str | None, split: str | bool, lang: Language = "en"
) -> list[_Section]:
    column = _split_column(frame) if split is True else (split or None)
    if column is None or column not in frame or frame.empty:
        return [_Section(title, frame)]
    sections = []
    none = "(keine Angabe)" if lang == "de" else "(none)"
    for key, part in frame.groupby(column, sort=False, dropna=False):
        value = none if pd.isna(key) else labelled_value(column, key, lang)
        shown = f"{column_header(column, lang) if lang == 'de' else column} {value}"
        sections.append(
            _Section(f"{title} · {shown}" if title else shown, part.drop(columns=column), key)
        )
    return sections


def _shown_frame(frame: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    if columns is None or list(columns) == [ALL_COLUMNS]:
        return frame
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        known = ", ".join(str(c) for c in frame.columns)
        raise typer.BadParameter(
            f"unknown column {', '.join(unknown)}; columns: {known}", param_hint="--columns"
        )
    return frame[list(columns)]


def _hidden_note(hidden: Sequence[str], columns_option: bool, lang: Language = "en") -> str:
    if lang == "de":
        how = "--columns NAME,NAME oder all; " if columns_option else ""
        return f"nicht gezeigt: {', '.join(hidden)} ({how}alle Spalten mit --format csv oder json)"
    how = "--columns NAME,NAME or all; " if columns_option else ""
    return f"not shown: {', '.join(hidden)} ({how}every column with --format csv or json)"


#: Columns shown as percentages: names, or a function of the split column's value giving them.
Percent = Sequence[str] | Callable[[Any], Sequence[str]]


def print_table(
    frame: pd.DataFrame,
    title: str | None = None,
    *,
    columns: Sequence[str] | None = None,
    percent: Percent = (),
    split: str | bool = True,
    columns_option: bool = False,
    money: Sequence[str] = (),
    currency: str | None = None,
) -> None:
    """Print ``frame`` as tables that fit the terminal, in the language of ``--lang``.

    Parameters
    ----------
    frame
        The rows to show.
    title
        Title above the table (each section's title adds its value of the split column).
    columns
        Columns chosen by the user, shown even when they are empty or too wide; ``("all",)``
        shows every column. Default: the non-empty columns that fit, in order.
    percent
        Columns holding shares (0.25 is shown as ``25.0 %``), or a function from the value of
        the split column to those columns of its table.
    split
        Column to print one table per value of; ``True`` chooses the leading text column of a
        long frame, ``False`` prints one table.
    columns_option
        Whether the command offers ``--columns`` (the note on left-out columns says so).
    money
        Columns holding amounts in ``currency``, shown with its sign (``1.234,56 €``).
    currency
        ISO 4217 code of the amounts (default: euro).
    """
    chosen = columns is not None
    width = _table_width()
    lang = output_language()
    hidden: dict[str, None] = {}
    sections = _sections(_shown_frame(frame, columns), title, split, lang)
    for number, section in enumerate(sections):
        if number:
            console.print()
        part = section.frame
        if not chosen and not part.empty and part.notna().any().any():
            part = part.loc[:, part.notna().any()]
        shares = percent(section.key) if callable(percent) else percent
        laid_out = _columns(part, shares, lang, money, currency)
        shown, left_out = (laid_out, []) if chosen else _fit(laid_out, width)
        hidden.update(dict.fromkeys(c.name for c in left_out))
        fits = sum(c.least_width + COLUMN_GAP for c in shown) - COLUMN_GAP <= width
        if section.title:
            # Above the table rather than in it, so a narrow table does not wrap its title.
            console.print(section.title, style="bold", width=width, highlight=False)
        console.print(_render(shown, None, _widths(shown, width) if fits else None), width=width)
    if hidden:
        console.print(
            _hidden_note(list(hidden), columns_option, lang),
            style="dim",
            width=width,
            highlight=False,
        )


def emit(
    frame: pd.DataFrame,
    fmt: OutputFormat,
    title: str | None = None,
    *,
    table: pd.DataFrame | None = None,
    columns: Sequence[str] | None = None,
    percent: Percent = (),
    split: str | bool = True,
    columns_option: bool = False,
    money: Sequence[str] = (),
    currency: str | None = None,
) -> None:
    """Print ``frame`` as tables (see :func:`print_table`), JSON records or CSV on standard output.

    ``table`` is an optional narrower frame shown instead of ``frame`` in table format when no
    ``columns`` are chosen; JSON and CSV always carry every column of ``frame``. CSV follows
    ``--lang`` (German: BOM, ``;``, decimal comma); JSON is the same in every language.
    """
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(json_records(frame), ensure_ascii=False, indent=2))
    elif fmt is OutputFormat.csv:
        typer.echo(csv_text(frame, output_language()), nl=False)
    else:
        shown = frame if table is None or columns is not None else table
        print_table(
            shown,
            title,
            columns=columns,
            percent=percent,
            split=split,
            columns_option=columns_option,
            money=money,
            currency=currency,
        )


def rich_table(frame: pd.DataFrame, title: str | None = None) -> RichTable:
    """A Rich table of ``frame`` with numbers right-aligned and written compactly, in the
    language of ``--lang``."""
    return _render(_columns(frame, (), output_language()), title)


def emit_mapping(
    items: Sequence[tuple[str, Any]], fmt: OutputFormat, title: str | None = None
) -> None:
    """Print key/value pairs in ``fmt``."""
    frame = pd.DataFrame(list(items), columns=["key", "value"])
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({k: json_value(v) for k, v in items}, ensure_ascii=False, indent=2))
    else:
        emit(frame, fmt, title, split=False)
