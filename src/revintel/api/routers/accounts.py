"""``/api/v1/accounts``: the accounts a user may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from revintel.api.routers._common import (
    CONDITIONAL,
    Filter,
    Filters,
    ListParams,
    cached_json,
    list_params_for,
    record_page,
)
from revintel.api.routers.accounts_schemas import Account
from revintel.api.routers.shared_schemas import Page
from revintel.server import StateDep, StoreDep, UserDep
from revintel.views import get_record

router = APIRouter(prefix="/accounts", tags=["accounts"])


class AccountFilters(Filters):
    """Equality filters of the account list."""

    industry: Filter = None
    segment: Filter = None
    region: Filter = None
    country: Filter = None
    owner_rep_id: Filter = None


@router.get("", response_model=Page[Account], summary="List accounts", **CONDITIONAL)
async def list_accounts(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    params: Annotated[ListParams, Depends(list_params_for("accounts"))],
    filters: Annotated[AccountFilters, Query()],
) -> Response:
    """Accounts matching the filters; a sales rep sees only the accounts they own."""
    return await cached_json(
        request,
        state,
        user,
        lambda: record_page(state, store, user, "accounts", params, filters, Account),
    )


@router.get("/{account_id}", response_model=Account, summary="An account", **CONDITIONAL)
async def get_account(
    request: Request, account_id: str, store: StoreDep, user: UserDep, state: StateDep
) -> Response:
    """The account with its firmographics."""

    def build() -> Account:
        return Account(**state.cache.call(get_record, store, user, "accounts", account_id))

    return await cached_json(request, state, user, build)
