"""``/api/v1/leads``: the leads a user may see, with their journeys and scores."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from revintel.api._deps import StateDep, StoreDep, UserDep
from revintel.api._schemas import EntityScore, Lead, LeadDetail, Page
from revintel.api.routers._common import (
    FilterValue,
    Language,
    ListDep,
    cached_json,
    timeline_models,
    touchpoint_models,
)
from revintel.auth import (
    entity_scores,
    get_record,
    list_records,
    milestone_timeline,
    touchpoints_for,
)

router = APIRouter(prefix="/leads", tags=["leads"])


@router.get("", response_model=Page[Lead], summary="List leads")
async def list_leads(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    params: ListDep,
    channel: FilterValue = None,
    status: FilterValue = None,
    rep_id: FilterValue = None,
    account_id: FilterValue = None,
    campaign_id: FilterValue = None,
) -> Response:
    """Leads matching the filters, best score first when scored, else newest first; a sales
    rep sees only their own. Each lead carries its latest score and top reasons."""
    filters = {
        "channel": channel,
        "status": status,
        "rep_id": rep_id,
        "account_id": account_id,
        "campaign_id": campaign_id,
    }

    def build() -> Page[Lead]:
        result = state.cache.call(list_records, store, user, "leads", params.query(filters))
        items = [Lead(**r) for r in result.rows]
        return Page(items=items, total=result.total, page=params.page, page_size=params.page_size)

    return await cached_json(request, state, user, build)


@router.get("/{lead_id}", response_model=LeadDetail, summary="A lead with its journey")
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
        events = state.cache.call(milestone_timeline, store, None, lead_id)
        touchpoints = state.cache.call(touchpoints_for, store, None, lead_id)
        scores = state.cache.call(entity_scores, store, None, "leads", lead_id)
        return LeadDetail(
            lead=Lead(**lead),
            timeline=timeline_models(events, state.funnel, lang),
            touchpoints=touchpoint_models(touchpoints),
            scores=[EntityScore(**s) for s in scores],
        )

    return await cached_json(request, state, user, build)
