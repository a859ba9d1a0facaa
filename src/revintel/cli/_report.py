"""``revintel report``: the management report as self-contained HTML and as an Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from revintel.cli import app
from revintel.cli._common import DbOption, LangOption, console, resolve_language, store_from
from revintel.cli._progress import progress_bar
from revintel.i18n import Translator


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
    lang: LangOption = None,
) -> None:
    """KPIs, alerts, funnel and order-intake forecast of the whole store as a report."""
    if out is None and xlsx is None:
        raise typer.BadParameter("give --out report.html, --xlsx report.xlsx or both")
    from revintel.report import REPORT_USER, collect_report, write_html_report, write_xlsx_report
    from revintel.views import section_gaps

    language = resolve_language(lang)
    steps = 2 + (out is not None) + (xlsx is not None)
    with progress_bar("computing the report", total=steps) as bar:
        with store_from(db, read_only=True) as store:
            bar("KPIs, funnel, alerts and forecast", 0, steps)
            data = collect_report(store, language=language, months=months)
            bar("what is missing for each section", 1, steps)
            gaps = section_gaps(store, REPORT_USER, data.funnel, data.alerts, data.forecast.gap,
                                "en", numeric=True)  # fmt: skip
        if out is not None:
            bar(f"writing {out}", 2, steps)
            size = write_html_report(data, out)
        if xlsx is not None:
            bar(f"writing {xlsx}", steps - 1, steps)
            write_xlsx_report(data, xlsx)
    t = Translator(language)
    if out is not None:
        html = t("cli.report.html").format(size=t.number(size / 1e6, 1))
        console.print(t("cli.wrote").format(path=out) + html, highlight=False)
    if xlsx is not None:
        console.print(t("cli.wrote").format(path=xlsx), highlight=False)
    for section, sentence in gaps.items():  # the report shows these in place of its tables
        console.print(f"{section}: {sentence}", highlight=False)
