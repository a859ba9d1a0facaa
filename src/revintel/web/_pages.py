"""Dashboard pages: overview, leads and deals with their details; filters live in the URL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BeforeValidator

from revintel.charts import Chart
from revintel.metrics import MissingRateError, load_catalogue
from revintel.views import (
    FORECAST_SIMULATIONS,
    Attainment,
    KpiTile,
    RecordQuery,
    Slice,
    attainment_of,
    deal_totals,
    distinct_values,
    forecast_view,
    get_record,
    has_scores,
    journey,
    kpi_tiles,
    list_records,
    milestone_labels,
    monthly_counts,
    record_counts,
)
from revintel.views._drilldown import alert_drilldowns, kpi_rows
from revintel.views._handover import rejection_reasons
from revintel.views._record_filters import JourneyFilter
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._drilldown import list_url, rows_url
from revintel.web._pricing import deal_guidance_block

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PAGE_SIZE = 50
Text = Annotated[str | None, Query(max_length=200)]
# Forms submit an untouched date field as an empty string: that means "no bound".
Day = Annotated[date | None, BeforeValidator(lambda v: v or None), Query()]
Flag = Annotated[bool, BeforeValidator(lambda v: v or False), Query()]


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
    alerts = _or_refusal(page, refused, "alerts", [], alert_drilldowns)
    filters = {"channel": channel, "created_from": created_from, "created_to": created_to}
    return page.render(
        "overview.html",
        leads=sum(r[1] for r in chart.rows),
        accounts=page.query(record_counts)["accounts"],
        open_deals=deals.get("open", (0, 0.0)),
        won=won,
        win_rate=won[0] / closed if closed else None,
        attainment=_attainment(page, refused),
        refused=refused,
        chart=chart,
        tiles=tiles,
        links=_tile_links(filters, tiles, focus, created_from, end),
        alerts=[(a.reason_de, a.reason_en, rows_url(a.rows)) for a in alerts[:10]],
        channels=page.query(distinct_values, "leads", "channel"),
        filters=filters,
        csv_url=page.url(f"/charts/{chart.chart_id}.csv", **filters),
    )


def _tile_links(
    filters: dict[str, Any],
    tiles: list[KpiTile],
    focus: Slice,
    start: date | None,
    end: date | None,
) -> dict[str, str | None]:
    """Per tile id, the URL of the list its figure counts (leads and deals of the period)."""
    created = {"created_from": filters["created_from"], "created_to": filters["created_to"]}
    links: dict[str, str | None] = {
        "tile-leads": list_url("/leads", **filters),
        "tile-accounts": "/accounts",
        "tile-open-deals": list_url("/deals", status="open", **created),
        "tile-open-pipeline": list_url("/deals", status="open", **created),
        "tile-won-amount": list_url("/deals", status="won", **created),
        "tile-win-rate": list_url("/deals", status="won", **created),
    }
    catalogue = load_catalogue()
    group: dict[str, str | None] = dict(focus.params())
    for tile in tiles:
        if tile.period is not None:
            spec = catalogue.get(tile.kpi)
            found = kpi_rows(spec, tile.period, spec.grain, group, start, end)
            links[f"kpi-{tile.kpi}"] = rows_url(found)
    return links


def _attainment(page: PageContext, refused: dict[str, str]) -> list[Attainment]:
    """The first period with a target: from the Forecast page's own default forecast (one
    computation, kept for both pages)."""
    args = (None, 6, FORECAST_SIMULATIONS, 42, ())
    view = _or_refusal(page, refused, "attainment", None, forecast_view, *args)
    return [] if view is None else attainment_of(view, page.user)[:1]


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


def list_page(
    page: PageContext,
    name: str,
    template: str,
    query: RecordQuery,
    params: dict[str, Any],
    number: int,
) -> Response:
    """One page of the list ``name`` filtered by ``query``; ``params`` are the URL's filters
    (kept by the pager and, where no select offers them, by hidden form fields)."""
    paged = replace(query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    result = page.query(list_records, name, paged)
    selects = SELECTS[name]
    options = {k: page.query(distinct_values, name, SELECT_COLUMNS.get(k, k)) for k in selects}
    pages = max(1, -(-result.total // PAGE_SIZE))
    path = page.request.url.path
    hidden = {
        k: v
        for k, v in params.items()
        if k not in selects and k not in SHOWN and v not in (None, "")
    }
    return page.render(
        template,
        rows=result.rows,
        scored=page.query_unscoped(has_scores, name),
        total=result.total,
        filters=params,
        hidden=hidden,
        options=options,
        number=number,
        pages=pages,
        previous_url=page.url(path, **params, page=number - 1) if number > 1 else None,
        next_url=page.url(path, **params, page=number + 1) if number < pages else None,
    )


#: Filters each list offers as a select; the others come from links and stay in the URL.
SELECTS: dict[str, tuple[str, ...]] = {
    "leads": ("channel", "status", "rep_id"),
    "opportunities": ("status", "stage", "rep_id"),
    "accounts": ("segment", "industry", "region", "rep"),
}
#: Selects whose URL parameter differs from the column they offer the values of.
SELECT_COLUMNS = {"rep": "owner_rep_id"}
#: Filters every list shows as its own form field.
SHOWN = ("created_from", "created_to", "search")
PageNumber = Annotated[int, Query(alias="page", ge=1, le=100_000)]


@router.get("/leads", response_class=HTMLResponse)
def leads(
    page: PageDep,
    channel: Text = None,
    status: Text = None,
    rep_id: Text = None,
    account_id: Text = None,
    segment: Text = None,
    team: Text = None,
    created_from: Day = None,
    created_to: Day = None,
    reached: Text = None,
    reached_from: Day = None,
    reached_to: Day = None,
    decided: Text = None,
    mature: Flag = False,
    missing: Text = None,
    source_system: Text = None,
    number: PageNumber = 1,
) -> Response:
    """Leads the user may see, best score first (else newest), filtered by the URL: by columns,
    creation day, and by journey (milestone reached in a period, decided, mature) as the
    funnel figures count them."""
    equal = {"channel": channel, "status": status, "rep_id": rep_id, "account_id": account_id}
    equal |= {"segment": segment, "team": team, "source_system": source_system}
    found = JourneyFilter(reached, reached_from, reached_to, decided, mature)
    query = RecordQuery(
        filters={k: v for k, v in equal.items() if v},
        created_from=created_from,
        created_to=created_to,
        journey=found if found else None,
        missing=missing,
    )
    params: dict[str, Any] = {**equal, "created_from": created_from, "created_to": created_to}
    params |= {"reached": reached, "reached_from": reached_from, "reached_to": reached_to}
    params |= {"decided": decided, "mature": "1" if mature else None, "missing": missing}
    return list_page(page, "leads", "leads.html", query, params, number)


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
    account_id: Text = None,
    channel: Text = None,
    segment: Text = None,
    industry: Text = None,
    team: Text = None,
    created_from: Day = None,
    created_to: Day = None,
    closed_from: Day = None,
    closed_to: Day = None,
    expected_from: Day = None,
    expected_to: Day = None,
    missing: Text = None,
    source_system: Text = None,
    number: PageNumber = 1,
) -> Response:
    """Deals the user may see, best score first (else newest), filtered by the URL: by columns,
    by creation, close and expected close day (an open deal without one by its creation)."""
    equal = {"status": status, "stage": stage, "rep_id": rep_id, "account_id": account_id}
    equal |= {"channel": channel, "segment": segment, "industry": industry, "team": team}
    equal["source_system"] = source_system
    ranges = (("closed", closed_from, closed_to), ("expected", expected_from, expected_to))
    query = RecordQuery(
        filters={k: v for k, v in equal.items() if v},
        created_from=created_from,
        created_to=created_to,
        ranges=tuple(r for r in ranges if r[1] is not None or r[2] is not None),
        missing=missing,
    )
    params: dict[str, Any] = {**equal, "created_from": created_from, "created_to": created_to}
    params |= {"closed_from": closed_from, "closed_to": closed_to}
    params |= {"expected_from": expected_from, "expected_to": expected_to, "missing": missing}
    return list_page(page, "opportunities", "deals.html", query, params, number)


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
