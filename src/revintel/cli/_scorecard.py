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
from revintel.cli._common import (
    DbOption,
    LangOption,
    console,
    print_table,
    resolve_language,
    store_from,
)
from revintel.i18n import Language, Translator
from revintel.report import (
    REPORT_USER,
    PdfError,
    render_scorecard,
    scorecard_pdf,
    scorecard_workbook,
)
from revintel.report._scorecard import amount_text, model_name, month_text, owner_text
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


def scorecard_document(card: Scorecard) -> dict[str, Any]:
    """The scorecard as one JSON-ready mapping (both languages' texts kept)."""
    document = dataclasses.asdict(card)
    document["month"] = card.month_label
    document["quarter"] = card.quarter_label
    return document


def _print_tables(card: Scorecard, t: Translator) -> None:
    """The card as the terminal shows it: headers, numbers and dates in ``t``'s language."""
    lang = t.lang
    col = {k: t(f"scorecard.col.{k}") for k in _COLUMNS}
    kpis = pd.DataFrame(
        [
            {
                col["kpi"]: k.name(lang),
                col["period"]: t(f"scorecard.grain.{k.grain}"),
                col["value"]: t.measure(k.value, k.unit),
                col["previous"]: t.measure(k.previous, k.unit),
                col["last_year"]: t.measure(k.last_year, k.unit),
            }
            for k in card.kpis
        ]
    )
    print_table(kpis, f"{t('scorecard.section.kpis')} · {month_text(card, lang)}", split=False)
    targets = pd.DataFrame(
        [
            {
                col["owner"]: owner_text(x, t),
                col["measure"]: t(f"scorecard.measure.{x.measure}"),
                col["target"]: amount_text(x, x.target, t),
                col["actual"]: amount_text(x, x.actual, t),
                col["attainment"]: t.percent(x.attainment),
            }
            for x in card.targets
        ]
    )
    if targets.empty:
        console.print(t("scorecard.targets.none"), highlight=False)
    else:
        print_table(
            targets, f"{t('scorecard.section.targets')} · {card.quarter_label}", split=False
        )
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
        frame = pd.DataFrame(
            [
                {
                    col["milestone"]: c.label(lang),
                    col["conversions"]: t.number(c.conversions, 1),
                    col["marketing"]: t.number(c.marketing, 1),
                    col["sales"]: t.number(c.sales, 1),
                    col["unattributed"]: t.number(c.unattributed, 1),
                    col["marketing_share"]: t.percent(c.marketing_share),
                }
                for c in card.contributions
            ]
        )
        title = f"{t('scorecard.section.contribution')} · {model_name(card, t)}"
        print_table(frame, title, split=False)
    v = card.velocity
    lines = (
        ("mqls", t.number(v.mqls), t.number(v.mqls_previous)),
        ("weighted", t.number(v.weighted, 1), t.number(v.weighted_previous, 1)),
        ("scored_share", t.percent(v.scored_share), t.percent(v.scored_share_previous)),
        ("lvr", t.percent(v.lvr), ""),
        ("lvr_weighted", t.percent(v.lvr_weighted), ""),
    )
    velocity = pd.DataFrame(
        [
            {
                col["figure"]: t(f"scorecard.velocity.{key}"),
                col["month"]: now,
                col["previous_month"]: before,
            }
            for key, now, before in lines
        ]
    )
    print_table(velocity, t("scorecard.section.velocity"), split=False)
    sla = pd.DataFrame(
        [
            {
                col["level"]: t(f"sla.level.{s.level}"),
                col["due"]: t.number(s.due),
                col["met"]: t.number(s.met),
                col["breached"]: t.number(s.breached),
                col["open"]: t.number(s.open),
                col["attainment"]: t.percent(s.attainment),
                col["target_hours"]: t.number(s.target_hours),
            }
            for s in card.sla
        ]
    )
    print_table(sla, t("scorecard.section.sla"), split=False)
    console.print(f"[bold]{t('scorecard.section.alerts')}[/bold]")
    for alert in card.alerts:
        console.print(f"- {alert.reason(lang)}", highlight=False)
    if not card.alerts:
        console.print(t("scorecard.alerts.none"), highlight=False)


#: Column headers of the printed tables (message keys ``scorecard.col.<name>``).
_COLUMNS = (
    "kpi",
    "period",
    "value",
    "previous",
    "last_year",
    "owner",
    "measure",
    "target",
    "actual",
    "attainment",
    "milestone",
    "conversions",
    "marketing",
    "sales",
    "unattributed",
    "marketing_share",
    "figure",
    "month",
    "previous_month",
    "level",
    "due",
    "met",
    "breached",
    "open",
    "target_hours",
)


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
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """The joint scorecard of marketing and sales for one month.

    Agreed KPIs, targets against actuals per team and person, contribution per milestone,
    quality-weighted LVR, service levels and open alerts. The PDF is printed by headless
    Chromium from the page's HTML (docs/scorecard.md)."""
    language = resolve_language(lang)
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
