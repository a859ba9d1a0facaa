"""Row checks after typing: required values, duplicate ids, negative amounts, sequences, dates.

Returns are the one place where amounts may be negative: an order whose ``kind`` is ``return``
(a cancellation or credit note), and an order line with a negative quantity (a returned line;
its net amount and cost reverse those of the sale). Prices and discounts stay non-negative.
"""

from __future__ import annotations

from functools import partial

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._guests import assign_guests
from revintel.ingest._objects import LINEAGE, MappedObject, MappingContext
from revintel.model import SOURCE_ID

NON_NEGATIVE = frozenset(
    {"amount", "list_price", "net_price", "budget", "unit_price", "unit_cost", "quantity",
     "net_amount", "cost", "employees", "capacity_hours_per_week", "duration_minutes"}
)  # fmt: skip
#: Columns of a returned order line that carry the sign of its (negative) quantity.
RETURNED_LINE_COLUMNS = frozenset({"quantity", "net_amount", "cost"})
#: Values of ``orders.kind``; empty means an order.
ORDER_KINDS = ("order", "return")
#: Values of ``activities.kind``: a preset translates the CRM's own words into these.
ACTIVITY_KINDS = ("call", "visit", "meeting", "email")
#: Columns that look forward: a date in the future is expected there.
FORWARD_LOOKING = frozenset({"expected_close_at", "valid_until", "ended_at", "period_end"})
#: (earlier, later, reason) pairs checked on every row.
SEQUENCES = (
    ("created_at", "closed_at", "closed before created"),
    ("started_at", "ended_at", "ended before started"),
    ("period_start", "period_end", "ended before started"),
)


def check_rows(obj: MappedObject, ctx: MappingContext) -> None:
    """Row checks: required values, duplicate ids, negative amounts, sequences, future dates.

    Orders without a customer number first get the mapping's guest account, if it declares one.
    """
    assign_guests(obj, ctx)
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
    returned = _returns(obj)
    _check_activity_kinds(obj)
    for name in NON_NEGATIVE & set(rows.column_names):
        negative = pc.less(rows[name], 0)
        if returned is not None and (obj.spec.table == "orders" or name in RETURNED_LINE_COLUMNS):
            negative = pc.and_(negative, pc.invert(returned))
        rej.add(negative, label(name), partial(text, name), "negative amount")
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


def _returns(obj: MappedObject) -> pa.Array | pa.ChunkedArray | None:
    """Rows that are returns (may carry negative amounts); ``None`` when the table has none.

    Orders: ``kind`` is ``return`` (other values than order or return are rejected here).
    Order lines: the quantity is negative; a line does not know its order's kind when the
    order comes from another file, so the sign of the quantity is what tells.
    """
    rows = obj.rows
    if obj.spec.table == "orders" and "kind" in rows.column_names:
        kind = rows["kind"]
        known = pc.is_in(kind, value_set=pa.array(ORDER_KINDS))
        unknown = pc.and_(pc.is_valid(kind), pc.invert(known))
        obj.rejections.add(
            unknown,
            obj.column_label("kind"),
            partial(obj.source_text, "kind"),
            "neither order nor return",
        )
        return pc.fill_null(pc.equal(kind, "return"), False)
    if obj.spec.table == "order_lines" and "quantity" in rows.column_names:
        return pc.fill_null(pc.less(rows["quantity"], 0), False)
    return None


def _check_activity_kinds(obj: MappedObject) -> None:
    """Reject activities of a kind revintel does not know (the preset names the words it reads)."""
    if obj.spec.table != "activities" or "kind" not in obj.rows.column_names:
        return
    kind = obj.rows["kind"]
    known = pc.is_in(kind, value_set=pa.array(ACTIVITY_KINDS))
    obj.rejections.add(
        pc.and_(pc.is_valid(kind), pc.invert(known)),
        obj.column_label("kind"),
        partial(obj.source_text, "kind"),
        "neither call, visit, meeting nor email",
    )


def _duplicates(ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """True for every filled id that repeats an earlier row's id."""
    if not _may_repeat(ids):
        return pa.repeat(pa.scalar(False), len(ids))  # the usual case, told without a hash table
    values = ids.to_numpy(zero_copy_only=False)
    duplicated = pd.Series(values).duplicated(keep="first").to_numpy()
    return pa.array(duplicated & ~pd.isna(values))


def _may_repeat(ids: pa.Array | pa.ChunkedArray) -> bool:
    """False when no two filled ids are equal; True when two are or their hashes collide.

    Equal ids have equal 64-bit hashes, so sorted hashes without a repeat prove the ids
    distinct. DuckDB hashes a million ids on every core and numpy sorts the hashes: several
    times faster than building Arrow's hash table of the ids themselves.
    """
    if len(ids) - ids.null_count < 2:
        return False
    rows = pa.table({"id": ids})
    if ids.null_count:
        rows = rows.filter(pc.is_valid(ids))
    with duckdb.connect() as con:
        con.register("ids", rows)
        hashes = con.sql("SELECT hash(id) AS h FROM ids").fetchnumpy()["h"]
    hashes.sort()
    return bool((hashes[1:] == hashes[:-1]).any())
