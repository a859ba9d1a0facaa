"""Apache Spark as a store: ``spark:///ABSOLUTE/FOLDER`` locally, or a cluster with its metastore.

Spark has no transactions, so a batch of writes becomes visible in one step. Every model table is
kept as immutable physical versions (``leads__v…``); the pointer table ``revintel_batches`` holds
one row per published batch naming the current version of every table. A transaction writes new
versions nobody else reads, then publishes them by appending that one row (a single file renamed
into place). A rolled-back or killed batch leaves only unpublished versions, which readers never
see and the next open of a local store drops. Readers resolve ``leads`` through a temporary view
of their own session that points at the version current for them.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.dataset as pa_dataset
from ibis.backends import BaseBackend
from ibis.backends.pyspark import Backend as PySparkBackend
from ibis.backends.pyspark.datatypes import PySparkSchema
from pyspark.sql import functions as sf

from revintel.store._engines import Engine, EngineError
from revintel.store._spark_session import SparkLocation, parse_spark_url, spark_session

log = logging.getLogger(__name__)

#: One row per published batch: its number, when, and the physical version of every table.
POINTER_TABLE = "revintel_batches"
#: Versions referenced by this many latest batches survive the clean-up on open.
KEPT_BATCHES = 3
_VERSION = re.compile(r"^(?P<table>[a-z][a-z0-9_]*?)__v[0-9a-f]{12}$")


class SparkBackend(PySparkBackend):
    """Ibis' PySpark backend on a session of its own (its own temporary views).

    Closing it keeps the process' Spark context, which the next store of the process reuses: a
    JVM starts once per process, and an embedded metastore is booted once.
    """

    location: SparkLocation | None = None

    def disconnect(self) -> None:
        """Free what this connection cached in memory; the shared Spark context stays up."""
        for frame in self._cached_dataframes.values():
            frame.unpersist()


#: Versions staged by open transactions of this process (never collected as garbage).
_staged_here: set[str] = set()


def connect_spark(url: str) -> BaseBackend:
    """A connection of its own (own temporary views) to the Spark store at ``url``."""
    location = parse_spark_url(url)
    ibis.load_backend("pyspark")  # registers Ibis' pyspark options, which compiling reads
    backend = SparkBackend().connect(spark_session(location).newSession())
    backend.location = location
    return backend


@dataclass
class BatchState:
    """What one connection knows of the published batches, and its open transaction."""

    #: Model table → physical version, as of the latest batch this connection has seen.
    published: dict[str, str] = field(default_factory=dict)
    #: Model table → the version the open transaction has written.
    staged: dict[str, str] = field(default_factory=dict)
    #: Model table → the version its temporary view shows (views are made when first read).
    viewed: dict[str, str] = field(default_factory=dict)
    depth: int = 0
    failed: bool = False


class SparkEngine(Engine):
    """Spark: writes staged as new table versions and published in one step."""

    name = "pyspark"

    def __init__(self, backend: BaseBackend) -> None:
        super().__init__(backend)
        self.session: Any = backend._session
        state = getattr(backend, "revintel_batches", None)
        if state is None:
            # Scoped views of one store build further engines on its backend: they share it.
            state = BatchState()
            backend.revintel_batches = state
            self.state = state
            self._open()
        self.state = state

    # -- reading -------------------------------------------------------------------------

    def table(self, name: str) -> ibis.Table:
        if name in self.state.staged or name in self.state.published:
            self._point(name, self.version_of(name), create=True)
        return self.backend.table(name)

    def list_tables(self) -> list[str]:
        others = [t for t in self._catalog_tables() if not _VERSION.match(t)]
        logical = {*self.state.published, *self.state.staged}
        return sorted(logical | {t for t in others if t != POINTER_TABLE})

    def version_of(self, name: str) -> str:
        """The physical table holding ``name`` for this connection (its transaction's first)."""
        found = self.state.staged.get(name) or self.state.published.get(name)
        if found is None:
            raise EngineError(f"the Spark store has no table {name!r}")
        return found

    # -- writing -------------------------------------------------------------------------

    def create_table(self, name: str, schema: ibis.Schema) -> None:
        """Create ``name`` empty with ``schema`` (strings as Spark's STRING)."""
        with self.transaction():
            self._write_version(name, schema=PySparkSchema.from_ibis(schema))

    def evolve(self, name: str, schema: ibis.Schema) -> None:
        """Give ``name`` exactly the columns of ``schema``, in its order (new ones empty)."""
        target = PySparkSchema.from_ibis(schema)
        with self.transaction():
            frame = self._frame(name)
            present = set(frame.columns)
            columns = [
                (sf.col(f.name) if f.name in present else sf.lit(None))
                .cast(f.dataType)
                .alias(f.name)
                for f in target.fields
            ]
            self._write_version(name, frame.select(*columns))

    def replace_rows(self, name: str, rows: ibis.Table) -> None:
        """Make the rows of the Ibis expression ``rows`` the new content of ``name``."""
        with self.transaction():
            self._write_version(name, self.session.sql(self.backend.compile(rows)))

    def insert(self, name: str, arrow: pa.Table) -> None:
        with self.transaction():
            staged = self.state.staged.get(name)
            if staged is not None:
                rows = self._rows(arrow, self.session.table(staged).schema)
                rows.write.insertInto(staged)
                self.session.catalog.refreshTable(staged)
                self._point(name, staged)
                return
            current = self._frame(name)
            self._write_version(name, current.unionByName(self._rows(arrow, current.schema)))

    def delete_keys(self, name: str, key: Sequence[str], keys: pa.Table) -> None:
        with self.transaction():
            current = self._frame(name)
            wanted = self._rows(keys, current.select(*key).schema)
            self._write_version(name, current.join(wanted, on=list(key), how="left_anti"))

    def truncate(self, name: str) -> None:
        with self.transaction():
            current = self._frame(name)
            self._write_version(name, schema=current.schema)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside the block are published together by one pointer row, or not at all."""
        state = self.state
        if state.depth == 0:
            state.failed = False
            self._refresh()
        state.depth += 1
        try:
            yield
        except BaseException:
            state.depth -= 1
            state.failed = True
            if state.depth == 0:
                self._rollback()
            raise
        state.depth -= 1
        if state.depth > 0:
            return
        if state.failed:
            self._rollback()
            raise EngineError("a write of the transaction failed; nothing was published")
        self._publish()

    def close(self) -> None:
        if self.state.staged:
            self._rollback()
        super().close()

    # -- versions ------------------------------------------------------------------------

    def _frame(self, name: str) -> Any:
        return self.session.table(self.version_of(name))

    def _rows(self, arrow: pa.Table, schema: Any) -> Any:
        """``arrow`` as a Spark DataFrame with exactly the fields of ``schema``."""
        plain = pa.table({n: _plain(arrow.column(n)) for n in arrow.column_names})
        if plain.num_rows == 0:
            return self.session.createDataFrame([], schema)
        frame = self.session.createDataFrame(plain)
        return frame.select(*(sf.col(f.name).cast(f.dataType).alias(f.name) for f in schema.fields))

    def _write_version(self, name: str, frame: Any = None, *, schema: Any = None) -> None:
        """Write ``frame`` (or nothing, with ``schema``) as a new, unpublished version of
        ``name`` for the open transaction."""
        physical = f"{name}__v{uuid.uuid4().hex[:12]}"
        _staged_here.add(physical)
        if frame is None:
            # An empty table is only a catalog entry: no Spark job.
            self.session.catalog.createTable(physical, source="parquet", schema=schema)
        else:
            frame.write.format("parquet").saveAsTable(physical)
        previous = self.state.staged.get(name)
        self.state.staged[name] = physical
        self._point(name, physical)
        if previous is not None:
            self._drop(previous)
            _staged_here.discard(previous)

    def _point(self, name: str, physical: str, *, create: bool = False) -> None:
        """Let the view ``name`` show ``physical`` (made now if it exists or ``create``)."""
        viewed = self.state.viewed
        if viewed.get(name) == physical or (name not in viewed and not create):
            return
        self.session.sql(f"CREATE OR REPLACE TEMPORARY VIEW `{name}` AS SELECT * FROM `{physical}`")
        viewed[name] = physical

    def _drop(self, physical: str) -> None:
        self.session.sql(f"DROP TABLE IF EXISTS `{physical}`")

    def _publish(self) -> None:
        staged = self.state.staged
        if not staged:
            return
        batch, versions = self._latest()
        versions.update(staged)
        # Whatever happens now, the staged versions are published or left to the clean-up.
        self.state.staged = {}
        _staged_here.difference_update(staged.values())
        self._append_pointer(batch + 1, versions)
        self._adopt(versions)

    def _rollback(self) -> None:
        staged, self.state.staged = self.state.staged, {}
        for name, physical in staged.items():
            self._drop(physical)
            _staged_here.discard(physical)
            if name in self.state.published:
                self._point(name, self.state.published[name])
            elif self.state.viewed.pop(name, None) is not None:
                self.session.catalog.dropTempView(name)

    def _refresh(self) -> None:
        """Catch up with batches published since (by another store of this process)."""
        _, versions = self._latest()
        self._adopt(versions)

    def _adopt(self, versions: dict[str, str]) -> None:
        for name, physical in versions.items():
            self._point(name, physical)
        self.state.published = dict(versions)

    # -- the pointer table -----------------------------------------------------------------

    def _latest(self) -> tuple[int, dict[str, str]]:
        rows = self._batches(1)
        if not rows:
            return 0, {}
        batch, versions = rows[0]
        return batch, dict(versions)

    def _batches(self, count: int) -> list[tuple[int, dict[str, str]]]:
        """The latest ``count`` published batches, newest first."""
        folder = self._local_folder(POINTER_TABLE)
        if folder is not None:
            # Local store: the pointer's files are read directly, in milliseconds.
            parts = sorted(folder.glob("part-*")) if folder.is_dir() else []
            if not parts:
                return []
            found = pa_dataset.dataset(parts, format="parquet").to_table(["batch", "versions"])
            rows = sorted(zip(*found.to_pydict().values(), strict=True), reverse=True)
        else:
            if not self.session.catalog.tableExists(POINTER_TABLE):
                return []
            self.session.catalog.refreshTable(POINTER_TABLE)
            rows = self.session.sql(
                f"SELECT batch, versions FROM {POINTER_TABLE} ORDER BY batch DESC LIMIT {count}"
            ).collect()
        return [(int(batch), json.loads(versions)) for batch, versions in rows[:count]]

    def _local_folder(self, table: str) -> Path | None:
        """Where a table of the default database lives in a local store's warehouse."""
        location = getattr(self.backend, "location", None)
        if location is None or location.folder is None:
            return None
        return Path(location.warehouse) / table

    def _append_pointer(self, batch: int, versions: dict[str, str]) -> None:
        """Publish: one row in one file, renamed into the pointer table's folder at once."""
        self.session.sql(
            f"CREATE TABLE IF NOT EXISTS {POINTER_TABLE} "
            "(batch BIGINT, published_at TIMESTAMP, versions STRING) USING parquet"
        )
        row = (batch, datetime.now(UTC).replace(tzinfo=None), json.dumps(versions, sort_keys=True))
        schema = "batch BIGINT, published_at TIMESTAMP, versions STRING"
        self.session.createDataFrame([row], schema).coalesce(1).write.insertInto(POINTER_TABLE)

    # -- opening ---------------------------------------------------------------------------

    def _open(self) -> None:
        batches = self._batches(KEPT_BATCHES)
        location = getattr(self.backend, "location", None)
        if location is not None and location.folder is not None:
            # The embedded metastore admits this process only: no other writer can be mid-batch.
            kept = {physical for _, versions in batches for physical in versions.values()}
            self._collect_garbage(kept, Path(location.warehouse))
        self._adopt(batches[0][1] if batches else {})

    def _catalog_tables(self) -> list[str]:
        rows = self.session.sql("SHOW TABLES").collect()
        return [str(r["tableName"]) for r in rows if not r["isTemporary"]]

    def _collect_garbage(self, kept: set[str], warehouse: Path) -> None:
        """Drop versions no batch worth keeping refers to, and folders of killed writes."""
        catalog = {t for t in self._catalog_tables() if _VERSION.match(t)}
        kept = kept | _staged_here
        for physical in sorted(catalog - kept):
            log.info("dropping unreferenced table version %s", physical)
            self._drop(physical)
        if warehouse.is_dir():
            for folder in warehouse.iterdir():
                if _VERSION.match(folder.name) and folder.name not in catalog | kept:
                    shutil.rmtree(folder, ignore_errors=True)


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary-encoded column decoded (Spark reads plain Arrow types)."""
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


__all__ = [
    "POINTER_TABLE",
    "BatchState",
    "SparkBackend",
    "SparkEngine",
    "SparkLocation",
    "connect_spark",
    "parse_spark_url",
]
