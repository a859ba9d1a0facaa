"""``/api/v1/scorecard``: the joint scorecard of marketing and sales for one month as JSON, and
its monthly export as PDF (the page's HTML printed by headless Chromium) or Excel workbook.

Every answer covers the rows the caller may see and is kept until the data changes. A month
that is not ``YYYY-MM`` or lies after the data's as-of date gets 400 naming ``month``; a PDF
without an installed browser 503 saying so.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from revintel.api.routers._common import CONDITIONAL, Language, cached_json
from revintel.api.routers.scorecard_schemas import (
    ScorecardAlert,
    ScorecardContribution,
    ScorecardContributionRow,
    ScorecardKpi,
    ScorecardOut,
    ScorecardSla,
    ScorecardTarget,
    ScorecardTargets,
    ScorecardVelocity,
)
from revintel.auth import User
from revintel.i18n import Translator
from revintel.report import PdfError, scorecard_pdf, scorecard_workbook
from revintel.server import ApiError, AppState, StateDep, StoreDep, UserDep, scope
from revintel.store import Store
from revintel.views._scorecard import (
    Scorecard,
    ScorecardMonthError,
    scorecard_month,
    scorecard_view,
)

router = APIRouter(prefix="/scorecard", tags=["scorecard"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A file answer: its bytes (documented so that client generators return them as a file).
_FILE: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
Month = Annotated[
    str | None,
    Query(
        max_length=20,
        description="YYYY-MM; default: the last complete month before the data's as-of date",
        examples=["2024-11"],
    ),
]
_BAD_MONTH: dict[int | str, dict[str, Any]] = {
    400: {"description": "`month` is not YYYY-MM or lies after the data's as-of date."}
}


def _card(state: AppState, store: Store, user: User, month: str | None) -> Scorecard:
    try:
        chosen = state.cache.call(scorecard_month, store, user, month or None)
    except ScorecardMonthError as exc:
        raise ApiError(400, str(exc), field="month") from None
    return state.cache.call(scorecard_view, store, user, chosen)


def _contribution(card: Scorecard, t: Translator) -> ScorecardContribution:
    hint = None
    if card.contributions is not None and not card.credits_stored:
        hint = f"revintel attribution store --models {card.attribution_model}"
    rows = [
        ScorecardContributionRow(
            milestone=c.milestone,
            label=c.label(t.lang),
            conversions=c.conversions,
            marketing=c.marketing,
            sales=c.sales,
            unattributed=c.unattributed,
            marketing_share=c.marketing_share,
        )
        for c in card.contributions or ()
    ]
    return ScorecardContribution(
        model=card.attribution_model,
        level=card.attribution_level,
        visible=card.contributions is not None,
        stored=card.credits_stored,
        hint=hint,
        rows=rows,
    )


def scorecard_out(card: Scorecard, lang: Language) -> ScorecardOut:
    """The scorecard as the API answers it, texts in ``lang``."""
    t = Translator(lang, card.currency)
    start, end = card.target_period
    kpis = [
        ScorecardKpi(
            kpi=k.kpi,
            name=k.name(lang),
            definition=k.definition(lang),
            formula=k.formula,
            unit=k.unit,
            grain=k.grain,
            period=k.period,
            good_direction=k.good_direction,
            value=k.value,
            previous=k.previous,
            last_year=k.last_year,
        )
        for k in card.kpis
    ]
    return ScorecardOut(
        month=card.month_label,
        as_of=card.as_of,
        currency=card.currency,
        language=lang,
        kpis=kpis,
        targets=ScorecardTargets(
            quarter=card.quarter_label,
            period_start=start,
            period_end=end,
            to_date=min(end, card.as_of),
            rows=[ScorecardTarget(**line.__dict__) for line in card.targets],
        ),
        contribution=_contribution(card, t),
        velocity=ScorecardVelocity(**card.velocity.__dict__),
        sla=[ScorecardSla(**s.__dict__, level_label=t(f"sla.level.{s.level}")) for s in card.sla],
        alerts=[
            ScorecardAlert(
                kpi=a.kpi,
                rule=a.rule,
                period=a.period,
                group=a.group,
                value=a.value,
                reference=a.reference,
                reason=a.reason(lang),
            )
            for a in card.alerts
        ],
    )


@router.get(
    "",
    response_model=ScorecardOut,
    summary="Joint scorecard of marketing and sales",
    responses={**_BAD_MONTH, **CONDITIONAL["responses"]},
    openapi_extra=CONDITIONAL["openapi_extra"],
)
async def get_scorecard(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    month: Month = None,
    lang: Annotated[Language, Query(description="language of names and reasons")] = "en",
) -> Response:
    """The month's agreed KPIs (with the period before and last year), the quarter's targets
    against actuals per team and person, marketing's and sales' contribution per milestone, the
    plain and quality-weighted Lead Velocity Rate, service-level attainment and open alerts."""
    return await cached_json(
        request, state, user, lambda: scorecard_out(_card(state, store, user, month), lang)
    )


@router.get(
    "/export",
    summary="Scorecard as PDF or Excel",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": _FILE, XLSX: _FILE}, "description": "the file"},
        **_BAD_MONTH,
        503: {"description": "No headless browser is installed to print the PDF."},
    },
)
def export_scorecard(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    month: Month = None,
    format: Annotated[Literal["pdf", "xlsx"], Query(description="pdf or xlsx")] = "pdf",
    lang: Annotated[Language, Query(description="language of the file")] = "de",
) -> Response:
    """The monthly scorecard as a PDF (the dashboard page's HTML, printed by headless
    Chromium: a few seconds) or an Excel workbook with one sheet per section."""
    card = _card(state, store, user, month)
    if format == "pdf":
        try:
            key = ("scorecard-pdf", scope(user), card.month_label, lang)
            body = state.cache.remember(key, lambda: scorecard_pdf(card, lang))
        except PdfError as exc:
            raise ApiError(503, str(exc)) from None
        media_type = "application/pdf"
    else:
        body, media_type = scorecard_workbook(card, lang), XLSX
    name = f"scorecard-{card.month_label}-{lang}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=headers)
