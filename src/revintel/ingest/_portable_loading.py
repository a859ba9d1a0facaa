"""Writing only new or changed rows through :class:`Store`, for engines other than DuckDB.

The same rules as DuckDB's SQL in :mod:`._loading`: several incoming rows with one key keep one
(for milestones the dated one, then the earliest), opportunity milestones learn their lead and
account from the stored opportunity, a stored row is replaced when any column but
``import_batch_id`` differs (milestones: only a dated event replaces an inferred one). The
stored rows to compare with are read with an Ibis semi-join on the incoming keys; the
comparison runs in Arrow; the changed rows are written with :meth:`Store.delete_keys` and
:meth:`Store.insert`, so every engine that implements those loads imports.
"""

from __future__ import annotations

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.model import IMPORT_BATCH_ID, table
from revintel.store import Store

_ROW = "__revintel_row"
_STORED = "__revintel_stored_"


def decode_dictionaries(rows: pa.Table) -> pa.Table:
    """``rows`` with dictionary-encoded columns turned into plain ones (to concatenate tables)."""
    for i, column_type in enumerate(rows.schema.types):
        if pa.types.is_dictionary(column_type):
            name = rows.column_names[i]
            rows = rows.set_column(i, name, rows[name].cast(column_type.value_type))
    return rows


def upsert_portable(
    store: Store, name: str, rows: pa.Table, *, distinct: bool, enrich: bool
) -> int:
    """Write the rows of ``rows`` (conformed to ``name``) that are new or changed; how many.

    ``distinct`` tells that keys repeat; ``enrich`` fills lead and account of opportunity
    milestones from the stored opportunities.
    """
    key = table(name).key[0]
    rows = decode_dictionaries(rows)
    if enrich:
        rows = _with_opportunity_links(store, rows)
    if distinct:
        rows = _one_per_key(name, rows)
    if _is_empty(store, name):
        store.insert(name, rows)
        return rows.num_rows
    stored = _stored_rows(store, name, rows[key])
    changed = _changed_rows(name, rows, stored)
    if changed.num_rows:
        store.delete_keys(name, changed.select([key]))
        store.insert(name, changed)
    return changed.num_rows


def existing_keys_portable(store: Store, name: str, candidates: pa.Array) -> pa.Array:
    """Those of ``candidates`` that are keys of table ``name`` in the store."""
    key = table(name).key[0]
    stored = store.table(name)
    wanted = ibis.memtable(pa.table({"k": pc.unique(candidates).cast(pa.string())}))
    found = stored.semi_join(wanted, stored[key] == wanted.k).select(key).distinct()
    return found.to_pyarrow().column(0).combine_chunks().cast(pa.string())


def _is_empty(store: Store, name: str) -> bool:
    return int(store.table(name).limit(1).count().execute()) == 0


def _stored_rows(store: Store, name: str, keys: pa.ChunkedArray) -> pa.Table:
    """The stored rows of ``name`` whose key is among ``keys`` (only what the comparison reads)."""
    spec = table(name)
    key = spec.key[0]
    columns = (
        [key, "inferred"]
        if name == "milestones"
        else [c for c in spec.column_names() if c != IMPORT_BATCH_ID]
    )
    stored = store.table(name)
    wanted = ibis.memtable(pa.table({"k": pc.unique(keys)}))
    return stored.semi_join(wanted, stored[key] == wanted.k).select(*columns).to_pyarrow()


def _changed_rows(name: str, rows: pa.Table, stored: pa.Table) -> pa.Table:
    """Rows of ``rows`` absent from ``stored`` or differing from their stored version."""
    key = table(name).key[0]
    compared = [c for c in stored.column_names if c != key]
    numbered = rows.append_column(_ROW, pa.array(np.arange(rows.num_rows), pa.int64()))
    renamed = stored.rename_columns([_STORED + c for c in stored.column_names])
    # The stored key is kept beside the incoming one: where it is null, the row is new.
    renamed = renamed.append_column(_STORED + "present", pa.repeat(True, stored.num_rows))
    joined = numbered.select([key, _ROW, *compared]).join(
        renamed, keys=key, right_keys=_STORED + key, join_type="left outer"
    )
    absent = pc.is_null(joined[_STORED + "present"])
    if name == "milestones":
        # A stored inferred event gives way to a dated one; other events are never rewritten.
        redated = pc.and_(joined[_STORED + "inferred"], pc.invert(joined["inferred"]))
        changed = pc.or_(absent, pc.fill_null(redated, False))
    else:
        changed = absent
        for column in compared:
            changed = pc.or_(changed, _distinct(joined[column], joined[_STORED + column]))
    positions = pc.sort_indices(pc.filter(joined[_ROW], changed))
    return rows.take(pc.take(pc.filter(joined[_ROW], changed), positions))


def _distinct(incoming: pa.ChunkedArray, stored: pa.ChunkedArray) -> pa.ChunkedArray:
    """SQL's ``IS DISTINCT FROM``: nulls equal each other, NaNs too (as DuckDB compares)."""
    stored = stored.cast(incoming.type)
    null_differs = pc.not_equal(pc.is_null(incoming), pc.is_null(stored))
    value_differs = pc.fill_null(pc.not_equal(incoming, stored), False)
    if pa.types.is_floating(incoming.type):
        both_nan = pc.fill_null(pc.and_(pc.is_nan(incoming), pc.is_nan(stored)), False)
        value_differs = pc.and_(value_differs, pc.invert(both_nan))
    return pc.or_(null_differs, value_differs)


def _one_per_key(name: str, rows: pa.Table) -> pa.Table:
    """One row per key: the first given, or for milestones the dated one, then the earliest."""
    key = table(name).key[0]
    numbered = rows.append_column(_ROW, pa.array(np.arange(rows.num_rows), pa.int64()))
    order = [(key, "ascending")]
    if name == "milestones":
        order += [("inferred", "ascending"), ("occurred_at", "ascending")]
    ordered = numbered.sort_by([*order, (_ROW, "ascending")], null_placement="at_end")
    keys = ordered[key].combine_chunks()
    first = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        first[1:] = pc.fill_null(
            pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1)), True
        ).to_numpy(zero_copy_only=False)
    return ordered.filter(pa.array(first)).drop_columns([_ROW])


def _with_opportunity_links(store: Store, rows: pa.Table) -> pa.Table:
    """Opportunity milestones with lead and account filled from the stored opportunity."""
    is_opportunity = pc.equal(rows["entity_type"], "opportunity")
    ids = pc.unique(pc.filter(rows["entity_id"], pc.fill_null(is_opportunity, False)))
    if len(ids) == 0:
        return rows
    stored = store.table("opportunities")
    wanted = ibis.memtable(pa.table({"k": ids.cast(pa.string())}))
    links = (
        stored.semi_join(wanted, stored.opportunity_id == wanted.k)
        .select(
            _link_id=stored.opportunity_id,
            _link_lead=stored.lead_id,
            _link_account=stored.account_id,
        )
        .to_pyarrow()
    )
    numbered = rows.append_column(_ROW, pa.array(np.arange(rows.num_rows), pa.int64()))
    joined = numbered.join(links, keys="entity_id", right_keys="_link_id", join_type="left outer")
    joined = joined.take(pc.sort_indices(joined[_ROW]))
    opportunity = pc.fill_null(pc.equal(joined["entity_type"], "opportunity"), False)
    for column, link in (("lead_id", "_link_lead"), ("account_id", "_link_account")):
        fill = pc.if_else(opportunity, joined[link], pa.scalar(None, joined[link].type))
        position = rows.schema.get_field_index(column)
        rows = rows.set_column(
            position, column, pc.coalesce(joined[column], fill.cast(rows[column].type))
        )
    return rows
