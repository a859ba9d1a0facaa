"""One import: read the files, map them, check references, write everything in one transaction."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._archives import FilePart, expand_files
from revintel.ingest._batches import keep_replaced, settle_rejections
from revintel.ingest._custom import CUSTOM_TABLES, map_custom, write_custom
from revintel.ingest._exclusive import (
    BUSY_MESSAGE,
    DEFAULT_WAIT_SECONDS,
    ImportBusyError,
    exclusive_import,
    is_write_conflict,
)
from revintel.ingest._file_objects import detect_object as detect_object
from revintel.ingest._file_objects import detect_objects, map_file
from revintel.ingest._foreign_keys import resolve_across_systems
from revintel.ingest._guests import guest_account, guest_key, guest_totals, uses_guest
from revintel.ingest._limits import FileLimits
from revintel.ingest._loading import decode_dictionaries, existing_keys, upsert_changed
from revintel.ingest._mapping import SourceMapping, load_mapping, load_preset
from revintel.ingest._objects import MappedObject, MappingContext
from revintel.ingest._reading import IngestError, read_file
from revintel.ingest._rejections import raw_rows_json
from revintel.ingest._stages import derive_milestones, history_events
from revintel.ingest._table_source import TableSource, read_table_source
from revintel.ingest._transform import accepted_mask
from revintel.ingest._typing import blank_to_null
from revintel.ingest._zones import source_zone
from revintel.model import TABLES, FunnelDefinition, load_funnel, table
from revintel.store import Store, store_now, store_timezone

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]
#: Accepted rows of one file for one table, or the work producing them.
Part: TypeAlias = pa.Table | Callable[[], pa.Table]
_ORDER = {t.name: i for i, t in enumerate(TABLES)}
#: Rejections kept per file when a file has more rejected rows than the limit.
REJECTION_SAMPLE = 1_000


class TooManyRejectionsError(IngestError):
    """A file has more rejected rows than the limit; nothing was loaded."""


class StrictImportError(IngestError):
    """``--strict`` was given and at least one row was rejected; nothing was loaded."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


class NothingImportedError(IngestError):
    """No row of the files was accepted; the batch is recorded as failed with its rejections."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class FileReport:
    """What happened to one file: the object recognised, rows read, accepted and rejected."""

    file: str
    object: str
    table: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    #: (model column, accepted rows whose empty value was set to the import's ``as_of``).
    as_of_filled: tuple[tuple[str, int], ...] = ()


@dataclass
class ImportReport:
    """The outcome of :func:`import_files`."""

    batch_id: str
    system: str
    status: str
    files: list[FileReport] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    rejections: pa.Table | None = None
    #: Accepted orders booked on the guest account (no customer number) and their net amount.
    guest_orders: int = 0
    guest_amount: float = 0.0
    #: The date given for undated records (``--as-of``), if any.
    as_of: date | None = None

    @property
    def rows_read(self) -> int:
        """Data rows read over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        """Rows that passed every check."""
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows with at least one problem (each is in ``rejected_rows``)."""
        return sum(f.rows_rejected for f in self.files)

    def as_of_notes(self) -> list[str]:
        """One line per date column filled from ``as_of``, e.g. ``created_at of 1,234 leads
        set to 31.03.2024 (--as-of)``."""
        filled: dict[tuple[str, str], int] = {}
        for f in self.files:
            for column, n in f.as_of_filled:
                filled[(column, f.table)] = filled.get((column, f.table), 0) + n
        return [
            f"{column} of {n:,} {table_name} set to {self.as_of:%d.%m.%Y} (--as-of)"
            for (column, table_name), n in filled.items()
            if self.as_of is not None
        ]

    def rejected_by_reason(self) -> dict[str, int]:
        """Rejected cells per reason."""
        if self.rejections is None or self.rejections.num_rows == 0:
            return {}
        counts = self.rejections.group_by("reason").aggregate([("reason", "count")])
        return dict(
            zip(counts["reason"].to_pylist(), counts["reason_count"].to_pylist(), strict=True)
        )


def resolve_mapping(preset: str, mapping: str | Path | SourceMapping | None) -> SourceMapping:
    """The mapping for ``preset``: the user's file if given, the generic default, or the preset."""
    if isinstance(mapping, SourceMapping):
        return mapping
    if mapping is not None:
        return load_mapping(mapping)
    return load_preset(preset)


def _check_references(store: Store, obj: MappedObject, accepted: dict[str, pa.Array]) -> None:
    for column, fspec in obj.spec.fields.items():
        if fspec.ref is None or column not in obj.rows.column_names:
            continue
        values = obj.rows[column].combine_chunks()
        known = accepted.get(fspec.ref, pa.array([], pa.string()))
        if fspec.across_systems:
            cells = blank_to_null(obj.raw.cells[obj.source_columns.get(column, column)])
            values = resolve_across_systems(store, fspec.ref, cells, values, known)
            obj.rows = obj.rows.set_column(
                obj.rows.column_names.index(column), column, values.cast(obj.rows[column].type)
            )
        if fspec.ref == obj.spec.table:  # a return naming its original order in the same file
            own = obj.rows[obj.table.key[0]].combine_chunks()
            known = pa.concat_arrays([known, own.cast(known.type)])
        missing = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=known)))
        candidates = pc.unique(pc.filter(values, missing))
        in_store = existing_keys(store, fspec.ref, candidates)
        unknown = pc.and_(missing, pc.invert(pc.is_in(values, value_set=in_store)))
        source = obj.source_columns.get(column, column)
        singular = table(fspec.ref).key[0].removesuffix("_id")
        cells = obj.raw.cells[source]
        obj.rejections.add(unknown, source, cells.combine_chunks, f"unknown {singular}")


def _map_files(
    store: Store,
    files: Sequence[str | Path | FilePart | TableSource],
    names: Sequence[str],
    mapping: SourceMapping,
    ctx: MappingContext,
    limits: FileLimits,
    progress: Progress | None = None,
) -> list[MappedObject]:
    objects = []
    for path, shown in zip(files, names, strict=True):
        if progress is not None:
            progress(f"reading {shown}")
        try:
            if isinstance(path, TableSource):
                raw = read_table_source(store, path, limits)
            else:
                raw = read_file(path, limits=limits)
        except IngestError as exc:
            raise IngestError(str(exc).replace(str(path), shown)) from None
        raw.file = shown
        if isinstance(path, TableSource) and path.object is not None:
            roots = [path.object]
        else:
            roots = detect_objects(raw, mapping)
        mapped = map_file(raw, roots, ctx)
        for obj in mapped:
            rows, target = obj.raw.rows_read, obj.spec.table
            logger.info("%s: %s (%d rows) → %s", raw.file, obj.name, rows, target)
        objects.extend(mapped)
        if progress is not None:
            progress(f"{raw.file}: {sum(o.raw.rows_read for o in mapped):,} rows read")
    return sorted(objects, key=lambda o: _ORDER[o.spec.table])


def _rejection_rows(
    objects: list[MappedObject], batch_id: str, sampled: frozenset[str] = frozenset()
) -> pa.Table:
    parts = []
    for obj in objects:
        found = obj.rejections.table()
        if obj.raw.file in sampled:
            found = found.slice(0, REJECTION_SAMPLE)
        if found.num_rows == 0:
            continue
        indices = [i for i in set(found["row_index"].to_pylist()) if i >= 0]
        raws = raw_rows_json(obj.raw.cells, indices)
        raw = [
            raws.get(i, v)
            for i, v in zip(found["row_index"].to_pylist(), found["value"].to_pylist(), strict=True)
        ]
        parts.append(
            pa.table(
                {
                    "file": pa.repeat(pa.scalar(obj.raw.file), found.num_rows),
                    "row_number": found["row_number"],
                    "column": found["column"],
                    "value": found["value"],
                    "reason": found["reason"],
                    "target_table": pa.repeat(pa.scalar(obj.spec.table), found.num_rows),
                    "raw": pa.array(raw, pa.string()),
                }
            )
        )
    if not parts:
        return pa.table({"file": pa.array([], pa.string())})
    rows = pa.concat_tables(parts)
    ids = [f"{batch_id}:{i + 1}" for i in range(rows.num_rows)]
    rows = rows.append_column("rejected_row_id", pa.array(ids, pa.string()))
    return rows.append_column("import_batch_id", pa.repeat(pa.scalar(batch_id), rows.num_rows))


def _accept(
    store: Store, objects: list[MappedObject], ctx: MappingContext
) -> tuple[dict[str, list[Part]], list[FileReport]]:
    """Check references in load order; return the accepted rows per table and the file reports.

    Milestones implied by current stages are returned as work still to do (they add no
    rejections), so that they are derived while the entity rows are being written.
    """
    keys: dict[str, pa.Array] = {}
    out: dict[str, list[Part]] = {}
    reports = []
    if (guest := guest_key(ctx)) is not None and any(uses_guest(o, guest) for o in objects):
        # orders without a customer number are booked on the guest account, written with them
        out["accounts"] = [guest_account(ctx)]
        keys["accounts"] = pa.array([guest], pa.string())
    for obj in objects:
        _check_references(store, obj, keys)
        custom = map_custom(obj, ctx)  # its bad values reject their rows: before the mask
        mask = accepted_mask(obj)
        if custom is not None:
            out.setdefault("custom_fields", []).append(custom.fields)
            out.setdefault("custom_values", []).append(custom.accepted(mask))
        accepted_rows = obj.rows if mask.all() else obj.rows.filter(pa.array(mask))
        if obj.spec.table == "milestones":
            out.setdefault("milestones", []).append(history_events(obj, mask, ctx))
        else:
            out.setdefault(obj.spec.table, []).append(accepted_rows)
            key = obj.table.key[0]
            previous = keys.get(obj.spec.table, pa.array([], pa.string()))
            keys[obj.spec.table] = pa.concat_arrays([previous, accepted_rows[key].combine_chunks()])
            if obj.current is not None:
                derive = partial(derive_milestones, obj, mask, ctx)
                out.setdefault("milestones", []).append(derive)
        accepted = int(mask.sum())
        rejected = obj.raw.rows_read - accepted
        filled = tuple(
            (column, int((empty.to_numpy(zero_copy_only=False) & mask).sum()))
            for column, empty in obj.as_of_filled.items()
        )
        reports.append(
            FileReport(
                obj.raw.file,
                obj.name,
                obj.spec.table,
                obj.raw.rows_read,
                accepted,
                rejected,
                filled,
            )
        )
    return out, reports


def import_files(
    store: Store,
    preset: str,
    files: Sequence[str | Path | TableSource],
    *,
    mapping: str | Path | SourceMapping | None = None,
    strict: bool = False,
    funnel: FunnelDefinition | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    file_names: Sequence[str] | None = None,
    limits: FileLimits | None = None,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    as_of: date | None = None,
) -> ImportReport:
    """Import export files into the store in one transaction.

    Parameters
    ----------
    store
        The target store.
    preset
        A built-in preset name (``revintel.ingest.preset_names()``) or ``generic``.
    files
        Export files, or tables and queries of the store's engine (:class:`TableSource`); each
        is recognised by its headers. None given: the mapping objects that name a ``source``.
    mapping
        A mapping YAML overriding the preset (the ``generic`` preset's column mapping).
    strict
        Load nothing when any row is rejected (:class:`StrictImportError`).
    funnel
        Funnel definition mapping stage names to milestones (default: the built-in one).
    date_format
        Date format for columns whose format the values leave open (``dd/mm/yyyy`` …).
    timezone
        The IANA zone the files' times are in (default: the mapping's ``timezone``, else the
        store's zone). Values with their own offset (``Z``, ``+01:00``) are read by it; times
        are stored as wall-clock times of the store's zone; dates without a time stay as they
        are.
    now
        The time after which dates count as "in the future", a wall-clock time of the store's
        zone (default: now).
    progress
        Called with a short message after each step.
    file_names
        How to name each file in reports, rejections and the batch record (default: its path),
        e.g. the name a user uploaded it under rather than a temporary path.
    limits
        Bounds on each file (default: :class:`FileLimits`); a file with more rejected rows than
        ``limits.max_rejected_rows`` fails the import (:class:`TooManyRejectionsError`).
    as_of
        The date of undated records: every required date (``created_at``, ``ordered_at``,
        ``occurred_at``…) without a value, a missing column or an empty cell, is set to it;
        recorded in ``import_batches.as_of``. A written value that is not a date is still
        rejected.
    wait_seconds
        How long to wait for another import into the same store to finish before giving up
        (:class:`ImportBusyError`; the attempt is recorded as a failed batch).

    Returns
    -------
    ImportReport
        Rows read, accepted and rejected per file, rows written per table, and every rejection.
    """
    source = resolve_mapping(preset, mapping)
    started = store_now(store)
    batch_id = f"{source.system}-{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    store_zone = store_timezone(store)
    ctx = MappingContext(
        source,
        funnel or load_funnel(),
        batch_id,
        now or started,
        date_format,
        source_zone=source_zone(timezone or source.timezone, store_zone),
        store_zone=store_zone,
        as_of=None if as_of is None else datetime.combine(as_of, time()),
    )
    files = list(files) or _declared_sources(source)
    names = [str(f) for f in files] if file_names is None else list(file_names)
    if len(names) != len(files):
        raise IngestError(f"{len(names)} file names given for {len(files)} files")
    limits = limits or FileLimits()
    # Archives and workbooks of several sheets: each export inside is a file of the import.
    parts, names = expand_files(files, names, limits)
    objects = _map_files(store, parts, names, source, ctx, limits, progress)
    accepted, reports = _accept(store, objects, ctx)
    guests = guest_totals(accepted.get("orders", []), guest_key(ctx))
    report = ImportReport(batch_id, source.system, "committed", reports, as_of=as_of)
    report.guest_orders, report.guest_amount = guests
    over = [f for f in reports if f.rows_rejected > limits.max_rejected_rows]
    report.rejections = _rejection_rows(objects, batch_id, frozenset(f.file for f in over))
    del objects  # the accepted rows are all that is still needed: free the files' cells
    if progress is not None:
        progress(f"{len(files)} files mapped: {report.rows_accepted} rows accepted")
    batch = {
        "import_batch_id": batch_id,
        "source_system": source.system,
        "preset": preset,
        "files": "\n".join(names),
        "started_at": started,
        "rows_read": report.rows_read,
        "rows_accepted": report.rows_accepted,
        "rows_rejected": report.rows_rejected,
        "as_of": ctx.as_of,
    }
    if over:
        first = over[0]
        report.status = "failed"
        _write_batch(store, batch, report, {})
        raise TooManyRejectionsError(
            f"{first.file}: {first.rows_rejected:,} rows rejected, more than the limit of "
            f"{limits.max_rejected_rows:,}; nothing loaded (batch {batch_id}; the first "
            f"{REJECTION_SAMPLE:,} rejections are kept in rejected_rows)"
        )
    if report.rows_accepted == 0:
        report.status = "failed"
        _write_batch(store, batch, report, {})
        raise NothingImportedError(_nothing_message(report), report)
    if strict and report.rows_rejected:
        report.status = "failed"
        _write_batch(store, batch, report, {})
        raise StrictImportError(
            f"--strict: {report.rows_rejected} of {report.rows_read} rows rejected, nothing "
            f"loaded (batch {batch_id}; see rejected_rows)",
            report,
        )
    try:
        with exclusive_import(store.location, wait_seconds):
            _write_batch(store, batch, report, accepted, progress)
    except Exception as exc:
        if not isinstance(exc, ImportBusyError) and not is_write_conflict(exc):
            raise
        _record_busy(store, batch, report)
        raise ImportBusyError(f"{BUSY_MESSAGE} (batch {batch_id})") from None
    return report


def _nothing_message(report: ImportReport) -> str:
    """One line: why nothing was imported (no data rows, or every row rejected and why)."""
    if report.rows_read == 0:
        why = "the files hold no data rows"
    else:
        reasons = sorted(report.rejected_by_reason().items(), key=lambda kv: (-kv[1], kv[0]))
        listed = ", ".join(f"{reason} ({count:,})" for reason, count in reasons[:5])
        more = f" and {len(reasons) - 5} more reasons" if len(reasons) > 5 else ""
        why = f"all {report.rows_read:,} rows rejected: {listed}{more}"
    return f"nothing imported, {why} (batch {report.batch_id} failed; see rejected_rows)"


def _declared_sources(mapping: SourceMapping) -> list[TableSource]:
    """The tables and queries the mapping's objects name; :class:`IngestError` if none."""
    declared = [
        TableSource(spec.source.table, spec.source.query, object=name)
        for name, spec in mapping.objects.items()
        if spec.source is not None
    ]
    if not declared:
        raise IngestError(
            "nothing to import: give export files, a table or query of the store "
            "(--table, --query), or a mapping whose objects name a source"
        )
    return declared


def _record_busy(store: Store, batch: dict[str, object], report: ImportReport) -> None:
    """Keep the refused import in the history: a failed batch whose rejection says why."""
    report.status = "failed"
    reason = BUSY_MESSAGE
    files = str(batch["files"]).split("\n")
    report.rejections = pa.table(
        {
            "file": pa.array(files, pa.string()),
            "row_number": pa.array([0] * len(files), pa.int64()),
            "column": pa.nulls(len(files), pa.string()),
            "value": pa.nulls(len(files), pa.string()),
            "reason": pa.array([reason] * len(files), pa.string()),
            "target_table": pa.nulls(len(files), pa.string()),
            "raw": pa.nulls(len(files), pa.string()),
            "rejected_row_id": pa.array(
                [f"{batch['import_batch_id']}:busy{i + 1}" for i in range(len(files))]
            ),
            "import_batch_id": pa.repeat(pa.scalar(batch["import_batch_id"]), len(files)),
        }
    )
    _write_batch(store, batch, report, {}, settle=False)


def _write_batch(
    store: Store,
    batch: dict[str, object],
    report: ImportReport,
    accepted: dict[str, list[Part]],
    progress: Progress | None = None,
    *,
    settle: bool = True,
) -> None:
    """Write the accepted rows, the batch record and its rejections in one transaction.

    ``settle``: this batch read its files, so its rejections replace those of earlier imports
    of the same files (not so for an import refused because another one was running).
    """
    history = any(f.table == "milestones" for f in report.files)
    # Deriving milestones (Arrow) runs on a second thread while DuckDB writes the entities before
    # them; both release the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool, store.transaction():
        pending = {
            name: [pool.submit(p) if callable(p) else p for p in parts]
            for name, parts in accepted.items()
        }
        accepted.clear()
        for name in sorted(pending, key=lambda n: _ORDER[n]):
            done = [p.result() if isinstance(p, Future) else p for p in pending.pop(name)]
            if name in CUSTOM_TABLES:
                # writes changed values only, keeping what it overwrites for an undo
                batch_id = str(batch["import_batch_id"])
                report.written[name] = write_custom(store, name, done, batch_id)
                continue
            parts = [p for p in done if p.num_rows]
            enrich = name == "milestones" and history
            # One file's accepted rows have distinct keys (duplicate ids are rejected), and so
            # have the events derived from them; history tables and several files may repeat.
            unique = len(parts) == 1 and not enrich
            if len(parts) > 1:
                parts = [decode_dictionaries(p) for p in parts]
            rows = pa.concat_tables(parts, promote_options="permissive") if parts else None
            if rows is not None:
                # What the batch overwrites is kept as it was, for `revintel import undo`.
                keep_replaced(store, str(batch["import_batch_id"]), name, rows)
            written = (
                upsert_changed(store, name, rows, enrich=enrich, unique=unique)
                if rows is not None
                else 0
            )
            report.written[name] = written
            if progress is not None:
                progress(f"{name}: {report.written[name]} rows written")
        finished = store_now(store)
        store.insert(
            "import_batches",
            pa.table(
                {
                    k: [v]
                    for k, v in {**batch, "finished_at": finished, "status": report.status}.items()
                }
            ),
        )
        if report.rejections is not None and report.rejections.num_rows:
            store.insert("rejected_rows", report.rejections)
        if settle:
            files = str(batch["files"]).split("\n")
            settle_rejections(store, str(batch["source_system"]), files)
