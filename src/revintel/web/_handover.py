"""The Lead handover page: MQLs waiting for sales acceptance, oldest first, each with accept,
reject (with a reason), recycle and reassign; below them the decisions taken, downloadable.

Every decision is a form posted with the session's CSRF token; the page then counts it as a data
change (the kept KPIs, alerts and pages are computed again) and sends the browser back to the
queue with a notice of what happened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Form, Query
from fastapi import Path as FastAPIPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revintel.auth import AccessDeniedError, Permission, User, require
from revintel.i18n import MESSAGES, Translator, label
from revintel.store import Store
from revintel.views._handover import (
    HandoverError,
    decide,
    handover_queue,
    lead_decisions,
    rejection_reasons,
)
from revintel.views._records import RecordNotFoundError
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._table_export import (
    EXPORT_FORMATS,
    Column,
    PageTable,
    export_response,
    page_table,
)

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/handover"
Action = Literal["accept", "reject", "recycle", "reassign"]
ACTIONS: tuple[Action, ...] = ("accept", "reject", "recycle", "reassign")
#: Refusals the page explains; anything else the decision refused reads as ``other``.
REFUSALS = ("unavailable", "invalid", "reason_missing", "rep_missing")
#: Decisions shown on the page (the download has all the user sees).
DECISIONS_SHOWN = 50
#: Up to this many hours a waiting time is written in hours, beyond it in days.
HOURS_SHOWN_UP_TO = 48
Text = Annotated[str | None, Query(max_length=80)]
FormText = Annotated[str, Form(max_length=500)]


@dataclass(frozen=True)
class Notice:
    """What the page reports after a decision: done (``ok``) or refused, in the reader's words."""

    text: str
    ok: bool


def waiting_text(hours: float | None, t: Translator) -> str:
    """A waiting time in hours up to two days, in days beyond (``5 Std.``, ``3,5 Tage``)."""
    if hours is None or pd.isna(hours):
        return "–"
    if hours <= HOURS_SHOWN_UP_TO:
        return f"{t.number(hours)}\u00a0{t('unit.hours')}"
    return f"{t.number(hours / 24, 1)}\u00a0{t('unit.days')}"


def state_text(state: str | None, t: Translator) -> str:
    """A lead's handover state (``waiting``, ``accepted``, ``rejected``…) in words."""
    if state is None or pd.isna(state):
        return ""
    key = f"handover.state.{state}"
    return t(key) if key in MESSAGES else label("milestone", state, t.lang)


def assignable_reps(store: Store, user: User) -> list[tuple[str, str]]:
    """Rep ids and names ``user`` may hand a lead to: every rep for users seeing all rows, the
    reps of their own team for a team lead."""
    reps = store.table("reps").select("rep_id", "name", "team").to_pandas()
    if not user.can(Permission.view_all_rows):
        own = reps.loc[reps["rep_id"] == user.rep_id, "team"].dropna()
        reps = reps[(reps["rep_id"] == user.rep_id) | reps["team"].isin(own)]
    reps = reps.sort_values(["name", "rep_id"], na_position="last")
    return [
        (str(r), str(n) if isinstance(n, str) else str(r))
        for r, n in zip(reps["rep_id"], reps["name"], strict=True)
    ]


def rep_names(store: Store) -> dict[str, str]:
    """Rep id → name (the id where the name is missing)."""
    reps = store.table("reps").select("rep_id", "name").to_pandas()
    return {
        str(r): n if isinstance(n, str) else str(r)
        for r, n in zip(reps["rep_id"], reps["name"], strict=True)
    }


def decisions_table(
    frame: pd.DataFrame, t: Translator, reasons: dict[str, str], reps: dict[str, str]
) -> PageTable:
    """The decisions as a table: action, reason, reps and states in words, newest first."""
    frame = frame.sort_values("decided_at", ascending=False)
    records: list[dict[str, Any]] = []
    for row in frame.to_dict(orient="records"):
        reason = row.get("reason")
        has_reason = isinstance(reason, str) and reason != ""
        records.append(
            {
                **row,
                "action": t(f"handover.action.{row['action']}"),
                "reason": reasons.get(str(reason), label("rejection_reason", str(reason), t.lang))
                if has_reason
                else "",
                "rep_before": reps.get(str(row.get("rep_before")), row.get("rep_before")),
                "rep_after": reps.get(str(row.get("rep_after")), row.get("rep_after")),
                "state_before": state_text(row.get("state_before"), t),
                "state_after": state_text(row.get("state_after"), t),
            }
        )
    columns = [
        Column("decided_at", t("handover.col.decided_at"), "date"),
        Column("lead_id", t("handover.col.lead")),
        Column("action", t("handover.col.action")),
        Column("reason", t("handover.col.reason")),
        Column("note", t("handover.col.note")),
        Column("actor", t("handover.col.actor")),
        Column("rep_before", t("handover.col.rep_before")),
        Column("rep_after", t("handover.col.rep_after")),
        Column("state_before", t("handover.col.state_before")),
        Column("state_after", t("handover.col.state_after")),
    ]
    return page_table("decisions", t("handover.page.decisions"), columns, records)


def queue_rows(frame: pd.DataFrame, t: Translator) -> list[dict[str, Any]]:
    """The queue's rows with their cells written for the page."""
    rows = []
    for row in frame.to_dict(orient="records"):
        due = row.get("sla_due_at")
        breached = row.get("breached")
        rows.append(
            {
                **row,
                "mql_text": t.date(row["mql_at"]) if not pd.isna(row["mql_at"]) else "",
                "waiting_text": waiting_text(row.get("waiting_hours"), t),
                "channel_text": label("channel", row.get("channel"), t.lang)
                if isinstance(row.get("channel"), str)
                else "",
                "due_text": t.date(due) if due is not None and not pd.isna(due) else "",
                "is_breached": bool(breached)
                if breached is not None and not pd.isna(breached)
                else False,
                "score_text": t.percent(row.get("score"))
                if row.get("score") is not None and not pd.isna(row.get("score"))
                else "–",
            }
        )
    return rows


def notice_of(
    t: Translator, lead: str | None, done: str | None, refused: str | None
) -> Notice | None:
    """The notice the redirect after a decision asked for (none without one)."""
    shown = lead or ""
    if done in ACTIONS:
        return Notice(t(f"handover.done.{done}").format(lead=shown), ok=True)
    if refused == "unavailable":
        return Notice(t("handover.refused.unavailable").format(lead=shown), ok=False)
    if refused in REFUSALS:
        why = (
            t(f"handover.refused.{refused}")
            if refused != "invalid"
            else t("handover.refused.other")
        )
        return Notice(t("handover.refused.invalid").format(lead=shown, why=why), ok=False)
    return None


def _filtered(frame: pd.DataFrame, channel: str | None, rep: str | None) -> pd.DataFrame:
    if channel:
        frame = frame[frame["channel"] == channel]
    if rep:
        frame = frame[frame["rep_id"] == rep]
    return frame


def _options(frame: pd.DataFrame, t: Translator) -> dict[str, list[tuple[str, str]]]:
    channels = sorted(str(c) for c in frame["channel"].dropna().unique())
    reps = frame[["rep_id", "rep_name"]].dropna(subset=["rep_id"]).drop_duplicates("rep_id")
    return {
        "channel": [(c, label("channel", c, t.lang)) for c in channels],
        "rep": sorted(
            (
                (str(r), str(n) if isinstance(n, str) else str(r))
                for r, n in reps.itertuples(index=False)
            ),
            key=lambda pair: pair[1],
        ),
    }


def _reasons(page: PageContext) -> list[tuple[str, str]]:
    return rejection_reasons(page.t.lang)


@router.get(PATH, response_class=HTMLResponse)
def handover_page(
    page: PageDep,
    channel: Text = None,
    rep: Text = None,
    lead: Text = None,
    done: Text = None,
    refused: Text = None,
) -> Response:
    """The queue the user may see (oldest first), its decision forms and the decisions taken."""
    t = page.t
    queue = page.query(handover_queue)
    rows = queue_rows(_filtered(queue, channel or None, rep or None), t)
    reasons = _reasons(page)
    decisions = decisions_table(
        page.query(lead_decisions), t, dict(reasons), page.query_unscoped(rep_names)
    )
    can_decide = page.user.can(Permission.handle_leads)
    can_assign = page.user.can(Permission.assign_leads)
    return page.render(
        "handover.html",
        rows=rows,
        total=len(queue),
        breached=sum(1 for r in rows if r["is_breached"]),
        options=_options(queue, t),
        channel=channel or "",
        rep=rep or "",
        reasons=reasons,
        reps=page.query(assignable_reps) if can_assign else [],
        can_decide=can_decide,
        can_assign=can_assign,
        scope_note=None
        if page.user.can(Permission.view_all_rows)
        else t("handover.page.scope_rep"),
        notice=notice_of(t, lead, done, refused),
        decisions=decisions,
        decisions_shown=DECISIONS_SHOWN,
        export_urls={
            ("decisions", fmt): page.url(f"{PATH}/export", format=fmt) for fmt in EXPORT_FORMATS
        },
    )


@router.get(f"{PATH}/export")
def handover_export(
    page: PageDep, format: Annotated[str, Query(max_length=10)] = "csv"
) -> Response:
    """The decisions the user sees as CSV (in the page's language) or Excel."""
    if format not in EXPORT_FORMATS:
        return Response(
            f"unknown format {format!r}; formats: csv, xlsx",
            status_code=404,
            media_type="text/plain",
        )
    table = decisions_table(
        page.query(lead_decisions), page.t, dict(_reasons(page)), page.query_unscoped(rep_names)
    )
    return export_response(table, format, page.t)


@router.post(PATH + "/{lead_id}/{action}", response_class=HTMLResponse)
def handover_decide(
    page: PageDep,
    lead_id: Annotated[str, FastAPIPath(max_length=100)],
    action: Action,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    reason: FormText = "",
    note: FormText = "",
    rep_id: Annotated[str, Form(max_length=100)] = "",
    channel: Annotated[str, Form(max_length=80)] = "",
    rep: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    """Take one decision on a waiting lead, count it as a data change and go back to the queue
    with a notice; a lead that does not exist or is not the user's gets the same notice."""
    require(page.user, Permission.handle_leads)
    if not page.session.csrf_matches(csrf_token):
        raise AccessDeniedError("the form's CSRF token does not match the session")
    back = {"channel": channel, "rep": rep, "lead": lead_id}
    refusal = _missing_input(action, reason, rep_id)
    if refusal is not None:
        return _back(page, **back, refused=refusal)
    try:
        decide(
            page.store,
            page.user,
            lead_id,
            action,
            reason=reason or None,
            rep_id=rep_id or None,
            note=note.strip() or None,
        )
    except (AccessDeniedError, RecordNotFoundError):
        return _back(page, **back, refused="unavailable")
    except HandoverError as exc:
        logger.info("handover decision %s on %s refused: %s", action, lead_id, exc)
        return _back(page, **back, refused="invalid")
    page.state.data_changed()
    return _back(page, **back, done=action)


def _missing_input(action: Action, reason: str, rep_id: str) -> str | None:
    if action == "reject" and not reason:
        return "reason_missing"
    if action == "reassign" and not rep_id:
        return "rep_missing"
    return None


def _back(page: PageContext, **params: str) -> RedirectResponse:
    return RedirectResponse(page.url(PATH, **params), status_code=303)
