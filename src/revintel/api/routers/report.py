"""``/api/v1/report``: the management report of ``revintel report`` as a download."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from revintel.report import collect_report, render_html_report, write_xlsx_report
from revintel.server import StateDep, StoreDep, UserDep

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/report",
    summary="Management report",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, XLSX: {}}, "description": "the report file"}},
)
def report(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    format: Literal["html", "xlsx"] = "html",
    lang: Literal["de", "en"] = "de",
    months: Annotated[int, Query(ge=1, le=24, description="forecast horizon")] = 6,
) -> Response:
    """KPIs, alerts, funnel and order-intake forecast on the caller's rows, as a
    self-contained HTML file (charts inline, opens offline) or an Excel workbook."""
    data = state.cache.call(collect_report, store, user, lang, months)
    if format == "html":
        body = render_html_report(data).encode("utf-8")
        media_type = "text/html; charset=utf-8"
    else:
        with tempfile.TemporaryDirectory(prefix="revintel-report-") as folder:
            path = Path(folder) / "report.xlsx"
            write_xlsx_report(data, path)
            body = path.read_bytes()
        media_type = XLSX
    name = f"revintel-report-{data.created:%Y-%m-%d}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=headers)
