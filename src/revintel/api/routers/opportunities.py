"""``/api/v1/opportunities``: the deals a user may see, with their journeys."""

from __future__ import annotations

from fastapi import APIRouter

from revintel.api._deps import StateDep, StoreDep, UserDep
from revintel.api._schemas import Opportunity, OpportunityDetail, Page
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

router = APIRouter(prefix="/opportunities", tags=["opportunities"])


@router.get("", response_model=Page[Opportunity], summary="List opportunities")
def list_opportunities(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    params: ListDep,
    status: FilterValue = None,
    stage: FilterValue = None,
    rep_id: FilterValue = None,
    account_id: FilterValue = None,
    product_id: FilterValue = None,
    lead_id: FilterValue = None,
) -> Page[Opportunity]:
    """Opportunities matching the filters; a sales rep sees only their own."""
    filters = {
        "status": status,
        "stage": stage,
        "rep_id": rep_id,
        "account_id": account_id,
        "product_id": product_id,
        "lead_id": lead_id,
    }
    result = state.cache.call(list_records, store, user, "opportunities", params.query(filters))
    items = [Opportunity(**r) for r in result.rows]
    return Page(items=items, total=result.total, page=params.page, page_size=params.page_size)


@router.get(
    "/{opportunity_id}", response_model=OpportunityDetail, summary="An opportunity with its journey"
)
def get_opportunity(
    opportunity_id: str, store: StoreDep, user: UserDep, state: StateDep, lang: Language = "en"
) -> OpportunityDetail:
    """The opportunity, its lead's and its own milestones, and the touchpoints along the way."""
    deal = state.cache.call(get_record, store, user, "opportunities", opportunity_id)
    lead_id = deal["lead_id"]
    events = state.cache.call(milestone_timeline, store, None, lead_id, opportunity_id)
    touchpoints = state.cache.call(touchpoints_for, store, None, lead_id, opportunity_id)
    return OpportunityDetail(
        opportunity=Opportunity(**deal),
        timeline=timeline_models(events, state.funnel, lang),
        touchpoints=touchpoint_models(touchpoints),
        scores=state.cache.call(entity_scores, store, None, "opportunities", opportunity_id),
    )
