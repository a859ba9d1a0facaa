"""Forward migrations derived from the model's declaration.

Version ``v`` creates every table declared with ``since == v`` and adds every column declared with
``since == v`` to older tables; a data step may then fill the new columns for rows already stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ibis.backends import BaseBackend

from revintel.model import ALL_TABLES, SCHEMA_VERSION

log = logging.getLogger(__name__)

META_TABLE = "revintel_meta"


def _v2_mark_stored_milestones_dated(backend: BaseBackend) -> None:
    # Stores written before version 2 held only events dated by their source.
    backend.raw_sql("UPDATE milestones SET inferred = FALSE WHERE inferred IS NULL")


DATA_STEPS: dict[int, Callable[[BaseBackend], None]] = {2: _v2_mark_stored_milestones_dated}


def read_schema_version(backend: BaseBackend) -> int | None:
    """The schema version recorded in the store, ``None`` for an empty store."""
    value = read_meta(backend, "schema_version")
    return int(value) if value is not None else None


def read_meta(backend: BaseBackend, key: str) -> str | None:
    """The store setting ``key`` from the metadata table, ``None`` when unset."""
    if META_TABLE not in backend.list_tables():
        return None
    meta = backend.table(META_TABLE)
    rows = meta.filter(meta.key == key).value.to_pyarrow().to_pylist()
    return str(rows[0]) if rows else None


def write_meta(backend: BaseBackend, key: str, value: str) -> None:
    """Set the store setting ``key`` (the caller checks ``value``; both are inlined as SQL)."""
    if "'" in key or "'" in value:
        raise ValueError("a store setting may not contain a quote")
    backend.raw_sql(f"DELETE FROM {META_TABLE} WHERE key = '{key}'")
    backend.raw_sql(f"INSERT INTO {META_TABLE} VALUES ('{key}', '{value}')")


def _write_schema_version(backend: BaseBackend, version: int) -> None:
    write_meta(backend, "schema_version", str(version))


def _sql_type(backend: BaseBackend, dtype: object) -> str:
    return str(backend.compiler.type_mapper.to_string(dtype))


def _apply_version(backend: BaseBackend, version: int) -> None:
    existing = set(backend.list_tables())
    for table in ALL_TABLES:
        if table.since == version and table.name not in existing:
            backend.create_table(table.name, schema=table.ibis_schema(version))
        elif table.since < version:
            for column in table.columns:
                if column.since == version:
                    sql_type = _sql_type(backend, column.dtype)
                    backend.raw_sql(
                        f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {sql_type}'
                    )
    step = DATA_STEPS.get(version)
    if step is not None:
        step(backend)


def _create(backend: BaseBackend, version: int) -> None:
    """A new store starts directly at ``version``: no history to replay."""
    existing = set(backend.list_tables())
    for table in ALL_TABLES:
        if table.since <= version and table.name not in existing:
            backend.create_table(table.name, schema=table.ibis_schema(version))
    backend.raw_sql(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR, value VARCHAR)")
    _write_schema_version(backend, version)


def migrate(backend: BaseBackend, target: int = SCHEMA_VERSION) -> tuple[int | None, int]:
    """Bring the store's schema forward to ``target``; return (version before, version after).

    Raises ``RuntimeError`` if the store was written by a newer revintel than this one.
    """
    current = read_schema_version(backend)
    if current is not None and current > target:
        raise RuntimeError(
            f"the store has schema version {current}, newer than this revintel's {target}; "
            "upgrade revintel"
        )
    if current == target:
        return current, target
    if current is None:
        _create(backend, target)
        return None, target
    for version in range(current + 1, target + 1):
        log.info("migrating store schema to version %d", version)
        _apply_version(backend, version)
        _write_schema_version(backend, version)
    return current, target
