"""``/api/v1/imports``: upload exports, list import batches and their rejected rows."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, UploadFile

from revintel.api.routers._common import PageDep, offset_end, offset_page
from revintel.api.routers.imports_schemas import (
    ImportBatch,
    ImportedFile,
    ImportResult,
    RejectedRow,
    UndoResult,
)
from revintel.api.routers.shared_schemas import Page
from revintel.ingest import IngestError, UnknownBatchError, preset_names, undo_import
from revintel.server import (
    AdminDep,
    ApiError,
    ImporterDep,
    StateDep,
    StoreDep,
    import_uploads,
)
from revintel.views import count_rows, import_history, rejected_rows

#: The presets an upload may name (``generic`` with a mapping file is the CLI's).
Preset = Literal[tuple(preset_names())]  # type: ignore[valid-type]
#: What an IANA time zone name looks like (``UTC``, ``Europe/Berlin``, ``America/Argentina/Salta``).
ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"

router = APIRouter(prefix="/imports", tags=["imports"])


@router.get("", response_model=Page[ImportBatch], summary="Import batches")
def batches(
    store: StoreDep, user: ImporterDep, state: StateDep, page: PageDep
) -> Page[ImportBatch]:
    """The import batches, newest first."""
    binding = {"list": "imports"}
    found = state.cache.call(import_history, store, None, offset_end(page, binding))
    total = state.cache.call(count_rows, store, None, "import_batches", {})
    return offset_page([ImportBatch(**b) for b in found], page, binding, total)


@router.get("/rejections", response_model=Page[RejectedRow], summary="Rejected rows")
def rejections(
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    page: PageDep,
    batch: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[RejectedRow]:
    """Rejected rows of every batch (or of ``batch``), by batch, file, row and column."""
    binding = {"list": "rejections", "batch": batch}
    rows = state.cache.call(rejected_rows, store, None, batch, offset_end(page, binding))
    equals = {"import_batch_id": batch}
    total = state.cache.call(count_rows, store, None, "rejected_rows", equals)
    return offset_page([RejectedRow(**r) for r in rows], page, binding, total)


@router.post("", response_model=ImportResult, status_code=201, summary="Upload exports")
def upload(
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    files: Annotated[
        list[UploadFile],
        File(
            min_length=1,
            description="CSV, TXT, XLSX or Parquet exports; gzipped (`.csv.gz`) or zipped "
            "(each file in a `.zip` is read); every sheet of a workbook",
        ),
    ],
    preset: Annotated[Preset, Form(description="the exporting system")] = "generic",  # type: ignore[valid-type]
    strict: Annotated[bool, Form()] = False,
    timezone: Annotated[
        str | None,
        Form(
            max_length=64,
            pattern=ZONE_PATTERN,
            description="IANA zone of the files' times, e.g. `UTC`, `Europe/Berlin` (default: "
            "the preset's, else the store's); a name the server does not know answers 400",
        ),
    ] = None,
    # Declared without a null alternative: a multipart form cannot send null, only leave it out.
    as_of: Annotated[
        date,  # noqa: RUF013
        Form(
            description="date (YYYY-MM-DD) of undated records: sets every required date "
            "(created_at, ordered_at, occurred_at…) that has no value; recorded with the batch",
        ),
    ] = None,  # type: ignore[assignment]
) -> ImportResult:
    """Import the files in one transaction; every rejected row is kept with its reason.

    409 when another import is running (the attempt is recorded as a failed batch); 400 when a
    file exceeds a limit (see docs/limits.md), cannot be read (a file that is no export is
    named with what it looks like) or has more rejected rows than allowed, and when no row is
    accepted (every row rejected, or none in the files: the message sums the reasons, and the
    batch is listed as failed with its rejected rows).
    """
    try:
        report = import_uploads(
            store, state.settings, preset, files, strict=strict, timezone=timezone, as_of=as_of
        )
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
        guest_orders=report.guest_orders,
        guest_amount=report.guest_amount,
    )


@router.delete(
    "/{batch_id}",
    response_model=UndoResult,
    summary="Undo an import (admin)",
)
def undo(
    store: StoreDep,
    admin: AdminDep,
    state: StateDep,
    batch_id: Annotated[
        str,
        Path(max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$", description="the batch, as listed"),
    ],
) -> UndoResult:
    """Remove every row the import wrote and restore the rows it changed, in one transaction,
    as `revintel import undo` does; the batch stays listed as undone.

    404 for no such batch; 400 when the batch is not committed (failed or already undone) or
    a later import builds on it (it changed rows this one wrote, or wrote rows referring to
    records only this one created): undo that import first.
    """
    try:
        report = undo_import(store, batch_id, wait_seconds=state.settings.import_wait_seconds)
    except UnknownBatchError as exc:
        raise ApiError(404, str(exc)) from None
    state.data_changed()
    return UndoResult(
        batch_id=batch_id,
        removed={t: n for t, n in report.removed.items() if n},
        restored={t: n for t, n in report.restored.items() if n},
    )
