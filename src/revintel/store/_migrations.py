"""Forward migrations derived from the model's declaration.

Version ``v`` creates every table declared with ``since == v`` and adds every column declared with
``since == v`` to older tables; a data step may then fill the new columns for rows already stored.
Engines with SQL (DuckDB, PostgreSQL) run the DDL as SQL; an engine that manages its tables itself
(Spark's versioned tables, see :class:`TableManager`) creates and reshapes them through its own
methods, one published batch for the whole migration.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, Protocol, runtime_checkable

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from revintel.model import ALL_TABLES, SCHEMA_VERSION
from revintel.store._engines import Engine, engine_for

log = logging.getLogger(__name__)

META_TABLE = "revintel_meta"
_META_SCHEMA = ibis.schema({"key": "string", "value": "string"})


@runtime_checkable
class TableManager(Protocol):
    """An engine that creates and reshapes the model's tables itself instead of by SQL DDL."""

    def create_table(self, name: str, schema: ibis.Schema) -> None:
        """Create ``name`` empty with ``schema``."""

    def evolve(self, name: str, schema: ibis.Schema) -> None:
        """Give ``name`` exactly the columns of ``schema`` (new ones empty)."""

    def replace_rows(self, name: str, rows: ibis.Table) -> None:
        """Make the rows of ``rows`` the new content of ``name``."""


def as_engine(target: BaseBackend | Engine) -> Engine:
    """The engine writing to ``target`` (a connected backend or an engine already)."""
    return target if isinstance(target, Engine) else engine_for(target)


def _v2_mark_stored_milestones_dated(engine: Engine) -> None:
    # Stores written before version 2 held only events dated by their source.
    if isinstance(engine, TableManager):
        stored = engine.table("milestones")
        engine.replace_rows("milestones", stored.mutate(inferred=stored.inferred.fill_null(False)))
        return
    engine.backend.raw_sql("UPDATE milestones SET inferred = FALSE WHERE inferred IS NULL")


def _v4_fill_order_kinds_and_flags(engine: Engine) -> None:
    # Stores written before version 4 held only orders, real customers and current rejections.
    fills = {
        "orders": ("kind", "'order'", "order"),
        "accounts": ("placeholder", "FALSE", False),
        "rejected_rows": ("superseded", "FALSE", False),
    }
    for name, (column, sql_value, value) in fills.items():
        if isinstance(engine, TableManager):
            stored = engine.table(name)
            engine.replace_rows(name, stored.mutate(**{column: stored[column].fill_null(value)}))
        else:
            engine.backend.raw_sql(
                f"UPDATE {name} SET {column} = {sql_value} WHERE {column} IS NULL"
            )


def _v9_mark_targets_order_intake(engine: Engine) -> None:
    # Stores written before version 9 held only order-intake targets.
    if isinstance(engine, TableManager):
        stored = engine.table("targets")
        engine.replace_rows(
            "targets", stored.mutate(measure=stored.measure.fill_null("order_intake"))
        )
        return
    engine.backend.raw_sql("UPDATE targets SET measure = 'order_intake' WHERE measure IS NULL")


DATA_STEPS: dict[int, Callable[[Engine], None]] = {
    2: _v2_mark_stored_milestones_dated,
    4: _v4_fill_order_kinds_and_flags,
    9: _v9_mark_targets_order_intake,
}


def read_schema_version(target: BaseBackend | Engine) -> int | None:
    """The schema version recorded in the store, ``None`` for an empty store."""
    value = read_meta(target, "schema_version")
    return int(value) if value is not None else None


def read_meta(target: BaseBackend | Engine, key: str) -> str | None:
    """The store setting ``key`` from the metadata table, ``None`` when unset."""
    engine = as_engine(target)
    if META_TABLE not in engine.list_tables():
        return None
    meta = engine.table(META_TABLE)
    rows = meta.filter(meta.key == key).value.to_pyarrow().to_pylist()
    return str(rows[0]) if rows else None


def write_meta(target: BaseBackend | Engine, key: str, value: str) -> None:
    """Set the store setting ``key`` (the caller checks ``value``).

    On SQL engines both are inlined as SQL, so neither may contain a quote.
    """
    engine = as_engine(target)
    if isinstance(engine, TableManager):
        with engine.transaction():
            engine.delete_keys(META_TABLE, ("key",), pa.table({"key": [key]}))
            engine.insert(META_TABLE, pa.table({"key": [key], "value": [value]}))
        return
    if "'" in key or "'" in value:
        raise ValueError("a store setting may not contain a quote")
    engine.backend.raw_sql(f"DELETE FROM {META_TABLE} WHERE key = '{key}'")
    engine.backend.raw_sql(f"INSERT INTO {META_TABLE} VALUES ('{key}', '{value}')")


def _write_schema_version(engine: Engine, version: int) -> None:
    write_meta(engine, "schema_version", str(version))


def _sql_type(backend: BaseBackend, dtype: object) -> str:
    return _type_name(backend.compiler.type_mapper, dtype)


@functools.cache
def _type_name(type_mapper: Any, dtype: object) -> str:
    """The engine's name of ``dtype``: asked once per type (a store has a few hundred columns
    of some ten types, and each question goes through SQL generation)."""
    return str(type_mapper.to_string(dtype))


def _create_table(engine: Engine, name: str, schema: ibis.Schema) -> None:
    if isinstance(engine, TableManager):
        engine.create_table(name, schema)
        return
    # plain DDL in the engine's own type names: Ibis' create_table also reads the new table's
    # schema back, which made a fresh store's 20-odd tables cost a third of a second
    backend = engine.backend
    columns = ", ".join(
        f'"{column}" {_sql_type(backend, dtype)}' + ("" if dtype.nullable else " NOT NULL")
        for column, dtype in schema.items()
    )
    backend.raw_sql(f'CREATE TABLE "{name}" ({columns})')


def _apply_version(engine: Engine, version: int) -> None:
    existing = set(engine.list_tables())
    for table in ALL_TABLES:
        if table.since == version and table.name not in existing:
            _create_table(engine, table.name, table.ibis_schema(version))
        elif table.since < version:
            added = [c for c in table.columns if c.since == version]
            if not added:
                continue
            if isinstance(engine, TableManager):
                engine.evolve(table.name, table.ibis_schema(version))
                continue
            for column in added:
                sql_type = _sql_type(engine.backend, column.dtype)
                engine.backend.raw_sql(
                    f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {sql_type}'
                )
    step = DATA_STEPS.get(version)
    if step is not None:
        step(engine)


def _create(engine: Engine, version: int) -> None:
    """A new store starts directly at ``version``: no history to replay."""
    existing = set(engine.list_tables())
    for table in ALL_TABLES:
        if table.since <= version and table.name not in existing:
            _create_table(engine, table.name, table.ibis_schema(version))
    if isinstance(engine, TableManager):
        if META_TABLE not in existing:
            engine.create_table(META_TABLE, _META_SCHEMA)
    else:
        engine.backend.raw_sql(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR, value VARCHAR)"
        )
    _write_schema_version(engine, version)


def migrate(store: BaseBackend | Engine, target: int = SCHEMA_VERSION) -> tuple[int | None, int]:
    """Bring the store's schema forward to ``target``; return (version before, version after).

    On an engine managing its own tables the whole migration is one published batch. Raises
    ``RuntimeError`` if the store was written by a newer revintel than this one.
    """
    engine = as_engine(store)
    current = read_schema_version(engine)
    if current is not None and current > target:
        raise RuntimeError(
            f"the store has schema version {current}, newer than this revintel's "
            f"{target}; upgrade revintel"
        )
    if current == target:
        return current, target
    # SQL engines keep migrating statement by statement, as they always have.
    with engine.transaction() if isinstance(engine, TableManager) else nullcontext():
        if current is None:
            _create(engine, target)
            return None, target
        for version in range(current + 1, target + 1):
            log.info("migrating store schema to version %d", version)
            _apply_version(engine, version)
            _write_schema_version(engine, version)
    return current, target


__all__ = [
    "META_TABLE",
    "TableManager",
    "as_engine",
    "migrate",
    "read_meta",
    "read_schema_version",
    "write_meta",
]
