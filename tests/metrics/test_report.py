"""The funnel report through Ibis equals the hand-written DuckDB SQL of the benchmark."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from benchmarks.bench_funnel import hand_sql
from typer.testing import CliRunner

from revintel.cli import app
from revintel.metrics import MetricQuery, MetricSources, funnel_report, parse_filter
from revintel.store import Store
from tests.metrics.fixtures import hand_store


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(cohort=pd.to_datetime(frame["cohort"]))
    return frame.sort_values(["cohort", "channel"], ignore_index=True)


def _compare(store: Store) -> None:
    ours = funnel_report(MetricSources.from_store(store)).to_pandas()
    reference = store.execute_sql(hand_sql()).to_pandas()
    pd.testing.assert_frame_equal(
        _normalised(ours), _normalised(reference[ours.columns]), check_dtype=False
    )


def test_report_equals_hand_sql_on_the_hand_company() -> None:
    with hand_store() as store:
        _compare(store)


def test_report_equals_hand_sql_on_the_demo_company(demo: tuple[Store, object]) -> None:
    _compare(demo[0])


def test_report_filters_and_range(hand: MetricSources) -> None:
    query = MetricQuery(start=date(2024, 2, 1), where=(parse_filter("segment=Mittelstand"),))
    wide = funnel_report(hand, "quarter", ("segment",), query).to_pandas()
    # Mittelstand MQLs from February on: L4 (02-03), L7 (03-01), L8 (03-20).
    assert wide[["segment", "n_mql", "n_sal", "n_won"]].values.tolist() == [
        ["Mittelstand", 3, 2, 1]
    ]


def test_report_from_the_cli(tmp_path: Path) -> None:
    path = f"{tmp_path}/hand.duckdb"
    hand_store(path).close()
    result = CliRunner().invoke(app, ["funnel", "--db", path, "--view", "report", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert (
        result.output.splitlines()[0] == "cohort,channel,milestone,reached,conversion,median_days"
    )
    assert "2024-01-01,search,mql,3,," in result.output
