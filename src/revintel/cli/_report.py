"""``revintel report``: the management report as self-contained HTML and as an Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from revintel.cli import app
from revintel.cli._common import DbOption, LangOption, console, store_from


@app.command()
def report(
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the HTML report (opens offline) here.")
    ] = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Write the KPI tables as an Excel workbook here.")
    ] = None,
    months: Annotated[int, typer.Option("--months", help="Forecast horizon.", min=1)] = 6,
    lang: LangOption = "de",
) -> None:
    """KPIs, alerts, funnel and order-intake forecast of the whole store as a report."""
    if out is None and xlsx is None:
        raise typer.BadParameter("give --out report.html, --xlsx report.xlsx or both")
    from revintel.i18n import Language
    from revintel.report import REPORT_USER, collect_report, write_html_report, write_xlsx_report
    from revintel.views import section_gaps

    language: Language = "de" if lang == "de" else "en"
    with store_from(db, read_only=True) as store:
        data = collect_report(store, language=language, months=months)
        gaps = section_gaps(store, REPORT_USER, data.funnel, data.alerts, data.forecast.gap,
                            "en", numeric=True)  # fmt: skip
    if out is not None:
        size = write_html_report(data, out)
        console.print(f"wrote {out} ({size / 1e6:.1f} MB, opens offline)")
    if xlsx is not None:
        write_xlsx_report(data, xlsx)
        console.print(f"wrote {xlsx}")
    for section, sentence in gaps.items():  # the report shows these in place of its tables
        console.print(f"{section}: {sentence}", highlight=False)
