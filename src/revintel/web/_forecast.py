"""The Forecast page: P10/P50/P90 fan of order intake, split by source and by a breakdown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BeforeValidator, Field

from revintel.charts import Chart, FanChart
from revintel.forecast import DIRECT, NEW, OPEN, TOTAL
from revintel.metrics import MissingRateError
from revintel.views import (
    FORECAST_BREAKDOWNS,
    FORECAST_SIMULATIONS,
    forecast_view,
    page_sentence,
)
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._csv import chart_csv
from revintel.web._drilldown import link_open_pipeline

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
Breakdown = Annotated[
    Annotated[str, Field(max_length=40)] | None, BeforeValidator(lambda v: v or None), Query()
]
Grain = Annotated[
    Annotated[str, Field(max_length=10)] | None, BeforeValidator(lambda v: v or None), Query()
]
Horizon = Annotated[
    Annotated[int, Field(ge=1, le=24)] | None, BeforeValidator(lambda v: v or None), Query()
]
#: Horizons offered by the page, in months.
HORIZONS = (3, 6, 12)
CHARTS = ("forecast-fan", "forecast-sources", "forecast-groups")
SEED = 42


def _settings(by: str | None, grain: str | None, months: int | None) -> dict[str, Any]:
    return {
        "by": by if by in FORECAST_BREAKDOWNS else None,
        "grain": grain if grain in ("month", "quarter") else "month",
        "months": months if months in HORIZONS else 6,
    }


def _rows(page: PageContext, settings: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    # The same arguments as the API's default forecast (no what-if), so both share one result.
    args = (settings["by"], settings["months"], FORECAST_SIMULATIONS, SEED, ())
    view = page.query(forecast_view, *args)
    rows = [r for r in view.records() if r["grain"] == settings["grain"]]
    return view, rows


def _period_total(row: dict[str, Any]) -> tuple[Any, float, float, float]:
    """Period, P10, P50 and P90 of booked plus simulated intake (booked is known, so it shifts
    every quantile alike)."""
    booked = row.get("booked") or 0.0
    return (row["period"], booked + row["p10"], booked + row["p50"], booked + row["p90"])


def _attainment(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per period and group with a target, quarters first (whatever grain the charts show):
    target, booked, expected (booked + P50), gap and the chance of reaching it (total rows
    only: a target is one of total intake)."""
    found = []
    for r in rows:
        if r["source"] != TOTAL or r.get("target") is None:
            continue
        booked = r.get("booked") or 0.0
        found.append({**r, "expected": booked + r["p50"]})
    return sorted(found, key=lambda r: (r["grain"] != "quarter", r["period"], r["group"]))


def _charts(page: PageContext, rows: list[dict[str, Any]], by: str | None) -> dict[str, Any]:
    t = page.t
    period = t("forecast.period")
    total = [r for r in rows if r["source"] == TOTAL and r["group"] == "all"]
    charts: dict[str, Any] = {
        # the whole period: booked before the cut-off plus the simulated rest, beside its target
        "forecast-fan": FanChart(
            "forecast-fan",
            t("forecast.fan"),
            (period, "P10", "P50", "P90"),
            [_period_total(r) for r in total],
            y_title=t("forecast.intake").format(symbol=t.symbol),
            targets=[r.get("target") for r in total],
            target_name=t("forecast.target"),
        ),
        "forecast-sources": Chart(
            "forecast-sources",
            t("forecast.sources"),
            (period, "P50", t("forecast.source")),
            [
                (r["period"], r["p50"], t(f"forecast.source.{r['source']}"))
                for r in rows
                if r["source"] in (OPEN, NEW, DIRECT) and r["group"] == "all"
            ],
            stacked=True,
        ),
    }
    if by is not None:
        charts["forecast-groups"] = Chart(
            "forecast-groups",
            t("forecast.groups"),
            (period, "P50", by),
            [
                (r["period"], r["p50"], r["group"])
                for r in rows
                if r["source"] == TOTAL and r["group"] != "all"
            ],
        )
    return charts


@router.get("/forecast", response_class=HTMLResponse)
def forecast_page(
    page: PageDep, by: Breakdown = None, grain: Grain = None, months: Horizon = None
) -> Response:
    """Expected order intake: fan chart, split by source, optionally by segment, team, product."""
    settings = _settings(by, grain, months)
    try:
        view, rows = _rows(page, settings)
    except MissingRateError as exc:
        # Deal amounts in a currency without exchange rates: the reason replaces the figures.
        return page.render(
            "forecast.html",
            as_of=None,
            rows=[],
            charts=[],
            refused=page.t.missing_rates(exc.gaps),
            breakdowns=FORECAST_BREAKDOWNS,
            horizons=HORIZONS,
            filters=settings,
            simulations=FORECAST_SIMULATIONS,
        )
    gap = page_sentence(view.gap, page.t.lang)
    # A forecast of zeros says what the history lacks instead of drawing flat charts.
    charts = {} if gap else _charts(page, rows, settings["by"])
    open_deals = [] if gap else link_open_pipeline(page, charts, rows)
    return page.render(
        "forecast.html",
        as_of=view.as_of,
        refused=None,
        gap=gap,
        rows=[] if gap else rows,
        attainment=[] if gap else _attainment(view.records()),
        open_deals=open_deals,
        charts=[(c, page.url(f"/charts/{c.chart_id}.csv", **settings)) for c in charts.values()],
        breakdowns=FORECAST_BREAKDOWNS,
        horizons=HORIZONS,
        filters=settings,
        simulations=FORECAST_SIMULATIONS,
    )


def _csv(chart_id: str) -> Any:
    def download(
        page: PageDep, by: Breakdown = None, grain: Grain = None, months: Horizon = None
    ) -> Response:
        settings = _settings(by, grain, months)
        chart = _charts(page, _rows(page, settings)[1], settings["by"]).get(chart_id)
        if chart is None:
            return PlainTextResponse("choose a breakdown (by) for this chart", status_code=404)
        return chart_csv(chart, chart_id)

    download.__doc__ = f"The rows of the {chart_id} chart as CSV."
    return download


for _chart_id in CHARTS:
    router.add_api_route(f"/charts/{_chart_id}.csv", _csv(_chart_id), methods=["GET"])
