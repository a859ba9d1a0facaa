"""Bodies of the store and health endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TableInfo(BaseModel):
    """A model table and the rows the caller can see in it."""

    name: str
    rows: int
    description: str


class StoreInfo(BaseModel):
    """The store behind the server."""

    schema_version: int | None
    timezone: str = Field(
        description="IANA zone of the store: times are its wall-clock times, written with its "
        "offset",
        examples=["Europe/Berlin"],
    )
    currency: str = Field(
        description="ISO 4217 currency of the store: amounts are summed and shown in it",
        examples=["EUR"],
        pattern="^[A-Z]{3}$",
    )
    tables: list[TableInfo]


class Health(BaseModel):
    """Liveness."""

    status: str = "ok"
    warming: bool = Field(
        default=False, description="the main dashboard views are being computed ahead"
    )
