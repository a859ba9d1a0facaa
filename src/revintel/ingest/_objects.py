"""What mapping a file produces and needs: the shared context, the mapped object, typed columns."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._mapping import ObjectSpec, SourceMapping
from revintel.ingest._reading import RawTable
from revintel.ingest._rejections import Rejections
from revintel.ingest._typing import (
    Typed,
    blank_to_null,
    parse_booleans,
    parse_dates,
    parse_numbers,
    parse_text,
)
from revintel.ingest._zones import to_store_time
from revintel.model import IMPORT_BATCH_ID, SOURCE_ID, SOURCE_SYSTEM, FunnelDefinition, Table, table

#: Lineage columns, filled by the importer rather than mapped from a file.
LINEAGE = frozenset({SOURCE_SYSTEM, SOURCE_ID, IMPORT_BATCH_ID})


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

    def store_times(self, typed: Typed, text: pa.Array) -> Typed:
        """``typed`` dates (parsed from ``text``) as wall-clock times of the store's zone."""
        if self.source_zone is None or self.store_zone is None:
            return typed
        values = to_store_time(typed.values, text, self.source_zone, self.store_zone)
        return Typed(values, typed.invalid, typed.expected)

    @cached_property
    def stage_map(self) -> dict[str, str]:
        """Case-folded source stage name → milestone id (funnel names plus the mapping's own)."""
        names = self.funnel.stage_map(self.mapping.system)
        names.update({k.strip().casefold(): v for k, v in self.mapping.stages.items()})
        return names

    def key(self, source_ids: pa.Array) -> pa.Array:
        """Store keys: the system name, a colon, the source id."""
        return pc.binary_join_element_wise(f"{self.mapping.system}:", source_ids, "")


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
                if (column, str(dtype)) not in self._ahead:
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
        if column not in self.typed_dates:
            fmt = self.ctx.date_format or self.spec.date_format or self.ctx.mapping.date_format
            text = self.text(column)
            typed = parse_dates(text, fmt=fmt, column_name=column, file=self.raw.file)
            self.typed_dates[column] = self.ctx.store_times(typed, text)
        return self.typed_dates[column]

    def _ahead_of_time(self, column: str, dtype: pa.DataType) -> Typed:
        return self._type(self.text(column), dtype, column, cached=True)

    def typed(self, text: pa.Array, dtype: pa.DataType, column: str, cached: bool = True) -> Typed:
        """``text`` typed as ``dtype``; ``cached`` when ``text`` is the file's column as it is."""
        ahead = self._ahead.pop((column, str(dtype)), None) if cached else None
        if ahead is not None:
            return ahead.result()
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
            return parse_numbers(
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


def constant(value: str, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), length)


def repeated(value: str, length: int) -> pa.DictionaryArray:
    """``value`` ``length`` times, dictionary-encoded: one copy of the text, not ``length``.

    Used for the lineage and label columns written as they are (the store keeps them as text).
    """
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(length, np.int32)), pa.array([value], pa.string())
    )
