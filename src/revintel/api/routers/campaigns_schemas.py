"""Bodies of the campaign endpoints: a campaign, its members, the measured uplift, a build."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from revintel.api.routers.shared_schemas import json_integer


class CampaignSummary(BaseModel):
    """A recorded cross-selling campaign."""

    campaign_id: str
    name: str
    product_family: str
    created_at: dt.datetime
    as_of: dt.date = Field(description="last day of the purchases the selection read")
    size: int = Field(description="accounts in the treatment group")
    control_size: int = Field(description="accounts held out as control")
    control_share: float
    seed: int = Field(description="seed of the random split")
    created_by: str | None = None
    status: str | None = None
    method: str | None = None
    members: int = Field(description="selected accounts the caller may see")


class CampaignMember(BaseModel):
    """A selected account and its group."""

    account_id: str
    group: Literal["treatment", "control"]
    propensity: float | None = Field(description="relative cross-selling propensity, 0 to 1")
    expected_margin: float | None
    priority: float | None = Field(description="propensity × expected margin")
    rank: int


class UpliftOutcome(BaseModel):
    """Treatment minus control for one outcome, with its 95 % confidence interval."""

    outcome: Literal["converted", "orders_family", "margin_family", "orders_total", "margin_total"]
    treatment: float = Field(description="mean per treatment account (a share for converted)")
    control: float
    difference: float
    relative: float | None = Field(description="difference / control; null when control is 0")
    ci_low: float | None = Field(description="null when the groups are too small")
    ci_high: float | None
    p_value: float | None
    method: Literal["welch", "newcombe_wilson"]


class Uplift(BaseModel):
    """The measured uplift over orders placed after the as-of day up to ``until``."""

    start: dt.date
    until: dt.date
    treatment_accounts: int
    control_accounts: int
    enough: bool = Field(description="false: too few accounts per group for an interval")
    outcomes: list[UpliftOutcome]


class CampaignDetail(BaseModel):
    """A campaign with the members the caller may see and, when asked, its uplift."""

    campaign: CampaignSummary
    notes: dict[str, str | float] = Field(description="how propensity and margin were computed")
    members: list[CampaignMember]
    uplift: Uplift | None = None


class BuildIn(BaseModel):
    """What to build: a product family, the accounts to contact and the control share."""

    product_family: str = Field(min_length=1, max_length=200)
    size: int = Field(ge=1, le=100_000, description="accounts to contact")
    control_share: float = Field(default=0.2, gt=0, lt=1)
    as_of: dt.date | None = Field(default=None, description="default: the latest order's day")
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    name: str | None = Field(default=None, max_length=200)
    method: Literal["auto", "popularity", "cooccurrence", "als"] = "auto"

    _integers = field_validator("size", "seed", mode="before")(json_integer)
