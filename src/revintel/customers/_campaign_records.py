"""Cross-selling campaigns in the store: record a plan, list the campaigns, read one back."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from revintel.customers._campaigns import CampaignPlan, recommendations_json
from revintel.store import Store

CAMPAIGN_TABLE = "account_campaigns"
MEMBER_TABLE = "account_campaign_members"
ACTIVE = "active"


class CampaignNotFoundError(LookupError):
    """No campaign has the id asked for."""


@dataclass(frozen=True)
class CampaignRecord:
    """A recorded campaign: its row in ``account_campaigns`` and its members."""

    campaign: dict[str, Any]
    members: pd.DataFrame

    @property
    def campaign_id(self) -> str:
        """The campaign's id."""
        return str(self.campaign["campaign_id"])


def new_campaign_id(now: datetime) -> str:
    """A readable, unique id: ``XC`` + the day + four random hex digits."""
    return f"XC{now:%Y%m%d}-{secrets.token_hex(2)}"


def record_campaign(
    store: Store,
    plan: CampaignPlan,
    *,
    name: str | None = None,
    created_by: str | None = None,
    now: datetime | None = None,
) -> CampaignRecord:
    """Write the campaign and its members in one transaction; returns what was written."""
    created = now or datetime.now(UTC).replace(tzinfo=None)
    campaign_id = new_campaign_id(created)
    campaign = {
        "campaign_id": campaign_id,
        "name": name or f"{plan.family} {plan.as_of.isoformat()}",
        "product_family": plan.family,
        "created_at": created,
        "as_of": plan.as_of,
        "size": plan.size,
        "control_size": plan.control_size,
        "control_share": plan.control_share,
        "seed": plan.seed,
        "created_by": created_by,
        "status": ACTIVE,
        "method": plan.method,
        "notes": json.dumps(plan.notes, ensure_ascii=False),
    }
    members = plan.members.assign(
        campaign_id=campaign_id,
        recommendations=[recommendations_json(r) for r in plan.members["recommendations"]],
    )
    with store.transaction():
        store.insert(CAMPAIGN_TABLE, pd.DataFrame([campaign]))
        store.insert(MEMBER_TABLE, members)
    return CampaignRecord(campaign, members)


def list_campaigns(store: Store, accounts: Any = None) -> pd.DataFrame:
    """Every campaign, newest first; with ``accounts`` (an Ibis column of account ids) only the
    campaigns holding one of them, with ``members`` counting those."""
    campaigns = store.table(CAMPAIGN_TABLE)
    members = store.table(MEMBER_TABLE)
    if accounts is not None:
        members = members.filter(members.account_id.isin(accounts))
    counts = members.group_by("campaign_id").aggregate(
        members=members.count(),
        treatment=(members.group == "treatment").sum(),
    )
    how = "left" if accounts is None else "inner"
    joined = campaigns.join(counts, "campaign_id", how=how)
    frame = joined.select(*campaigns.columns, "members", "treatment").to_pandas()
    frame = frame.sort_values(["created_at", "campaign_id"], ascending=False)
    return frame.fillna({"members": 0, "treatment": 0}).reset_index(drop=True)


def read_campaign(store: Store, campaign_id: str, accounts: Any = None) -> CampaignRecord:
    """The campaign ``campaign_id`` with its members (only those in ``accounts``, if given).

    Raises
    ------
    CampaignNotFoundError
        When no campaign has this id.
    """
    campaigns = store.table(CAMPAIGN_TABLE)
    rows = campaigns.filter(campaigns.campaign_id == campaign_id).to_pandas()
    if rows.empty:
        raise CampaignNotFoundError(f"no campaign {campaign_id!r}; `campaign list` shows them")
    members = store.table(MEMBER_TABLE)
    members = members.filter(members.campaign_id == campaign_id)
    if accounts is not None:
        members = members.filter(members.account_id.isin(accounts))
    frame = members.order_by("rank").to_pandas()
    campaign = rows.iloc[0].to_dict()
    return CampaignRecord(campaign, frame)
