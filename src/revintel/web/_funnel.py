"""The Funnel page: milestones with conversion, win probability and time between, by breakdown."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BeforeValidator, Field

from revintel.charts import Chart
from revintel.metrics import MetricQuery
from revintel.server import SliceDep
from revintel.views import (
    FUNNEL_BREAKDOWNS,
    Slice,
    funnel_gap_for,
    funnel_is_empty,
    funnel_rows,
    page_sentence,
)
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._slices import slice_options

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
Day = Annotated[date | None, BeforeValidator(lambda v: v or None), Query()]
Breakdown = Annotated[
    Annotated[str, Field(max_length=40)] | None, BeforeValidator(lambda v: v or None), Query()
]
CSV_COLUMNS = (
    "milestone",
    "label",
    "reached",
    "conversion",
    "p_won",
    "p_won_low",
    "p_won_high",
    "default",
    "median_days",
    "p90_days",
)


def _rows(
    page: PageContext, by: str | None, focus: Slice, start: date | None, end: date | None
) -> list[dict[str, Any]]:
    if by is not None and by not in FUNNEL_BREAKDOWNS:
        by = None
    stop = None if end is None else end + timedelta(days=1)
    return page.query(funnel_rows, by, focus, start, stop, page.t.lang)


@router.get("/funnel", response_class=HTMLResponse)
def funnel(
    page: PageDep,
    focus: SliceDep,
    by: Breakdown = None,
    created_from: Day = None,
    created_to: Day = None,
) -> Response:
    """The funnel of leads created in the period, optionally of one channel, segment, team or
    rep and broken down by a dimension."""
    rows = _rows(page, by, focus, created_from, created_to)
    group = by if by in FUNNEL_BREAKDOWNS else None
    gap = None
    if funnel_is_empty(rows):  # say why instead of drawing an empty chart and table
        stop = None if created_to is None else created_to + timedelta(days=1)
        query = MetricQuery(by=(group,) if group else (), start=created_from, end=stop,
                            where=focus.where)  # fmt: skip
        gap = page_sentence(page.query(funnel_gap_for, query), page.t.lang)
    chart = Chart(
        "funnel",
        page.t("funnel.chart"),
        (page.t("col.milestone"), page.t("funnel.reached"), *([group] if group else [])),
        [(r["label"], r["reached"], *([r[group]] if group else [])) for r in rows],
    )
    filters = {
        "by": group,
        **focus.params(),
        "created_from": created_from,
        "created_to": created_to,
    }
    return page.render(
        "funnel.html",
        rows=rows,
        group=group,
        breakdowns=FUNNEL_BREAKDOWNS,
        options=slice_options(page),
        chart=chart,
        gap=gap,
        filters=filters,
        csv_url=page.url("/charts/funnel.csv", **filters),
    )


@router.get("/charts/funnel.csv")
def funnel_csv(
    page: PageDep,
    focus: SliceDep,
    by: Breakdown = None,
    created_from: Day = None,
    created_to: Day = None,
) -> Response:
    """The funnel table behind the chart as CSV."""
    rows = _rows(page, by, focus, created_from, created_to)
    columns = ([by] if by in FUNNEL_BREAKDOWNS else []) + list(CSV_COLUMNS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return PlainTextResponse(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="funnel.csv"'},
    )
