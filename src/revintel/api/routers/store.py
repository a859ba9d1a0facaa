"""``/api/v1/store`` and ``/api/v1/health``: what the server holds and whether it is up."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from revintel.api.routers._common import CONDITIONAL, cached_json
from revintel.api.routers.store_schemas import Health, StoreInfo, TableInfo
from revintel.model import TABLES
from revintel.server import StateDep, StoreDep, UserDep
from revintel.store import Store
from revintel.views import record_counts

router = APIRouter(tags=["store"])


@router.get("/health", response_model=Health, summary="Liveness")
def health(state: StateDep) -> Health:
    """``{"status": "ok"}`` while the server runs, and whether the main dashboard views are
    being computed ahead (at start and after an import); needs no login."""
    return Health(warming=state.warming)


@router.get(
    "/store", response_model=StoreInfo, summary="Tables, row counts, schema version", **CONDITIONAL
)
async def store_info(request: Request, store: StoreDep, user: UserDep, state: StateDep) -> Response:
    """Row counts per model table, of the rows the caller sees (a sales rep: their own)."""

    def build() -> StoreInfo:
        counts = state.cache.call(record_counts, store, user)
        tables = [
            TableInfo(name=t.name, rows=counts[t.name], description=t.description) for t in TABLES
        ]
        version = state.cache.call(_schema_version, store, None)
        return StoreInfo(
            schema_version=version,
            timezone=state.timezone.key,
            currency=state.currency,
            tables=tables,
        )

    return await cached_json(request, state, user, build)


def _schema_version(store: Store) -> int | None:
    return store.schema_version
