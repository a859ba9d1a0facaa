"""Bodies of the import endpoints: batches, uploads and rejected rows."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from revintel.api.routers.shared_schemas import Timestamp


class ImportBatch(BaseModel):
    """One load into the store."""

    import_batch_id: str
    source_system: str
    preset: str | None = None
    files: str | None = None
    started_at: Timestamp
    finished_at: Timestamp | None = None
    status: str | None = None
    rows_read: int | None = None
    rows_accepted: int | None = None
    rows_rejected: int | None = None


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


class RejectedRow(BaseModel):
    """A row an import could not accept, with file, row, column, value and reason."""

    import_batch_id: str
    file: str
    row_number: int
    column: str | None = None
    value: str | None = None
    reason: str
    target_table: str | None = None
