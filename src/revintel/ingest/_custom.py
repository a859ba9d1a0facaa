"""Custom fields: a source's own attributes, declared per object in a mapping, typed like model
fields and stored one row per record and field in ``custom_values``.

A bad value rejects its row like a bad model field; values of rejected rows are not written. A
re-import writes only values that changed, so an unchanged value keeps the time it was first
observed (unless a dating column says otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._batches import keep_replaced
from revintel.ingest._mapping import CustomFieldSpec
from revintel.ingest._objects import Columns, MappedObject, MappingContext
from revintel.ingest._reading import IngestError
from revintel.ingest._typing import blank_to_null
from revintel.model import IMPORT_BATCH_ID, SOURCE_ID, SOURCE_SYSTEM, table
from revintel.store import Store

#: Tables written by :func:`write_custom` rather than by the model tables' upsert.
CUSTOM_TABLES = ("custom_fields", "custom_values")
#: The column of ``custom_values`` holding a value of each field type.
VALUE_COLUMNS = {
    "number": "number_value",
    "text": "text_value",
    "flag": "flag_value",
    "date": "date_value",
}
_TYPES = {
    "number": pa.float64(),
    "text": pa.string(),
    "flag": pa.bool_(),
    "date": pa.timestamp("us"),
}
_VALUE_KEY = ("table_name", "record_id", "field_name")
#: Internal column: the value's ``observed_at`` came from a dating column of the file.
_DATED = "_dated"


@dataclass(frozen=True)
class CustomRows:
    """Custom values of one mapped file: the declarations and one value row per row and field.

    ``values`` stacks the fields one after the other, each aligned with the file's rows.
    """

    fields: pa.Table
    values: pa.Table
    per_field: int

    def accepted(self, mask: np.ndarray) -> pa.Table:
        """The values of the rows ``mask`` keeps."""
        keep = np.tile(np.asarray(mask, dtype=bool), self.values.num_rows // max(self.per_field, 1))
        return self.values.filter(pa.array(keep))


def map_custom(obj: MappedObject, ctx: MappingContext) -> CustomRows | None:
    """Type the custom fields of ``obj``; bad values are recorded as rejections of their rows.

    Returns ``None`` when the object declares none. Raises :class:`IngestError` naming the file
    and the field when a declared column is missing or the object cannot carry custom fields.
    """
    spec = obj.spec
    if not spec.custom:
        return None
    where = f"{obj.raw.file}: object {obj.name!r}"
    if spec.table == "milestones" or len(obj.table.key) != 1:
        raise IngestError(f"{where}: table {spec.table!r} cannot carry custom fields")
    n = obj.rows.num_rows
    if n != obj.raw.cells.num_rows:
        raise IngestError(f"{where}: custom fields need one record per file row")
    cols = Columns(obj.raw, spec, ctx)
    parts, labels = [], {}
    for name, field in spec.custom.items():
        source = _column(cols, field.column, f"{where}: custom field {name!r}")
        labels[name] = source
        parts.append(_field_values(obj, cols, ctx, name, field, source))
    values = pa.concat_tables(parts)
    fields = pa.table(
        {
            "table_name": [spec.table] * len(labels),
            "field_name": list(labels),
            "field_type": [spec.custom[k].type for k in labels],
            "label": list(labels.values()),
            SOURCE_SYSTEM: [ctx.mapping.system] * len(labels),
            SOURCE_ID: [f"{obj.name}.{k}" for k in labels],
            IMPORT_BATCH_ID: [ctx.batch_id] * len(labels),
        }
    )
    return CustomRows(fields, values, n)


def _column(cols: Columns, aliases: tuple[str, ...], what: str) -> str:
    found = cols.find(aliases)
    if found is None:
        raise IngestError(f"{what}: no column {' or '.join(repr(a) for a in aliases)}")
    return found


def _field_values(
    obj: MappedObject,
    cols: Columns,
    ctx: MappingContext,
    name: str,
    field: CustomFieldSpec,
    source: str,
) -> pa.Table:
    """One value row per file row for field ``name`` (nulls where the cell is empty)."""
    n = obj.rows.num_rows
    typed = cols.typed(cols.text(source), _TYPES[field.type], source)
    obj.rejections.add(
        typed.invalid, source, lambda: blank_to_null(cols.text(source)), f"not {typed.expected}"
    )
    now = pa.repeat(pa.scalar(ctx.now, pa.timestamp("us")), n)
    observed, dated = now, pa.repeat(pa.scalar(False), n)
    if field.observed_at:
        dating = _column(cols, field.observed_at, f"{obj.raw.file}: custom field {name!r}")
        dates = cols.dates(dating)
        obj.rejections.add(
            dates.invalid, dating, lambda: blank_to_null(cols.text(dating)), f"not {dates.expected}"
        )
        stamps = dates.values.cast(pa.timestamp("us"))
        observed, dated = pc.coalesce(stamps, now), pc.is_valid(stamps)
    columns: dict[str, pa.Array] = {
        "table_name": pa.repeat(pa.scalar(obj.spec.table), n),
        "record_id": obj.rows[obj.table.key[0]].combine_chunks().cast(pa.string()),
        "field_name": pa.repeat(pa.scalar(name), n),
        **{c: pa.nulls(n, _TYPES[t]) for t, c in VALUE_COLUMNS.items()},
        "observed_at": observed,
        SOURCE_SYSTEM: pa.repeat(pa.scalar(ctx.mapping.system), n),
        SOURCE_ID: obj.rows[SOURCE_ID].combine_chunks().cast(pa.string()),
        IMPORT_BATCH_ID: pa.repeat(pa.scalar(ctx.batch_id), n),
        _DATED: dated,
    }
    columns[VALUE_COLUMNS[field.type]] = typed.values.cast(_TYPES[field.type])
    return pa.table(columns)


def write_custom(store: Store, name: str, parts: Sequence[pa.Table], batch_id: str) -> int:
    """Write new and changed declarations or values; return how many rows were written.

    Must run inside :meth:`Store.transaction`. The last file's value wins when several files
    carry the same record. The stored rows overwritten are kept for ``revintel import undo``
    of batch ``batch_id``.
    """
    rows = [p for p in parts if p.num_rows]
    if not rows:
        return 0
    key = list(table(name).key)
    incoming = pa.concat_tables(rows).to_pandas().drop_duplicates(key, keep="last")
    incoming = incoming.dropna(subset=key)
    changed = _changed(store, name, incoming, key)
    if changed.empty:
        return 0
    written = pa.Table.from_pandas(
        changed.drop(columns=[_DATED], errors="ignore"), preserve_index=False
    )
    keep_replaced(store, batch_id, name, written)
    store.delete_keys(name, written.select(key))
    return store.insert(name, written)


def _changed(store: Store, name: str, incoming: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Rows of ``incoming`` that are new or differ from the stored ones.

    Values compare on their typed columns (and on ``observed_at`` when a column dated them);
    declarations on type and label.
    """
    compared = [*VALUE_COLUMNS.values()] if name == "custom_values" else ["field_type", "label"]
    t = store.table(name)
    stored = t.filter(t.table_name.isin(incoming["table_name"].unique().tolist()))
    stored = stored.filter(stored.field_name.isin(incoming["field_name"].unique().tolist()))
    dating = ["observed_at"] if name == "custom_values" else []
    old = stored.select(*key, *compared, *dating).to_pandas()
    merged = incoming.merge(old, on=key, how="left", suffixes=("", "__old"), indicator=True)
    differs = merged["_merge"] == "left_only"
    for column in compared:
        differs |= ~_same(merged[column], merged[f"{column}__old"])
    if name == "custom_values":
        moved = ~_same(merged["observed_at"], merged["observed_at__old"])
        differs |= merged[_DATED].astype(bool) & moved
    return incoming.loc[differs.to_numpy()]


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise equality with two missing values counting as equal."""
    both_missing = a.isna().to_numpy() & b.isna().to_numpy()
    equal = (a.astype(object).to_numpy() == b.astype(object).to_numpy()) & ~(
        a.isna().to_numpy() | b.isna().to_numpy()
    )
    return pd.Series(both_missing | equal, index=a.index)
