"""The store: opening, migrating and writing the integrated data model."""

from revintel.store._migrations import META_TABLE, migrate, read_schema_version
from revintel.store._scores import latest_scores
from revintel.store._store import (
    DB_ENV_VAR,
    DEFAULT_DB,
    Store,
    StoreError,
    conform,
    open_store,
    resolve_location,
    row_group_batches,
)

__all__ = [
    "DB_ENV_VAR",
    "DEFAULT_DB",
    "META_TABLE",
    "Store",
    "StoreError",
    "conform",
    "latest_scores",
    "migrate",
    "open_store",
    "read_schema_version",
    "resolve_location",
    "row_group_batches",
]
