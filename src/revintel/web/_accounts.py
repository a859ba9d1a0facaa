"""The Accounts pages: the list filtered by the URL and one account with everything behind it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from revintel.views import RecordQuery, milestone_labels
from revintel.views._accounts import account_detail
from revintel.web._context import CachedPageRoute, PageDep
from revintel.web._pages import PageNumber, Text, list_page

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)


@router.get("/accounts", response_class=HTMLResponse)
def accounts(
    page: PageDep,
    segment: Text = None,
    industry: Text = None,
    region: Text = None,
    rep: Text = None,
    team: Text = None,
    search: Text = None,
    missing: Text = None,
    source_system: Text = None,
    number: PageNumber = 1,
) -> Response:
    """Accounts the user may see, newest first, filtered by segment, industry, region, owning
    rep or team and a search in name and key."""
    equal = {"segment": segment, "industry": industry, "region": region, "team": team}
    equal["source_system"] = source_system
    filters = {k: v for k, v in equal.items() if v}
    if rep:
        filters["owner_rep_id"] = rep
    text = search.strip() if search else None
    query = RecordQuery(filters=filters, search=text or None, missing=missing)
    params: dict[str, Any] = {**equal, "rep": rep, "search": search, "missing": missing}
    return list_page(page, "accounts", "accounts.html", query, params, number)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(page: PageDep, account_id: str) -> Response:
    """One account: master data, contacts, leads and deals with scores, the deals' stage
    history, touchpoints, orders and the import batches its rows came from (403 for another
    rep's account)."""
    detail = page.query(account_detail, account_id)
    return page.render(
        "account.html",
        detail=detail,
        account=detail.account,
        labels=milestone_labels(page.state.funnel, page.t.lang),
    )
