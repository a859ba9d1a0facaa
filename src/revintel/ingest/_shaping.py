"""Shaping a file's rows before mapping: ``computed`` columns, ``where`` filters, generated ids.

Every step works on whole Arrow columns. A computed column is kept twice: typed (what fields
store) and as text (what a rejected row shows). A row an expression fails on is not dropped but
rejected, with the file column whose cell could not be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._cells import CellProblem
from revintel.ingest._evaluation import RowProblem, as_text, evaluate
from revintel.ingest._expressions import Expression, ExpressionError, parse_expression
from revintel.ingest._mapping import OCCURRENCE, ROW, ObjectSpec
from revintel.ingest._objects import MappingContext, ShapedTable
from revintel.ingest._reading import IngestError, RawTable
from revintel.ingest._typing import Typed, parse_dates, trim_whitespace

#: Last alias of an optional column reference, ``{Sales|Net Amount|?}``: empty when absent.
OPTIONAL = "?"
#: File columns listed in a message about an unknown column.
_SHOWN_COLUMNS = 40


def mapping_place(ctx: MappingContext, name: str, key: str) -> str:
    """``mapping.yaml: objects.orders.group_by`` — where in the mapping a problem is."""
    return f"{ctx.mapping.origin}: objects.{name}.{key}"


def unknown_column(place: str, column: str, headers: list[str]) -> IngestError:
    """The error for a column the file does not have, listing the columns it has."""
    shown = ", ".join(headers[:_SHOWN_COLUMNS]) + (" …" if len(headers) > _SHOWN_COLUMNS else "")
    return IngestError(f"{place}: unknown column {column!r} (file columns: {shown})")


def find_column(headers: list[str], aliases: tuple[str, ...]) -> str | None:
    """The first of ``aliases`` (``"A|B"`` also splits) among ``headers``, case-insensitively."""
    folded = {h.casefold(): h for h in headers}
    parts = [p.strip() for a in aliases for p in a.split("|") if p.strip()]
    return next((folded[p.casefold()] for p in parts if p.casefold() in folded), None)


@dataclass
class _Scope:
    """The columns an expression of one object reads, and the mapping's parsers."""

    cells: dict[str, pa.Array]
    typed: dict[str, pa.Array]
    spec: ObjectSpec
    ctx: MappingContext
    file: str
    default_decimal: str
    place: str = ""
    # A column read by several expressions (number({Quantity}) in a total and in a condition)
    # is trimmed and parsed once: (header) → text, (parser, text's id) → (text, typed).
    _texts: dict[str, pa.Array] = field(default_factory=dict)
    _parsed: dict[tuple[str, int], tuple[pa.Array, Typed]] = field(default_factory=dict)
    # A trimmed column's id → the file's column it was trimmed from: numbers are parsed from
    # the latter (the parser trims anyway), so that the parse is shared with the fields that
    # read the same column (MappingContext.numbers).
    _untrimmed: dict[int, pa.Array] = field(default_factory=dict)
    # `{Sales|?}`, `{Cost|?}`, … of a file without them: one empty column, parsed once.
    _empty: pa.Array | None = None

    @property
    def length(self) -> int:
        return len(next(iter(self.cells.values()))) if self.cells else 0

    @property
    def lookups(self) -> dict[str, dict[str, str]]:
        return self.ctx.mapping.lookups

    def column(self, aliases: tuple[str, ...]) -> tuple[str, pa.Array]:
        header = find_column(list(self.cells), aliases)
        if header is None and OPTIONAL in aliases:
            # `{A|B|?}`: a column the file may lack (a preset for many layouts) reads as empty
            if self._empty is None:
                self._empty = pa.repeat(pa.scalar("", pa.string()), self.length)
            return aliases[0], self._empty
        if header is None:
            raise unknown_column(self.place, aliases[0], list(self.cells))
        if header in self.typed:
            return header, self.typed[header]
        if header not in self._texts:
            trimmed = pc.fill_null(trim_whitespace(self.cells[header]), "")
            self._texts[header] = trimmed
            self._untrimmed[id(trimmed)] = self.cells[header]
        return header, self._texts[header]

    def numbers(self, text: pa.Array, label: str) -> Typed:
        return self._once("number", text, lambda: self._numbers(text, label))

    def _numbers(self, text: pa.Array, label: str) -> Typed:
        return self.ctx.numbers(
            self._untrimmed.get(id(text), text),
            decimal=self.spec.decimal or self.ctx.mapping.decimal,
            default_decimal=self.default_decimal,
            integer=False,
            column_name=label,
            file=self.file,
        )

    def dates(self, text: pa.Array, label: str) -> Typed:
        return self._once("date", text, lambda: self._dates(text, label))

    def _dates(self, text: pa.Array, label: str) -> Typed:
        fmt = self.ctx.date_format or self.spec.date_format or self.ctx.mapping.date_format
        typed = parse_dates(text, fmt=fmt, column_name=label, file=self.file)
        return self.ctx.store_times(typed, text)

    def _once(self, kind: str, text: pa.Array, parse: Callable[[], Typed]) -> Typed:
        key = (kind, id(text))
        if key not in self._parsed:
            self._parsed[key] = (text, parse())  # the text is kept so that its id stays unique
        return self._parsed[key][1]


@contextmanager
def _named(place: str) -> Iterator[None]:
    """Prefix expression errors with where in the mapping they are."""
    try:
        yield
    except ExpressionError as exc:
        raise IngestError(f"{place}: {exc}") from None


def used_columns(spec: ObjectSpec, headers: list[str]) -> list[str]:
    """The ``headers`` an object reads: its fields, ids, groups, expressions, custom fields."""
    if spec.stage is not None:
        return headers
    aliases = [f.column for f in spec.fields.values() if f.column]
    aliases += [(c,) for c in (*spec.group_by, *spec.id)]
    for text in (*spec.where, *spec.computed.values()):
        aliases += parse_expression(text).references()
    for custom in spec.custom.values():
        aliases += [custom.column, custom.observed_at]
    found = {find_column(headers, a) for a in aliases if a}
    return [h for h in headers if h in found] or headers[:1]


def needs_shaping(spec: ObjectSpec) -> bool:
    """Whether the object computes, filters or generates ids (otherwise the file maps as is)."""
    return bool(spec.computed or spec.where or {ROW, OCCURRENCE} & set(spec.id))


def shape_rows(raw: RawTable, name: str, spec: ObjectSpec, ctx: MappingContext) -> ShapedTable:
    """``raw`` with ``spec``'s computed columns and generated ids, filtered by its ``where``.

    Row numbers stay those of the file; ``positions`` are the kept rows' indices in ``raw``.
    Rows an expression fails on are kept and carry a problem, so that they are rejected.
    """
    cells = {n: _combined(raw.cells[n]) for n in raw.cells.column_names}
    typed = dict(raw.typed) if isinstance(raw, ShapedTable) else {}
    problems = list(raw.problems)
    default_decimal = "," if raw.delimiter == ";" else "."
    scope = _Scope(cells, typed, spec, ctx, raw.file, default_decimal)
    for key, text in spec.computed.items():
        scope.place = mapping_place(ctx, name, f"computed.{key}")
        if find_column(list(cells), (key,)) is not None:
            raise IngestError(f"{scope.place}: the file already has a column {key!r}")
        with _named(scope.place):
            expression = parse_expression(text)
            values, found = evaluate(expression, scope, key)
        if not pa.types.is_string(values.type):
            typed[key] = values
        cells[key] = as_text(values)
        problems += _cell_problems(found, expression, scope, key)
    _generate_ids(cells, raw.row_numbers, spec, ctx, name)
    keep = _where(scope, name, problems)
    return _filtered(raw, cells, typed, _first_per_cell(problems, len(raw.problems)), keep)


def _where(scope: _Scope, name: str, problems: list[CellProblem]) -> pa.Array | None:
    """Rows every ``where`` expression holds for (or could not be decided on: rejected)."""
    keep: pa.Array | None = None
    for i, text in enumerate(scope.spec.where):
        scope.place = mapping_place(scope.ctx, name, f"where[{i}]")
        with _named(scope.place):
            expression = parse_expression(text)
            values, found = evaluate(expression, scope, "where")
        if not pa.types.is_boolean(values.type):
            raise IngestError(f"{scope.place}: {text!r} is not a condition (true or false)")
        holds = pc.fill_null(values, False)
        for problem in found:
            holds = pc.or_(holds, pc.fill_null(problem.mask, False))
        problems += _cell_problems(found, expression, scope, "where")
        keep = holds if keep is None else pc.and_(keep, holds)
    return keep


def _cell_problems(
    found: list[RowProblem], expression: Expression, scope: _Scope, key: str
) -> list[CellProblem]:
    """Row problems as the reader's cell problems, each naming a column of the rows."""
    out = []
    for problem in found:
        column = problem.column
        if column not in scope.cells:
            referenced = [find_column(list(scope.cells), a) for a in expression.references()]
            column = next((c for c in referenced if c is not None), key)
        out.append(CellProblem(pc.fill_null(problem.mask, False), column, problem.reason))
    return out


def _first_per_cell(problems: list[CellProblem], given: int) -> list[CellProblem]:
    """Problems after the first ``given`` without a cell already reported by an expression.

    ``number({Quantity})`` in two computed columns fails on the same cells: one rejection each.
    """
    seen: dict[str, pa.Array] = {}
    out = problems[:given]
    for problem in problems[given:]:
        earlier = seen.get(problem.column)
        mask = problem.mask if earlier is None else pc.and_(problem.mask, pc.invert(earlier))
        seen[problem.column] = mask if earlier is None else pc.or_(earlier, mask)
        out.append(CellProblem(mask, problem.column, problem.reason))
    return out


def _generate_ids(
    cells: dict[str, pa.Array],
    row_numbers: pa.Array,
    spec: ObjectSpec,
    ctx: MappingContext,
    name: str,
) -> None:
    """Add ``@row`` (the file's row number) and ``@occurrence`` when the object's id uses them.

    The occurrence is counted over the whole file before any ``where``, so that changing a
    filter does not renumber the lines kept.
    """
    if ROW in spec.id:
        cells[ROW] = pc.cast(row_numbers, pa.string())
    if OCCURRENCE not in spec.id:
        return
    others = [c for c in spec.id if c not in {ROW, OCCURRENCE}]
    headers = []
    for column in others:
        header = find_column(list(cells), (column,))
        if header is None:
            raise unknown_column(mapping_place(ctx, name, "id"), column, list(cells))
        headers.append(header)
    length = len(row_numbers)
    if not headers:
        codes = np.zeros(length, dtype=np.int64)
    else:
        codes = _key_codes([pc.fill_null(cells[h], "") for h in headers])
    cells[OCCURRENCE] = pc.cast(pa.array(_occurrences_of_codes(codes)), pa.string())


def _key_codes(parts: list[pa.Array]) -> np.ndarray:
    """One integer per row, equal exactly where every part is equal.

    Each part is dictionary-encoded on its own and the codes combined by mixed radix: far
    cheaper than joining the parts into one text per row and hashing that (the parts are
    cells, which never hold the control character the join used to separate them).
    """
    codes = np.zeros(len(parts[0]), dtype=np.int64)
    size = 1
    for part in parts:
        encoded = pc.dictionary_encode(part)
        values = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        width = max(len(encoded.dictionary), 1)
        if size * width >= 2**62:  # renumber densely before the product could overflow
            distinct, codes = np.unique(codes, return_inverse=True)
            size = len(distinct)
        codes = codes * width + values
        size *= width
    return codes


def occurrences(keys: pa.Array) -> np.ndarray:
    """For each row, how many times its key occurred up to and including it (1, 2, …)."""
    return _occurrences_of_codes(pc.dictionary_encode(keys).indices.to_numpy(zero_copy_only=False))


def _occurrences_of_codes(codes: np.ndarray) -> np.ndarray:
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    positions = np.arange(len(codes))
    starts = np.ones(len(codes), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    first = np.maximum.accumulate(np.where(starts, positions, 0))
    out = np.empty(len(codes), dtype=np.int64)
    out[order] = positions - first + 1
    return out


def _filtered(
    raw: RawTable,
    cells: dict[str, pa.Array],
    typed: dict[str, pa.Array],
    problems: list[CellProblem],
    keep: pa.Array | None,
) -> ShapedTable:
    positions = pc.indices_nonzero(keep) if keep is not None else None
    if positions is not None and len(positions) == len(raw.row_numbers):
        positions = None  # every row kept: no copy
    if positions is not None:
        cells = {k: pc.take(v, positions) for k, v in cells.items()}
        typed = {k: pc.take(v, positions) for k, v in typed.items()}
        problems = [CellProblem(pc.take(p.mask, positions), p.column, p.reason) for p in problems]
    row_numbers = raw.row_numbers if positions is None else pc.take(raw.row_numbers, positions)
    kept = len(row_numbers)
    return ShapedTable(
        file=raw.file,
        cells=pa.table(cells) if cells else raw.cells.slice(0, kept),
        row_numbers=row_numbers,
        delimiter=raw.delimiter,
        encoding=raw.encoding,
        bad_rows=raw.bad_rows,
        problems=[p for p in problems if pc.any(p.mask).as_py()],
        typed=typed,
        positions=positions if positions is not None else pa.array(np.arange(kept)),
        skipped=len(raw.row_numbers) - kept,
    )


def _combined(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def keep_rows(shaped: ShapedTable, keep: np.ndarray) -> ShapedTable:
    """``shaped`` with only the rows where ``keep`` is true; positions still point upstream."""
    cells = {n: _combined(shaped.cells[n]) for n in shaped.cells.column_names}
    kept = _filtered(shaped, cells, dict(shaped.typed), list(shaped.problems), pa.array(keep))
    if shaped.positions is not None:
        kept.positions = pc.take(shaped.positions, kept.positions)
    kept.skipped = shaped.skipped  # rows left out here were rejected, not filtered
    return kept
