"""Dashboard pages: overview, leads and deals with their details; filters live in the URL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BeforeValidator

from revintel.charts import Chart
from revintel.metrics import MissingRateError
from revintel.views import (
    RecordQuery,
    Slice,
    alert_reasons,
    deal_totals,
    distinct_values,
    get_record,
    has_scores,
    journey,
    kpi_tiles,
    list_records,
    milestone_labels,
    monthly_counts,
    record_counts,
)
from revintel.views._handover import rejection_reasons
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._pricing import deal_guidance_block

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PAGE_SIZE = 50
Text = Annotated[str | None, Query(max_length=200)]
# Forms submit an untouched date field as an empty string: that means "no bound".
Day = Annotated[date | None, BeforeValidator(lambda v: v or None), Query()]


def _leads_chart(page: PageContext, query: RecordQuery) -> Chart:
    rows = page.query(monthly_counts, "leads", query)
    return Chart(
        "leads-per-month",
        page.t("chart.leads_per_month"),
        (page.t("chart.month"), page.t("chart.count")),
        rows,
    )


@router.get("/", response_class=HTMLResponse)
def overview(
    page: PageDep, channel: Text = None, created_from: Day = None, created_to: Day = None
) -> Response:
    """KPI tiles from the store and the leads-per-month chart, for the chosen period and channel."""
    lead_query = RecordQuery(
        filters={"channel": channel} if channel else {},
        created_from=created_from,
        created_to=created_to,
    )
    deal_query = RecordQuery(created_from=created_from, created_to=created_to)
    # Amounts in a currency without exchange rates: the reason replaces the figures.
    refused: dict[str, str] = {}
    deals = _or_refusal(page, refused, "deals", {}, deal_totals, deal_query)
    won, lost = deals.get("won", (0, 0.0)), deals.get("lost", (0, 0.0))
    closed = won[0] + lost[0]
    chart = _leads_chart(page, lead_query)
    end = None if created_to is None else created_to + timedelta(days=1)
    focus = Slice(channel=channel)
    tiles = _or_refusal(page, refused, "tiles", [], kpi_tiles, focus, created_from, end)
    alerts = _or_refusal(page, refused, "alerts", [], alert_reasons)
    filters = {"channel": channel, "created_from": created_from, "created_to": created_to}
    return page.render(
        "overview.html",
        leads=sum(r[1] for r in chart.rows),
        accounts=page.query(record_counts)["accounts"],
        open_deals=deals.get("open", (0, 0.0)),
        won=won,
        win_rate=won[0] / closed if closed else None,
        refused=refused,
        chart=chart,
        tiles=tiles,
        alerts=alerts[:10],
        channels=page.query(distinct_values, "leads", "channel"),
        filters=filters,
        csv_url=page.url(f"/charts/{chart.chart_id}.csv", **filters),
    )


def _or_refusal(
    page: PageContext, refused: dict[str, str], part: str, empty: Any, fn: Any, *args: Any
) -> Any:
    """``page.query(fn, *args)``, or ``empty`` with the reason in ``refused[part]`` when its
    amounts cannot be converted into the store currency."""
    try:
        return page.query(fn, *args)
    except MissingRateError as exc:
        refused[part] = page.t.missing_rates(exc.gaps)
        return empty


@router.get("/charts/leads-per-month.csv")
def leads_per_month_csv(
    page: PageDep, channel: Text = None, created_from: Day = None, created_to: Day = None
) -> Response:
    """The rows of the leads-per-month chart as CSV."""
    query = RecordQuery(
        filters={"channel": channel} if channel else {},
        created_from=created_from,
        created_to=created_to,
    )
    chart = _leads_chart(page, query)
    return PlainTextResponse(
        chart.csv_text(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{chart.chart_id}.csv"'},
    )


def _list_page(
    page: PageContext, name: str, template: str, filters: dict[str, Any], number: int
) -> Response:
    dates = {"created_from": filters.pop("created_from"), "created_to": filters.pop("created_to")}
    query = RecordQuery(
        filters={k: v for k, v in filters.items() if v},
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
        **dates,
    )
    result = page.query(list_records, name, query)
    options = {k: page.query(distinct_values, name, k) for k in filters}
    every = {**filters, **dates}
    pages = max(1, -(-result.total // PAGE_SIZE))
    return page.render(
        template,
        rows=result.rows,
        scored=page.query_unscoped(has_scores, name),
        total=result.total,
        filters=every,
        options=options,
        number=number,
        pages=pages,
        previous_url=page.url(page.request.url.path, **every, page=number - 1)
        if number > 1
        else None,
        next_url=page.url(page.request.url.path, **every, page=number + 1)
        if number < pages
        else None,
    )


@router.get("/leads", response_class=HTMLResponse)
def leads(
    page: PageDep,
    channel: Text = None,
    status: Text = None,
    rep_id: Text = None,
    created_from: Day = None,
    created_to: Day = None,
    number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    """Leads the user may see, best score first (else newest), filtered by the URL."""
    filters: dict[str, Any] = {"channel": channel, "status": status, "rep_id": rep_id}
    filters |= {"created_from": created_from, "created_to": created_to}
    return _list_page(page, "leads", "leads.html", filters, number)


@router.get("/leads/{lead_id}", response_class=HTMLResponse)
def lead_detail(page: PageDep, lead_id: str) -> Response:
    """One lead with its milestone timeline and touchpoints (403 for another rep's lead)."""
    lead = page.query(get_record, "leads", lead_id)
    found = page.query(journey, ("leads", lead_id), lead_id, None)
    return page.render(
        "lead.html",
        lead=lead,
        scores=found.scores,
        timeline=found.timeline,
        touchpoints=found.touchpoints,
        labels=milestone_labels(page.state.funnel, page.t.lang),
        reasons=dict(rejection_reasons(page.t.lang)),
    )


@router.get("/deals", response_class=HTMLResponse)
def deals(
    page: PageDep,
    status: Text = None,
    stage: Text = None,
    rep_id: Text = None,
    created_from: Day = None,
    created_to: Day = None,
    number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    """Deals the user may see, best score first (else newest), filtered by the URL."""
    filters: dict[str, Any] = {"status": status, "stage": stage, "rep_id": rep_id}
    filters |= {"created_from": created_from, "created_to": created_to}
    return _list_page(page, "opportunities", "deals.html", filters, number)


@router.get("/deals/{opportunity_id}", response_class=HTMLResponse)
def deal_detail(page: PageDep, opportunity_id: str) -> Response:
    """One deal with its journey's milestone timeline and touchpoints (403 for another rep's)."""
    deal = page.query(get_record, "opportunities", opportunity_id)
    scored = ("opportunities", opportunity_id)
    found = page.query(journey, scored, deal["lead_id"], opportunity_id)
    return page.render(
        "deal.html",
        deal=deal,
        guidance=deal_guidance_block(page, deal),
        scores=found.scores,
        timeline=found.timeline,
        touchpoints=found.touchpoints,
        labels=milestone_labels(page.state.funnel, page.t.lang),
        reasons=dict(rejection_reasons(page.t.lang)),
    )
