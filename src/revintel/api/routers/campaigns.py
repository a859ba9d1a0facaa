"""``/api/v1/campaigns``: cross-selling micro-campaigns, their members and measured uplift.

Managers and admins build campaigns. Everyone signed in lists them, but a sales rep sees only
the campaigns holding their own accounts, only those members, and an uplift measured over them
alone (like every figure a rep sees, it is computed on the rep's rows).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import ibis
import pandas as pd
from fastapi import APIRouter, Depends, Path, Query

from revintel._frames import json_records
from revintel.api.routers._common import PageDep, offset_page
from revintel.api.routers.campaigns_schemas import (
    BuildIn,
    CampaignDetail,
    CampaignMember,
    CampaignSummary,
    Uplift,
    UpliftOutcome,
)
from revintel.api.routers.shared_schemas import Page
from revintel.auth import Permission, User, require, visible
from revintel.server import ApiError, StoreDep, UserDep
from revintel.store import Store

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No campaign with this id."}}


async def campaigner(user: UserDep) -> User:
    """The caller, who must be allowed to build campaigns (managers and admins)."""
    require(user, Permission.run_campaigns)
    return user


CampaignerDep = Annotated[User, Depends(campaigner)]


def _accounts_of(store: Store, user: User) -> ibis.Column | None:
    """The account ids a rep may see; ``None`` for users who see every row."""
    if user.can(Permission.view_all_rows):
        return None
    return visible(store, user, "accounts").account_id


def _summary(campaign: dict[str, Any], members: int) -> CampaignSummary:
    frame = pd.DataFrame([{**campaign, "members": members}]).drop(columns=["notes"])
    return CampaignSummary(**json_records(frame)[0])


def _detail(record: Any, uplift: Uplift | None) -> CampaignDetail:
    members = record.members.drop(columns=["campaign_id", "recommendations"], errors="ignore")
    return CampaignDetail(
        campaign=_summary(record.campaign, len(record.members)),
        notes=json.loads(record.campaign.get("notes") or "{}"),
        members=[CampaignMember(**row) for row in json_records(members)],
        uplift=uplift,
    )


@router.get("", response_model=Page[CampaignSummary], summary="Campaigns")
def list_campaigns(store: StoreDep, user: UserDep, page: PageDep) -> Page[CampaignSummary]:
    """Recorded campaigns, newest first (a rep: those holding their accounts)."""
    from revintel.customers._campaign_records import list_campaigns as read_list

    frame = read_list(store, _accounts_of(store, user)).drop(columns=["notes", "treatment"])
    rows = [CampaignSummary(**r) for r in json_records(frame)]
    return offset_page(rows, page, {"list": "campaigns"}, len(rows))


@router.get(
    "/{campaign_id}", response_model=CampaignDetail, summary="Campaign", responses=_NOT_FOUND
)
def get_campaign(
    campaign_id: Annotated[
        str,
        Path(max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$", description="the campaign, as listed"),
    ],
    store: StoreDep,
    user: UserDep,
    until: Annotated[
        dt.date | None, Query(description="last day measured (default: latest order)")
    ] = None,
    window_days: Annotated[
        int | None, Query(ge=1, le=3650, description="instead of until: days after as_of")
    ] = None,
) -> CampaignDetail:
    """A campaign with its members and the uplift measured from the orders placed since its
    as-of day: treatment against control, with 95 % confidence intervals."""
    from revintel.customers._campaign_records import CampaignNotFoundError, read_campaign
    from revintel.customers._campaign_uplift import measure_campaign

    accounts = _accounts_of(store, user)
    try:
        record = read_campaign(store, campaign_id, accounts)
        if accounts is not None and record.members.empty:
            raise ApiError(403, "this campaign holds none of your accounts")
        report = measure_campaign(
            store, campaign_id, until=until, window_days=window_days, accounts=accounts
        )
    except CampaignNotFoundError as exc:
        raise ApiError(404, str(exc)) from None
    except ValueError as exc:  # an empty window, or both until and window_days
        raise ApiError(400, str(exc)) from None
    outcomes = [UpliftOutcome(**r) for r in json_records(report.frame())]
    uplift = Uplift(
        start=report.start,
        until=report.until,
        treatment_accounts=report.treatment_accounts,
        control_accounts=report.control_accounts,
        enough=report.enough,
        outcomes=outcomes,
    )
    return _detail(record, uplift)


@router.post("", response_model=CampaignDetail, status_code=201, summary="Build a campaign")
def build_campaign(body: BuildIn, store: StoreDep, user: CampaignerDep) -> CampaignDetail:
    """Select the accounts for a product family by propensity × expected margin, hold out a
    random control group and record the campaign (managers and admins)."""
    from revintel.customers._campaign_records import record_campaign
    from revintel.customers._campaigns import plan_campaign

    try:
        plan = plan_campaign(
            store, body.product_family, body.size, control_share=body.control_share,
            as_of=body.as_of, seed=body.seed, method=body.method,
        )  # fmt: skip
    except ValueError as exc:  # unknown family, too few candidates
        raise ApiError(400, str(exc)) from None
    # no kept result reads the campaign tables: nothing to compute again
    record = record_campaign(store, plan, name=body.name, created_by=user.username)
    return _detail(record, None)
