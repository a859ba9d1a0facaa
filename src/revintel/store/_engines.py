"""How each kind of backend writes: one interface, one implementation per engine.

The store reads through Ibis on every engine; writes differ. DuckDB and PostgreSQL have real
transactions; Spark publishes a staged batch in one step (see ``revintel.store._spark``). Every
write of the product goes through :class:`Engine`, never through a backend's own connection.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

#: Rows in one DuckDB row group.
ROW_GROUP_ROWS = 122_880


class EngineError(RuntimeError):
    """The engine cannot do what was asked."""


class Engine:
    """Writes on a backend the generic Ibis way (engines override what they do better)."""

    name = "generic"
    #: Whether :meth:`sql` runs SQL written for DuckDB's dialect with ``?`` parameters.
    runs_sql = False

    def __init__(self, backend: BaseBackend) -> None:
        self.backend = backend

    def table(self, name: str) -> ibis.Table:
        """The readable table ``name`` (as of the open transaction, if any)."""
        return self.backend.table(name)

    def list_tables(self) -> list[str]:
        """Names of the tables readers can see."""
        return list(self.backend.list_tables())

    def insert(self, name: str, arrow: pa.Table) -> None:
        """Append ``arrow`` (already conformed to the table's schema) to ``name``."""
        self.backend.insert(name, arrow)

    def delete_keys(self, name: str, key: Sequence[str], keys: pa.Table) -> None:
        """Delete the rows of ``name`` whose ``key`` columns equal a row of ``keys``."""
        raise EngineError(f"deleting rows is not supported on {self.backend.name}")

    def truncate(self, name: str) -> None:
        """Remove every row of ``name``."""
        self.backend.truncate_table(name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside the block land together or not at all (where the engine can)."""
        yield

    def sql(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run ``sql`` (DuckDB dialect, ``?`` parameters) and return its rows as Arrow."""
        raise EngineError(f"raw SQL is not available on {self.backend.name}")

    def close(self) -> None:
        """Release the connection."""
        disconnect = getattr(self.backend, "disconnect", None)
        if disconnect is not None:
            disconnect()


class DuckDBEngine(Engine):
    """DuckDB: Arrow scanned in place, real transactions, SQL as written."""

    name = "duckdb"
    runs_sql = True

    @property
    def con(self) -> Any:
        return self.backend.con

    def insert(self, name: str, arrow: pa.Table) -> None:
        view = f"_revintel_insert_{uuid.uuid4().hex}"
        self.con.register(view, row_group_batches(arrow))
        try:
            self.con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM "{view}"')
        finally:
            self.con.unregister(view)

    def delete_keys(self, name: str, key: Sequence[str], keys: pa.Table) -> None:
        view = f"_revintel_keys_{uuid.uuid4().hex}"
        self.con.register(view, keys)
        try:
            match = " AND ".join(f't."{k}" = k."{k}"' for k in key)
            self.con.execute(
                f'DELETE FROM "{name}" AS t '
                f'WHERE EXISTS (SELECT 1 FROM "{view}" AS k WHERE {match})'
            )
        finally:
            self.con.unregister(view)

    def truncate(self, name: str) -> None:
        self.con.execute(f'DELETE FROM "{name}"')

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def sql(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        return self.con.execute(sql, list(params or [])).to_arrow_table()


def row_group_batches(arrow: pa.Table) -> pa.Table:
    """``arrow`` as record batches of exactly one DuckDB row group each (the last one shorter).

    DuckDB scans the batches on all its threads and writes each as one full row group. Batches
    of other sizes (an Arrow table's chunks follow how it was read or concatenated) leave
    partly filled row groups, which the next checkpoint reads back and rewrites: for three
    million rows that took longer than inserting them.
    """
    batches = []
    for start in range(0, arrow.num_rows, ROW_GROUP_ROWS):
        part = arrow.slice(start, ROW_GROUP_ROWS)
        batches.extend(
            part.to_batches() if part[0].num_chunks <= 1 else part.combine_chunks().to_batches()
        )
    return pa.Table.from_batches(batches, arrow.schema)


#: Engines of optional backends by Ibis backend name: their modules import drivers that DuckDB
#: stores never need, and subclass :class:`Engine`, so they are loaded by name when first used.
_ENGINE_CLASSES = {
    "postgres": "revintel.store._postgres:PostgresEngine",
    "pyspark": "revintel.store._spark:SparkEngine",
}


def engine_for(backend: BaseBackend) -> Engine:
    """The engine implementation for ``backend``."""
    if backend.name == "duckdb":
        return DuckDBEngine(backend)
    where = _ENGINE_CLASSES.get(backend.name)
    if where is None:
        return Engine(backend)
    module, _, name = where.partition(":")
    engine_class: type[Engine] = getattr(importlib.import_module(module), name)
    return engine_class(backend)
