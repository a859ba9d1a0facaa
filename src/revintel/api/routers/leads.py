"""``/api/v1/leads``: the leads a user may see, with their journeys."""

from __future__ import annotations

from fastapi import APIRouter

from revintel.api._deps import StateDep, StoreDep, UserDep
from revintel.api._schemas import Lead, LeadDetail, Page
from revintel.api.routers._common import (
    FilterValue,
    Language,
    ListDep,
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
def list_leads(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    params: ListDep,
    channel: FilterValue = None,
    status: FilterValue = None,
    rep_id: FilterValue = None,
    account_id: FilterValue = None,
    campaign_id: FilterValue = None,
) -> Page[Lead]:
    """Leads matching the filters, newest first by default; a sales rep sees only their own."""
    filters = {
        "channel": channel,
        "status": status,
        "rep_id": rep_id,
        "account_id": account_id,
        "campaign_id": campaign_id,
    }
    result = state.cache.call(list_records, store, user, "leads", params.query(filters))
    items = [Lead(**r) for r in result.rows]
    return Page(items=items, total=result.total, page=params.page, page_size=params.page_size)


@router.get("/{lead_id}", response_model=LeadDetail, summary="A lead with its journey")
def get_lead(
    lead_id: str, store: StoreDep, user: UserDep, state: StateDep, lang: Language = "en"
) -> LeadDetail:
    """The lead, its milestone timeline (lead and opportunity milestones) and touchpoints."""
    lead = state.cache.call(get_record, store, user, "leads", lead_id)
    events = state.cache.call(milestone_timeline, store, None, lead_id)
    touchpoints = state.cache.call(touchpoints_for, store, None, lead_id)
    return LeadDetail(
        lead=Lead(**lead),
        timeline=timeline_models(events, state.funnel, lang),
        touchpoints=touchpoint_models(touchpoints),
        scores=state.cache.call(entity_scores, store, None, "leads", lead_id),
    )
