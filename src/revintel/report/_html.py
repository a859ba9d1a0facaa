"""The management report: KPIs, funnel, alerts and forecast as one self-contained HTML file.

The report reads through the same functions as the dashboard and the API, so its numbers equal
theirs; plotly.js is inlined from the installed package so the file opens offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from revintel.auth import Role, User
from revintel.charts import STATIC_DIR, Chart, FanChart, plotly_js
from revintel.forecast import DIRECT, NEW, OPEN, TOTAL
from revintel.i18n import Language, Translator
from revintel.store import DEFAULT_CURRENCY, Store, store_currency
from revintel.views import (
    FORECAST_SIMULATIONS,
    ForecastView,
    KpiTile,
    RecordQuery,
    Slice,
    alert_reasons,
    deal_totals,
    forecast_view,
    funnel_rows,
    kpi_tiles,
    monthly_counts,
    section_gaps,
)

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
)
#: Who a report is made for when run from the command line: every row of the store.
REPORT_USER = User("report", "Report", Role.admin)


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, computed once and rendered as HTML or as a workbook."""

    created: datetime
    tiles: list[KpiTile]
    deals: dict[str, tuple[int, float]]
    funnel: list[dict[str, Any]]
    alerts: list[tuple[str, str]]
    forecast: ForecastView
    leads_per_month: list[tuple[date, int]]
    language: Language
    #: The store currency every amount of the report is in.
    currency: str = DEFAULT_CURRENCY
    #: Section (``funnel``, ``alerts``, ``forecast``) → why it is empty, in the language.
    gaps: dict[str, str] = field(default_factory=dict)


def collect_report(
    store: Store,
    user: User = REPORT_USER,
    language: Language = "de",
    months: int = 6,
    simulations: int = FORECAST_SIMULATIONS,
) -> ReportData:
    """Compute the report's numbers on the rows ``user`` sees (default: all of them)."""
    funnel = funnel_rows(store, user, None, Slice(), None, None, language)
    alerts = alert_reasons(store, user)
    forecast = forecast_view(store, user, None, months, simulations, 42)
    return ReportData(
        created=datetime.now().replace(microsecond=0),
        tiles=kpi_tiles(store, user),
        deals=deal_totals(store, user, RecordQuery()),
        funnel=funnel,
        alerts=alerts,
        forecast=forecast,
        leads_per_month=monthly_counts(store, user, "leads", RecordQuery()),
        language=language,
        currency=store_currency(store),
        gaps=section_gaps(store, user, funnel, alerts, forecast.gap, language),
    )


def report_charts(data: ReportData, t: Translator) -> list[Chart | FanChart]:
    """The report's charts: leads per month, the funnel and the forecast fan and split."""
    rows = data.forecast.records()
    monthly = [r for r in rows if r["grain"] == "month" and r["group"] == "all"]
    total = [r for r in monthly if r["source"] == TOTAL]
    return [
        Chart(
            "leads-per-month",
            t("chart.leads_per_month"),
            (t("chart.month"), t("chart.count")),
            data.leads_per_month,
        ),
        Chart(
            "funnel",
            t("funnel.chart"),
            (t("col.milestone"), t("funnel.reached")),
            [(r["label"], r["reached"]) for r in data.funnel],
        ),
        FanChart(
            "forecast-fan",
            t("forecast.fan"),
            (t("forecast.period"), "P10", "P50", "P90"),
            [(r["period"], r["p10"], r["p50"], r["p90"]) for r in total],
            y_title=t("forecast.intake").format(symbol=t.symbol),
        ),
        Chart(
            "forecast-sources",
            t("forecast.sources"),
            (t("forecast.period"), "P50", t("forecast.source")),
            [
                (r["period"], r["p50"], t(f"forecast.source.{r['source']}"))
                for r in monthly
                if r["source"] in (OPEN, NEW, DIRECT)
            ],
            stacked=True,
        ),
    ]


def _inline_script(text: str) -> Markup:
    # A script element ends at the first "</script"; plotly.min.js never contains one, but an
    # escaped form keeps the guarantee for any version.
    return Markup(text.replace("</script", "<\\/script"))


def render_html_report(data: ReportData) -> str:
    """The report as one HTML document with plotly.js, styles and chart data inline."""
    t = Translator(data.language, data.currency)
    template = TEMPLATES.get_template("report.html")
    return template.render(
        t=t,
        lang=t.lang,
        data=data,
        charts=report_charts(data, t),
        forecast_rows=[r for r in data.forecast.records() if r["grain"] == "quarter"],
        plotly=_inline_script(plotly_js().decode("utf-8")),
        charts_js=_inline_script((STATIC_DIR / "charts.js").read_text(encoding="utf-8")),
        css=Markup((STATIC_DIR / "app.css").read_text(encoding="utf-8")),
    )


def write_html_report(data: ReportData, path: Path) -> int:
    """Write the HTML report to ``path``; returns its size in bytes."""
    text = render_html_report(data)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))
