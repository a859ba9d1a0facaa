"""What every CLI command shares: options, output formats, the console and error handling."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table as RichTable

from revintel._frames import json_records, json_value
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store, open_store

console = Console()
err_console = Console(stderr=True)


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
LangOption = Annotated[str, typer.Option("--lang", help="Label language: de or en.")]


def store_from(db: str | None, *, read_only: bool = False) -> Store:
    """Open the store named by ``--db`` (or the default)."""
    return open_store(db, read_only=read_only)


def funnel_from(path: Path | None) -> FunnelDefinition:
    """Load the funnel named by ``--funnel`` (or the built-in one)."""
    return load_funnel(path)


def _cell(value: Any) -> str:
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def emit(frame: pd.DataFrame, fmt: OutputFormat, title: str | None = None) -> None:
    """Print ``frame`` as a Rich table, JSON records or CSV on standard output."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(json_records(frame), ensure_ascii=False, indent=2))
    elif fmt is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([str(c) for c in frame.columns])
        for record in json_records(frame):
            writer.writerow(["" if v is None else v for v in record.values()])
        typer.echo(buffer.getvalue(), nl=False)
    else:
        console.print(rich_table(frame, title))


def rich_table(frame: pd.DataFrame, title: str | None = None) -> RichTable:
    """A Rich table of ``frame`` with numbers right-aligned."""
    out = RichTable(title=title, header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        out.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        out.add_row(*(_cell(v) for v in row))
    return out


def emit_mapping(
    items: Sequence[tuple[str, Any]], fmt: OutputFormat, title: str | None = None
) -> None:
    """Print key/value pairs in ``fmt``."""
    frame = pd.DataFrame(list(items), columns=["key", "value"])
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({k: json_value(v) for k, v in items}, ensure_ascii=False, indent=2))
    else:
        emit(frame, fmt, title)
