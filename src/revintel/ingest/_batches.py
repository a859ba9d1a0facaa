"""The record of imports: the batches, the rows each one replaced, and which rejections are current.

An import that loads a file again (same source system, same file name) replaces what the
earlier import of that file said about it: the earlier batch's rejected rows are marked
superseded, so quality counts show each file's problems once. The rows an import overwrites are
kept as they were (table ``replaced_rows``), so that undoing the import restores them exactly.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from revintel.ingest._exclusive import BUSY_MESSAGE
from revintel.model import IMPORT_BATCH_ID, SOURCE_SYSTEM, table
from revintel.store import Store, conform

#: Rows per stored block of replaced rows.
REPLACED_BLOCK_ROWS = 100_000
#: Columns of ``revintel import list`` and ``GET /api/v1/imports``, in order.
BATCH_COLUMNS = (
    IMPORT_BATCH_ID,
    "started_at",
    SOURCE_SYSTEM,
    "preset",
    "files",
    "status",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "finished_at",
    "undone_at",
)


def list_batches(store: Store, limit: int | None = None) -> pd.DataFrame:
    """The import batches, newest first (:data:`BATCH_COLUMNS`)."""
    t = store.table("import_batches")
    ordered = t.select(*BATCH_COLUMNS).order_by(
        [ibis.desc("started_at"), ibis.desc(IMPORT_BATCH_ID)]
    )
    if limit is not None:
        ordered = ordered.limit(limit)
    return ordered.to_pyarrow().to_pandas()


def current_rejections(store: Store) -> ibis.Table:
    """Rejected rows that describe the store as it is: not superseded by a later import of the
    same file, and not of an undone batch; with the batch's source system."""
    rejected = store.table("rejected_rows")
    batches = store.table("import_batches")
    batches = batches.filter(batches.status.fill_null("") != "undone").select(
        IMPORT_BATCH_ID, SOURCE_SYSTEM
    )
    current = rejected.filter(~rejected.superseded.fill_null(False))
    return current.join(batches, IMPORT_BATCH_ID)


def keep_replaced(
    store: Store, batch_id: str, name: str, incoming: pa.Table | Sequence[pa.Table]
) -> int:
    """Keep the stored rows of ``name`` that writing ``incoming`` will replace; return how many.

    A stored row is kept when an incoming row has its key and differs in a column other than
    ``import_batch_id`` (for milestones: a dated event replacing an inferred one), which is
    what :func:`revintel.ingest._loading.upsert_changed` overwrites. Must run inside the
    import's transaction, before the rows are written.
    """
    stored = store.table(name)
    rows = _model_rows(name, [incoming] if isinstance(incoming, pa.Table) else incoming)
    if rows.num_rows == 0 or int(stored.count().execute()) == 0:
        return 0
    replaced = _replaced(stored, ibis.memtable(rows), name)
    if replaced.num_rows == 0:
        return 0
    blocks = []
    for previous in pc.unique(replaced[IMPORT_BATCH_ID]).to_pylist():
        rows = replaced.filter(pc.equal(replaced[IMPORT_BATCH_ID], previous))
        for part, start in enumerate(range(0, rows.num_rows, REPLACED_BLOCK_ROWS), start=1):
            block = rows.slice(start, REPLACED_BLOCK_ROWS)
            blocks.append(
                {
                    IMPORT_BATCH_ID: batch_id,
                    "table_name": name,
                    "replaced_batch_id": previous,
                    "part": part,
                    "row_count": block.num_rows,
                    "rows": _ipc_bytes(block),
                }
            )
    store.insert("replaced_rows", pa.Table.from_pylist(blocks))
    return replaced.num_rows


def _model_rows(name: str, parts: Sequence[pa.Table]) -> pa.Table:
    """The parts' columns of the model table ``name`` (working columns left out), as one table."""
    spec = table(name)
    columns = set(spec.column_names())
    kept = [p.select([c for c in p.column_names if c in columns]) for p in parts if p.num_rows]
    if not kept:
        return conform(spec, pa.table({k: pa.array([], pa.string()) for k in spec.key}))
    return pa.concat_tables([conform(spec, p) for p in kept])


def _replaced(stored: ibis.Table, incoming: ibis.Table, name: str) -> pa.Table:
    spec = table(name)
    joined = stored.inner_join(incoming, list(spec.key), rname="{name}__in")
    if name == "milestones":
        differs = joined.inferred.fill_null(False) & ~joined.inferred__in.fill_null(False)
    else:
        compared = [c for c in spec.column_names() if c not in (*spec.key, IMPORT_BATCH_ID)]
        differs = ibis.or_(*(~joined[c].identical_to(joined[f"{c}__in"]) for c in compared))
    rows = joined.filter(differs).select(*spec.column_names()).distinct()
    return conform(spec, rows.to_pyarrow())


def _ipc_bytes(rows: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, rows.schema) as writer:
        writer.write_table(rows)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode("ascii")


def replaced_by(store: Store, batch_id: str, name: str) -> pa.Table:
    """The rows of table ``name`` that batch ``batch_id`` replaced, as they were."""
    t = store.table("replaced_rows")
    kept = t.filter((t[IMPORT_BATCH_ID] == batch_id) & (t.table_name == name))
    blocks = kept.order_by(["replaced_batch_id", "part"]).select("rows").to_pyarrow()
    spec = table(name)
    parts = [
        ipc.open_stream(pa.py_buffer(base64.b64decode(b))).read_all()
        for b in blocks["rows"].to_pylist()
    ]
    if not parts:
        return conform(spec, pa.table({k: pa.array([], pa.string()) for k in spec.key}))
    return conform(spec, pa.concat_tables(parts, promote_options="permissive"))


def settle_rejections(store: Store, system: str, files: list[str]) -> int:
    """Mark the rejections of ``files`` current for the latest import that read each, superseded
    for every earlier one; return how many rows changed.

    An import refused because another one was running read nothing and settles nothing.
    """
    rejected = store.table("rejected_rows")
    batches = store.table("import_batches")
    batches = batches.filter(
        (batches[SOURCE_SYSTEM] == system) & (batches.status.fill_null("") != "undone")
    )
    rows = (
        rejected.filter(rejected.file.isin(files))
        .join(batches.select(IMPORT_BATCH_ID, "started_at"), IMPORT_BATCH_ID)
        .select("rejected_row_id", IMPORT_BATCH_ID, "file", "reason", "started_at", "superseded")
        .to_pyarrow()
        .to_pandas()
    )
    readers = batches.select(IMPORT_BATCH_ID, "started_at", "files").to_pyarrow().to_pandas()
    changed = []
    for file in files:
        latest = _latest_reader(readers, rows, file)
        mine = rows[rows["file"] == file]
        wanted = mine[IMPORT_BATCH_ID] != latest
        stale = mine[wanted != mine["superseded"].fillna(False).astype(bool)]
        changed.append(stale.assign(superseded=wanted[stale.index]))
    flips = pd.concat(changed) if changed else rows.iloc[:0]
    if flips.empty:
        return 0
    keys = pa.table({"rejected_row_id": pa.array(flips["rejected_row_id"], pa.string())})
    full = rejected.filter(rejected.rejected_row_id.isin(flips["rejected_row_id"].tolist()))
    updated = full.to_pyarrow().to_pandas().drop(columns="superseded")
    updated = updated.merge(flips[["rejected_row_id", "superseded"]], on="rejected_row_id")
    store.delete_keys("rejected_rows", keys)
    store.insert("rejected_rows", updated)
    return len(flips)


def _latest_reader(readers: pd.DataFrame, rows: pd.DataFrame, file: str) -> str | None:
    """The newest batch that read ``file`` (an import refused as busy read nothing)."""
    reads = [file in str(listed or "").split("\n") for listed in readers["files"]]
    listed = readers[pd.Series(reads, index=readers.index, dtype=bool)]
    mine = rows[rows["file"] == file]
    busy = set(mine.loc[mine["reason"] == BUSY_MESSAGE, IMPORT_BATCH_ID])
    listed = listed[~listed[IMPORT_BATCH_ID].isin(busy)]
    if listed.empty:
        return None
    return str(listed.sort_values(["started_at", IMPORT_BATCH_ID]).iloc[-1][IMPORT_BATCH_ID])
