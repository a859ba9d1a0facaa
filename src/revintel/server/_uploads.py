"""Uploaded export files: saved under their own (sanitised) names for the importer to read."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

from fastapi import UploadFile

from revintel.ingest import FileLimits, ImportReport, import_files
from revintel.server._errors import ApiError
from revintel.server._settings import Settings
from revintel.store import Store

MAX_UPLOAD_BYTES = 200 * 2**20
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str | None, index: int) -> str:
    """The upload's base name with unusual characters replaced (never a path)."""
    base = _UNSAFE.sub("_", Path(name or "").name).lstrip(".")
    return base or f"upload-{index}"


def file_limits(settings: Settings) -> FileLimits:
    """The bounds on each imported file, as the server is configured."""
    return FileLimits(
        max_unpacked_bytes=settings.max_unpacked_bytes,
        max_rows=settings.max_rows,
        max_columns=settings.max_columns,
        max_cells=settings.max_cells,
        max_cell_chars=settings.max_cell_chars,
        max_rejected_rows=settings.max_rejected_rows,
    )


def save_uploads(
    uploads: list[UploadFile], folder: Path, max_bytes: int = MAX_UPLOAD_BYTES
) -> list[Path]:
    """Write ``uploads`` into ``folder``; 413 when together they exceed ``max_bytes``."""
    paths: list[Path] = []
    total = 0
    for index, upload in enumerate(uploads):
        path = folder / safe_filename(upload.filename, index)
        if path in paths:
            path = folder / f"{index}-{path.name}"
        with path.open("wb") as out:
            while chunk := upload.file.read(2**20):
                total += len(chunk)
                if total > max_bytes:
                    raise ApiError(413, f"uploads exceed {max_bytes:,} bytes")
                out.write(chunk)
        paths.append(path)
    if not paths:
        raise ApiError(422, "no file uploaded")
    return paths


def remove_folder(folder: Path) -> None:
    """Delete a temporary upload folder."""
    shutil.rmtree(folder, ignore_errors=True)


def import_uploads(
    store: Store,
    settings: Settings,
    preset: str,
    uploads: list[UploadFile],
    *,
    strict: bool,
    timezone: str | None = None,
    as_of: date | None = None,
) -> ImportReport:
    """Import ``uploads`` with ``preset`` in one transaction, within the configured limits;
    ``timezone`` is the zone of the files' times (default: the preset's, else the store's);
    ``as_of`` dates undated records (see :func:`revintel.ingest.import_files`).

    The files are saved under their own names in a temporary folder, removed afterwards.
    """
    folder = Path(tempfile.mkdtemp(prefix="revintel-upload-"))
    try:
        paths = save_uploads(uploads, folder, settings.max_body_bytes)
        return import_files(
            store,
            preset,
            paths,
            strict=strict,
            timezone=timezone,
            as_of=as_of,
            file_names=[p.name for p in paths],
            limits=file_limits(settings),
            wait_seconds=settings.import_wait_seconds,
        )
    finally:
        remove_folder(folder)
