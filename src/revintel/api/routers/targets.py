"""``/api/v1/targets``: order-intake targets for pipeline coverage."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import ibis
from fastapi import APIRouter, File, UploadFile

from revintel.api.routers._common import PageDep, offset_page
from revintel.api.routers.shared_schemas import Page
from revintel.api.routers.targets_schemas import TargetOut, TargetsImported
from revintel.metrics import TargetsError, import_targets
from revintel.server import (
    AnalystDep,
    ApiError,
    ImporterDep,
    StateDep,
    StoreDep,
    remove_folder,
    save_uploads,
)
from revintel.store import Store

router = APIRouter(prefix="/targets", tags=["analytics"])


def stored_targets(store: Store) -> list[dict[str, Any]]:
    """Every target, by period, team, rep and segment."""
    t = store.table("targets")
    order = ["period_start", "team", "rep_id", "segment", "target_id"]
    return t.order_by([ibis.asc(c) for c in order]).to_pyarrow().to_pylist()


@router.get("", response_model=Page[TargetOut], summary="Order-intake targets")
def targets(store: StoreDep, user: AnalystDep, state: StateDep, page: PageDep) -> Page[TargetOut]:
    """The targets pipeline coverage is measured against, by period, team, rep and segment."""
    found = [TargetOut(**t) for t in state.cache.call(stored_targets, store, None)]
    return offset_page(found, page, {"list": "targets"}, len(found))


@router.post("", response_model=TargetsImported, status_code=201, summary="Upload targets")
def upload_targets(
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    file: Annotated[UploadFile, File(description="targets CSV, as for `revintel targets import`")],
) -> TargetsImported:
    """Load a targets CSV in one transaction; rows with an existing target id are replaced."""
    folder = Path(tempfile.mkdtemp(prefix="revintel-targets-"))
    try:
        [path] = save_uploads([file], folder, state.settings.max_body_bytes)
        try:
            written = import_targets(store, path, state.settings.max_cell_chars)
        except TargetsError as exc:
            raise ApiError(400, str(exc).replace(str(folder) + "/", "")) from None
    finally:
        remove_folder(folder)
    state.data_changed()
    return TargetsImported(written=written)
