"""The store: opening, migrating, writing and backing up the integrated data model."""

from revintel.store._backup import (
    BackupError,
    BackupManifest,
    backup_location,
    backup_store,
    restore_store,
    verify_backup,
)
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
    "BackupError",
    "BackupManifest",
    "Store",
    "StoreError",
    "backup_location",
    "backup_store",
    "conform",
    "latest_scores",
    "migrate",
    "open_store",
    "read_schema_version",
    "resolve_location",
    "restore_store",
    "row_group_batches",
    "verify_backup",
]
