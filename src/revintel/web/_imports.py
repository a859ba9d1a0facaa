"""The Import page (upload exports, see the report) and the Data quality page."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, Response

from revintel.auth import AccessDeniedError, Permission, require
from revintel.ingest import preset_names, quality_report
from revintel.server import import_uploads
from revintel.views import import_history, rejected_rows, rejections_by_reason
from revintel.web._context import PageDep

router = APIRouter(include_in_schema=False)


def presets() -> list[str]:
    """The presets offered on the form: ``generic`` first, then the built-in ones."""
    return ["generic", *[p for p in preset_names() if p != "generic"]]


@router.get("/import", response_class=HTMLResponse)
def import_form(page: PageDep) -> Response:
    """The upload form (for roles allowed to import)."""
    require(page.user, Permission.import_data)
    return page.render("import.html", presets=presets(), report=None, preset="generic")


@router.post("/import", response_class=HTMLResponse)
def import_upload(
    page: PageDep,
    files: Annotated[list[UploadFile], File()],
    preset: Annotated[str, Form(max_length=64)] = "generic",
    strict: Annotated[bool, Form()] = False,
    timezone: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Import the uploaded files in one transaction and show the report."""
    require(page.user, Permission.import_data)
    if not page.session.csrf_matches(csrf_token):
        raise AccessDeniedError("the form's CSRF token does not match the session")
    zone = timezone.strip() or None
    report = import_uploads(
        page.store, page.state.settings, preset, files, strict=strict, timezone=zone
    )
    page.state.data_changed()
    return page.render(
        "import.html", presets=presets(), report=report, files=report.files, preset=preset
    )


@router.get("/quality", response_class=HTMLResponse)
def quality(page: PageDep, batch: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """Import batches, rejected cells by reason and the rejected rows (of one batch via URL)."""
    require(page.user, Permission.import_data)
    report = page.query_unscoped(quality_report)
    gaps = report.completeness[report.completeness["completeness"] < 1.0]
    return page.render(
        "quality.html",
        sections=[
            ("quality.completeness", _table(gaps)),
            ("quality.duplicates", _table(report.duplicates)),
            ("quality.history", _table(report.history)),
            ("quality.guests", _table(report.guests)),
        ],
        batches=page.query_unscoped(import_history),
        reasons=page.query_unscoped(rejections_by_reason, batch),
        rows=page.query_unscoped(rejected_rows, batch),
        batch=batch,
    )


def _table(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Column names and rows of a report frame (missing values as ``None``)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [str(c) for c in clean.columns], clean.to_numpy().tolist()
