"""How the attribution commands print and write their results: German or English tables,
CSV, JSON and Excel."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from revintel.cli._common import OutputFormat, console, emit, translator
from revintel.i18n import Translator, label
from revintel.model import FunnelDefinition
from revintel.views._attribution import (
    BASELINE,
    MODELS,
    AttributionView,
    ModelComparison,
    plain_notes,
)


class AttributionFormat(StrEnum):
    """How an attribution command prints its result."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def transition_text(funnel: FunnelDefinition, came_from: str | None, to: str, t: Translator) -> str:
    """``SAL → SQL`` with the milestones' names in the language of ``t``."""
    start = t("attribution.start") if came_from is None else funnel.get(came_from).name(t.lang)
    return f"{start} → {funnel.get(to).name(t.lang)}"


def shown_channel(name: str, t: Translator) -> str:
    """A channel's name, the baseline's in the language of ``t``; German tables name the
    channels of the label registry in German (English keeps the ids scripts know)."""
    if name == BASELINE:
        return t("attribution.baseline")
    return label("channel", name, t.lang) if t.lang == "de" else name


def amount_text(value: float, currency: str | None, t: Translator) -> str:
    """Money in the store currency; a path file's value (no currency) as a plain number."""
    if pd.isna(value):
        return ""
    return t.number(float(value), 2) if currency is None else t.money(float(value), currency)


def readable_view(view: AttributionView, t: Translator) -> pd.DataFrame:
    """The credits with headers in the language of ``t`` and numbers written its way."""
    frame = view.channels
    shown: dict[str, list[str]] = {
        t("attribution.col.channel"): [shown_channel(c, t) for c in frame["channel"]],
        t("attribution.col.conversions"): [t.number(v, 1) for v in frame["conversions"]],
        t("attribution.col.revenue"): [amount_text(v, view.currency, t) for v in frame["revenue"]],
    }
    if frame["margin"].notna().any():
        margins = [amount_text(v, view.currency, t) for v in frame["margin"]]
        shown[t("attribution.col.margin")] = margins
    shares = [None if pd.isna(v) else float(v) for v in frame["share"]]
    shown[t("attribution.col.share")] = [t.percent(v) for v in shares]
    return pd.DataFrame(shown)


def view_json(view: AttributionView) -> dict[str, Any]:
    """The credits, totals and notes as ``--format json`` prints them (the API's shape)."""
    channels = view.channels.astype(object).where(view.channels.notna(), None)
    return {
        "model": view.model,
        "to": view.to,
        "from": view.came_from,
        "journeys": view.journeys,
        "conversions": view.conversions,
        "revenue": view.revenue,
        "open_journeys": view.open_journeys,
        "as_of": None if view.as_of is None else view.as_of.isoformat(),
        "currency": view.currency,
        "channels": plain_notes({"c": channels.to_dict(orient="records")}).get("c", []),
        "notes": view.notes,
    }


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    """Write ``frame`` to an Excel workbook: one header row, numbers as numbers."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as book:
        page = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True})
        decimal = book.add_format({"num_format": "#,##0.00"})
        for col, name in enumerate(frame.columns):
            page.write(0, col, str(name), bold)
            page.set_column(col, col, max(12, len(str(name)) + 2))
        for row, values in enumerate(frame.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                if isinstance(value, int | float) and not pd.isna(value):
                    page.write_number(row, col, float(value), decimal)
                elif not (isinstance(value, float) and pd.isna(value)):
                    page.write(row, col, value)
        page.freeze_panes(1, 0)


def deliver(
    frame: pd.DataFrame,
    fmt: AttributionFormat,
    output: Path | None,
    document: dict[str, Any],
    sheet: str,
) -> bool:
    """Print or write ``frame`` in a machine format; ``False`` when ``fmt`` is the table."""
    if fmt is AttributionFormat.xlsx:
        if output is None:
            raise typer.BadParameter(
                "--format xlsx needs --output FILE.xlsx", param_hint="--output"
            )
        write_xlsx(frame, output, sheet)
        console.print(translator()("cli.wrote").format(path=output), highlight=False)
        return True
    if fmt is AttributionFormat.table:
        return False
    if fmt is AttributionFormat.json:
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    else:
        text = frame.to_csv(index=False, lineterminator="\n")
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(translator()("cli.wrote").format(path=output), highlight=False)
    return True


def print_view(view: AttributionView, title: str, t: Translator) -> None:
    """Print the credits as a table with the totals below (or why there is nothing)."""
    if view.journeys == 0:
        console.print(title, style="bold", highlight=False)
        console.print(t("attribution.empty"), highlight=False)
        return
    emit(readable_view(view, t), OutputFormat.table, title, split=False)
    summary = t("attribution.summary").format(
        journeys=t.number(view.journeys),
        converted=t.number(view.conversions, 0 if view.conversions.is_integer() else 1),
        currency=view.currency or "—",
    )
    console.print(summary, highlight=False)
    if view.open_journeys:
        console.print(
            t("attribution.open").format(count=t.number(view.open_journeys)), highlight=False
        )


def comparison_json(found: ModelComparison) -> dict[str, Any]:
    """The comparison as ``--format json`` prints it."""
    rows = found.frame.astype(object).where(found.frame.notna(), None)
    return {
        "to": found.to,
        "from": found.came_from,
        "value": found.value,
        "journeys": found.journeys,
        "total": found.total,
        "channels": plain_notes({"c": rows.to_dict(orient="records")}).get("c", []),
        "skipped": found.skipped,
    }


def readable_comparison(found: ModelComparison, t: Translator) -> pd.DataFrame:
    """The comparison with model names and numbers in the language of ``t``."""

    def cell(v: float) -> str:
        if pd.isna(v):
            return ""
        return t.money(float(v)) if found.value == "revenue" else t.number(float(v), 1)

    shown = {t("attribution.col.channel"): [shown_channel(c, t) for c in found.frame["channel"]]}
    for model in MODELS:
        shown[t(f"attribution.model.{model}")] = [cell(v) for v in found.frame[model]]
    return pd.DataFrame(shown)
