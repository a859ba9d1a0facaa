"""``/api/v1/imports``: upload exports, list import batches and their rejected rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from revintel.api.routers.imports_schemas import (
    ImportBatch,
    ImportedFile,
    ImportResult,
    RejectedRow,
)
from revintel.ingest import IngestError
from revintel.server import (
    ImporterDep,
    StateDep,
    StoreDep,
    import_uploads,
)
from revintel.views import import_history, rejected_rows

router = APIRouter(prefix="/imports", tags=["imports"])


@router.get("", response_model=list[ImportBatch], summary="Import batches")
def batches(
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ImportBatch]:
    """The latest import batches, newest first."""
    return [ImportBatch(**b) for b in state.cache.call(import_history, store, None, limit)]


@router.get("/rejections", response_model=list[RejectedRow], summary="Rejected rows")
def rejections(
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    batch: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[RejectedRow]:
    """Rejected rows of every batch (or of ``batch``), by file and row."""
    rows = state.cache.call(rejected_rows, store, None, batch, limit)
    return [RejectedRow(**r) for r in rows]


@router.post("", response_model=ImportResult, status_code=201, summary="Upload exports")
def upload(
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    files: Annotated[list[UploadFile], File(description="CSV, XLSX or Parquet exports")],
    preset: Annotated[str, Form(max_length=64)] = "generic",
    strict: Annotated[bool, Form()] = False,
) -> ImportResult:
    """Import the files in one transaction; every rejected row is kept with its reason.

    409 when another import is running (the attempt is recorded as a failed batch); 422 when a
    file exceeds a limit (see docs/limits.md) or has more rejected rows than allowed.
    """
    try:
        report = import_uploads(store, state.settings, preset, files, strict=strict)
    except IngestError:
        state.cache.clear()  # a refused import may still have recorded a failed batch
        raise
    state.data_changed()
    return ImportResult(
        batch_id=report.batch_id,
        status=report.status,
        files=[ImportedFile(**f.__dict__) for f in report.files],
        written=report.written,
        rejected_by_reason=report.rejected_by_reason(),
    )
