"""What mapping a file produces and needs: the shared context, the mapped object, typed columns."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._mapping import ObjectSpec, SourceMapping
from revintel.ingest._reading import IngestError, RawTable
from revintel.ingest._rejections import Rejections
from revintel.ingest._typing import (
    Typed,
    blank_to_null,
    number_values,
    parse_booleans,
    parse_dates,
    parse_text,
    typed_numbers,
)
from revintel.ingest._zones import to_store_time
from revintel.model import IMPORT_BATCH_ID, SOURCE_ID, SOURCE_SYSTEM, FunnelDefinition, Table, table

#: Lineage columns, filled by the importer rather than mapped from a file.
LINEAGE = frozenset({SOURCE_SYSTEM, SOURCE_ID, IMPORT_BATCH_ID})


@dataclass
class ShapedTable(RawTable):
    """A file's rows after a mapping's ``where`` and ``computed``, or one row per group.

    ``cells`` also holds the derived columns as text (shown in rejected rows); ``typed`` holds
    them as computed (numbers, dates), so that they are stored as they are rather than parsed
    again with the file's decimal and date rules. ``positions`` are the rows' indices in the
    table they were taken from; ``skipped`` counts the rows a ``where`` left out;
    ``extra_read`` counts lines rejected before grouping.
    """

    typed: dict[str, pa.Array] = field(default_factory=dict)
    positions: pa.Array | None = None
    skipped: int = 0
    extra_read: int = 0

    @property
    def rows_read(self) -> int:
        """Rows (or groups) of the object, with the lines rejected before grouping."""
        return self.cells.num_rows + len(self.bad_rows) + self.extra_read


@dataclass(frozen=True)
class MappingContext:
    """What every file of one import shares."""

    mapping: SourceMapping
    funnel: FunnelDefinition
    batch_id: str
    now: datetime
    date_format: str | None = None
    #: The zone the export's times without an offset are in, and the store's zone; times are
    #: stored as wall-clock times of the latter (``None``: as written).
    source_zone: ZoneInfo | None = None
    store_zone: ZoneInfo | None = None
    #: The date given for undated records (``--as-of``): fills required dates left empty.
    as_of: datetime | None = None

    def store_times(self, typed: Typed, text: pa.Array) -> Typed:
        """``typed`` dates (parsed from ``text``) as wall-clock times of the store's zone."""
        if self.source_zone is None or self.store_zone is None:
            return typed
        values = to_store_time(typed.values, text, self.source_zone, self.store_zone)
        return Typed(values, typed.invalid, typed.expected)

    def numbers(
        self,
        text: pa.Array,
        *,
        decimal: str | None,
        default_decimal: str,
        integer: bool,
        column_name: str,
        file: str,
    ) -> Typed:
        """:func:`parse_numbers` of ``text``, parsed once however many objects read it.

        A line-level file feeds several objects, and an expression (``number({Quantity})``) and
        a field (``quantity``) read the same column: the parse is shared, keyed by the cells'
        Arrow buffers. Only the current file's columns are kept, so that an import of many
        files does not hold on to earlier ones.
        """
        if not isinstance(text, pa.Array):
            text = pa.chunked_array(text).combine_chunks()
        key = (_identity(text), decimal, default_decimal)
        cache = self._number_cache
        if cache.get("file") != file:
            cache.clear()
            cache["file"] = file
        hit = cache.get(key)
        if hit is None:
            parsed = numbers_per_distinct_value(
                text,
                decimal=decimal,
                default_decimal=default_decimal,
                column_name=column_name,
                file=file,
            )
            hit = cache[key] = (text, *parsed)  # the text is kept so its buffers stay its own
        _, cells, values = hit
        return typed_numbers(cells, values, integer)

    @cached_property
    def _number_cache(self) -> dict[object, Any]:
        return {}

    @cached_property
    def stage_map(self) -> dict[str, str]:
        """Case-folded source stage name → milestone id (funnel names plus the mapping's own)."""
        names = self.funnel.stage_map(self.mapping.system)
        names.update({k.strip().casefold(): v for k, v in self.mapping.stages.items()})
        return names

    def key(self, source_ids: pa.Array) -> pa.Array:
        """Store keys: the system name, a colon, the source id."""
        # inserting before byte 0 is a plain copy, some three times faster than a join
        return pc.binary_replace_slice(source_ids, 0, 0, f"{self.mapping.system}:")


@dataclass
class MappedObject:
    """One file mapped onto its table; ``rows`` holds every row, rejected ones included."""

    name: str
    spec: ObjectSpec
    raw: RawTable
    rows: pa.Table
    rejections: Rejections
    source_columns: dict[str, str] = field(default_factory=dict)
    dates: dict[str, pa.Array] = field(default_factory=dict)
    current: pa.Array | None = None
    stage_text: pa.Array | None = None
    fallback_used: dict[str, pa.Array] = field(default_factory=dict)
    #: Required date column → rows whose empty value was set to the import's ``as_of``.
    as_of_filled: dict[str, pa.Array] = field(default_factory=dict)

    @property
    def table(self) -> Table:
        """The model table the file loads into."""
        return table(self.spec.table)

    def source_text(self, model_column: str) -> pa.Array | None:
        """The file's cells behind a model column, as written (``None`` when not from a column)."""
        source = self.source_columns.get(model_column)
        if source is None or source not in self.raw.cells.column_names:
            return None
        return blank_to_null(self.raw.cells[source])

    def column_label(self, model_column: str) -> str:
        """The file's header for a model column (the model name when it had none)."""
        return self.source_columns.get(model_column, model_column)


class Columns:
    """Header lookup and per-column typing for one file, each column typed once."""

    def __init__(self, raw: RawTable, spec: ObjectSpec, ctx: MappingContext) -> None:
        self.raw = raw
        self.spec = spec
        self.ctx = ctx
        self.by_folded = {name.casefold(): name for name in raw.cells.column_names}
        self.derived = raw.typed if isinstance(raw, ShapedTable) else {}
        self.typed_dates: dict[str, Typed] = {}
        self.default_decimal = "," if raw.delimiter == ";" else "."
        self._ahead: dict[tuple[str, str], Future[Typed]] = {}

    def prefetch(self, columns: list[tuple[str, pa.DataType]]) -> None:
        """Type these (column, type) pairs on two threads, ahead of the mapping in field order.

        Arrow's kernels release the GIL, so columns are typed side by side. Errors stay in their
        futures and surface when :meth:`typed` reaches the column, in the usual order.
        """
        with ThreadPoolExecutor(max_workers=2) as pool:
            for column, dtype in columns:
                computed = column in self.derived and not pa.types.is_string(
                    self.derived[column].type
                )
                if (column, str(dtype)) not in self._ahead and not computed:
                    job = pool.submit(self._ahead_of_time, column, dtype)
                    self._ahead[(column, str(dtype))] = job

    def find(self, aliases: tuple[str, ...]) -> str | None:
        return next(
            (self.by_folded[a.casefold()] for a in aliases if a.casefold() in self.by_folded), None
        )

    def text(self, column: str) -> pa.Array:
        chunked = self.raw.cells[column]
        return chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)

    def dates(self, column: str) -> Typed:
        derived = self.derived.get(column)
        if derived is not None and pa.types.is_timestamp(derived.type):
            return Typed(derived, pa.repeat(pa.scalar(False), len(derived)), "a date")
        if column not in self.typed_dates:
            fmt = self.ctx.date_format or self.spec.date_format or self.ctx.mapping.date_format
            file = self.raw.file

            def parse(text: pa.Array) -> Typed:
                typed = parse_dates(text, fmt=fmt, column_name=column, file=file)
                return self.ctx.store_times(typed, text)

            self.typed_dates[column] = on_distinct_values(self.text(column), parse)
        return self.typed_dates[column]

    def _ahead_of_time(self, column: str, dtype: pa.DataType) -> Typed:
        return self._type(self.text(column), dtype, column, cached=True)

    def typed(self, text: pa.Array, dtype: pa.DataType, column: str, cached: bool = True) -> Typed:
        """``text`` typed as ``dtype``; ``cached`` when ``text`` is the file's column as it is."""
        ahead = self._ahead.pop((column, str(dtype)), None) if cached else None
        if ahead is not None:
            return ahead.result()
        derived = self.derived.get(column) if cached else None
        if derived is not None and not pa.types.is_string(derived.type):
            as_computed = derived_as(derived, dtype)
            if as_computed is not None:
                return as_computed
        return self._type(text, dtype, column, cached)

    def _type(self, text: pa.Array, dtype: pa.DataType, column: str, cached: bool) -> Typed:
        if pa.types.is_timestamp(dtype) or pa.types.is_date(dtype):
            if cached:
                typed = self.dates(column)
            else:
                typed = self.ctx.store_times(parse_dates(text, column_name=column), text)
            if pa.types.is_date(dtype):
                return Typed(pc.cast(typed.values, pa.date32()), typed.invalid, typed.expected)
            return typed
        if pa.types.is_floating(dtype) or pa.types.is_integer(dtype):
            decimal = self.spec.decimal or self.ctx.mapping.decimal
            return self.ctx.numbers(
                text,
                decimal=decimal,
                default_decimal=self.default_decimal,
                integer=pa.types.is_integer(dtype),
                column_name=column,
                file=self.raw.file,
            )
        if pa.types.is_boolean(dtype):
            return parse_booleans(text)
        return parse_text(text)


#: Columns at least this long are typed once per distinct value when few values repeat often.
_DISTINCT_FROM_ROWS = 50_000


def on_distinct_values(text: pa.Array, typing: Callable[[pa.Array], Typed]) -> Typed:
    """``typing(text)``, computed on the distinct values when each repeats four times or more.

    A line-level export repeats its order's date on every line: parsing forty thousand dates
    and spreading them over a million lines is several times cheaper than parsing each line.
    """
    if len(text) < _DISTINCT_FROM_ROWS or not pa.types.is_string(text.type):
        return typing(text)
    encoded = pc.dictionary_encode(text)
    if len(encoded.dictionary) * 4 > len(text):
        return typing(text)
    once = typing(encoded.dictionary)
    values = pc.take(once.values, encoded.indices)
    invalid = pc.fill_null(pc.take(once.invalid, encoded.indices), False)
    return Typed(values, invalid, once.expected)


def numbers_per_distinct_value(text: pa.Array, **options: Any) -> tuple[pa.Array, pa.Array]:
    """:func:`number_values`, parsed once per distinct value when values repeat (quantities,
    prices of a line-level export): the separator is decided on the same set of values."""
    if len(text) >= _DISTINCT_FROM_ROWS and pa.types.is_string(text.type):
        encoded = pc.dictionary_encode(text)
        if len(encoded.dictionary) * 4 <= len(text):
            try:
                _, values = number_values(encoded.dictionary, **options)
            except IngestError:
                return number_values(text, **options)  # its message counts the file's cells
            return blank_to_null(text), pc.take(values, encoded.indices)
    return number_values(text, **options)


def derived_as(values: pa.Array, dtype: pa.DataType) -> Typed | None:
    """A computed column as ``dtype`` without going through text (``None``: types differ).

    Numbers stay numbers (a whole-number column rejects fractions), dates stay dates.
    """
    none = pa.repeat(pa.scalar(False), len(values))
    numeric = pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
    if numeric and pa.types.is_floating(dtype):
        return Typed(pc.cast(values, dtype), none, "a number")
    if numeric and pa.types.is_integer(dtype):
        floats = pc.cast(values, pa.float64())
        whole = pc.equal(pc.floor(floats), floats)
        kept = pc.if_else(whole, floats, pa.scalar(None, pa.float64()))
        return Typed(pc.cast(kept, dtype, safe=False), pc.invert(whole), "a whole number")
    if pa.types.is_timestamp(values.type) and pa.types.is_timestamp(dtype):
        return Typed(pc.cast(values, dtype), none, "a date")
    if pa.types.is_timestamp(values.type) and pa.types.is_date(dtype):
        return Typed(pc.cast(values, dtype), none, "a date")
    if pa.types.is_boolean(values.type) and pa.types.is_boolean(dtype):
        return Typed(values, none, "yes or no")
    return None


def _identity(values: pa.Array) -> tuple[object, ...]:
    """What makes two Arrow arrays the same cells: their type, buffers, offset and length."""
    buffers = tuple(b.address if b is not None else None for b in values.buffers())
    return (str(values.type), buffers, values.offset, len(values))


def constant(value: str, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), length)


def repeated(value: str, length: int) -> pa.DictionaryArray:
    """``value`` ``length`` times, dictionary-encoded: one copy of the text, not ``length``.

    Used for the lineage and label columns written as they are (the store keeps them as text).
    """
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(length, np.int32)), pa.array([value], pa.string())
    )
