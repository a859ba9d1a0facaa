"""The store: opening, migrating, writing and backing up the integrated data model."""

from revintel.store._backup import (
    BackupError,
    BackupManifest,
    backup_location,
    backup_store,
    restore_store,
    verify_backup,
)
from revintel.store._currency import (
    DEFAULT_CURRENCY,
    UnknownCurrencyError,
    parse_currency,
    set_store_currency,
    store_currency,
)
from revintel.store._frames import fetch_frame
from revintel.store._migrations import META_TABLE, migrate, read_schema_version
from revintel.store._scores import latest_scores
from revintel.store._store import (
    DB_ENV_VAR,
    DEFAULT_DB,
    Store,
    StoreError,
    StoreLockedError,
    conform,
    lock_conflict,
    open_store,
    resolve_location,
    row_group_batches,
)
from revintel.store._timezone import (
    DEFAULT_TIMEZONE,
    UnknownTimezoneError,
    holds_data,
    local_instant,
    parse_timezone,
    set_store_timezone,
    store_now,
    store_timezone,
    wall_clock,
)

__all__ = [
    "DB_ENV_VAR",
    "DEFAULT_CURRENCY",
    "DEFAULT_DB",
    "DEFAULT_TIMEZONE",
    "META_TABLE",
    "BackupError",
    "BackupManifest",
    "Store",
    "StoreError",
    "StoreLockedError",
    "UnknownCurrencyError",
    "UnknownTimezoneError",
    "backup_location",
    "backup_store",
    "conform",
    "fetch_frame",
    "holds_data",
    "latest_scores",
    "local_instant",
    "lock_conflict",
    "migrate",
    "open_store",
    "parse_currency",
    "parse_timezone",
    "read_schema_version",
    "resolve_location",
    "restore_store",
    "row_group_batches",
    "set_store_currency",
    "set_store_timezone",
    "store_currency",
    "store_now",
    "store_timezone",
    "verify_backup",
    "wall_clock",
]
