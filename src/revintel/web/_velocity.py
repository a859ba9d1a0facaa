"""The Lead velocity page: MQLs per month and the Lead Velocity Rate, with CSV for each chart."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BeforeValidator

from revintel.charts import Chart
from revintel.server import SliceDep
from revintel.views import Slice, kpi_series
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._csv import chart_csv
from revintel.web._slices import slice_options

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
Day = Annotated[date | None, BeforeValidator(lambda v: v or None), Query()]
#: Chart id → KPI id of the catalogue.
CHARTS = {"mqls-per-month": "mqls", "lead-velocity-rate": "lvr"}


def _chart(
    page: PageContext, chart_id: str, focus: Slice, start: date | None, end: date | None
) -> Chart:
    stop = None if end is None else end + timedelta(days=1)
    rows = page.query(kpi_series, CHARTS[chart_id], focus, start, stop)
    return Chart(
        chart_id,
        page.t(f"velocity.{chart_id}"),
        (page.t("chart.month"), page.t(f"velocity.{chart_id}.value")),
        rows,
        percent=CHARTS[chart_id] == "lvr",
    )


@router.get("/velocity", response_class=HTMLResponse)
def velocity(
    page: PageDep, focus: SliceDep, created_from: Day = None, created_to: Day = None
) -> Response:
    """MQLs per month and the month-on-month growth of MQLs (LVR) for the chosen slice."""
    filters = {**focus.params(), "created_from": created_from, "created_to": created_to}
    charts = [
        (
            _chart(page, c, focus, created_from, created_to),
            page.url(f"/charts/{c}.csv", **filters),
        )
        for c in CHARTS
    ]
    return page.render(
        "velocity.html",
        charts=charts,
        options=slice_options(page),
        filters=filters,
    )


def _csv(chart_id: str) -> Any:
    def download(
        page: PageDep, focus: SliceDep, created_from: Day = None, created_to: Day = None
    ) -> Response:
        chart = _chart(page, chart_id, focus, created_from, created_to)
        return chart_csv(chart, chart_id)

    download.__doc__ = f"The rows of the {chart_id} chart as CSV."
    return download


# One route per chart: a pattern such as /charts/{chart_id}.csv would also catch the CSV
# downloads of other pages, depending on the order the routers are included in.
for _chart_id in CHARTS:
    router.add_api_route(f"/charts/{_chart_id}.csv", _csv(_chart_id), methods=["GET"])
