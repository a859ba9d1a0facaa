"""Typing a long column once per distinct value gives what typing every cell gives."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from revintel.ingest._objects import numbers_per_distinct_value, on_distinct_values
from revintel.ingest._reading import IngestError
from revintel.ingest._typing import number_values, parse_dates

ROWS = 60_000


def _repeated(values: list[str | None], seed: int = 3) -> pa.Array:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(values), ROWS)
    return pa.array([values[i] for i in picks], pa.string())


def test_dates_typed_once_per_value_equal_every_cell_typed() -> None:
    text = _repeated(["31.12.2024", "01.02.2025 08:30", " 15.03.2025", "", None, "30.02.2025", "x"])
    once = on_distinct_values(text, lambda t: parse_dates(t, column_name="Datum"))
    every = parse_dates(text, column_name="Datum")
    assert once.values.equals(every.values)
    assert once.invalid.to_pylist() == every.invalid.to_pylist()
    assert sum(once.invalid.to_pylist()) > ROWS // 10  # 30.02. and "x" are rejected, not lost
    assert once.expected == every.expected


def test_numbers_typed_once_per_value_equal_every_cell_typed() -> None:
    text = _repeated(["1", "12", "-3", " 2.5", "", None, "1,234.50", "abc"])
    options = {"decimal": None, "default_decimal": ".", "column_name": "Menge", "file": "f.csv"}
    cells, values = numbers_per_distinct_value(text, **options)
    every_cells, every_values = number_values(text, **options)
    assert cells.equals(every_cells)
    assert values.to_pylist() == every_values.to_pylist()
    assert values.null_count > 0 and np.nansum(values.to_numpy(zero_copy_only=False)) != 0


def test_a_mixed_separator_message_counts_the_files_cells() -> None:
    text = pa.array(["1,5", "2.5", "3", "3", "3", "3", "3", "3"] * (ROWS // 8))
    with pytest.raises(IngestError, match=r"decimal commas \(7,500 values\)|\(7500 values\)"):
        numbers_per_distinct_value(
            text, decimal=None, default_decimal=".", column_name="Menge", file="f.csv"
        )
