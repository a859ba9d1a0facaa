"""Mapping one file's text cells onto a model table: typed columns, keys and row-level checks."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._checks import check_rows
from revintel.ingest._current_stage import current_milestone, stage_columns
from revintel.ingest._mapping import SNAPSHOT, FieldSpec, ObjectSpec
from revintel.ingest._objects import (
    LINEAGE,
    Columns,
    MappedObject,
    MappingContext,
    constant,
    repeated,
)
from revintel.ingest._reading import IngestError, RawTable
from revintel.ingest._rejections import Rejections
from revintel.ingest._typing import blank_to_null
from revintel.model import IMPORT_BATCH_ID, SOURCE_ID, SOURCE_SYSTEM


def map_values(text: pa.Array, values: dict[str, str]) -> pa.Array:
    """Replace values found in ``values`` (case-insensitive); others stay as they are."""
    if not values:
        return text
    keys = pa.array([k.strip().casefold() for k in values], pa.string())
    targets = pa.array(list(values.values()), pa.string())
    index = pc.index_in(pc.utf8_lower(pc.utf8_trim_whitespace(text)), value_set=keys)
    return pc.if_else(pc.is_valid(index), pc.take(targets, index), text)


def _map_field(
    name: str, fspec: FieldSpec, cols: Columns, obj: MappedObject, length: int
) -> pa.Array | None:
    dtype = obj.table.column(name).dtype.to_pyarrow()
    if fspec.constant is not None:
        return cols.typed(constant(fspec.constant, length), dtype, name, cached=False).values
    source = cols.find(fspec.column) if fspec.column else None
    if source is None:
        required = obj.table.column(name).required
        undated = pa.types.is_timestamp(dtype) and cols.ctx.as_of is not None
        if fspec.column and fspec.fallback is None and required and not undated:
            hint = (
                "; give --as-of YYYY-MM-DD to date every record of an undated file"
                if pa.types.is_timestamp(dtype)
                else ""
            )
            raise IngestError(
                f"{cols.raw.file}: no column for required field {name!r} "
                f"(looked for {', '.join(fspec.column)}){hint}"
            )
        return None
    obj.source_columns[name] = source
    text = map_values(cols.text(source), fspec.values)
    if fspec.ref is not None:
        cleaned = blank_to_null(text)
        return cols.ctx.key(cleaned)
    typed = cols.typed(text, dtype, source, cached=not fspec.values)
    obj.rejections.add(
        _not_reported(obj.raw, source, typed.invalid),
        source,
        lambda: blank_to_null(cols.text(source)),
        f"not {typed.expected}",
    )
    if pa.types.is_timestamp(dtype):
        obj.dates[source] = typed.values
    return typed.values


def _not_reported(raw: RawTable, column: str, invalid: pa.Array) -> pa.Array:
    """``invalid`` without the cells of ``column`` already rejected (by an expression, say)."""
    for problem in raw.problems:
        if problem.column == column:
            invalid = pc.and_(invalid, pc.invert(problem.mask))
    return invalid


def _plain_fields(cols: Columns, obj: MappedObject) -> list[tuple[str, pa.DataType]]:
    """(header, type) of the fields typed straight from a column of the file."""
    out = []
    for name, fspec in obj.spec.fields.items():
        derived = fspec.constant is not None or fspec.ref is not None or fspec.values
        if derived or not fspec.column or name in LINEAGE:
            continue
        source = cols.find(fspec.column)
        if source is not None and name in obj.table.column_names():
            out.append((source, obj.table.column(name).dtype.to_pyarrow()))
    return out


def _source_ids(cols: Columns, spec: ObjectSpec) -> tuple[pa.Array, str]:
    found = [cols.find(tuple(c.split("|"))) for c in spec.id]
    missing = [c for c, f in zip(spec.id, found, strict=True) if f is None]
    if missing:
        raise IngestError(f"{cols.raw.file}: no id column {', '.join(missing)}")
    parts = [blank_to_null(cols.text(f)) for f in found if f is not None]
    ids = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "/")
    return ids, "+".join(f for f in found if f is not None)


def map_object(raw: RawTable, name: str, spec: ObjectSpec, ctx: MappingContext) -> MappedObject:
    """Map ``raw`` onto ``spec.table``: type every field, build keys, check each row."""
    obj = MappedObject(name, spec, raw, pa.table({}), Rejections(raw.row_numbers))
    obj.rejections.add_bad_rows([(b.row_number, b.text, b.reason) for b in raw.bad_rows])
    for problem in raw.problems:
        column = raw.cells[problem.column].combine_chunks
        obj.rejections.add(problem.mask, problem.column, column, problem.reason)
    cols = Columns(raw, spec, ctx)
    cols.prefetch(_plain_fields(cols, obj))
    length = raw.cells.num_rows
    columns: dict[str, pa.Array] = {}
    for column in obj.table.column_names():
        if column in LINEAGE:
            continue
        fspec = spec.fields.get(column)
        if fspec is not None:
            values = _map_field(column, fspec, cols, obj, length)
            if values is not None:
                columns[column] = values
    if spec.table != "milestones":
        ids, id_label = _source_ids(cols, spec)
        key_column = obj.table.key[0]
        obj.source_columns[key_column] = id_label
        obj.source_columns[SOURCE_ID] = id_label
        columns[SOURCE_ID] = ids
        columns[key_column] = ctx.key(ids)
    for column, stage_dates in _stage_date_columns(cols, spec).items():
        obj.dates.setdefault(column, stage_dates)
    _apply_fallbacks(obj, spec, columns, length)
    _apply_as_of(obj, columns, ctx, length)
    if spec.stage is not None:
        obj.current = current_milestone(obj, cols, ctx)
        stage_columns(obj, ctx, columns, length)
    columns[SOURCE_SYSTEM] = repeated(ctx.mapping.system, length)
    columns[IMPORT_BATCH_ID] = repeated(ctx.batch_id, length)
    obj.rows = pa.table(columns)
    check_rows(obj, ctx)
    return obj


def _stage_date_columns(cols: Columns, spec: ObjectSpec) -> dict[str, pa.Array]:
    out: dict[str, pa.Array] = {}
    if spec.stage is None:
        return out
    for aliases in (*spec.stage.dated_by.values(), *spec.stage.entered.values()):
        source = cols.find(aliases)
        if source is not None and source not in out:
            typed = cols.dates(source)
            out[source] = typed.values
    return out


def _apply_fallbacks(
    obj: MappedObject, spec: ObjectSpec, columns: dict[str, pa.Array], n: int
) -> None:
    for column, fspec in spec.fields.items():
        if fspec.fallback is None:
            continue
        dtype = obj.table.column(column).dtype.to_pyarrow()
        if fspec.fallback == SNAPSHOT:
            latest = max(
                (pc.max(a).as_py() for a in obj.dates.values() if len(a)),
                default=None,
                key=lambda v: (v is not None, v),
            )
            substitute = pa.repeat(pa.scalar(latest, dtype), n)
        elif fspec.fallback in columns:
            substitute = columns[fspec.fallback]
        else:
            continue
        current = columns.get(column, pa.nulls(n, dtype))
        obj.fallback_used[column] = pc.is_null(current)
        columns[column] = pc.coalesce(current, substitute.cast(dtype))


def _apply_as_of(
    obj: MappedObject, columns: dict[str, pa.Array], ctx: MappingContext, n: int
) -> None:
    """Set required dates that have no value (no column, or an empty cell) to ``ctx.as_of``.

    A cell that was written but is not a date keeps its rejection: the date given stands for
    missing information, not for wrong information.
    """
    if ctx.as_of is None:
        return
    for column in obj.table.columns:
        dtype = column.dtype.to_pyarrow()
        if not column.required or column.name in LINEAGE or not pa.types.is_timestamp(dtype):
            continue
        current = columns.get(column.name, pa.nulls(n, dtype))
        empty = pc.is_null(current)
        written = obj.source_text(column.name)
        if written is not None:
            empty = pc.and_(empty, pc.is_null(written))
        if not pc.any(empty).as_py():
            continue
        obj.as_of_filled[column.name] = empty
        columns[column.name] = pc.if_else(empty, pa.scalar(ctx.as_of, dtype), current)


def accepted_mask(obj: MappedObject) -> np.ndarray:
    """Rows of ``obj`` without any recorded problem."""
    return ~obj.rejections.rejected_mask(obj.rows.num_rows).to_numpy(zero_copy_only=False)
