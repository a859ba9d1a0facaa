"""Writing mapped rows into the store: only new or changed rows, keyed by source system and id.

Re-importing the same export therefore writes nothing, and a newer export updates what changed
and appends new milestone events. Stored events are kept as they are, except that an inferred
one is replaced once the source dates it. On DuckDB the comparison runs in SQL over the Arrow
rows in place (the fast path); every other engine gets the same result through :class:`Store`.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._portable_loading import (
    decode_dictionaries,
    existing_keys_portable,
    upsert_portable,
)
from revintel.model import IMPORT_BATCH_ID, table
from revintel.store import Store, conform, row_group_batches


def _duckdb_connection(store: Store) -> Any | None:
    """DuckDB's connection for the fast path (Arrow scanned in place, joins in SQL), else None.

    Every other engine loads through :class:`Store` (see :mod:`._portable_loading`).
    """
    return getattr(store.engine, "con", None) if store.engine.name == "duckdb" else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _staging_select(name: str, view: str, *, distinct: bool, enrich: bool) -> str:
    """SELECT producing the incoming rows, deduplicated and completed where needed."""
    columns = table(name).column_names()
    key = _quote(table(name).key[0])
    if name != "milestones":
        if not distinct:
            return f"SELECT * FROM {_quote(view)}"
        return f"SELECT DISTINCT ON ({key}) * FROM {_quote(view)} ORDER BY {key}"
    # Events from history tables learn their lead and account from the opportunity.
    select = ", ".join(
        f"coalesce(v.{_quote(c)}, CASE WHEN v.entity_type = 'opportunity' "
        f"THEN o.{_quote(c)} END) AS {_quote(c)}"
        if enrich and c in ("lead_id", "account_id")
        else f"v.{_quote(c)}"
        for c in columns
    )
    join = "LEFT JOIN opportunities AS o ON o.opportunity_id = v.entity_id " if enrich else ""
    if not distinct:
        return f"SELECT {select} FROM {_quote(view)} AS v {join}"
    # Several files may prove the same milestone: keep the dated one, then the earliest.
    return (
        f"SELECT DISTINCT ON (v.{key}) {select} FROM {_quote(view)} AS v {join}"
        f"ORDER BY v.{key}, v.inferred NULLS LAST, v.occurred_at"
    )


def _changed_condition(name: str) -> str:
    spec = table(name)
    key = _quote(spec.key[0])
    if name == "milestones":
        # Events are appended, never rewritten, except that a dated event replaces an inferred one.
        return f"t.{key} IS NULL OR (t.inferred AND NOT s.inferred)"
    same = " AND ".join(
        f"t.{_quote(c)} IS NOT DISTINCT FROM s.{_quote(c)}"
        for c in spec.column_names()
        if c != IMPORT_BATCH_ID
    )
    return f"t.{key} IS NULL OR NOT ({same})"


def _conform(name: str, rows: pa.Table) -> pa.Table:
    """:func:`conform`, but dictionary-encoded text stays encoded (DuckDB stores it as text)."""
    spec = table(name)
    kept = [
        c
        for c, t in zip(rows.column_names, rows.schema.types, strict=True)
        if pa.types.is_dictionary(t) and pa.types.is_string(t.value_type)
        and c in spec.column_names() and pa.types.is_string(spec.column(c).dtype.to_pyarrow())
    ]  # fmt: skip
    arrow = conform(spec, rows.drop_columns(kept))
    for column in kept:
        arrow = arrow.set_column(arrow.schema.get_field_index(column), column, rows[column])
    return arrow


def upsert_changed(
    store: Store, name: str, rows: pa.Table, *, enrich: bool = False, unique: bool = False
) -> int:
    """Write the rows of ``rows`` that are new or differ from the stored ones; return how many.

    The comparison ignores ``import_batch_id``, so an unchanged row keeps the batch that first
    wrote it. ``enrich`` fills lead and account of opportunity milestones from the stored
    opportunity. ``unique`` tells that the keys are known to be distinct (one checked file), which
    saves counting them. Must run inside :meth:`Store.transaction`.
    """
    spec = table(name)
    arrow = _conform(name, rows)
    if arrow.num_rows == 0:
        return 0
    distinct = not unique and pc.count_distinct(arrow[spec.key[0]]).as_py() < arrow.num_rows
    con = _duckdb_connection(store)
    if con is None:
        return upsert_portable(store, name, arrow, distinct=distinct, enrich=enrich)
    key = _quote(spec.key[0])
    view, staged = f"_ingest_in_{uuid.uuid4().hex}", f"_ingest_changed_{uuid.uuid4().hex}"
    con.register(view, arrow)
    try:
        incoming = _staging_select(name, view, distinct=distinct, enrich=enrich)
        if con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] == 0:
            # Nothing stored yet: every incoming row is new.
            if distinct or enrich:
                con.execute(f"INSERT INTO {_quote(name)} BY NAME {incoming}")
            else:
                _insert_in_chunks(con, name, arrow)
            return int(con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0])
        con.execute(
            f"CREATE TEMP TABLE {_quote(staged)} AS SELECT s.* FROM ({incoming}) AS s "
            f"LEFT JOIN {_quote(name)} AS t ON t.{key} = s.{key} WHERE {_changed_condition(name)}"
        )
        changed = int(con.execute(f"SELECT count(*) FROM {_quote(staged)}").fetchone()[0])
        if changed:
            con.execute(
                f"DELETE FROM {_quote(name)} WHERE {key} IN (SELECT {key} FROM {_quote(staged)})"
            )
            con.execute(f"INSERT INTO {_quote(name)} BY NAME SELECT * FROM {_quote(staged)}")
        con.execute(f"DROP TABLE {_quote(staged)}")
    finally:
        con.unregister(view)
    return changed


def _insert_in_chunks(con: Any, name: str, arrow: pa.Table) -> None:
    """Append ``arrow`` as row-group-sized record batches, which DuckDB scans on every thread."""
    batches = row_group_batches(arrow)
    view = f"_ingest_batches_{uuid.uuid4().hex}"
    con.register(view, batches)
    try:
        con.execute(f"INSERT INTO {_quote(name)} BY NAME SELECT * FROM {_quote(view)}")
    finally:
        con.unregister(view)


def existing_keys(store: Store, name: str, candidates: pa.Array) -> pa.Array:
    """Those of ``candidates`` that are keys of table ``name`` in the store."""
    if len(candidates) == 0:
        return pa.array([], pa.string())
    con = _duckdb_connection(store)
    if con is None:
        return existing_keys_portable(store, name, candidates)
    key = _quote(table(name).key[0])
    view = f"_ingest_keys_{uuid.uuid4().hex}"
    con.register(view, pa.table({"k": candidates}))
    try:
        found = con.execute(
            f"SELECT DISTINCT {key} FROM {_quote(name)} "
            f"WHERE {key} IN (SELECT k FROM {_quote(view)})"
        ).to_arrow_table()
    finally:
        con.unregister(view)
    return found.column(0).combine_chunks().cast(pa.string())


__all__ = ["decode_dictionaries", "existing_keys", "upsert_changed"]
