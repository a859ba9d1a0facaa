"""``revintel scorecard``: the joint scorecard of marketing and sales for one month, printed as
tables or JSON, or written as the standalone HTML, the PDF or the Excel workbook."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from revintel.cli import app
from revintel.cli._common import DbOption, LangOption, console, print_table, store_from
from revintel.i18n import Language, Translator, language_or_default
from revintel.report import (
    REPORT_USER,
    PdfError,
    render_scorecard,
    scorecard_pdf,
    scorecard_workbook,
)
from revintel.views._scorecard import (
    Scorecard,
    ScorecardConfigError,
    ScorecardMonthError,
    scorecard_view,
)


class ScorecardFormat(StrEnum):
    """How ``revintel scorecard`` gives its result."""

    table = "table"
    json = "json"
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"


#: Formats written to a file (``--output``, else a default name in the working directory).
FILE_FORMATS = (ScorecardFormat.html, ScorecardFormat.pdf, ScorecardFormat.xlsx)


def _language(lang: str) -> Language:
    chosen = language_or_default(lang, "en")
    if chosen != lang:
        raise typer.BadParameter(f"{lang!r}: use de or en", param_hint="--lang")
    return chosen


def scorecard_document(card: Scorecard) -> dict[str, Any]:
    """The scorecard as one JSON-ready mapping (both languages' texts kept)."""
    document = dataclasses.asdict(card)
    document["month"] = card.month_label
    document["quarter"] = card.quarter_label
    return document


def _print_tables(card: Scorecard, t: Translator) -> None:
    lang = t.lang
    kpis = pd.DataFrame(
        [
            {
                "kpi": k.name(lang),
                "grain": k.grain,
                "value": t.measure(k.value, k.unit),
                "previous": t.measure(k.previous, k.unit),
                "last_year": t.measure(k.last_year, k.unit),
            }
            for k in card.kpis
        ]
    )
    print_table(kpis, f"{t('scorecard.section.kpis')} · {card.month_label}", split=False)
    targets = pd.DataFrame([dataclasses.asdict(x) for x in card.targets])
    if not targets.empty:
        columns = ["owner", "team", "rep_name", "measure", "target", "actual", "attainment"]
        title = f"{t('scorecard.section.targets')} · {card.quarter_label}"
        print_table(targets[columns], title, percent=["attainment"], split=False)
    if card.contributions is not None and not card.credits_stored:
        console.print(
            t("scorecard.contribution.none").format(
                model=card.attribution_model,
                model_id=card.attribution_model,
                level=card.attribution_level,
            ),
            highlight=False,
        )
    elif card.contributions:
        frame = pd.DataFrame([dataclasses.asdict(c) for c in card.contributions])
        title = f"{t('scorecard.section.contribution')} · {card.attribution_model}"
        print_table(frame.drop(columns=["label_de", "label_en"]), title, split=False)
    velocity = pd.DataFrame([dataclasses.asdict(card.velocity)])
    print_table(
        velocity,
        t("scorecard.section.velocity"),
        percent=["lvr", "lvr_weighted", "scored_share", "scored_share_previous"],
        split=False,
    )
    sla = pd.DataFrame([dataclasses.asdict(s) for s in card.sla])
    print_table(sla, t("scorecard.section.sla"), percent=["attainment"], split=False)
    console.print(f"[bold]{t('scorecard.section.alerts')}[/bold]")
    for alert in card.alerts:
        console.print(f"- {alert.reason(lang)}", highlight=False)
    if not card.alerts:
        console.print(t("scorecard.alerts.none"), highlight=False)


def _file_body(card: Scorecard, fmt: ScorecardFormat, lang: Language) -> bytes:
    if fmt == ScorecardFormat.html:
        return render_scorecard(card, lang, standalone=True).encode("utf-8")
    if fmt == ScorecardFormat.pdf:
        return scorecard_pdf(card, lang)
    return scorecard_workbook(card, lang)


@app.command("scorecard")
def scorecard_command(
    month: Annotated[
        str | None,
        typer.Option("--month", help="YYYY-MM (default: the last complete month)."),
    ] = None,
    fmt: Annotated[
        ScorecardFormat,
        typer.Option("--format", "-f", help="table, json, html, pdf or xlsx."),
    ] = ScorecardFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File for html, pdf or xlsx (default: scorecard-YYYY-MM-LANG.FORMAT here).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Scorecard file replacing conf/scorecard.yaml."),
    ] = None,
    lang: LangOption = "en",
    db: DbOption = None,
) -> None:
    """The joint scorecard of marketing and sales for one month.

    Agreed KPIs, targets against actuals per team and person, contribution per milestone,
    quality-weighted LVR, service levels and open alerts. The PDF is printed by headless
    Chromium from the page's HTML (docs/scorecard.md)."""
    language = _language(lang)
    try:
        with store_from(db) as store:
            card = scorecard_view(store, REPORT_USER, month, config)
    except ScorecardMonthError as exc:
        raise typer.BadParameter(str(exc), param_hint="--month") from None
    except ScorecardConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config") from None
    t = Translator(language, card.currency)
    if fmt == ScorecardFormat.json:
        typer.echo(json.dumps(scorecard_document(card), default=str, ensure_ascii=False, indent=2))
        return
    if fmt == ScorecardFormat.table:
        _print_tables(card, t)
        return
    path = output or Path(f"scorecard-{card.month_label}-{language}.{fmt.value}")
    try:
        body = _file_body(card, fmt, language)
    except PdfError as exc:
        console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(1) from None
    path.write_bytes(body)
    console.print(t("scorecard.written").format(path=path), highlight=False)
