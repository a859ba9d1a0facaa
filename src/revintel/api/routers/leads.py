"""``/api/v1/leads``: the leads a user may see, with their journeys and scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from revintel.api.routers._common import (
    CONDITIONAL,
    Filter,
    Filters,
    Language,
    ListParams,
    cached_json,
    journey,
    list_params_for,
    record_page,
)
from revintel.api.routers.leads_schemas import Lead, LeadDetail
from revintel.api.routers.shared_schemas import Page
from revintel.server import StateDep, StoreDep, UserDep
from revintel.views import get_record

router = APIRouter(prefix="/leads", tags=["leads"])


class LeadFilters(Filters):
    """Equality filters of the lead list."""

    channel: Filter = None
    status: Filter = None
    rep_id: Filter = None
    account_id: Filter = None
    campaign_id: Filter = None


@router.get("", response_model=Page[Lead], summary="List leads", **CONDITIONAL)
async def list_leads(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    params: Annotated[ListParams, Depends(list_params_for("leads"))],
    filters: Annotated[LeadFilters, Query()],
) -> Response:
    """Leads matching the filters, best score first when scored, else newest first; a sales
    rep sees only their own. Each lead carries its latest score and top reasons."""
    return await cached_json(
        request,
        state,
        user,
        lambda: record_page(state, store, user, "leads", params, filters, Lead),
    )


@router.get(
    "/{lead_id}", response_model=LeadDetail, summary="A lead with its journey", **CONDITIONAL
)
async def get_lead(
    request: Request,
    lead_id: str,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    lang: Language = "en",
) -> Response:
    """The lead, its milestone timeline (lead and opportunity milestones), touchpoints and the
    latest score of every kind with its reasons."""

    def build() -> LeadDetail:
        lead = state.cache.call(get_record, store, user, "leads", lead_id)
        path = journey(state, store, user, lang, ("leads", lead_id), lead_id)
        return LeadDetail(lead=Lead(**lead), **vars(path))

    return await cached_json(request, state, user, build)
