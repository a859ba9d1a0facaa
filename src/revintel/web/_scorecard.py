"""The Scorecard page: the joint scorecard of marketing and sales for a month picked on the page,
in the reader's language, with the month's PDF and Excel downloads.

The page shows the same HTML fragment the PDF is printed from
(:func:`revintel.report.render_scorecard`), computed by the same view as
``GET /api/v1/scorecard`` through the result cache, so page, PDF and API agree.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from revintel.auth import Permission
from revintel.report import PdfError, render_scorecard, scorecard_pdf, scorecard_workbook
from revintel.server import scope
from revintel.views._scorecard import ScorecardMonthError, scorecard_month, scorecard_view
from revintel.web._context import CachedPageRoute, PageDep
from revintel.web._table_export import XLSX_MEDIA_TYPE

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/scorecard"
#: Download formats of the page.
FORMATS = ("pdf", "xlsx")
Month = Annotated[str | None, Query(max_length=20)]


@router.get(PATH, response_class=HTMLResponse)
def scorecard_page(page: PageDep, month: Month = None) -> Response:
    """The scorecard of the picked month (default: the last complete one) on the user's rows."""
    t = page.t
    scope_note = None if page.user.can(Permission.view_all_rows) else t("scorecard.scope_rep")
    try:
        card = page.query(scorecard_view, page.query(scorecard_month, month or None))
    except ScorecardMonthError as exc:
        problem = t("scorecard.bad_month").format(reason=str(exc))
        return page.render(
            "scorecard.html", status=400, card=None, problem=problem, month=month or "",
            scope_note=scope_note, fragment=None, export_urls={},
        )  # fmt: skip
    return page.render(
        "scorecard.html",
        card=card,
        problem=None,
        month=card.month_label,
        scope_note=scope_note,
        fragment=Markup(render_scorecard(card, t.lang, standalone=False)),
        export_urls={
            fmt: page.url(f"{PATH}/export", month=card.month_label, format=fmt) for fmt in FORMATS
        },
    )


@router.get(f"{PATH}/export")
def scorecard_export(
    page: PageDep, month: Month = None, format: Annotated[str, Query(max_length=10)] = "pdf"
) -> Response:
    """The page's scorecard as PDF (printed from the page's HTML) or Excel, in its language."""
    if format not in FORMATS:
        return Response(
            f"unknown format {format!r}; formats: {', '.join(FORMATS)}",
            status_code=404,
            media_type="text/plain",
        )
    try:
        card = page.query(scorecard_view, page.query(scorecard_month, month or None))
    except ScorecardMonthError as exc:
        return Response(str(exc), status_code=400, media_type="text/plain")
    lang = page.t.lang
    if format == "pdf":
        key = ("scorecard-pdf", scope(page.user), card.month_label, lang)
        try:
            body = page.state.cache.remember(key, lambda: scorecard_pdf(card, lang))
        except PdfError as exc:
            return Response(str(exc), status_code=503, media_type="text/plain")
        media_type = "application/pdf"
    else:
        body, media_type = scorecard_workbook(card, lang), XLSX_MEDIA_TYPE
    name = f"scorecard-{card.month_label}-{lang}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=headers)
