"""``/api/v1/targets``: targets (order intake and funnel counts), set one at a time or loaded
from CSV, their audit trail and their attainment."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import ibis
from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi import Path as PathParam

from revintel.api.routers._common import PageDep, offset_page
from revintel.api.routers.analytics_schemas import IsoDate
from revintel.api.routers.shared_schemas import Page
from revintel.api.routers.targets_schemas import (
    TargetAttainmentOut,
    TargetChangeList,
    TargetChangeOut,
    TargetEditIn,
    TargetOut,
    TargetSetOut,
    TargetsImported,
)
from revintel.auth import Permission, User, require
from revintel.metrics import (
    ORDER_INTAKE,
    TargetsError,
    UnknownTargetError,
    import_targets,
    target_period,
)
from revintel.server import (
    AnalystDep,
    ApiError,
    ImporterDep,
    StateDep,
    StoreDep,
    UserDep,
    remove_folder,
    save_uploads,
)
from revintel.store import Store
from revintel.views._targets import (
    edit_target,
    remove_target,
    target_history,
    targets_with_actuals,
)

router = APIRouter(prefix="/targets", tags=["analytics"])
#: A target id as imported or created: any text but control characters (a NUL cannot be stored).
TargetId = Annotated[str, PathParam(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


def _permitted(permission: Permission) -> Callable[[User], Awaitable[User]]:
    # checked before the body, so that a role that may never edit gets 403, not 422
    async def caller(user: UserDep) -> User:
        require(user, permission)
        return user

    return caller


#: The caller, who may set, change and remove targets.
EditorDep = Annotated[User, Depends(_permitted(Permission.edit_targets))]
_EDIT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A field is invalid; the message and `field` name it."},
    403: {"description": "The role may not edit targets."},
}


def stored_targets(store: Store) -> list[dict[str, Any]]:
    """Every target, by period, team, rep and segment (a missing measure as order intake)."""
    t = store.table("targets")
    t = t.mutate(measure=t.measure.fill_null(ORDER_INTAKE))
    order = ["period_start", "team", "rep_id", "segment", "target_id"]
    return t.order_by([ibis.asc(c) for c in order]).to_pyarrow().to_pylist()


def _bad_field(exc: TargetsError) -> ApiError:
    field, _, _ = str(exc).partition(":")
    named = field if field.isidentifier() else None
    return ApiError(400, str(exc), field=named)


@router.get("", response_model=Page[TargetOut], summary="Targets")
def targets(store: StoreDep, user: AnalystDep, state: StateDep, page: PageDep) -> Page[TargetOut]:
    """Every target, by period, team, rep and segment: order intake and funnel counts."""
    found = [TargetOut(**t) for t in state.cache.call(stored_targets, store, None)]
    return offset_page(found, page, {"list": "targets"}, len(found))


@router.post("", response_model=TargetsImported, status_code=201, summary="Upload targets")
def upload_targets(
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    file: Annotated[UploadFile, File(description="targets CSV, as for `revintel targets import`")],
) -> TargetsImported:
    """Load a targets CSV in one transaction; rows with an existing target id are replaced.
    Each target loaded is kept in the audit trail as an ``import`` by the caller."""
    folder = Path(tempfile.mkdtemp(prefix="revintel-targets-"))
    try:
        [path] = save_uploads([file], folder, state.settings.max_body_bytes)
        try:
            written = import_targets(
                store,
                path,
                state.settings.max_cell_chars,
                actor=user.username,
                note=path.name,
            )
        except TargetsError as exc:
            raise ApiError(400, str(exc).replace(str(folder) + "/", "")) from None
    finally:
        remove_folder(folder)
    state.data_changed()
    return TargetsImported(written=written)


@router.get("/changes", response_model=TargetChangeList, summary="Changes to targets")
def changes(
    store: StoreDep,
    user: UserDep,
    target_id: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[IsoDate | None, Query(description="changed on or after (YYYY-MM-DD)")] = None,
) -> TargetChangeList:
    """The audit trail, newest first: who set, changed, removed or imported which target when,
    before and after; of the targets the caller sees."""
    frame = target_history(store, user, target_id)
    if since is not None:
        frame = frame[frame["changed_at"].dt.date >= since]
    items = [TargetChangeOut(**_plain(r)) for r in frame.to_dict("records")]
    return TargetChangeList(items=items, total=len(items))


@router.get(
    "/attainment", response_model=list[TargetAttainmentOut], summary="Targets against actuals"
)
def attainment(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    period: Annotated[
        str | None, Query(max_length=20, description="2027-Q1, 2027-03, 2027")
    ] = None,
    measure: Annotated[str | None, Query(max_length=40)] = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
) -> list[TargetAttainmentOut]:
    """The targets the caller sees that overlap ``period`` (all without it), each with the
    order intake won or the leads counted in its period and the attainment."""
    start = end = None
    if period is not None:
        try:
            start, end = target_period(period)
        except TargetsError as exc:
            raise ApiError(400, str(exc), field="period") from None
    frame = state.cache.call(targets_with_actuals, store, user, start, end, measure, team)
    return [TargetAttainmentOut(**_plain(r)) for r in frame.to_dict("records")]


def _fields(body: TargetEditIn) -> dict[str, Any]:
    start, end = body.period_start, body.period_end
    if body.period is not None:
        try:
            start, end = target_period(body.period)
        except TargetsError as exc:
            raise _bad_field(exc) from None
    if start is None or end is None:
        raise ApiError(400, "period: give period, or period_start and period_end", field="period")
    given = body.model_dump(exclude={"period", "period_start", "period_end"})
    return given | {"period_start": start, "period_end": end}


def _set(store: Store, user: User, state: StateDep, fields: dict[str, Any]) -> TargetSetOut:
    try:
        change = edit_target(store, user, **fields)
    except TargetsError as exc:
        raise _bad_field(exc) from None
    state.data_changed()
    return TargetSetOut(
        target=TargetOut(**(change.after or {})), change_id=change.change_id, action=change.action
    )


@router.post(
    "/new",
    response_model=TargetSetOut,
    status_code=201,
    summary="Create a target",
    responses=_EDIT_ERRORS,
)
def create(body: TargetEditIn, store: StoreDep, user: EditorDep, state: StateDep) -> TargetSetOut:
    """Set a target whose id is derived from its period start, team, rep, segment and measure
    (as a CSV import derives it): a target of the same keys is updated."""
    return _set(store, user, state, _fields(body))


@router.put(
    "/{target_id}", response_model=TargetSetOut, summary="Set a target", responses=_EDIT_ERRORS
)
def put(
    target_id: TargetId, body: TargetEditIn, store: StoreDep, user: EditorDep, state: StateDep
) -> TargetSetOut:
    """Create the target ``target_id`` or replace it with the fields given; audited."""
    return _set(store, user, state, _fields(body) | {"target_id": target_id})


@router.delete(
    "/{target_id}",
    response_model=TargetChangeOut,
    summary="Remove a target",
    responses={**_EDIT_ERRORS, 404: {"description": "No such target."}},
)
def delete(
    target_id: TargetId,
    store: StoreDep,
    user: EditorDep,
    state: StateDep,
    note: Annotated[str | None, Query(max_length=2000, description="why, kept")] = None,
) -> TargetChangeOut:
    """Remove the target; the audit trail keeps it as it was."""
    try:
        change = remove_target(store, user, target_id, note)
    except UnknownTargetError as exc:
        raise ApiError(404, str(exc)) from None
    except TargetsError as exc:
        raise _bad_field(exc) from None
    state.data_changed()
    return TargetChangeOut(**change.row())


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
