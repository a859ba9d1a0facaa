"""Bodies of the data quality endpoint."""

from __future__ import annotations

from pydantic import BaseModel


class CompletenessRow(BaseModel):
    """How often one field of one table from one source is filled."""

    source_system: str
    table: str
    column: str
    rows: int
    filled: int
    completeness: float


class RejectionCount(BaseModel):
    """Rejected cells of one reason, per source and target table."""

    source_system: str | None = None
    target_table: str | None = None
    reason: str
    rows: int


class DuplicateCount(BaseModel):
    """Accounts of one source sharing a normalised name with another account."""

    source_system: str
    accounts: int
    duplicate_in_source: int
    in_other_sources: int


class HistoryShare(BaseModel):
    """Opportunities of one source whose stage history the source dates (not inferred)."""

    source_system: str
    opportunities: int
    with_dated_history: int
    fully_dated: int
    share_dated: float | None = None
    share_fully_dated: float | None = None


class GuestOrders(BaseModel):
    """Orders of one source without a customer number, booked on its placeholder account."""

    source_system: str
    accounts: int
    orders: int
    returns: int
    amount: float


class QualityOut(BaseModel):
    """Data quality per source and table, as ``revintel quality`` prints it."""

    completeness: list[CompletenessRow]
    rejections: list[RejectionCount]
    duplicates: list[DuplicateCount]
    history: list[HistoryShare]
    guests: list[GuestOrders] = []
