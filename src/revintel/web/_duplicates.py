"""The duplicates page: accounts that may be the same company, accepted or rejected by a person."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revintel.auth import AccessDeniedError, Permission, require
from revintel.ingest import account_candidates, record_decision
from revintel.web._context import CachedPageRoute, PageDep

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PAGE_SIZE = 50
Threshold = Annotated[float, Query(ge=0.05, le=1.0)]


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates(
    page: PageDep,
    threshold: Threshold = 0.5,
    number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    """Undecided candidate pairs, most likely first, each with accept and reject buttons; the
    pairs already decided below them."""
    require(page.user, Permission.import_data)
    pairs = page.query_unscoped(account_candidates, threshold)
    open_pairs = pairs[pairs["decision"].isna()]
    decided = pairs[pairs["decision"].notna()]
    pages = max(1, -(-len(open_pairs) // PAGE_SIZE))
    shown = open_pairs.iloc[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return page.render(
        "duplicates.html",
        pairs=shown.to_dict(orient="records"),
        decided=decided.to_dict(orient="records"),
        open_count=len(open_pairs),
        threshold=threshold,
        number=number,
        pages=pages,
    )


@router.post("/duplicates/{pair_id}", response_class=HTMLResponse)
def decide(
    page: PageDep,
    pair_id: str,
    decision: Annotated[Literal["accepted", "rejected"], Form()],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    threshold: Annotated[float, Form(ge=0.05, le=1.0)] = 0.5,
) -> Response:
    """Store the verdict on one pair and show the list again."""
    require(page.user, Permission.import_data)
    if not page.session.csrf_matches(csrf_token):
        raise AccessDeniedError("the form's CSRF token does not match the session")
    pairs = page.query_unscoped(account_candidates, threshold)
    record_decision(page.store, pairs, pair_id, decision, decided_by=page.user.username)
    page.state.data_changed()
    return RedirectResponse(f"/duplicates?threshold={threshold}", status_code=303)
