"""Expressions of ``where`` and ``computed``: what parses, what is refused, what each computes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from revintel.ingest import IngestError
from revintel.ingest._expressions import ExpressionError, parse_expression
from revintel.ingest._mapping import parse_mapping
from revintel.ingest._objects import MappingContext, ShapedTable
from revintel.ingest._reading import RawTable
from revintel.ingest._shaping import shape_rows
from revintel.model import load_funnel

NOW = datetime(2025, 1, 1)


def _shape(
    cells: dict[str, list[str]],
    computed: dict[str, str],
    where: list[str] | None = None,
    delimiter: str = ",",
    **top: Any,
) -> ShapedTable:
    mapping = parse_mapping(
        {
            "system": "shop",
            **top,
            "objects": {
                "lines": {
                    "table": "order_lines",
                    "detect": list(cells)[:1],
                    "id": next(iter(cells)),
                    "computed": computed,
                    "where": where or [],
                    "fields": {},
                }
            },
        },
        "mapping.yaml",
    )
    length = len(next(iter(cells.values())))
    raw = RawTable(
        "lines.csv",
        pa.table({k: pa.array(v, pa.string()) for k, v in cells.items()}),
        pa.array(range(2, length + 2), pa.int64()),
        delimiter=delimiter,
    )
    ctx = MappingContext(mapping, load_funnel(), "batch", NOW)
    return shape_rows(raw, "lines", mapping.objects["lines"], ctx)


def _values(shaped: ShapedTable, column: str) -> list[Any]:
    if column in shaped.typed:
        return shaped.typed[column].to_pylist()
    return shaped.cells[column].to_pylist()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("open({A})", "unknown function 'open'"),
        ("{A}.__class__", "'{A}.__class__' is not allowed"),
        ("A + 1", "unknown name 'A'"),
        ("[1, 2]", "'[1, 2]' is not allowed"),
        ("{A} ** 2", "is not allowed"),
        ("lambda: 1", "is not allowed"),
        ("startswith({A}, {B})", "argument 2 of startswith() must be a text in quotes"),
        ("round({A}, 'x')", "argument 2 of round() must be a whole number"),
        ("if({A}, 1)", "if() takes 3 arguments, not 2"),
        ("1 < {A} < 3", "compare two values at a time"),
        ("number(x={A})", "takes no named arguments"),
        ("{A} +", "not a valid expression"),
        ("{}", "empty column reference"),
        ("None", "unknown name 'None'"),
    ],
)
def test_only_the_documented_syntax_parses(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as raised:
        parse_expression(text)
    assert message in str(raised.value)


def test_a_braced_header_may_hold_spaces_alternatives_and_keywords() -> None:
    parsed = parse_expression("if({Customer ID|Kunde} == 'if', true, false) and not {or}")
    assert parsed.references() == [("Customer ID", "Kunde"), ("or",)]


def test_errors_in_a_mapping_name_the_file_object_and_key() -> None:
    with pytest.raises(IngestError) as raised:
        _shape({"A": ["1"]}, {"x": "foo({A})", "y": "lookup('nope', {A})"}, ["{A} >"])
    lines = str(raised.value).splitlines()
    assert lines[0].startswith("mapping.yaml: objects.lines.where[0]: '{A} >': not a valid")
    assert lines[1].startswith("mapping.yaml: objects.lines.computed.x: 'foo({A})': unknown")
    assert lines[2] == (
        "mapping.yaml: objects.lines.computed.y: unknown lookup 'nope' (lookups: none declared)"
    )


def test_an_unknown_column_names_the_key_and_the_file_columns() -> None:
    with pytest.raises(IngestError) as raised:
        _shape({"Invoice": ["1"], "Price": ["2"]}, {"total": "number({Prise}) * 2"})
    assert str(raised.value) == (
        "mapping.yaml: objects.lines.computed.total: unknown column 'Prise' "
        "(file columns: Invoice, Price)"
    )


def test_arithmetic_reads_numbers_with_the_files_decimal_comma() -> None:
    cells = {"Menge": ["2", "1,5", "3"], "Preis": ["1.234,50", "10", "0,10"]}
    shaped = _shape(
        cells,
        {"total": "number({Menge}) * number({Preis})", "half": "{Preis} / 2 + 1 - 0.5"},
        delimiter=";",
    )
    expected = [2 * 1234.5, 1.5 * 10, 3 * 0.1]
    assert _values(shaped, "total") == pytest.approx(expected)
    assert _values(shaped, "half") == pytest.approx([1234.5 / 2 + 0.5, 5.5, 0.55])
    assert shaped.cells["total"].to_pylist()[0] == "2469"


def test_a_cell_an_expression_cannot_read_is_a_problem_of_its_row_and_column() -> None:
    shaped = _shape(
        {"Qty": ["2", "abc", "4", ""], "Price": ["1", "1", "0", "1"]},
        {"total": "number({Qty}) * number({Price})", "per": "number({Qty}) / number({Price})"},
    )
    assert _values(shaped, "total") == [2.0, None, 0.0, None]
    problems = {(p.column, p.reason): p.mask.to_pylist() for p in shaped.problems}
    assert problems == {
        # the same bad cell is reported once, by the first expression reading it
        ("Qty", "not a number (total)"): [False, True, False, False],
        ("per", "division by zero (per)"): [False, False, True, False],
    }


def test_text_functions_conditions_and_lookups() -> None:
    cells = {
        "Invoice": ["C100", "101", " 102 ", "X1"],
        "Country": ["uk", "Deutschland", "France", ""],
        "Qty": ["-1", "2", "3", "1"],
        "Name": ["  Anna ", "", "Bo", "Cy"],
    }
    shaped = _shape(
        cells,
        {
            "kind": "if(startswith({Invoice}, 'C') or number({Qty}) < 0, 'return', 'order')",
            "code": "lookup('country', {Country})",
            "label": "concat(upper(trim({Name})), '-', lower({Invoice}))",
            "who": "coalesce({Name}, {Country}, 'nobody')",
            "flags": "concat(endswith({Invoice}, '1'), contains({Invoice}, '0'))",
            "empty": "is_empty({Name}) or is_empty({Country})",
            "size": "abs(number({Qty})) * 1.005",
            "rounded": "round(number({Qty}) / 3, 2)",
        },
        lookups={"country": {"UK": "GB", "Deutschland": "DE"}},
    )
    assert _values(shaped, "kind") == ["return", "order", "order", "order"]
    assert _values(shaped, "code") == ["GB", "DE", "France", ""]
    assert _values(shaped, "label") == ["ANNA-c100", "-101", "BO-102", "CY-x1"]  # cells are trimmed
    assert _values(shaped, "who") == ["Anna", "Deutschland", "Bo", "Cy"]
    assert _values(shaped, "flags") == ["falsetrue", "truetrue", "falsetrue", "truefalse"]
    assert _values(shaped, "empty") == [False, True, False, True]
    assert _values(shaped, "size") == pytest.approx([1.005, 2.01, 3.015, 1.005])
    assert _values(shaped, "rounded") == [-0.33, 0.67, 1.0, 0.33]


def test_date_parts_follow_pandas() -> None:
    dates = ["31.12.2024", "01.01.2025", "15.06.2024 13:45", ""]
    shaped = _shape(
        {"Datum": dates},
        {
            "y": "year(date({Datum}))",
            "q": "quarter(date({Datum}))",
            "m": "month({Datum})",
            "w": "week(date({Datum}))",
            "d": "day(date({Datum}))",
            "late": "date({Datum}) >= '2024-07-01'",
        },
    )
    parsed = pd.to_datetime(pd.Series(dates[:3]), format="%d.%m.%Y", exact=False)
    assert _values(shaped, "y")[:3] == parsed.dt.year.tolist()
    assert _values(shaped, "q")[:3] == parsed.dt.quarter.tolist()
    assert _values(shaped, "m")[:3] == parsed.dt.month.tolist()
    assert _values(shaped, "w")[:3] == parsed.dt.isocalendar().week.tolist()
    assert _values(shaped, "d")[:3] == parsed.dt.day.tolist()
    assert _values(shaped, "late") == [True, True, False, None]
    assert not shaped.problems


def test_where_keeps_rows_every_condition_holds_for_and_rejects_undecidable_ones() -> None:
    cells = {
        "Invoice": ["1", "2", "X3", "4", "5"],
        "Customer ID": ["C1", "TEST", "C2", "", "C3"],
        "Qty": ["1", "2", "3", "4", "many"],
    }
    shaped = _shape(
        cells,
        {"double": "number({Qty}) * 2"},
        ["{Customer ID} != 'TEST'", "not startswith({Invoice}, 'X')", "{Qty} > 0"],
    )
    assert shaped.cells["Invoice"].to_pylist() == ["1", "4", "5"]
    assert shaped.row_numbers.to_pylist() == [2, 5, 6]  # the file's row numbers
    assert shaped.positions is not None and shaped.positions.to_pylist() == [0, 3, 4]
    assert shaped.skipped == 2
    assert [(p.column, p.reason, p.mask.to_pylist()) for p in shaped.problems] == [
        ("Qty", "not a number (double)", [False, False, True])
    ]


def test_a_condition_must_be_true_or_false() -> None:
    with pytest.raises(IngestError, match=r"objects\.lines\.where\[0\]: '\{A\}' is not a"):
        _shape({"A": ["1"]}, {}, ["{A}"])
    with pytest.raises(IngestError, match=r"'not \{A\}': '\{A\}' is not a condition"):
        _shape({"A": ["1"]}, {}, ["not {A}"])


def test_a_question_mark_alias_reads_a_missing_column_as_empty() -> None:
    shaped = _shape(
        {"Qty": ["2", "3"], "Price": ["1.5", "2"]},
        {"total": "coalesce(number({Sales|Net Amount|?}), number({Qty}) * number({Price}))"},
    )
    assert _values(shaped, "total") == [3.0, 6.0]
    assert not shaped.problems


def test_negative_literals_and_literal_arithmetic() -> None:
    shaped = _shape(
        {"Qty": ["2", "-3"]},
        {
            "below": "number({Qty}) < -1",
            "pick": "if(number({Qty}) > 0, -1, 2 * 3)",
            "shift": "-{Qty} + 1",
            "three": "1 + 2",
        },
    )
    assert _values(shaped, "below") == [False, True]
    assert _values(shaped, "pick") == [-1, 6]
    assert _values(shaped, "shift") == [-1.0, 4.0]
    assert _values(shaped, "three") == [3, 3]


def test_a_literal_that_is_not_a_number_is_a_mistake_of_the_mapping() -> None:
    with pytest.raises(IngestError) as raised:
        _shape({"Qty": ["1"]}, {"x": "number({Qty}) > 'ten'"})
    assert str(raised.value) == (
        "mapping.yaml: objects.lines.computed.x: \"number({Qty}) > 'ten'\": "
        "\"'ten'\" is not a number"
    )
