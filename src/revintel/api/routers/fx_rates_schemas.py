"""Bodies of the exchange-rate endpoints."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class FxRateOut(BaseModel):
    """An exchange rate into the store currency, valid from its day to the currency's next."""

    currency: str = Field(description="ISO 4217 code converted from", examples=["GBP"])
    valid_from: date = Field(description="first day the rate applies")
    rate: float = Field(description="units of the store currency for one unit of `currency`")
    import_batch_id: str | None = None


class FxRejection(BaseModel):
    """A row of the uploaded file that holds no usable rate."""

    row_number: int = Field(description="line in the file, the header being 1")
    column: str
    value: str
    reason: str


class FxRatesImported(BaseModel):
    """What an upload of rates loaded; its rejected rows are also kept in ``rejected_rows``."""

    import_batch_id: str
    store_currency: str = Field(examples=["EUR"])
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rejections: list[FxRejection]
