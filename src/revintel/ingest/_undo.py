"""Undoing an import: remove every row a batch wrote and restore the rows it replaced.

Every data row carries the batch that wrote it (``import_batch_id``) and every row an import
overwrote is kept as it was (``replaced_rows``), so an undo puts the store back exactly as it
was before the batch, in one transaction. It refuses while a later import builds on the batch:
one that overwrote rows the batch wrote, or wrote rows that refer to records only the batch
created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._batches import replaced_by, settle_rejections
from revintel.ingest._errors import IngestError
from revintel.ingest._exclusive import DEFAULT_WAIT_SECONDS, exclusive_import
from revintel.model import IMPORT_BATCH_ID, SOURCE_SYSTEM, TABLES, table
from revintel.store import Store, store_now

#: Data tables in the order an import writes them (referenced tables first).
_DATA_TABLES = tuple(t.name for t in TABLES if t.lineage)
#: References the schema states by meaning rather than by column: a milestone's entity is a lead
#: or an opportunity, a custom value belongs to the record of its table.
_ENTITY_REFERENCES = {("milestones", "entity_id"): ("leads", "opportunities")}


class UndoRefusedError(IngestError):
    """The batch cannot be undone (unknown, not committed, or a later import depends on it)."""


class UnknownBatchError(UndoRefusedError):
    """No import batch has the id given."""


@dataclass
class UndoReport:
    """What an undo did: rows removed and restored per table."""

    batch_id: str
    removed: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)


def undo_import(
    store: Store, batch_id: str, *, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> UndoReport:
    """Remove what import ``batch_id`` wrote and restore what it replaced, in one transaction.

    Parameters
    ----------
    store
        The store the batch was imported into.
    batch_id
        The batch (``revintel import list``).
    wait_seconds
        How long to wait for a running import to finish.

    Returns
    -------
    UndoReport
        Rows removed and restored per table.

    Raises
    ------
    UndoRefusedError
        The batch is unknown, was not committed, or a later import depends on its rows; the
        store is left as it was.
    """
    with exclusive_import(store.location, wait_seconds):
        batch = _committed_batch(store, batch_id)
        created = _created_keys(store, batch_id)
        _refuse_dependants(store, batch_id, created)
        report = UndoReport(batch_id)
        with store.transaction():
            # Referring rows go first; the report lists tables in the model's order.
            removed = {name: _remove(store, name, batch_id) for name in reversed(_DATA_TABLES)}
            report.removed = {name: removed[name] for name in _DATA_TABLES}
            for name in _DATA_TABLES:
                report.restored[name] = _restore(store, name, batch_id)
            _mark_undone(store, batch)
            files = [f for f in str(batch.get("files") or "").split("\n") if f]
            settle_rejections(store, str(batch[SOURCE_SYSTEM]), files)
    return report


def _committed_batch(store: Store, batch_id: str) -> dict[str, object]:
    t = store.table("import_batches")
    found = t.filter(t[IMPORT_BATCH_ID] == batch_id).to_pyarrow().to_pylist()
    if not found:
        raise UnknownBatchError(f"no import batch {batch_id} (see `revintel import list`)")
    batch = found[0]
    if batch["status"] != "committed":
        status = batch["status"] or "unknown"
        raise UndoRefusedError(
            f"batch {batch_id} is {status}: only a committed import can be undone"
        )
    return dict(batch)


def _keys_of(store: Store, name: str, batch_id: str) -> pa.Table:
    """The keys of the rows of ``name`` that ``batch_id`` wrote."""
    t = store.table(name)
    return t.filter(t[IMPORT_BATCH_ID] == batch_id).select(*table(name).key).to_pyarrow()


def _key_text(rows: pa.Table, key: tuple[str, ...]) -> pa.Array:
    """One text per row for a (possibly composite) key, to test membership."""
    parts = [pc.fill_null(rows[k].cast(pa.string()), "\x00") for k in key]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def _created_keys(store: Store, batch_id: str) -> dict[str, pa.Array]:
    """Per table, the keys of records the batch created (not those it replaced)."""
    created = {}
    for name in _DATA_TABLES:
        key = table(name).key
        written = _keys_of(store, name, batch_id)
        if written.num_rows == 0:
            continue
        before = _key_text(replaced_by(store, batch_id, name), key)
        new = pc.invert(pc.is_in(_key_text(written, key), value_set=before))
        created[name] = _key_text(written.filter(new), key)
    return created


def _refuse_dependants(store: Store, batch_id: str, created: dict[str, pa.Array]) -> None:
    kept = store.table("replaced_rows")
    later = kept.filter((kept.replaced_batch_id == batch_id) & (kept[IMPORT_BATCH_ID] != batch_id))
    overwriting = sorted(set(later.select(IMPORT_BATCH_ID).to_pyarrow()[0].to_pylist()))
    if overwriting:
        raise UndoRefusedError(
            f"batch {batch_id} cannot be undone: import {', '.join(overwriting)} changed rows "
            "it wrote (undo that import first)"
        )
    for referring, column, target in _references():
        keys = created.get(target)
        if keys is None or len(keys) == 0:
            continue
        t = store.table(referring)
        found = t.filter(
            t[column].isin(ibis.memtable(pa.table({"k": keys})).k)
            & (t[IMPORT_BATCH_ID] != batch_id)
        )
        users = sorted(set(found.select(IMPORT_BATCH_ID).distinct().to_pyarrow()[0].to_pylist()))
        if users:
            raise UndoRefusedError(
                f"batch {batch_id} cannot be undone: import {', '.join(users)} wrote "
                f"{referring} that refer to {target} it created (undo that import first)"
            )


def _references() -> list[tuple[str, str, str]]:
    """(referring table, column, referenced table) for every reference between data tables."""
    found = [
        (spec.name, column, target)
        for spec in TABLES
        if spec.lineage
        for column, target in spec.references.items()
        if target in _DATA_TABLES
    ]
    found += [
        (r, c, target) for (r, c), targets in _ENTITY_REFERENCES.items() for target in targets
    ]
    return found


def _remove(store: Store, name: str, batch_id: str) -> int:
    keys = _keys_of(store, name, batch_id)
    if keys.num_rows:
        store.delete_keys(name, keys)
    return keys.num_rows


def _restore(store: Store, name: str, batch_id: str) -> int:
    """Put back the rows the batch replaced; rows it left unchanged are still there."""
    previous = replaced_by(store, batch_id, name)
    if previous.num_rows == 0:
        return 0
    key = table(name).key
    stored = store.table(name).select(*key)
    wanted = ibis.memtable(previous.select(list(key)))
    still = _key_text(stored.semi_join(wanted, list(key)).to_pyarrow(), key)
    missing = previous.filter(pc.invert(pc.is_in(_key_text(previous, key), value_set=still)))
    store.insert(name, missing)
    kept = store.table("replaced_rows")
    done = kept.filter((kept[IMPORT_BATCH_ID] == batch_id) & (kept.table_name == name))
    store.delete_keys("replaced_rows", done.select(*table("replaced_rows").key).to_pyarrow())
    return missing.num_rows


def _mark_undone(store: Store, batch: dict[str, object]) -> None:
    updated = {**batch, "status": "undone", "undone_at": store_now(store)}
    store.delete_keys("import_batches", pa.table({IMPORT_BATCH_ID: [batch[IMPORT_BATCH_ID]]}))
    store.insert("import_batches", pa.Table.from_pylist([updated]))
