"""``/api/v1/accounts``: the accounts a user may see."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from revintel.api._deps import StateDep, StoreDep, UserDep
from revintel.api._schemas import Account, Page
from revintel.api.routers._common import FilterValue, ListDep, cached_json
from revintel.auth import get_record, list_records

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get("", response_model=Page[Account], summary="List accounts")
async def list_accounts(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    params: ListDep,
    industry: FilterValue = None,
    segment: FilterValue = None,
    region: FilterValue = None,
    country: FilterValue = None,
    owner_rep_id: FilterValue = None,
) -> Response:
    """Accounts matching the filters; a sales rep sees only the accounts they own."""
    filters = {
        "industry": industry,
        "segment": segment,
        "region": region,
        "country": country,
        "owner_rep_id": owner_rep_id,
    }

    def build() -> Page[Account]:
        result = state.cache.call(list_records, store, user, "accounts", params.query(filters))
        items = [Account(**r) for r in result.rows]
        return Page(items=items, total=result.total, page=params.page, page_size=params.page_size)

    return await cached_json(request, state, user, build)


@router.get("/{account_id}", response_model=Account, summary="An account")
async def get_account(
    request: Request, account_id: str, store: StoreDep, user: UserDep, state: StateDep
) -> Response:
    """The account with its firmographics."""

    def build() -> Account:
        return Account(**state.cache.call(get_record, store, user, "accounts", account_id))

    return await cached_json(request, state, user, build)
