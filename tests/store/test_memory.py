"""What DuckDB may hold in memory, and reading a large result into pandas."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import ibis
import pandas as pd
import psutil
import pytest

from revintel.store import fetch_frame, open_store
from revintel.store._store import MEMORY_ENV_VAR, default_memory_limit


def _limit_mib(store_path: Path) -> float:
    with open_store(store_path) as store:
        text = store.execute_sql("SELECT current_setting('memory_limit') AS m")["m"][0].as_py()
    number, unit = text.split()
    return float(number) * {"MiB": 1, "GiB": 1024, "KiB": 1 / 1024}[unit]


def test_duckdb_holds_a_quarter_of_the_machine_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MEMORY_ENV_VAR, raising=False)
    quarter = psutil.virtual_memory().total / 4 / 2**20
    assert default_memory_limit() == f"{max(1024, int(quarter))}MiB"
    # DuckDB shows the limit to a tenth of a GiB
    assert _limit_mib(tmp_path / "a.duckdb") == pytest.approx(max(1024, quarter), rel=0.03)
    monkeypatch.setenv(MEMORY_ENV_VAR, "700MiB")
    assert _limit_mib(tmp_path / "a.duckdb") == pytest.approx(700, rel=0.01)


def test_a_fetched_frame_equals_the_engines_own_conversion() -> None:
    con = ibis.duckdb.connect()
    rows = pd.DataFrame(
        {
            "id": [f"L{i:07d}" for i in range(250_000)],
            "amount": [float(i % 97) for i in range(250_000)],
            "at": pd.date_range("2024-01-01", periods=250_000, freq="min"),
        }
    )
    table = con.create_table("rows", rows)
    # a decimal the engine computes comes back in the expression's type, as to_pandas gives it
    expr = table.mutate(share=ibis.literal(Decimal("0.5")) * 1).order_by("id")
    pd.testing.assert_frame_equal(fetch_frame(expr), expr.to_pandas())
    empty = fetch_frame(expr.filter(expr.amount < 0))
    assert len(empty) == 0 and list(empty.columns) == list(expr.columns)
