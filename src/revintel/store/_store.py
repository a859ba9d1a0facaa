"""The store: the integrated data model held in one Ibis backend (a DuckDB file by default)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pandas as pd
import psutil
import pyarrow as pa
from ibis.backends import BaseBackend

from revintel.model import SCHEMA_VERSION, TABLES, Table, table
from revintel.store._engines import Engine, engine_for, row_group_batches
from revintel.store._migrations import META_TABLE, migrate, read_schema_version
from revintel.store._trim import trim_unreferenced_tail

DEFAULT_DB = "revintel.duckdb"
DB_ENV_VAR = "REVINTEL_DB"
#: Bound on DuckDB's memory (e.g. ``8GiB``); unset, :data:`DEFAULT_MEMORY_SHARE` of the machine.
MEMORY_ENV_VAR = "REVINTEL_DUCKDB_MEMORY_LIMIT"
#: Share of the machine's memory DuckDB may hold unless told otherwise: a quarter, so that the
#: rows an analysis reads into the process fit beside it (DuckDB's own default is 80 %).
DEFAULT_MEMORY_SHARE = 0.25
#: Least default bound, for small machines.
MIN_DEFAULT_MEMORY_MIB = 1024


def default_memory_limit() -> str:
    """DuckDB's memory bound when :data:`MEMORY_ENV_VAR` is unset, e.g. ``"6017MiB"``."""
    total = psutil.virtual_memory().total
    return f"{max(MIN_DEFAULT_MEMORY_MIB, int(total * DEFAULT_MEMORY_SHARE) >> 20)}MiB"


class StoreError(RuntimeError):
    """The store cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the DuckDB file: DuckDB lets no second process open it.

    Attributes
    ----------
    path
        The file, as an absolute path.
    pid
        The process holding it, when DuckDB names it.
    """

    def __init__(self, path: str, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        holder = "another program" if pid is None else f"another program (process {pid})"
        super().__init__(
            f"store {path} is in use by {holder}: stop that program, or work on a copy of the file"
        )


#: How DuckDB names the process holding a file it cannot lock.
_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")


def lock_conflict(path: str | Path, exc: BaseException) -> StoreLockedError | None:
    """The clear error for ``exc`` when it is DuckDB refusing ``path`` because another process
    holds it, else ``None``.

    Examples
    --------
    >>> message = 'IO Error: Could not set lock on file "x.duckdb": Conflicting lock is held in '
    >>> lock_conflict("/data/x.duckdb", OSError(message + "python (PID 42)")).pid
    42
    >>> lock_conflict("/data/x.duckdb", OSError("disk full")) is None
    True
    """
    text = str(exc)
    if "Could not set lock" not in text:
        return None
    found = _LOCK_HOLDER.search(text)
    return StoreLockedError(os.path.abspath(path), int(found.group(1)) if found else None)


def resolve_location(location: str | Path | None) -> str:
    """The store location: the argument, else ``$REVINTEL_DB``, else ``./revintel.duckdb``."""
    if location is None or str(location) == "":
        location = os.environ.get(DB_ENV_VAR) or DEFAULT_DB
    return str(location)


def _connect(location: str, read_only: bool) -> BaseBackend:
    if location.startswith(("postgres://", "postgresql://")):
        from revintel.store._postgres import connect_postgres

        return connect_postgres(location)
    if location.startswith("spark://"):
        from revintel.store._spark import connect_spark

        return connect_spark(location)
    if "://" in location and not location.startswith("duckdb://"):
        return ibis.connect(location)
    path = location.removeprefix("duckdb://")
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if not read_only:
            trim_unreferenced_tail(Path(path))
    limit = os.environ.get(MEMORY_ENV_VAR) or default_memory_limit()
    config = {"memory_limit": limit}
    try:
        return ibis.duckdb.connect(path, read_only=read_only, **config)
    except Exception as exc:  # DuckDB's own error types differ between versions
        locked = lock_conflict(path, exc)
        if locked is not None:
            raise locked from None
        if "memory" in str(exc).lower():
            raise StoreError(f"{MEMORY_ENV_VAR}={limit!r} is not a memory size: {exc}") from None
        raise


class Store:
    """The integrated data model on one Ibis backend.

    Parameters
    ----------
    backend
        A connected Ibis backend; the schema is created or migrated forward on construction.
    location
        Human-readable location used in messages.
    """

    def __init__(
        self,
        backend: BaseBackend,
        location: str = "<backend>",
        *,
        migrate_schema: bool = True,
        engine: Engine | None = None,
    ):
        self.backend = backend
        #: How this store writes (one object per connection, shared by its scoped views).
        self.engine = engine if engine is not None else engine_for(backend)
        self.location = location
        self.migrated_from: int | None = None
        #: The store's time zone once read (see :func:`revintel.store.store_timezone`).
        self.timezone_cache: ZoneInfo | None = None
        #: The store's currency once read (see :func:`revintel.store.store_currency`).
        self.currency_cache: str | None = None
        if migrate_schema:
            self.migrated_from, _ = migrate(backend)

    @property
    def is_duckdb(self) -> bool:
        """Whether the backend is DuckDB (transactions and fast Arrow loads are available)."""
        return self.backend.name == "duckdb"

    @property
    def schema_version(self) -> int | None:
        """The schema version recorded in the store."""
        return read_schema_version(self.backend)

    def table(self, name: str) -> ibis.Table:
        """An Ibis expression for the model table ``name``."""
        table(name)
        return self.engine.table(name)

    def row_counts(self) -> dict[str, int]:
        """Rows per model table."""
        return {t.name: int(self.engine.table(t.name).count().execute()) for t in TABLES}

    def insert(self, name: str, data: pa.Table | pd.DataFrame) -> int:
        """Append rows to table ``name``; columns are matched by name and cast to the schema."""
        arrow = conform(table(name), data)
        if arrow.num_rows == 0:
            return 0
        self.engine.insert(name, arrow)
        return arrow.num_rows

    def delete_keys(self, name: str, keys: pa.Table | pd.DataFrame) -> None:
        """Delete the rows of ``name`` whose primary key is in ``keys``."""
        spec = table(name)
        keys_arrow = pa.table(keys) if isinstance(keys, pd.DataFrame) else keys
        keys_arrow = keys_arrow.select(list(spec.key))
        if keys_arrow.num_rows == 0:
            return
        self.engine.delete_keys(name, spec.key, keys_arrow)

    def truncate(self, name: str) -> None:
        """Remove every row of table ``name``."""
        table(name)
        self.engine.truncate(name)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside the block land together or not at all."""
        with self.engine.transaction():
            yield self

    @contextmanager
    def kept(self, expr: ir.Table) -> Iterator[ir.Table]:
        """``expr`` computed once and kept in the engine for the block (a temporary table),
        read back in the expression's own types; dropped after the block."""
        # The in-memory tables it reads must exist on the engine first (Spark's cache does not
        # create them itself).
        self.backend._run_pre_execute_hooks(expr)
        with expr.cache() as cached:
            yield cached if cached.schema() == expr.schema() else cached.cast(expr.schema())

    def execute_sql(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """Run raw SQL (DuckDB's dialect, ``?`` parameters) and return the result as Arrow."""
        if not self.engine.runs_sql:
            raise StoreError(f"raw SQL is not available on a {self.backend.name} store")
        return self.engine.sql(sql, params)

    def close(self) -> None:
        """Release the connection."""
        self.engine.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def conform(spec: Table, data: pa.Table | pd.DataFrame) -> pa.Table:
    """Arrow table with exactly ``spec``'s columns, in order, cast to their types.

    Columns missing from ``data`` are filled with nulls; unknown columns raise ``StoreError``.
    """
    arrow = (
        pa.Table.from_pandas(data, preserve_index=False) if isinstance(data, pd.DataFrame) else data
    )
    schema = spec.ibis_schema().to_pyarrow()
    unknown = set(arrow.column_names) - set(schema.names)
    if unknown:
        raise StoreError(f"table {spec.name!r} has no column(s) {', '.join(sorted(unknown))}")
    columns = []
    for fld in schema:
        if fld.name in arrow.column_names:
            columns.append(arrow.column(fld.name).cast(fld.type))
        else:
            columns.append(pa.nulls(arrow.num_rows, fld.type))
    return pa.Table.from_arrays(columns, schema=schema)


def open_store(location: str | Path | None = None, *, read_only: bool = False) -> Store:
    """Open (and create or upgrade) the store at a path or URL.

    ``location`` is a DuckDB file path (default ``$REVINTEL_DB`` or ``./revintel.duckdb``),
    ``duckdb://path``, ``:memory:``, or any URL :func:`ibis.connect` accepts.
    """
    where = resolve_location(location)
    try:
        backend = _connect(where, read_only)
    except StoreLockedError:
        raise
    except Exception as exc:  # the backend's own error types differ by backend
        raise StoreError(f"cannot open store {where}: {exc}") from exc
    if read_only:
        version = read_schema_version(backend)
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"store {where} has schema version {version}, expected {SCHEMA_VERSION}; "
                "open it once for writing to upgrade"
            )
        return Store(backend, where, migrate_schema=False)
    try:
        return Store(backend, where)
    except RuntimeError as exc:
        backend.disconnect()
        raise StoreError(f"cannot open store {where}: {exc}") from exc


__all__ = [
    "META_TABLE",
    "Store",
    "StoreError",
    "StoreLockedError",
    "conform",
    "lock_conflict",
    "open_store",
    "resolve_location",
    "row_group_batches",
]
