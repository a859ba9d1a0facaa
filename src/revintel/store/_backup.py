"""Backups of a DuckDB store: every table as Parquet plus a manifest, and restores into new files.

A backup covers the whole file: the data model, the schema version and what revintel keeps
beside it (users, tokens, sessions, models, scores, decisions). All tables are read in one
transaction, so they show the store at one moment. The manifest records, per table, its rows,
the SHA-256 of its file and the statement that created it (keys and constraints included).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import ibis

from revintel.model import SCHEMA_VERSION
from revintel.store._migrations import read_schema_version
from revintel.store._store import (
    Store,
    StoreError,
    lock_conflict,
    open_store,
    resolve_location,
)

MANIFEST = "manifest.json"
#: Version of the backup's layout (the manifest's fields and one Parquet file per table).
BACKUP_FORMAT = 1
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_TABLES = (
    "SELECT table_name, sql FROM duckdb_tables() "
    "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name"
)


class BackupError(StoreError):
    """A backup cannot be written, read or restored; the message says why."""


@dataclass(frozen=True)
class BackedUpTable:
    """One table of a backup.

    Attributes
    ----------
    name
        Table name.
    file
        Its Parquet file, inside the backup folder.
    rows
        Rows written.
    sha256
        Hex digest of the file.
    create_sql
        The ``CREATE TABLE`` statement that recreates it with its keys and constraints.
    """

    name: str
    file: str
    rows: int
    sha256: str
    create_sql: str


@dataclass(frozen=True)
class BackupManifest:
    """What a backup holds: the schema version of the store and each table."""

    schema_version: int
    created_at: str
    tables: tuple[BackedUpTable, ...]
    format: int = BACKUP_FORMAT

    @property
    def rows(self) -> int:
        """Rows over all tables."""
        return sum(t.rows for t in self.tables)

    def to_json(self) -> str:
        """The manifest as JSON text."""
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def read(cls, folder: Path) -> BackupManifest:
        """The manifest of the backup in ``folder``."""
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            tables = tuple(BackedUpTable(**t) for t in data.pop("tables"))
            return cls(tables=tables, **data)
        except FileNotFoundError:
            raise BackupError(f"{folder} holds no backup: {MANIFEST} is missing") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise BackupError(f"{path} is not a revintel backup manifest: {exc}") from None


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _export_tables(store: Store, folder: Path) -> tuple[BackedUpTable, ...]:
    con = store.backend.con
    exported = []
    # One transaction: every table is read at the same moment, even if a write lands meanwhile.
    con.execute("BEGIN TRANSACTION")
    try:
        for name, create_sql in con.execute(_TABLES).fetchall():
            path = folder / f"{name}.parquet"
            con.execute(
                f"COPY (SELECT * FROM {_ident(name)}) TO {_sql_text(str(path))} "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            (rows,) = con.execute(f"SELECT count(*) FROM {_ident(name)}").fetchone() or (0,)
            exported.append(BackedUpTable(name, path.name, int(rows), _sha256(path), create_sql))
    finally:
        con.execute("ROLLBACK")
    return tuple(exported)


def backup_store(store: Store, dest: Path) -> BackupManifest:
    """Write every table of ``store`` to the new folder ``dest`` with a manifest.

    The files are written to a sibling folder first and renamed at the end, so ``dest`` holds
    either a complete backup or nothing.

    Raises
    ------
    BackupError
        The store is not DuckDB, ``dest`` exists already, or writing failed.
    """
    if not store.is_duckdb:
        raise BackupError("backups cover DuckDB stores; back up other databases with their tools")
    if dest.exists():
        raise BackupError(f"{dest} exists already; name a new folder for the backup")
    version = read_schema_version(store.backend)
    if version is None:
        raise BackupError(f"{store.location} is not a revintel store (no schema version)")
    partial = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        tables = _export_tables(store, partial)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        manifest = BackupManifest(version, created, tables)
        (partial / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        partial.rename(dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def backup_location(location: str | Path | None, dest: Path) -> BackupManifest:
    """Back up the DuckDB store at ``location`` (opened read-only, never upgraded) to ``dest``.

    The store keeps the schema version it has: restoring the backup with a newer revintel
    upgrades the restored copy.
    """
    where = resolve_location(location).removeprefix("duckdb://")
    if "://" in where or where == ":memory:" or not Path(where).is_file():
        raise BackupError(f"{where} is not a DuckDB store file")
    try:
        backend = ibis.duckdb.connect(where, read_only=True)
    except Exception as exc:  # a lock held by a running server is the usual cause
        locked = lock_conflict(where, exc)
        if locked is not None:
            raise locked from None
        raise BackupError(f"cannot open {where} for a backup: {exc}") from exc
    store = Store(backend, where, migrate_schema=False)
    try:
        return backup_store(store, dest)
    finally:
        store.close()


def verify_backup(src: Path) -> BackupManifest:
    """The manifest of the backup in ``src`` once every file is checked against it.

    Raises
    ------
    BackupError
        A file is missing or altered, the manifest is malformed, or the backup comes from a
        newer revintel (a newer schema version or backup format).
    """
    manifest = BackupManifest.read(src)
    if manifest.format > BACKUP_FORMAT or manifest.schema_version > SCHEMA_VERSION:
        raise BackupError(
            f"the backup has schema version {manifest.schema_version} (format "
            f"{manifest.format}), newer than this revintel's {SCHEMA_VERSION}; upgrade revintel"
        )
    for table in manifest.tables:
        _check_entry(table)
        path = src / table.file
        if not path.is_file():
            raise BackupError(f"the backup lacks {table.file}")
        if _sha256(path) != table.sha256:
            raise BackupError(f"{table.file} does not match its checksum: the backup is damaged")
    return manifest


def _check_entry(table: BackedUpTable) -> None:
    # A manifest is data: its names and statements must not reach SQL unless they are plain.
    if not _TABLE_NAME.match(table.name) or table.file != f"{table.name}.parquet":
        raise BackupError(f"the manifest names an invalid table {table.name!r}")
    statement = table.create_sql.strip().rstrip(";")
    if not statement.startswith(f"CREATE TABLE {table.name}(") or ";" in statement:
        raise BackupError(f"the manifest's statement for {table.name!r} is not a CREATE TABLE")


def _load(manifest: BackupManifest, src: Path, target: Path) -> None:
    con = duckdb.connect(str(target))
    try:
        con.execute("BEGIN TRANSACTION")
        for table in manifest.tables:
            con.execute(table.create_sql)
            parquet = _sql_text(str(src / table.file))
            con.execute(f"INSERT INTO {_ident(table.name)} SELECT * FROM read_parquet({parquet})")
            (rows,) = con.execute(f"SELECT count(*) FROM {_ident(table.name)}").fetchone() or (0,)
            if rows != table.rows:
                raise BackupError(f"{table.name}: restored {rows} rows of {table.rows}")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _remove_database(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        file.unlink(missing_ok=True)


def restore_store(src: Path, db: Path, *, force: bool = False) -> BackupManifest:
    """Restore the backup in ``src`` into the DuckDB file ``db``.

    The tables are loaded into a sibling file that replaces ``db`` only when complete; an older
    schema is then upgraded as when any store is opened.

    Parameters
    ----------
    src
        The backup folder.
    db
        The store file to create.
    force
        Replace ``db`` when it exists (refused otherwise).

    Raises
    ------
    BackupError
        ``db`` exists without ``force``, or the backup is damaged or from a newer revintel.
    """
    manifest = verify_backup(src)
    if db.exists() and not force:
        raise BackupError(f"{db} exists already; restore into a new file or pass --force")
    db.parent.mkdir(parents=True, exist_ok=True)
    partial = db.with_name(f".{db.name}.restoring")
    _remove_database(partial)
    try:
        _load(manifest, src, partial)
    except BaseException:
        _remove_database(partial)
        raise
    _remove_database(db)
    os.replace(partial, db)
    open_store(db).close()
    return manifest
