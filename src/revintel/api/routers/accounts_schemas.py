"""Bodies of the account endpoints."""

from __future__ import annotations

from revintel.api.routers.shared_schemas import Lineage, Timestamp


class Account(Lineage):
    """An account (company)."""

    account_id: str
    name: str
    industry: str | None = None
    segment: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    employees: int | None = None
    revenue_band: str | None = None
    owner_rep_id: str | None = None
    rep_name: str | None = None
    created_at: Timestamp | None = None
    domain: str | None = None
