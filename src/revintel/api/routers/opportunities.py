"""``/api/v1/opportunities``: the deals a user may see, with their journeys and scores."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from revintel.api._deps import StateDep, StoreDep, UserDep
from revintel.api._schemas import EntityScore, Opportunity, OpportunityDetail, Page
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

router = APIRouter(prefix="/opportunities", tags=["opportunities"])


@router.get("", response_model=Page[Opportunity], summary="List opportunities")
async def list_opportunities(
    request: Request,
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
) -> Response:
    """Opportunities matching the filters, best deal score first when scored, else newest
    first; a sales rep sees only their own."""
    filters = {
        "status": status,
        "stage": stage,
        "rep_id": rep_id,
        "account_id": account_id,
        "product_id": product_id,
        "lead_id": lead_id,
    }

    def build() -> Page[Opportunity]:
        query = params.query(filters)
        result = state.cache.call(list_records, store, user, "opportunities", query)
        items = [Opportunity(**r) for r in result.rows]
        return Page(items=items, total=result.total, page=params.page, page_size=params.page_size)

    return await cached_json(request, state, user, build)


@router.get(
    "/{opportunity_id}", response_model=OpportunityDetail, summary="An opportunity with its journey"
)
async def get_opportunity(
    request: Request,
    opportunity_id: str,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    lang: Language = "en",
) -> Response:
    """The opportunity, its lead's and its own milestones, the touchpoints along the way and
    its latest deal score with reasons."""

    def build() -> OpportunityDetail:
        deal = state.cache.call(get_record, store, user, "opportunities", opportunity_id)
        lead_id = deal["lead_id"]
        events = state.cache.call(milestone_timeline, store, None, lead_id, opportunity_id)
        touchpoints = state.cache.call(touchpoints_for, store, None, lead_id, opportunity_id)
        scores = state.cache.call(entity_scores, store, None, "opportunities", opportunity_id)
        return OpportunityDetail(
            opportunity=Opportunity(**deal),
            timeline=timeline_models(events, state.funnel, lang),
            touchpoints=touchpoint_models(touchpoints),
            scores=[EntityScore(**s) for s in scores],
        )

    return await cached_json(request, state, user, build)
