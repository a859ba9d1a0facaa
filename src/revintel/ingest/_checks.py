"""Row checks after typing: required values, duplicate ids, negative amounts, sequences, dates."""

from __future__ import annotations

from functools import partial

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._objects import LINEAGE, MappedObject, MappingContext
from revintel.model import SOURCE_ID

NON_NEGATIVE = frozenset(
    {"amount", "list_price", "net_price", "budget", "unit_price", "unit_cost", "quantity",
     "net_amount", "cost", "employees", "capacity_hours_per_week"}
)  # fmt: skip
#: Columns that look forward: a date in the future is expected there.
FORWARD_LOOKING = frozenset({"expected_close_at", "valid_until", "ended_at", "period_end"})
#: (earlier, later, reason) pairs checked on every row.
SEQUENCES = (
    ("created_at", "closed_at", "closed before created"),
    ("started_at", "ended_at", "ended before started"),
)


def check_rows(obj: MappedObject, ctx: MappingContext) -> None:
    """Row checks: required values, duplicate ids, negative amounts, sequences, future dates."""
    rows, label, rej, text = obj.rows, obj.column_label, obj.rejections, obj.source_text
    n = rows.num_rows
    for column in obj.table.columns:
        if not column.required or column.name in LINEAGE or column.name in obj.table.key:
            continue
        values = rows[column.name] if column.name in rows.column_names else pa.nulls(n)
        missing = pc.is_null(values)
        written = text(column.name)
        if written is not None:
            # a cell that was written but could not be typed is already rejected for its type
            missing = pc.and_(missing, pc.is_null(written))
        rej.add(missing, label(column.name), None, f"missing {column.name}")
    if SOURCE_ID in rows.column_names:
        ids = rows[SOURCE_ID]
        rej.add(pc.is_null(ids), label(SOURCE_ID), None, "missing source id")
        rej.add(_duplicates(ids), label(SOURCE_ID), ids, "duplicate source id")
    for name in NON_NEGATIVE & set(rows.column_names):
        rej.add(pc.less(rows[name], 0), label(name), partial(text, name), "negative amount")
    for earlier, later, reason in SEQUENCES:
        if earlier in rows.column_names and later in rows.column_names:
            mask = pc.less(rows[later], rows[earlier])
            rej.add(mask, label(later), partial(text, later), reason)
    horizon = pa.scalar(ctx.now, pa.timestamp("us"))
    for column in obj.table.columns:
        if column.name in FORWARD_LOOKING or column.name not in rows.column_names:
            continue
        if pa.types.is_timestamp(rows[column.name].type):
            mask = pc.greater(rows[column.name], horizon)
            rej.add(mask, label(column.name), partial(text, column.name), "date in the future")


def _duplicates(ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """True for every filled id that repeats an earlier row's id."""
    filled = len(ids) - ids.null_count
    if pc.count_distinct(ids, mode="only_valid").as_py() == filled:
        return pa.repeat(pa.scalar(False), len(ids))  # the usual case, told without sorting
    values = ids.to_numpy(zero_copy_only=False)
    duplicated = pd.Series(values).duplicated(keep="first").to_numpy()
    return pa.array(duplicated & ~pd.isna(values))
