"""``/api/v1/opportunities``: the deals a user may see, with their journeys and scores."""

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
from revintel.api.routers.opportunities_schemas import Opportunity, OpportunityDetail
from revintel.api.routers.shared_schemas import Page
from revintel.server import StateDep, StoreDep, UserDep
from revintel.views import get_record

router = APIRouter(prefix="/opportunities", tags=["opportunities"])


class OpportunityFilters(Filters):
    """Equality filters of the opportunity list."""

    status: Filter = None
    stage: Filter = None
    rep_id: Filter = None
    account_id: Filter = None
    product_id: Filter = None
    lead_id: Filter = None


@router.get("", response_model=Page[Opportunity], summary="List opportunities", **CONDITIONAL)
async def list_opportunities(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    params: Annotated[ListParams, Depends(list_params_for("opportunities"))],
    filters: Annotated[OpportunityFilters, Query()],
) -> Response:
    """Opportunities matching the filters, best deal score first when scored, else newest
    first; a sales rep sees only their own."""
    return await cached_json(
        request,
        state,
        user,
        lambda: record_page(state, store, user, "opportunities", params, filters, Opportunity),
    )


@router.get(
    "/{opportunity_id}",
    response_model=OpportunityDetail,
    summary="An opportunity with its journey",
    **CONDITIONAL,
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
        scored = ("opportunities", opportunity_id)
        path = journey(state, store, user, lang, scored, deal["lead_id"], opportunity_id)
        return OpportunityDetail(opportunity=Opportunity(**deal), **vars(path))

    return await cached_json(request, state, user, build)
