"""Import commands: ``import`` (load exports), ``quality`` (data quality) and ``dedupe``."""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import RenderableType

from revintel._frames import json_records
from revintel.cli import app
from revintel.cli._batches import BATCH_COMMANDS, run_batch_command, table_counts
from revintel.cli._common import (
    DbOption,
    FormatOption,
    FunnelOption,
    LangOption,
    OutputFormat,
    console,
    emit,
    emit_mapping,
    funnel_from,
    rich_table,
    store_from,
    translator,
)
from revintel.cli._locale import share_text
from revintel.cli._progress import progress_bar
from revintel.cli._summary import summary_section
from revintel.i18n import Translator
from revintel.ingest import (
    ImportReport,
    NothingImportedError,
    StrictImportError,
    TableSource,
    account_candidates,
    history_sources,
    import_files,
    preset_names,
    quality_report,
    record_decision,
)
from revintel.store import Store

PresetArgument = Annotated[
    str,
    typer.Argument(
        help="Source system: " + ", ".join(preset_names()) + "; or `list` (the imports) or "
        "`undo BATCH`."
    ),
]
FilesArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Export files (CSV, TXT, XLSX, Parquet; .gz or .zip of them; every sheet of an "
        "XLSX); for `undo` the batch id."
    ),
]


def _files_frame(report: ImportReport) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "file": f.file,
                "object": f.object,
                "table": f.table,
                "read": f.rows_read,
                "accepted": f.rows_accepted,
                "rejected": f.rows_rejected,
            }
            for f in report.files
        ]
    )


def _print_report(report: ImportReport, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        emit_mapping(
            [
                ("batch", report.batch_id),
                ("status", report.status),
                ("rows_read", report.rows_read),
                ("rows_accepted", report.rows_accepted),
                ("rows_rejected", report.rows_rejected),
                ("files", _files_frame(report).to_dict(orient="records")),
                ("written", report.written),
                ("rejected_by_reason", report.rejected_by_reason()),
                ("as_of_filled", report.as_of_notes()),
                ("guest_orders", report.guest_orders),
                ("guest_amount", report.guest_amount),
            ],
            fmt,
        )
        return
    t = translator()
    # the status id in English, as JSON writes it
    status = t.label("import_status", report.status) if t.lang == "de" else report.status
    emit(_files_frame(report), fmt, title=t("cli.import.title").format(
        batch=report.batch_id, status=status))  # fmt: skip
    if fmt is not OutputFormat.table:
        return
    rows = t("cli.import.rows").format(
        read=t.number(report.rows_read),
        accepted=t.number(report.rows_accepted),
        rejected=t.number(report.rows_rejected),
    )
    console.print(rows, highlight=False)
    written = table_counts(report.written, t) or t("cli.nothing")
    console.print(t("cli.import.written").format(tables=written), highlight=False)
    for note in report.as_of_notes():
        console.print(note)
    if report.guest_orders:
        guests = t("cli.import.guests").format(
            orders=t.number(report.guest_orders), amount=t.number(report.guest_amount, 2)
        )
        console.print(guests, highlight=False)
    reasons = report.rejected_by_reason()
    if reasons:
        frame = pd.DataFrame(
            sorted(reasons.items(), key=lambda kv: -kv[1]), columns=["reason", "cells"]
        )
        emit(frame, fmt, title=t("cli.import.rejected_title"))
        if report.rejections is not None:
            first = report.rejections.slice(0, 10).to_pandas()
            emit(
                first[["file", "row_number", "column", "value", "reason"]],
                fmt,
                title=t("cli.import.problems_title"),
            )


@app.command("import")
def import_command(
    preset: PresetArgument,
    files: FilesArgument = None,
    tables: Annotated[
        list[str] | None,
        typer.Option(
            "--table",
            help="A table already in the store's engine to import like a file "
            "(e.g. crm.leads_extract); repeatable.",
        ),
    ] = None,
    queries: Annotated[
        list[str] | None,
        typer.Option(
            "--query", help="A query in the engine's SQL whose rows to import; repeatable."
        ),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Mapping YAML (columns, stages, formats).")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Load nothing when any row is rejected.")
    ] = False,
    date_format: Annotated[
        str | None,
        typer.Option(
            "--date-format", help="dd/mm/yyyy or mm/dd/yyyy when the values leave it open."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="IANA zone the files' times are in (default: the preset's, e.g. UTC for "
            "salesforce and hubspot, else the store's). Values with an offset or Z use it.",
        ),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Date (YYYY-MM-DD) of undated records: sets every required date "
            "(created_at, ordered_at, occurred_at…) that has no value; recorded with the batch.",
        ),
    ] = None,
    db: DbOption = None,
    funnel: FunnelOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Import CRM, marketing-automation or ERP exports into the store (one transaction).

    Rows already in the store's engine are imported with --table or --query (or a mapping
    whose objects name a source), without a file in between.

    Times are stored as wall-clock times of the store's zone (`revintel store timezone`);
    dates without a time stay the calendar day they are.

    `revintel import list` shows the imports, newest first; `revintel import undo BATCH` removes
    what one import wrote and restores the rows it changed, unless a later import builds on it.
    An import that accepts no row fails (exit code 1) and is recorded as a failed batch.
    """
    if preset in BATCH_COMMANDS:
        run_batch_command(preset, list(files or []), db, fmt)
        return
    with store_from(db) as store, progress_bar("importing", fmt) as bar:
        try:
            sources: list[Path | TableSource] = [
                *(files or []),
                *(TableSource(table=t) for t in tables or []),
                *(TableSource(query=q) for q in queries or []),
            ]
            report = import_files(
                store,
                preset,
                sources,
                mapping=mapping,
                strict=strict,
                funnel=funnel_from(funnel),
                date_format=date_format,
                timezone=timezone,
                as_of=None if as_of is None else as_of.date(),
                progress=bar,
            )
        except (StrictImportError, NothingImportedError) as exc:
            _print_report(exc.report, fmt)
            raise
    _print_report(report, fmt)


@app.command()
def quality(
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
    fields: Annotated[
        bool, typer.Option("--fields", help="List completeness of every field, not only gaps.")
    ] = False,
) -> None:
    """Data quality per source and table: completeness, rejections, duplicates, dated history,
    guest orders."""
    with store_from(db, read_only=True) as store:
        report = quality_report(store)
    filled = report.completeness
    if not fields:
        filled = filled[filled["completeness"] < 1.0]
    # keyed by the English title in JSON, the same whatever --lang says
    sections = [
        ("cli.quality.completeness" if fields else "cli.quality.completeness_gaps", filled),
        ("cli.quality.rejections", report.rejections),
        ("cli.quality.duplicates", report.duplicates),
        ("cli.quality.history", report.history),
        ("cli.quality.guests", report.guests),
    ]
    if fmt is OutputFormat.json:
        english = Translator("en")
        emit_mapping([(english(key), json_records(frame)) for key, frame in sections], fmt)
        return
    t = translator()
    for key, frame in sections:
        if fmt is OutputFormat.table and frame.empty:
            console.print(t("cli.quality.none").format(title=t(key)), highlight=False)
            continue
        emit(frame, fmt, title=t(key))


@app.command()
def dedupe(
    threshold: Annotated[
        float, typer.Option("--threshold", help="Smallest match probability shown.")
    ] = 0.5,
    accept: Annotated[
        list[str] | None, typer.Option("--accept", help="Pair id to accept as the same company.")
    ] = None,
    reject: Annotated[
        list[str] | None, typer.Option("--reject", help="Pair id to reject as different companies.")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also show pairs already decided.")
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Find accounts that are the same company across sources; accept or reject candidate pairs."""
    with store_from(db) as store, progress_bar("comparing accounts", fmt) as bar:
        candidates = account_candidates(store, threshold=threshold)
        bar("recording decisions")
        user = getpass.getuser()
        for chosen in accept or []:
            record_decision(store, candidates, chosen, "accepted", decided_by=user)
        for chosen in reject or []:
            record_decision(store, candidates, chosen, "rejected", decided_by=user)
        if accept or reject:
            candidates = account_candidates(store, threshold=threshold)
    shown = candidates if show_all else candidates[candidates["decision"].isna()]
    t = translator()
    title = t("cli.dedupe.title").format(threshold=t.number(threshold, 2))
    emit(shown, fmt, title=title)
    if fmt is OutputFormat.table:
        decided = int(candidates["decision"].notna().sum())
        summary = t("cli.dedupe.summary").format(
            pairs=t.number(len(candidates)), decided=t.number(decided)
        )
        console.print(summary, highlight=False)


@summary_section("cli.demo.section.quality")
def _quality_summary(store: Store) -> RenderableType:
    t = translator()
    history = history_sources(store)
    if history.empty:
        return t("cli.demo.quality.none")
    for share in ("share_dated", "share_fully_dated"):
        history[share] = [share_text(v, t.lang) for v in history[share]]
    return rich_table(history, title=t("cli.demo.quality.title"))
