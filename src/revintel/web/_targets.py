"""The Targets page: targets by period with the actual reached and the attainment, filtered by
year, measure and team; for users allowed to edit targets forms to add one, change an amount
and remove one; below, the change history. Every table downloads as CSV and Excel.

The page reads the same views as ``/api/v1/targets`` (through the result cache). Every change
is a form posted with the session's CSRF token; the page then counts it as a data change and
sends the browser back with a notice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Form, Query
from fastapi import Path as FastAPIPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revintel.auth import AccessDeniedError, Permission, require
from revintel.i18n import Translator
from revintel.metrics import (
    ORDER_INTAKE,
    TARGET_MEASURES,
    TargetsError,
    UnknownTargetError,
    target_period,
)
from revintel.views._plan import PlanInputError
from revintel.views._targets import (
    change_amount,
    edit_target,
    remove_target,
    rep_choices,
    target_history,
    target_years,
    targets_with_actuals,
    visible_targets,
)
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._plan import parse_number
from revintel.web._table_export import (
    EXPORT_FORMATS,
    Column,
    PageTable,
    export_response,
    page_table,
)

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/targets"
TABLES = ("intake", "counts", "history")
#: Changes shown on the page (the download has every change the user sees).
HISTORY_SHOWN = 50
Text = Annotated[str | None, Query(max_length=80)]
FormText = Annotated[str, Form(max_length=500)]
#: Refusals the page explains by name; any other names the field at fault.
REFUSALS = ("amount", "period", "unknown", "team")


def measure_text(measure: Any, t: Translator) -> str:
    """A target's measure in words (order intake when missing)."""
    return t(f"targets.measure.{measure if isinstance(measure, str) else ORDER_INTAKE}")


def _target_records(frame: pd.DataFrame, t: Translator) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "measure_text": measure_text(row["measure"], t),
            "team": row["team"] if isinstance(row["team"], str) else t("targets.label.company"),
        }
        for row in frame.to_dict(orient="records")
    ]


def targets_tables(frame: pd.DataFrame, t: Translator) -> tuple[PageTable, PageTable]:
    """The targets as two tables: order intake (money) and funnel counts."""
    common = [
        Column("period_start", t("targets.col.period_start"), "date"),
        Column("period_end", t("targets.col.period_end"), "date"),
        Column("team", t("targets.col.team")),
        Column("rep_id", t("targets.col.rep")),
        Column("segment", t("targets.col.segment")),
    ]
    intake = frame[frame["measure"] == ORDER_INTAKE]
    counts = frame[frame["measure"] != ORDER_INTAKE]
    money = [
        *common,
        Column("target", t("targets.col.target"), "money"),
        Column("actual", t("targets.col.actual"), "money"),
        Column("attainment", t("targets.col.attainment"), "percent"),
        Column("target_id", t("targets.col.target_id")),
    ]
    counted = [
        *common,
        Column("measure_text", t("targets.col.measure")),
        Column("target", t("targets.col.target"), "count"),
        Column("actual", t("targets.col.actual"), "count"),
        Column("attainment", t("targets.col.attainment"), "percent"),
        Column("target_id", t("targets.col.target_id")),
    ]
    return (
        page_table("targets-intake", t("targets.page.intake"), money, _target_records(intake, t)),
        page_table("targets-counts", t("targets.page.counts"), counted, _target_records(counts, t)),
    )


def _value_text(fields: dict[str, Any], t: Translator) -> str:
    amount = fields.get("amount")
    if fields.get("measure", ORDER_INTAKE) == ORDER_INTAKE:
        return t.money(amount, fields.get("currency"))
    return f"{t.number(amount)} {measure_text(fields.get('measure'), t)}"


def change_text(before: str | None, after: str | None, t: Translator) -> str:
    """What a change did, in words: ``1.000.000,00 € → 1.200.000,00 €``; ``–`` for the side
    without a target; other fields that changed after the amounts (``team: Nord → Süd``)."""
    old = json.loads(before) if isinstance(before, str) else None
    new = json.loads(after) if isinstance(after, str) else None
    text = f"{_value_text(old, t) if old else '–'} → {_value_text(new, t) if new else '–'}"
    if old and new:
        moved = [
            f"{k}: {old.get(k) or '–'} → {new.get(k) or '–'}"
            for k in ("period_start", "period_end", "team", "rep_id", "segment")
            if old.get(k) != new.get(k)
        ]
        text = "; ".join([text, *moved])
    return text


def history_table(frame: pd.DataFrame, t: Translator) -> PageTable:
    """The changes, newest first: when, what, who, the target, before → after, the note."""
    records = [
        {
            **row,
            "changed_text": f"{t.date(row['changed_at'])} {row['changed_at']:%H:%M}",
            "action": t(f"targets.action.{row['action']}"),
            "change": change_text(row.get("before"), row.get("after"), t),
        }
        for row in frame.to_dict(orient="records")
    ]
    columns = [
        Column("changed_text", t("targets.col.changed_at")),
        Column("target_id", t("targets.col.target_id")),
        Column("action", t("targets.col.action")),
        Column("actor", t("targets.col.actor")),
        Column("change", t("targets.col.change")),
        Column("note", t("targets.col.note")),
    ]
    return page_table("target-changes", t("targets.page.history"), columns, records)


def _year(text: str | None, years: list[int]) -> int | None:
    """The year asked for; ``all`` for every year; by default this year, else the newest."""
    if text == "all":
        return None
    if text and text.isdigit() and int(text) in years:
        return int(text)
    today = date.today().year
    return today if today in years or not years else years[0]


def _selection(
    page: PageContext, year: str | None, measure: str | None, team: str | None
) -> dict[str, Any]:
    years = page.query(target_years)
    chosen = _year(year, years)
    start, end = (date(chosen, 1, 1), date(chosen, 12, 31)) if chosen else (None, None)
    frame = page.query(targets_with_actuals, start, end, measure or None, team or None)
    return {"years": years, "year": chosen, "frame": frame}


def notice_of(
    t: Translator, target: str | None, done: str | None, refused: str | None
) -> tuple[str, bool] | None:
    """The notice after a change (text, whether it was done), none without one."""
    shown = target or ""
    if done in ("create", "update", "delete"):
        return t(f"targets.done.{done}").format(target=shown), True
    if refused in REFUSALS:
        return t("targets.refused").format(why=t(f"targets.refused.{refused}")), False
    if refused:
        why = t("targets.refused.other").format(field=refused[:40])
        return t("targets.refused").format(why=why), False
    return None


@router.get(PATH, response_class=HTMLResponse)
def targets_page(
    page: PageDep,
    year: Text = None,
    measure: Text = None,
    team: Text = None,
    target: Text = None,
    done: Text = None,
    refused: Text = None,
) -> Response:
    """Targets the user sees with actual and attainment, edit forms for editors, the history."""
    t = page.t
    chosen = _selection(page, year, measure, team)
    intake, counts = targets_tables(chosen["frame"], t)
    history = history_table(page.query(target_history), t)
    can_edit = page.user.can(Permission.edit_targets)
    filters = {"year": str(chosen["year"] or "all"), "measure": measure or "", "team": team or ""}
    teams = sorted({str(x) for x in page.query(visible_targets)["team"].dropna()})
    return page.render(
        "targets.html",
        intake=intake,
        counts=counts,
        history=history,
        history_shown=HISTORY_SHOWN,
        years=chosen["years"],
        measures=[(m, measure_text(m, t)) for m in TARGET_MEASURES],
        teams=teams,
        filters=filters,
        can_edit=can_edit,
        reps=page.query(rep_choices) if can_edit else [],
        scope_note=_scope_note(page),
        notice=notice_of(t, target, done, refused),
        export_urls={
            (name, fmt): page.url(f"{PATH}/export", table=name, format=fmt, **filters)
            for name in TABLES
            for fmt in EXPORT_FORMATS
        },
    )


@router.get(f"{PATH}/export")
def targets_export(
    page: PageDep,
    table: Annotated[str, Query(max_length=20)] = "intake",
    format: Annotated[str, Query(max_length=10)] = "csv",
    year: Text = None,
    measure: Text = None,
    team: Text = None,
) -> Response:
    """One table of the page (``intake``, ``counts`` or ``history``) as CSV or Excel."""
    if format not in EXPORT_FORMATS or table not in TABLES:
        return Response(
            f"unknown table {table!r} or format {format!r}; tables: {', '.join(TABLES)}; "
            "formats: csv, xlsx",
            status_code=404,
            media_type="text/plain",
        )
    if table == "history":
        return export_response(history_table(page.query(target_history), page.t), format, page.t)
    chosen = _selection(page, year, measure, team)
    intake, counts = targets_tables(chosen["frame"], page.t)
    return export_response(intake if table == "intake" else counts, format, page.t)


def _scope_note(page: PageContext) -> str | None:
    if page.user.can(Permission.view_all_rows):
        return None
    team = page.user.can(Permission.edit_targets)
    return page.t("targets.page.scope_team" if team else "targets.page.scope_rep")


def _checked(page: PageContext, csrf_token: str) -> None:
    require(page.user, Permission.edit_targets)
    if not page.session.csrf_matches(csrf_token):
        raise AccessDeniedError("the form's CSRF token does not match the session")


def _back(page: PageContext, back: BackForm, **params: str) -> RedirectResponse:
    """To the page with the filters the form was sent from and a notice."""
    kept = {"year": back.back_year, "measure": back.back_measure, "team": back.back_team}
    return RedirectResponse(page.url(PATH, **kept, **params), status_code=303)


def _refusal(exc: TargetsError) -> str:
    if isinstance(exc, UnknownTargetError):
        return "unknown"
    field = str(exc).partition(":")[0]
    return field if field.isidentifier() else "other"


@dataclass(frozen=True)
class BackForm:
    """The page's filters, sent with every form so that the answer shows the same selection."""

    back_year: str = ""
    back_measure: str = ""
    back_team: str = ""


def back_form(
    back_year: Annotated[str, Form(max_length=10)] = "",
    back_measure: Annotated[str, Form(max_length=40)] = "",
    back_team: Annotated[str, Form(max_length=200)] = "",
) -> BackForm:
    """The filters a form was sent with."""
    return BackForm(back_year, back_measure, back_team)


BackDep = Annotated[BackForm, Depends(back_form)]


@router.post(PATH + "/new", response_class=HTMLResponse)
def targets_add(
    page: PageDep,
    back: BackDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    period: Annotated[str, Form(max_length=20)] = "",
    measure: Annotated[str, Form(max_length=40)] = ORDER_INTAKE,
    amount: Annotated[str, Form(max_length=40)] = "",
    team: FormText = "",
    rep_id: Annotated[str, Form(max_length=200)] = "",
    segment: FormText = "",
    note: FormText = "",
) -> Response:
    """Add (or, with the same keys, change) a target and go back with a notice."""
    _checked(page, csrf_token)
    try:
        start, end = target_period(period)
        value = parse_number(amount, page.t.lang, "amount")
        change = edit_target(
            page.store,
            page.user,
            period_start=start,
            period_end=end,
            measure=measure,
            amount=value if value is not None else 0.0,
            team=team or None,
            rep_id=rep_id or None,
            segment=segment or None,
            note=note.strip() or None,
        )
    except PlanInputError:
        return _back(page, back, refused="amount")
    except AccessDeniedError:
        return _back(page, back, refused="team")
    except TargetsError as exc:
        logger.info("target not added: %s", exc)
        return _back(page, back, refused=_refusal(exc))
    page.state.data_changed()
    return _back(page, back, target=change.target_id, done=change.action)


@router.post(PATH + "/{target_id}/amount", response_class=HTMLResponse)
def targets_change_amount(
    page: PageDep,
    back: BackDep,
    target_id: Annotated[str, FastAPIPath(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    note: FormText = "",
) -> Response:
    """Give one target a new amount and go back with a notice."""
    _checked(page, csrf_token)
    try:
        value = parse_number(amount, page.t.lang, "amount")
        change = change_amount(
            page.store, page.user, target_id, value if value is not None else 0.0, note or None
        )
    except PlanInputError:
        return _back(page, back, target=target_id, refused="amount")
    except AccessDeniedError:
        return _back(page, back, target=target_id, refused="team")
    except TargetsError as exc:
        logger.info("target %s not changed: %s", target_id, exc)
        return _back(page, back, target=target_id, refused=_refusal(exc))
    page.state.data_changed()
    return _back(page, back, target=target_id, done=change.action)


@router.post(PATH + "/{target_id}/delete", response_class=HTMLResponse)
def targets_delete(
    page: PageDep,
    back: BackDep,
    target_id: Annotated[str, FastAPIPath(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    note: FormText = "",
) -> Response:
    """Remove one target and go back with a notice."""
    _checked(page, csrf_token)
    try:
        remove_target(page.store, page.user, target_id, note or None)
    except AccessDeniedError:
        return _back(page, back, target=target_id, refused="team")
    except TargetsError as exc:
        return _back(page, back, target=target_id, refused=_refusal(exc))
    page.state.data_changed()
    return _back(page, back, target=target_id, done="delete")
