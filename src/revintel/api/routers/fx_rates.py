"""``/api/v1/fx-rates``: exchange rates into the store currency, listed and uploaded."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, UploadFile

from revintel.api.routers._common import PageDep, offset_page
from revintel.api.routers.fx_rates_schemas import FxRateOut, FxRatesImported, FxRejection
from revintel.api.routers.shared_schemas import Page
from revintel.auth import AccessDeniedError, Role, User
from revintel.metrics import FxRatesError, import_fx_rates, stored_fx_rates
from revintel.server import (
    ApiError,
    ImporterDep,
    StateDep,
    StoreDep,
    remove_folder,
    save_uploads,
)
from revintel.store import Store, store_currency

router = APIRouter(prefix="/fx-rates", tags=["fx-rates"])
_FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only admins and managers see and set exchange rates."}
}


def _treasurer(user: ImporterDep) -> User:
    # Rates restate every figure of the company: marketing may import data, not set them.
    if user.role not in (Role.admin, Role.manager):
        raise AccessDeniedError(f"role {user.role.value} may not see or set exchange rates")
    return user


TreasurerDep = Annotated[User, Depends(_treasurer)]


def _stored(store: Store) -> list[FxRateOut]:
    return [FxRateOut(**r) for r in stored_fx_rates(store).to_dict("records")]


@router.get("", response_model=Page[FxRateOut], summary="Exchange rates", responses=_FORBIDDEN)
def fx_rates(
    store: StoreDep, user: TreasurerDep, state: StateDep, page: PageDep
) -> Page[FxRateOut]:
    """Every stored rate into the store currency, by currency and first valid day."""
    found = state.cache.call(_stored, store, None)
    return offset_page(found, page, {"list": "fx-rates"}, len(found))


@router.post(
    "",
    response_model=FxRatesImported,
    status_code=201,
    summary="Upload exchange rates",
    responses=_FORBIDDEN,
)
def upload_fx_rates(
    store: StoreDep,
    user: TreasurerDep,
    state: StateDep,
    file: Annotated[
        UploadFile,
        File(description="CSV or XLSX with currency;valid_from;rate, as for `revintel fx import`"),
    ],
) -> FxRatesImported:
    """Load rates in one transaction (a rate stored for the same currency and day is replaced);
    rows that hold no rate are listed and kept in rejected_rows. 400 when no row holds one."""
    folder = Path(tempfile.mkdtemp(prefix="revintel-fx-"))
    try:
        [path] = save_uploads([file], folder, state.settings.max_body_bytes)
        try:
            report = import_fx_rates(store, path, file_name=path.name)
        except FxRatesError as exc:
            raise ApiError(400, str(exc).replace(str(folder) + "/", "")) from None
    finally:
        remove_folder(folder)
    state.data_changed()
    return FxRatesImported(
        import_batch_id=report.batch_id,
        store_currency=store_currency(store),
        rows_read=report.rows_read,
        rows_accepted=report.rows_accepted,
        rows_rejected=report.rows_rejected,
        rejections=[
            FxRejection(
                row_number=r["row_number"], column=r["column"], value=r["value"], reason=r["reason"]
            )
            for r in report.rejections
        ],
    )
