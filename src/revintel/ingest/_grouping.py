"""One record per group of a file's lines: ``group_by`` and the fields' aggregates.

The lines are typed first (sums of numbers, earliest dates), then grouped with Arrow's hash
aggregation in file order, so that ``first`` is the first non-empty value in the file. The
result is a table of groups, one row each, that is mapped like a file: its row number is that
of the group's first line, its typed columns are stored as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._evaluation import as_text
from revintel.ingest._mapping import FieldSpec, ObjectSpec
from revintel.ingest._objects import Columns, MappingContext, ShapedTable
from revintel.ingest._reading import IngestError, RawTable
from revintel.ingest._shaping import find_column, mapping_place, unknown_column
from revintel.ingest._typing import blank_to_null
from revintel.model import table

_GROUP, _ROW = "__group", "__row"


@dataclass(frozen=True)
class LineProblem:
    """Lines (``mask``) that cannot be part of their group, the column and why."""

    mask: pa.Array
    column: str
    reason: str | pa.Array


@dataclass
class _Output:
    """One column of the table of groups: which lines' values, combined how."""

    name: str
    source: str
    aggregate: str
    values: pa.Array


class GroupPlan:
    """How an object with ``group_by`` turns its lines into groups.

    Built in two steps so that lines rejected anywhere are left out of every group: the plan
    first finds the lines it cannot use (:attr:`problems`), then :meth:`build` groups the lines
    that are still good.
    """

    def __init__(self, lines: RawTable, name: str, spec: ObjectSpec, ctx: MappingContext) -> None:
        self.lines, self.name, self.spec, self.ctx = lines, name, spec, ctx
        self.cols = Columns(lines, spec, ctx)
        headers = lines.cells.column_names
        self.keys = []
        for column in spec.group_by:
            header = find_column(headers, (column,))
            if header is None:
                raise unknown_column(mapping_place(ctx, name, "group_by"), column, headers)
            self.keys.append(header)
        self.key_values = {k: blank_to_null(self.cols.text(k)) for k in self.keys}
        self.label = "+".join(self.keys)
        self.group = _group_ids(list(self.key_values.values()))
        self.problems: list[LineProblem] = []
        self.outputs: dict[tuple[str, str], _Output] = {}
        self.fields: dict[str, str] = {}
        self.constant_within: set[str] = set()
        for field_name, fspec in spec.fields.items():
            self._plan_field(field_name, fspec)
        for custom in spec.custom.values():
            # a custom field of a group is its first non-empty value, under the file's header
            for aliases in (custom.column, custom.observed_at):
                source = self.cols.find(aliases) if aliases else None
                if source is not None and source not in self.keys:
                    self._output(source, "first", source)

    def _plan_field(self, field_name: str, fspec: FieldSpec) -> None:
        if fspec.constant is not None or not fspec.column:
            return
        source = self.cols.find(fspec.column)
        if source is None:
            return
        aggregate = fspec.aggregate or "first"
        if source in self.keys and aggregate == "first":
            self.fields[field_name] = source
            return
        if fspec.aggregate is None:
            self.constant_within.add(source)
        self.fields[field_name] = self._output(source, aggregate, field_name)

    def _output(self, source: str, aggregate: str, field_name: str) -> str:
        """The name of the group table's column for ``aggregate`` of ``source``."""
        key = (source, aggregate)
        if key not in self.outputs:
            used = {o.name for o in self.outputs.values()} | set(self.keys)
            out_name = source if source not in used else f"{aggregate}({source})"
            values = self._input(field_name, source, aggregate)
            self.outputs[key] = _Output(out_name, source, aggregate, values)
        return self.outputs[key].name

    def _input(self, field_name: str, source: str, aggregate: str) -> pa.Array:
        """The lines' values an aggregate combines: typed for sums, minima and maxima."""
        derived = self.cols.derived.get(source)
        if aggregate in {"sum", "min", "max"}:
            dtype = table(self.spec.table).column(field_name).dtype.to_pyarrow()
            if aggregate == "sum" and not (
                pa.types.is_floating(dtype) or pa.types.is_integer(dtype)
            ):
                place = mapping_place(self.ctx, self.name, f"fields.{field_name}.aggregate")
                raise IngestError(f"{place}: sum needs a number column, {field_name} is not one")
            if aggregate == "sum" or not pa.types.is_string(dtype):
                typed = self.cols.typed(self.cols.text(source), dtype, source)
                if pc.any(typed.invalid).as_py():
                    reason = f"not {typed.expected}"
                    self.problems.append(LineProblem(typed.invalid, source, reason))
                return typed.values
        if derived is not None:
            return derived
        return blank_to_null(self.cols.text(source))

    def check(self, good: np.ndarray) -> None:
        """Find groups whose lines disagree on a field without aggregate (among ``good``)."""
        for source in sorted(self.constant_within):
            values = self.outputs[(source, "first")].values
            usable = pa.array(good) if len(good) else pa.array([], pa.bool_())
            rows = pa.table({_GROUP: self.group, "v": values}).filter(usable)
            counts = rows.group_by(_GROUP).aggregate([("v", "count_distinct")])
            differing = pc.filter(counts[_GROUP], pc.greater(counts["v_count_distinct"], 1))
            if len(differing) == 0:
                continue
            mask = pc.and_(pc.is_in(self.group, value_set=differing.combine_chunks()), usable)
            reason = pc.binary_join_element_wise(
                f"differs within {self.label} ", self.shown_key(), ""
            )
            self.problems.append(LineProblem(mask, source, reason))

    def shown_key(self) -> pa.Array:
        """Each line's group as written (``536365``, or ``536365/DE`` for two columns)."""
        parts = [pc.fill_null(v, "") for v in self.key_values.values()]
        return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "/")

    def missing_key(self) -> pa.Array:
        """Lines that belong to no group: every ``group_by`` column empty."""
        return pc.is_null(self.group)

    def build(self, good: np.ndarray) -> tuple[ShapedTable, ObjectSpec]:
        """The table of groups of the ``good`` lines, and the object's spec for mapping it."""
        columns: dict[str, pa.Array] = {_GROUP: self.group, _ROW: self.lines.row_numbers}
        columns.update(self.key_values)
        columns.update({o.name: o.values for o in self.outputs.values()})
        keep = pc.and_(pa.array(good, pa.bool_()), pc.is_valid(self.group))
        rows = pa.table(columns)
        if not pc.all(keep).as_py():  # usually every line is kept: then no copy of them all
            rows = rows.filter(keep)
        aggregates: list[tuple[str, str] | tuple[str, str, pc.FunctionOptions]]
        aggregates = [(_ROW, "min"), *((k, "first") for k in self.keys)]
        for output in self.outputs.values():
            if output.aggregate == "count":
                aggregates.append((output.name, "count", pc.CountOptions(mode="all")))
            else:
                aggregates.append((output.name, output.aggregate))
        grouped = rows.group_by(_GROUP, use_threads=False).aggregate(aggregates)
        cells: dict[str, pa.Array] = {k: _column(grouped, f"{k}_first") for k in self.keys}
        typed: dict[str, pa.Array] = {}
        for output in self.outputs.values():
            values = _column(grouped, f"{output.name}_{output.aggregate}")
            cells[output.name] = as_text(values)
            if not pa.types.is_string(values.type):
                typed[output.name] = values
        groups = ShapedTable(
            file=self.lines.file,
            cells=pa.table(cells),
            row_numbers=_column(grouped, f"{_ROW}_min"),
            delimiter=self.lines.delimiter,
            encoding=self.lines.encoding,
            typed=typed,
        )
        return groups, self._grouped_spec()

    def _grouped_spec(self) -> ObjectSpec:
        """The object's spec with each field reading its column of the table of groups."""
        fields = {
            name: (
                fspec.model_copy(update={"column": (self.fields[name],), "aggregate": None})
                if name in self.fields
                else fspec
            )
            for name, fspec in self.spec.fields.items()
        }
        update = {"fields": fields, "group_by": (), "where": (), "computed": {}, "from_": None}
        return self.spec.model_copy(update=update)


def _group_ids(keys: list[pa.Array]) -> pa.Array:
    """Each line's group number (in order of first appearance); null without any key."""
    if len(keys) == 1:
        combined = keys[0]
    else:
        joined = pc.binary_join_element_wise(*[pc.fill_null(k, "") for k in keys], "\x1f")
        empty = pc.and_(*[pc.is_null(k) for k in keys[:2]])
        for k in keys[2:]:
            empty = pc.and_(empty, pc.is_null(k))
        combined = pc.if_else(empty, pa.scalar(None, pa.string()), joined)
    return pc.dictionary_encode(combined).indices


def _column(rows: pa.Table, name: str) -> pa.Array:
    column = rows[name]
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
