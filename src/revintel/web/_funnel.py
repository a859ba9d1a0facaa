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
    rep_names,
)
from revintel.views._drilldown import funnel_rows_link
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._drilldown import LinkedChart, rows_url
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
        [
            (r["label"], r["reached"], *([_group_text(page, group, r[group])] if group else []))
            for r in rows
        ],
    )
    rows = _with_links(rows, group, focus, created_from, created_to)
    traces = {str(r[group]): _group_text(page, group, r[group]) for r in rows} if group else {}
    linked = LinkedChart(chart, _bar_links(rows, group, page.t("funnel.reached"), traces))
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
        chart=linked,
        gap=gap,
        filters=filters,
        csv_url=page.url("/charts/funnel.csv", **filters),
    )


def _with_links(
    rows: list[dict[str, Any]],
    group: str | None,
    focus: Slice,
    created_from: date | None,
    created_to: date | None,
) -> list[dict[str, Any]]:
    """``rows`` each with ``url``: the leads list whose count equals its ``reached``."""
    created = (created_from, created_to)
    slice_params: dict[str, str | None] = dict(focus.params())
    return [
        {
            **r,
            "url": rows_url(
                funnel_rows_link(
                    r["milestone"],
                    slice_params,
                    created,
                    (group, str(r[group]) if r[group] is not None else "") if group else None,
                )
            ),
        }
        for r in rows
    ]


def _group_text(page: PageContext, group: str, value: Any) -> str:
    """A breakdown value as the chart's legend shows it: a channel's label, a rep's name."""
    if group == "channel":
        return page.t.label("channel", value)
    if group == "rep":
        return page.query_unscoped(rep_names).get(str(value), str(value))
    return str(value)


def _bar_links(
    rows: list[dict[str, Any]],
    group: str | None,
    reached: str,
    traces: dict[str, str] | None = None,
) -> dict[str, list[str | None]]:
    """Per chart trace (the breakdown's value, else the single ``reached`` trace), the URL of
    each bar, in the order :class:`revintel.charts.Chart` draws them."""
    links: dict[str, list[str | None]] = {}
    for r in rows:
        trace = (traces or {}).get(str(r[group]), str(r[group])) if group else reached
        links.setdefault(trace, []).append(r["url"])
    return links


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
    group = by if by in FUNNEL_BREAKDOWNS else None
    # A channel or rep keeps its code and gets its words beside it (label, name).
    named = group in ("channel", "rep")
    if group is not None and named:
        rows = [{**r, f"{group}_label": _group_text(page, group, r[group])} for r in rows]
    columns = ([group, *([f"{group}_label"] if named else [])] if group else []) + list(CSV_COLUMNS)
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
