"""Evaluating a checked expression on whole Arrow columns.

File columns are text; ``number()`` and ``date()`` parse them with the mapping's rules (the same
parsers as fields), and a cell they cannot read becomes a :class:`RowProblem`: the row is
rejected with the column named, its value is null. Arithmetic and comparisons read text operands
as numbers (or dates, next to a date) the same way.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._expressions import Expression, ExpressionError, function_name, shown_text
from revintel.ingest._months import (
    dated_months,
    month_bounds,
    parse_month_numbers,
    parse_months,
)
from revintel.ingest._typing import Typed, blank_to_null, trim_whitespace

Scalar = str | int | float | bool | datetime | None


class Scope(Protocol):
    """What an expression reads: columns by header, and the mapping's parsers."""

    @property
    def length(self) -> int:
        """Rows of the table."""
        ...

    @property
    def lookups(self) -> dict[str, dict[str, str]]:
        """The mapping's named value maps."""
        ...

    def column(self, aliases: tuple[str, ...]) -> tuple[str, pa.Array]:
        """The first present column of ``aliases``: its header and values (text or typed)."""
        ...

    def numbers(self, text: pa.Array, label: str) -> Typed:
        """``text`` parsed as numbers with the mapping's decimal rules."""
        ...

    def dates(self, text: pa.Array, label: str) -> Typed:
        """``text`` parsed as dates with the mapping's date format rules."""
        ...


@dataclass(frozen=True)
class RowProblem:
    """Rows (``mask``) where the expression failed on the cell of ``column``, and why."""

    mask: pa.Array
    column: str
    reason: str


@dataclass
class _Value:
    """An intermediate result: a column or a literal, and the file column it came from."""

    data: pa.Array | Scalar
    column: str | None = None

    @property
    def is_array(self) -> bool:
        return isinstance(self.data, pa.Array)

    @property
    def type(self) -> pa.DataType:
        if isinstance(self.data, pa.Array):
            return self.data.type
        return pa.scalar(self.data).type


@dataclass
class _Run:
    expression: Expression
    scope: Scope
    key: str
    problems: list[RowProblem] = field(default_factory=list)

    def fail(self, node: ast.AST, why: str) -> ExpressionError:
        shown = shown_text(node, self.expression.columns)
        return ExpressionError(f"{self.expression.text!r}: {shown!r} {why}")


def evaluate(expression: Expression, scope: Scope, key: str) -> tuple[pa.Array, list[RowProblem]]:
    """Values of ``expression`` for every row of ``scope``, and the rows it failed on.

    ``key`` names the expression in row problems (``line_total``, ``where``). A type mistake
    (``not {Country}`` on text) raises :class:`ExpressionError`.
    """
    run = _Run(expression, scope, key)
    value = _eval(expression.tree, run)
    return _broadcast(value, scope.length), run.problems


def _broadcast(value: _Value, length: int) -> pa.Array:
    if isinstance(value.data, pa.Array):
        return value.data
    return pa.repeat(pa.scalar(value.data), length)


def _eval(node: ast.expr, run: _Run) -> _Value:
    if isinstance(node, ast.Constant):
        return _Value(node.value)
    if isinstance(node, ast.Name):
        header, values = run.scope.column(run.expression.columns[node.id])
        return _Value(values, header)
    if isinstance(node, ast.BoolOp):
        parts = [_condition(v, run) for v in node.values]
        kernel = pc.and_kleene if isinstance(node.op, ast.And) else pc.or_kleene
        result = parts[0]
        for part in parts[1:]:
            result = kernel(result, part)
        return _Value(result)
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return _Value(pc.invert(_condition(node.operand, run)))
        operand = _number(_eval(node.operand, run), node.operand, run)
        return _Value(pc.negate(operand) if isinstance(node.op, ast.USub) else operand)
    if isinstance(node, ast.BinOp):
        return _arithmetic(node, run)
    if isinstance(node, ast.Compare):
        return _compare(node, run)
    if isinstance(node, ast.Call):
        return _call(node, run)
    raise run.fail(node, "is not allowed in an expression")


def _condition(node: ast.expr, run: _Run) -> pa.Array:
    value = _eval(node, run)
    if not pa.types.is_boolean(value.type):
        raise run.fail(node, "is not a condition (true or false)")
    return _broadcast(value, run.scope.length)


def _is_text(value: _Value) -> bool:
    return pa.types.is_string(value.type) or pa.types.is_large_string(value.type)


def _is_number(value: _Value) -> bool:
    return not pa.types.is_boolean(value.type) and (
        pa.types.is_integer(value.type) or pa.types.is_floating(value.type)
    )


def _blank_to_null(text: pa.Array) -> pa.Array:
    return blank_to_null(text)  # the fields' own: no copy when no cell is padded or empty


def _parsed(value: _Value, run: _Run, what: str, node: ast.AST) -> pa.Array | Scalar:
    """Text read as numbers or dates; cells that do not parse become row problems.

    A literal (``'2024-07-01'``) is parsed once; one that does not parse is a mistake of the
    mapping, not of a row.
    """
    parse = run.scope.numbers if what == "number" else run.scope.dates
    if not isinstance(value.data, pa.Array):
        literal = parse(pa.array([value.data], pa.string()), run.key)
        if literal.invalid[0].as_py():
            raise run.fail(node, f"is not {literal.expected}")
        parsed: Scalar = literal.values[0].as_py()
        return parsed
    label = value.column or run.key
    typed = parse(value.data, label)  # the parsers take empty cells for missing values
    if pc.any(typed.invalid).as_py():
        run.problems.append(RowProblem(typed.invalid, label, f"not {typed.expected} ({run.key})"))
    return typed.values


def _number(value: _Value, node: ast.AST, run: _Run) -> pa.Array | Scalar:
    if _is_number(value):
        return value.data
    if _is_text(value):
        return _parsed(value, run, "number", node)
    raise run.fail(node, "is not a number")


def _date(value: _Value, node: ast.AST, run: _Run) -> pa.Array | Scalar:
    if pa.types.is_timestamp(value.type):
        return value.data
    if pa.types.is_date(value.type):
        return pc.cast(_broadcast(value, run.scope.length), pa.timestamp("us"))
    if _is_text(value):
        return _parsed(value, run, "date", node)
    raise run.fail(node, "is not a date")


def _text(value: _Value, run: _Run) -> pa.Array:
    """Any value as text; empty cells stay empty."""
    return as_text(_broadcast(value, run.scope.length))


def as_text(data: pa.Array) -> pa.Array:
    """A column as text: numbers as written by Arrow, dates as ``yyyy-mm-dd[ hh:mm:ss]``."""
    if pa.types.is_timestamp(data.type):
        midnight = pc.equal(pc.floor_temporal(data, unit="day"), data)
        seconds = pc.cast(data, pa.timestamp("s"), safe=False)
        if _cast_writes_like_strftime(data):
            # Arrow's cast writes the same text as strftime below, some thirty times faster
            with_time = pc.cast(seconds, pa.string())
            days = pc.cast(pc.cast(data, pa.date32(), safe=False), pa.string())
            return pc.if_else(midnight, days, with_time)
        with_time = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
        return pc.if_else(midnight, pc.strftime(data, format="%Y-%m-%d"), with_time)
    if pa.types.is_boolean(data.type):
        return pc.if_else(data, "true", "false")
    if _repeats_often(data):
        # A line's amount repeats (quantity × price): writing each distinct number once and
        # spreading the text over the lines is several times cheaper than writing every line.
        encoded = pc.dictionary_encode(data)
        return pc.take(pc.cast(encoded.dictionary, pa.string()), encoded.indices)
    return pc.cast(data, pa.string())


#: Numeric columns from this length are written as text once per distinct value when a sample
#: of this many values holds at most a quarter distinct ones.
_DISTINCT_SAMPLE = 20_000


def _repeats_often(data: pa.Array) -> bool:
    numeric = pa.types.is_integer(data.type) or pa.types.is_floating(data.type)
    if not numeric or not isinstance(data, pa.Array) or len(data) < 2 * _DISTINCT_SAMPLE:
        return False
    sample = data.slice(0, _DISTINCT_SAMPLE)
    return pc.count_distinct(sample).as_py() * 4 <= _DISTINCT_SAMPLE


def _cast_writes_like_strftime(data: pa.Array) -> bool:
    """Whether casting ``data`` to text writes ``yyyy-mm-dd hh:mm:ss`` as strftime does: times
    without a zone (the cast would add it) in four-digit years (the cast pads, strftime not).
    """
    if data.type.tz is not None:
        return False
    low, high = pc.min_max(pc.cast(data, pa.int64())).values()
    if not low.is_valid:
        return True  # nothing but empty cells
    per_second = _PER_SECOND[data.type.unit]
    first, last = _FOUR_DIGIT_YEARS
    return bool(low.as_py() >= first * per_second and high.as_py() < last * per_second)


#: Seconds since 1970 of 1000-01-01 and 10000-01-01, and the units of a timestamp per second.
_FOUR_DIGIT_YEARS = (-30_610_224_000, 253_402_300_800)
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _arithmetic(node: ast.BinOp, run: _Run) -> _Value:
    left = _number(_eval(node.left, run), node.left, run)
    right = _number(_eval(node.right, run), node.right, run)
    if isinstance(node.op, ast.Add):
        return _Value(pc.add(left, right))
    if isinstance(node.op, ast.Sub):
        return _Value(pc.subtract(left, right))
    if isinstance(node.op, ast.Mult):
        return _Value(pc.multiply(left, right))
    divisor = pc.cast(_broadcast(_Value(right), run.scope.length), pa.float64())
    zero = pc.fill_null(pc.equal(divisor, 0.0), False)
    if pc.any(zero).as_py():
        run.problems.append(RowProblem(zero, run.key, f"division by zero ({run.key})"))
        divisor = pc.if_else(zero, pa.scalar(None, pa.float64()), divisor)
    dividend = pc.cast(_broadcast(_Value(left), run.scope.length), pa.float64())
    return _Value(pc.divide(dividend, divisor))


_COMPARE: dict[type[ast.cmpop], Callable[..., pa.Array]] = {
    ast.Eq: pc.equal,
    ast.NotEq: pc.not_equal,
    ast.Lt: pc.less,
    ast.LtE: pc.less_equal,
    ast.Gt: pc.greater,
    ast.GtE: pc.greater_equal,
}


def _compare(node: ast.Compare, run: _Run) -> _Value:
    left_node, right_node = node.left, node.comparators[0]
    left, right = _eval(left_node, run), _eval(right_node, run)
    kernel = _COMPARE[type(node.ops[0])]
    dated = pa.types.is_timestamp(left.type) or pa.types.is_timestamp(right.type)
    if dated:
        return _Value(kernel(_date(left, left_node, run), _date(right, right_node, run)))
    if _is_number(left) or _is_number(right):
        return _Value(kernel(_number(left, left_node, run), _number(right, right_node, run)))
    return _Value(kernel(left.data, right.data))


def _call(node: ast.Call, run: _Run) -> _Value:
    name = function_name(node)
    if name == "if":
        condition = _condition(node.args[0], run)
        then, other = _eval(node.args[1], run), _eval(node.args[2], run)
        then_data, other_data = _common(then, other, node, run)
        return _Value(pc.if_else(pc.fill_null(condition, False), then_data, other_data))
    if name == "lookup":
        table = run.scope.lookups[str(_literal(node.args[0]))]
        return _Value(_lookup(_text(_eval(node.args[1], run), run), table))
    args = [_eval(a, run) for a in node.args]
    if name in _TEXT_FUNCTIONS:
        return _Value(_TEXT_FUNCTIONS[name](_text(args[0], run), *map(_literal, node.args[1:])))
    if name in _DATE_PARTS:
        dates = _Value(_date(args[0], node.args[0], run))
        return _Value(_DATE_PARTS[name](_broadcast(dates, run.scope.length)))
    return _OTHER_FUNCTIONS[name](args, node, run)


def _literal(node: ast.expr) -> Scalar:
    assert isinstance(node, ast.Constant)
    value = node.value
    assert isinstance(value, str | int | float | bool)  # checked when parsed
    return value


def _common(a: _Value, b: _Value, node: ast.Call, run: _Run) -> tuple[object, object]:
    """Both branches of ``if`` as one type: numbers if either is one, else text."""
    if _is_number(a) or _is_number(b):
        return _number(a, node, run), _number(b, node, run)
    if pa.types.is_timestamp(a.type) or pa.types.is_timestamp(b.type):
        return _date(a, node, run), _date(b, node, run)
    if pa.types.is_boolean(a.type) and pa.types.is_boolean(b.type):
        return a.data, b.data
    return _text(a, run), _text(b, run)


def _lookup(text: pa.Array, table: dict[str, str]) -> pa.Array:
    """Replace values found in ``table`` (case-insensitive); others stay as they are."""
    keys = pa.array([k.strip().casefold() for k in table], pa.string())
    targets = pa.array(list(table.values()), pa.string())
    index = pc.index_in(pc.utf8_lower(trim_whitespace(text)), value_set=keys)
    return pc.if_else(pc.is_valid(index), pc.take(targets, index), text)


_TEXT_FUNCTIONS: dict[str, Callable[..., pa.Array]] = {
    "text": lambda t: t,
    "upper": pc.utf8_upper,
    "lower": pc.utf8_lower,
    "trim": trim_whitespace,
    "startswith": lambda t, p: pc.starts_with(t, p),
    "endswith": lambda t, p: pc.ends_with(t, p),
    "contains": lambda t, p: pc.match_substring(t, p),
}
_DATE_PARTS: dict[str, Callable[[pa.Array], pa.Array]] = {
    "year": pc.year,
    "quarter": pc.quarter,
    "month": pc.month,
    "week": pc.iso_week,
    "day": pc.day,
}


def _concat(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    parts = [_text(a, run) for a in args]
    return _Value(
        pc.binary_join_element_wise(*parts, "", null_handling="replace", null_replacement="")
    )


def _coalesce(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    """The first value that is not empty (an empty cell counts as missing)."""
    if all(_is_number(a) for a in args):
        return _Value(pc.coalesce(*(_broadcast(a, run.scope.length) for a in args)))
    if all(pa.types.is_timestamp(a.type) for a in args):
        return _Value(pc.coalesce(*(a.data for a in args)))
    return _Value(pc.coalesce(*(_blank_to_null(_text(a, run)) for a in args)))


def _abs(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    return _Value(pc.abs(_number(args[0], node.args[0], run)))


def _round(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    digits = _literal(node.args[1]) if len(node.args) > 1 else 0
    assert isinstance(digits, int)  # checked when parsed
    values = _number(args[0], node.args[0], run)
    return _Value(pc.round(values, ndigits=digits, round_mode="half_to_even"))


def _number_of(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    return _Value(_number(args[0], node.args[0], run))


def _date_of(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    return _Value(_date(args[0], node.args[0], run))


def _is_empty(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    value = args[0]
    data = _blank_to_null(_text(value, run)) if _is_text(value) else value.data
    return _Value(pc.is_null(_broadcast(_Value(data), run.scope.length)))


def _month(args: list[_Value], node: ast.Call, run: _Run) -> tuple[pa.Array, pa.Array]:
    """Year and month of a date, or of text written as a month (``2024-01``, ``Jan 2024``) or
    as a date; with a second argument, the year of a month written alone (``3``, ``März``).
    A cell that is none of these is a row problem."""
    value = args[0]
    if not _is_text(value):
        dates = _broadcast(_Value(_date(value, node.args[0], run)), run.scope.length)
        return dated_months(dates)
    text = _blank_to_null(_text(value, run))
    label = value.column or run.key
    years, months = parse_months(text)
    if len(args) > 1:
        year = _broadcast(_Value(_number(args[1], node.args[1], run)), run.scope.length)
        alone = pc.is_valid(year)
        years = pc.if_else(alone, pc.cast(year, pa.int32()), years)
        months = pc.if_else(alone, parse_month_numbers(text), months)
        wrong = pc.and_(pc.and_(alone, pc.is_valid(text)), pc.is_null(months))
        if pc.any(wrong).as_py():
            run.problems.append(RowProblem(wrong, label, f"not a month ({run.key})"))
        text = pc.if_else(alone, pa.scalar(None, pa.string()), text)
    rest = pc.if_else(pc.is_null(months), text, pa.scalar(None, pa.string()))
    typed = run.scope.dates(rest, label)
    if pc.any(typed.invalid).as_py():
        reason = f"not a month or {typed.expected} ({run.key})"
        run.problems.append(RowProblem(typed.invalid, label, reason))
    dated_years, dated = dated_months(typed.values)
    return pc.coalesce(years, dated_years), pc.coalesce(months, dated)


def _month_start(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    return _Value(month_bounds(*_month(args, node, run))[0])


def _month_end(args: list[_Value], node: ast.Call, run: _Run) -> _Value:
    return _Value(month_bounds(*_month(args, node, run))[1])


_OTHER_FUNCTIONS: dict[str, Callable[[list[_Value], ast.Call, _Run], _Value]] = {
    "number": _number_of,
    "date": _date_of,
    "concat": _concat,
    "coalesce": _coalesce,
    "abs": _abs,
    "round": _round,
    "is_empty": _is_empty,
    "month_start": _month_start,
    "month_end": _month_end,
}
