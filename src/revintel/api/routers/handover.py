"""``/api/v1``: the lead handover: the queue of MQLs waiting for sales and decisions on them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from revintel.api.routers._common import Language
from revintel.api.routers.analytics_schemas import IsoDate
from revintel.api.routers.handover_schemas import (
    DecisionList,
    DecisionOut,
    HandoverDecisionIn,
    HandoverQueue,
    QueuedLead,
    ReasonOut,
    ReassignIn,
    RejectIn,
)
from revintel.auth import Permission, User, require
from revintel.server import ApiError, StateDep, StoreDep, UserDep
from revintel.views._handover import (
    HandoverConflictError,
    HandoverError,
    decide,
    decisions_csv,
    handover_queue,
    lead_decisions,
    rejection_reasons,
)

router = APIRouter(tags=["handover"])


def _permitted(permission: Permission) -> Callable[[User], Awaitable[User]]:
    # checked before the body, so that a role that may never decide gets 403, not 422
    async def caller(user: UserDep) -> User:
        require(user, permission)
        return user

    return caller


#: The caller, who may accept, reject and recycle leads (their own, a team lead the team's).
DeciderDep = Annotated[User, Depends(_permitted(Permission.handle_leads))]
#: The caller, who may hand leads to another rep.
AssignerDep = Annotated[User, Depends(_permitted(Permission.assign_leads))]

_DECISION_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The role may not decide, or the lead belongs to another rep."},
    404: {"description": "No such lead."},
    400: {"description": "Unknown reason or rep, or a note that is too long."},
    409: {"description": "The lead is not waiting for sales, or already belongs to that rep."},
}
_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or semicolon CSV for the CRM with format=csv",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get("/handover/queue", response_model=HandoverQueue, summary="Leads waiting for sales")
def queue(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    order: Literal["oldest", "newest"] = "oldest",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> HandoverQueue:
    """Marketing qualified leads nobody in sales has accepted, rejected or recycled yet, with
    the hours they have waited, their account, rep and latest score; a sales rep sees their
    own, a team lead the team's."""
    frame = handover_queue(store, user, order=order, limit=limit)
    items = [QueuedLead(**_plain(r)) for r in frame.to_dict("records")]
    return HandoverQueue(items=items, total=len(items))


@router.get("/handover/reasons", response_model=list[ReasonOut], summary="Rejection reasons")
def reasons(user: UserDep, lang: Language = "en") -> list[ReasonOut]:
    """The reasons a rejection may give, with labels in ``lang``."""
    return [ReasonOut(id=i, label=label) for i, label in rejection_reasons(lang)]


@router.get(
    "/handover/decisions",
    response_model=DecisionList,
    summary="Decisions on leads",
    responses=_CSV,
)
def decisions(
    store: StoreDep,
    user: UserDep,
    since: Annotated[IsoDate | None, Query(description="decided on or after (YYYY-MM-DD)")] = None,
    format: Literal["json", "csv"] = "json",
    lang: Language = "en",
) -> Any:
    """The audit trail of decisions on the leads the caller sees, newest first; as CSV
    (semicolon, the lead's source system and id) for the CRM to read back."""
    frame = lead_decisions(store, user, since=since)
    if format == "csv":
        return Response(
            decisions_csv(store, frame, lang),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=lead_decisions.csv"},
        )
    items = [DecisionOut(**_plain(r)) for r in frame.to_dict("records")]
    return DecisionList(items=items, total=len(items))


def _decide(
    state: StateDep, store: StoreDep, user: User, lead_id: str, action: str, **given: Any
) -> DecisionOut:
    try:
        row = decide(store, user, lead_id, action, **given)
    except HandoverConflictError as exc:
        raise ApiError(409, str(exc)) from None
    except HandoverError as exc:
        raise ApiError(400, str(exc)) from None
    state.data_changed()
    return DecisionOut(**row)


@router.post(
    "/leads/{lead_id}/accept",
    response_model=DecisionOut,
    summary="Accept a lead (SAL)",
    responses=_DECISION_ERRORS,
)
def accept(
    lead_id: str,
    store: StoreDep,
    user: DeciderDep,
    state: StateDep,
    body: HandoverDecisionIn | None = None,
) -> DecisionOut:
    """Sales accepts the waiting lead: a ``sal`` milestone is written for it."""
    note = body.note if body else None
    return _decide(state, store, user, lead_id, "accept", note=note)


@router.post(
    "/leads/{lead_id}/reject",
    response_model=DecisionOut,
    summary="Reject a lead",
    responses=_DECISION_ERRORS,
)
def reject(
    lead_id: str, body: RejectIn, store: StoreDep, user: DeciderDep, state: StateDep
) -> DecisionOut:
    """Sales rejects the waiting lead with a reason: a ``disqualified`` milestone with it."""
    return _decide(state, store, user, lead_id, "reject", reason=body.reason, note=body.note)


@router.post(
    "/leads/{lead_id}/recycle",
    response_model=DecisionOut,
    summary="Recycle a lead to nurturing",
    responses=_DECISION_ERRORS,
)
def recycle(
    lead_id: str,
    store: StoreDep,
    user: DeciderDep,
    state: StateDep,
    body: HandoverDecisionIn | None = None,
) -> DecisionOut:
    """The waiting lead goes back to marketing's nurturing until a new MQL."""
    note = body.note if body else None
    return _decide(state, store, user, lead_id, "recycle", note=note)


@router.post(
    "/leads/{lead_id}/reassign",
    response_model=DecisionOut,
    summary="Hand a lead to another rep",
    responses=_DECISION_ERRORS,
)
def reassign(
    lead_id: str, body: ReassignIn, store: StoreDep, user: AssignerDep, state: StateDep
) -> DecisionOut:
    """A manager or team lead hands the lead to another rep (a team lead: within the team)."""
    return _decide(state, store, user, lead_id, "reassign", rep_id=body.rep_id, note=body.note)


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """A frame record with missing values as ``None`` and timestamps as datetimes."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or (isinstance(value, float) and value != value):
            out[key] = None
        elif hasattr(value, "to_pydatetime"):
            out[key] = None if str(value) == "NaT" else value.to_pydatetime()
        else:
            out[key] = value
    return out
