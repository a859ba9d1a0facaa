"""The Planning page: from an order-intake target back to the MQLs, SALs, SQLs and opportunities
each month needs, per channel or segment, with intervals, the run-rate, the gap and the rates
used; scenarios compared; every table downloadable as CSV and Excel.

The page asks the same views as ``GET /api/v1/plan`` (through the result cache), so its numbers
are the API's. A sales rep plans with their own leads and deals.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from revintel.alignment._plan import Scenario
from revintel.auth import Permission
from revintel.i18n import Language
from revintel.views._plan import (
    NoTargetError,
    PlanDataError,
    PlanError,
    PlanInputError,
    PlanInputs,
    PlanView,
    plan_channels,
    plan_scenarios,
    plan_view,
)
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._plan_tables import (
    COMPARED,
    group_text,
    months_table,
    need_chart,
    rates_table,
    scenarios_table,
    totals_table,
)
from revintel.web._table_export import EXPORT_FORMATS, PageTable, export_response

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/plan"
TABLES = ("totals", "months", "months-all", "rates", "scenarios")
#: A form field; an empty one means its default.
Text = Annotated[str | None, Query(max_length=40)]


@dataclass(frozen=True)
class PlanForm:
    """The form's fields as typed (kept to fill the form again and to build links)."""

    target: str | None = None
    period: str | None = None
    by: str | None = None
    mql_to_sal: str | None = None
    deal_size: str | None = None
    channel: str | None = None
    channel_leads: str | None = None
    with_forecast: str | None = None

    def params(self) -> dict[str, str | None]:
        """The fields as query parameters."""
        return asdict(self)


def parse_number(text: str | None, lang: Language, field: str) -> float | None:
    """A number as typed in ``lang`` (``1.500.000,5`` in German, ``1,500,000.5`` in English;
    a plain ``1500000.5`` in both); ``None`` when empty.

    Raises
    ------
    PlanInputError
        When the text is not a finite number.
    """
    cleaned = (text or "").replace(" ", "").replace("\u00a0", "").replace("€", "").strip()
    if not cleaned:
        return None
    if lang == "de" and "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif lang == "de" and re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    elif lang == "en":
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise PlanInputError(f"{field}: {text!r} is not a number", field) from None
    if not math.isfinite(value):
        raise PlanInputError(f"{field}: {text!r} is not a number", field)
    return value


def plan_inputs(form: PlanForm, lang: Language) -> PlanInputs:
    """The plan request of the form (raises :class:`PlanInputError` for a bad field)."""

    def factor(text: str | None, field: str) -> float:
        value = parse_number(text, lang, field)
        return 1.0 if value is None else value

    return PlanInputs(
        target=parse_number(form.target, lang, "target"),
        period=form.period or "",
        by="" if form.by == "none" else (form.by or "channel"),
        mql_to_sal=factor(form.mql_to_sal, "mql_to_sal"),
        deal_size=factor(form.deal_size, "deal_size"),
        channel=form.channel or None,
        channel_leads=factor(form.channel_leads, "channel_leads"),
        with_forecast=bool(form.with_forecast),
    )


def _compared(inputs: PlanInputs) -> tuple[PlanInputs, tuple[Scenario, ...]]:
    """The base request and the scenarios the page compares: the page's two and the form's."""
    base = PlanInputs(
        target=inputs.target, period=inputs.period, by=inputs.by, as_of=inputs.as_of,
        draws=inputs.draws, seed=inputs.seed, level=inputs.level,
    )  # fmt: skip
    chosen = [Scenario(name, **factors) for name, factors in COMPARED.items()]  # type: ignore[arg-type]
    own = inputs.scenario()
    if (own.mql_to_sal, own.deal_size, dict(own.channel_leads)) != (1.0, 1.0, {}):
        chosen.append(Scenario("form", own.mql_to_sal, own.deal_size, own.channel_leads))
    return base, tuple(chosen)


@dataclass(frozen=True)
class PlanPage:
    """What the page shows: the plan and its tables, or why there is none."""

    view: PlanView | None
    tables: dict[str, PageTable]
    problem: str | None = None
    no_target: str | None = None


def _tables(page: PageContext, inputs: PlanInputs, only: str | None = None) -> PlanPage:
    t, funnel = page.t, page.state.funnel
    try:
        view = page.query(plan_view, inputs)
        tables = {
            "totals": totals_table(view, t, funnel),
            "months": months_table(view, t, funnel, company_only=True),
            "months-all": months_table(view, t, funnel, company_only=False),
            "rates": rates_table(view, t, funnel),
        }
        if only in (None, "scenarios"):
            base, scenarios = _compared(inputs)
            _, frame = page.query(plan_scenarios, base, scenarios)
            tables["scenarios"] = scenarios_table(frame, t, funnel)
    except PlanInputError as exc:
        return PlanPage(None, {}, t("plan.bad_input").format(reason=str(exc)))
    except NoTargetError as exc:
        return PlanPage(None, {}, no_target=t("plan.target.none").format(period=exc.period))
    except (PlanError, PlanDataError) as exc:
        return PlanPage(None, {}, t("plan.refused").format(reason=str(exc)))
    return PlanPage(view, tables)


def _form(**given: str | None) -> PlanForm:
    return PlanForm(**{k: (v.strip() if v else None) or None for k, v in given.items()})


def _target_line(page: PageContext, view: PlanView) -> str:
    key = "plan.target.argument" if view.target_source == "argument" else "plan.target.table"
    return page.t(key).format(target=page.t.money(view.target), period=view.period)


@router.get(PATH, response_class=HTMLResponse)
def plan_page(
    page: PageDep,
    target: Text = None,
    period: Text = None,
    by: Text = None,
    mql_to_sal: Text = None,
    deal_size: Text = None,
    channel: Text = None,
    channel_leads: Text = None,
    with_forecast: Text = None,
) -> Response:
    """The plan for the form's target and period on the rows the user sees."""
    form = _form(
        target=target, period=period, by=by, mql_to_sal=mql_to_sal, deal_size=deal_size,
        channel=channel, channel_leads=channel_leads, with_forecast=with_forecast,
    )  # fmt: skip
    inputs: PlanInputs | None = None
    try:
        inputs = plan_inputs(form, page.t.lang)
    except PlanInputError as exc:
        found = PlanPage(None, {}, page.t("plan.bad_input").format(reason=str(exc)))
    if inputs is not None:
        found = _tables(page, inputs)
    view, t = found.view, page.t
    return page.render(
        "plan.html",
        form=form,
        channels={c: group_text(c, "channel", t) for c in page.query(plan_channels)},
        view=view,
        problem=found.problem,
        no_target=found.no_target,
        target_line=_target_line(page, view) if view is not None else None,
        forecast_line=None
        if view is None or view.forecast_p50 is None
        else t("plan.forecast").format(forecast=t.money(view.forecast_p50)),
        scope_note=None if page.user.can(Permission.view_all_rows) else t("plan.scope_rep"),
        interval_note=t("plan.interval_note").format(
            level=t.percent(inputs.level if inputs else 0.8, 0),
            draws=t.number(inputs.draws if inputs else 2000),
        ),
        tables=found.tables,
        chart=need_chart(view, t) if view is not None else None,
        export_urls={
            (name, fmt): page.url(f"{PATH}/export", table=name, format=fmt, **form.params())
            for name in TABLES
            for fmt in EXPORT_FORMATS
        },
    )


@router.get(f"{PATH}/export")
def plan_export(
    page: PageDep,
    table: Annotated[str, Query(max_length=40)],
    format: Annotated[str, Query(max_length=10)] = "csv",
    target: Text = None,
    period: Text = None,
    by: Text = None,
    mql_to_sal: Text = None,
    deal_size: Text = None,
    channel: Text = None,
    channel_leads: Text = None,
    with_forecast: Text = None,
) -> Response:
    """One table of the page as CSV (in the page's language) or Excel."""
    if table not in TABLES or format not in EXPORT_FORMATS:
        return Response(
            f"unknown table {table!r} or format {format!r}; tables: {', '.join(TABLES)}; "
            "formats: csv, xlsx",
            status_code=404,
            media_type="text/plain",
        )
    form = _form(
        target=target, period=period, by=by, mql_to_sal=mql_to_sal, deal_size=deal_size,
        channel=channel, channel_leads=channel_leads, with_forecast=with_forecast,
    )  # fmt: skip
    try:
        inputs = plan_inputs(form, page.t.lang)
    except PlanInputError as exc:
        return Response(str(exc), status_code=422, media_type="text/plain")
    found = _tables(page, inputs, table)
    chosen = found.tables.get(table)
    if chosen is None:
        reason: Any = found.problem or found.no_target
        return Response(str(reason), status_code=409, media_type="text/plain")
    return export_response(chosen, format, page.t)
