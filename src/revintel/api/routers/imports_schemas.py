"""Bodies of the import endpoints: batches, uploads and rejected rows."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from revintel.api.routers.shared_schemas import Timestamp


class ImportBatch(BaseModel):
    """One load into the store."""

    import_batch_id: str
    source_system: str
    preset: str | None = None
    files: str | None = None
    started_at: Timestamp
    finished_at: Timestamp | None = None
    status: str | None = None  # committed, failed or undone
    rows_read: int | None = None
    rows_accepted: int | None = None
    rows_rejected: int | None = None
    undone_at: Timestamp | None = None


class ImportedFile(BaseModel):
    """What happened to one uploaded file."""

    model_config = ConfigDict(from_attributes=True)
    file: str
    object: str
    table: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int


class ImportResult(BaseModel):
    """The outcome of an upload: per file, rows written per table, rejected cells by reason."""

    batch_id: str
    status: str
    files: list[ImportedFile]
    written: dict[str, int]
    rejected_by_reason: dict[str, int]
    guest_orders: int = Field(
        default=0, description="accepted orders without a customer number (guest account)"
    )
    guest_amount: float = Field(default=0.0, description="net amount of those guest orders")


class UndoResult(BaseModel):
    """An undone import: rows removed and rows restored as they were, per table."""

    batch_id: str
    status: Literal["undone"] = "undone"
    removed: dict[str, int]
    restored: dict[str, int]


class RejectedRow(BaseModel):
    """A row an import could not accept, with file, row, column, value and reason."""

    import_batch_id: str
    file: str
    row_number: int
    column: str | None = None
    value: str | None = None
    reason: str
    target_table: str | None = None
