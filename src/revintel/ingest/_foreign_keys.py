"""References to records another system wrote: a cost sheet naming the CRM's campaigns.

A field with ``across_systems: true`` may name its record by the key the store gives it
(``salesforce:7015g000001``) or by its id in the system it came from (``7015g000001``); the
record of the file's own system (``<system>:<cell>``) still comes first. A cell matching
nothing keeps the own-system key, so the usual check rejects it (``unknown campaign``).
"""

from __future__ import annotations

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from revintel.model import SOURCE_ID, table
from revintel.store import Store


def resolve_across_systems(
    store: Store, name: str, cells: pa.Array, own_keys: pa.Array, known: pa.Array
) -> pa.Array:
    """Keys of table ``name`` for ``cells`` (text, null where empty).

    ``own_keys`` are the keys in the file's own system, kept where they are ``known`` (written
    by this import) or stored; otherwise a stored key equal to the cell, else the key of the
    one stored record whose source id is the cell (a source id shared by records of several
    systems is ambiguous and resolves to nothing).
    """
    key = table(name).key[0]
    stored = store.table(name)
    wanted = pc.unique(pc.drop_null(pa.concat_arrays([cells, own_keys.cast(pa.string())])))
    if len(wanted) == 0:
        return own_keys
    values = ibis.memtable(pa.table({"k__cell": wanted}))
    hits = stored.filter(
        stored[key].isin(values.k__cell) | stored[SOURCE_ID].isin(values.k__cell)
    ).select(key=stored[key], source_id=stored[SOURCE_ID])
    found = hits.to_pyarrow()
    keys = found["key"].combine_chunks().cast(pa.string())
    own = pc.is_in(own_keys, value_set=pa.concat_arrays([keys, known.cast(pa.string())]))
    by_key = pc.if_else(pc.is_in(cells, value_set=keys), cells, pa.scalar(None, pa.string()))
    by_source = _unique_source_ids(found)
    index = pc.index_in(cells, value_set=by_source["source_id"])
    by_id = pc.take(by_source["key"], index)
    foreign = pc.coalesce(by_key, by_id)
    return pc.if_else(pc.fill_null(own, False), own_keys, pc.coalesce(foreign, own_keys))


def _unique_source_ids(found: pa.Table) -> pa.Table:
    """Stored (source id, key) pairs whose source id names one record only."""
    counts = found.group_by("source_id").aggregate([("key", "count")])
    single = counts.filter(pc.equal(counts["key_count"], 1))["source_id"]
    rows = found.filter(pc.is_in(found["source_id"], value_set=single.combine_chunks()))
    return pa.table(
        {
            "source_id": rows["source_id"].combine_chunks().cast(pa.string()),
            "key": rows["key"].combine_chunks().cast(pa.string()),
        }
    )
