"""Terminal tables fit the terminal without cutting words; CSV and JSON keep every column."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli._common import compact_number, print_table
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpis, funnel_view, load_catalogue
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

runner = CliRunner()

HEADERS_AT_80 = ("milestone", "reached", "conversion", "P(won)", "interval", "default")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("tables") / "demo.duckdb"
    config = SynthConfig(seed=3, leads=3_000, accounts=300, years=3, start=date(2022, 1, 1))
    with open_store(path) as store:
        write_demo_company(store, config)
    yield str(path)


def _run(*args: str, columns: int = 80) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def _library_overview(db: str) -> pd.DataFrame:
    with open_store(db, read_only=True) as store:
        sources = MetricSources.from_store(store)
        return funnel_view(sources, load_catalogue(), "overview", MetricQuery(by=("channel",)))


def _sections(out: str) -> dict[str, list[str]]:
    """Table lines per channel, keyed by the channel named in each table's title."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in out.splitlines():
        title = re.search(r"· channel (\S+)\s*$", line)
        if title:
            current = sections.setdefault(title.group(1), [])
        else:
            current.append(line)
    return sections


def _first_numbers(lines: list[str]) -> list[int]:
    """The first number of each table row (rows start at the margin; wrapped lines do not)."""
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    rows = [line for line in lines[rule + 1 :] if line[:1].strip()]
    found = [re.search(r"\s([\d,]+)\s", line) for line in rows]
    return [int(m.group(1).replace(",", "")) for m in found if m]


def test_funnel_by_channel_fits_80_columns_without_cut_words(db: str) -> None:
    out = _run("funnel", "--db", db, "--by", "channel")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in out and "..." not in out
    overview = _library_overview(db)
    sections = _sections(out)
    assert set(sections) == set(overview["channel"])
    for channel, part in overview.groupby("channel"):
        text = "\n".join(sections[str(channel)])
        words = set(text.split())
        for header in HEADERS_AT_80:
            assert header in words, (channel, header)
        for label in part["label"]:
            # A label may wrap between words, never inside one.
            assert set(label.split()) <= words, (channel, label)
        assert _first_numbers(sections[str(channel)]) == part["reached"].tolist(), channel


def test_funnel_by_channel_names_the_columns_it_leaves_out(db: str) -> None:
    narrow = _run("funnel", "--db", db, "--by", "channel", columns=60)
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert "…" not in narrow
    note = " ".join(narrow.split())
    assert "not shown:" in note and "--format csv or json" in note and "--columns" in note
    wide = _run("funnel", "--db", db, "--by", "channel", columns=160)
    assert "not shown" not in wide
    assert "p90" in wide and "median" in wide


def test_columns_option_chooses_the_table_columns(db: str) -> None:
    chosen = "channel,milestone,p_won_low"
    out = _run("funnel", "--db", db, "--by", "channel", "--columns", chosen)
    header = next(line for line in out.splitlines() if "milestone" in line)
    assert header.split() == ["milestone", "p", "won", "low"]
    # Without the column a KPI table is split by, the KPIs share one table.
    values = _run("kpi", "mqls", "lvr", "--db", db, "--columns", "period,value")
    assert "· kpi" not in values
    assert next(line for line in values.splitlines() if "period" in line).split() == [
        "period",
        "value",
    ]
    bad = runner.invoke(app, ["funnel", "--db", db, "--columns", "colour"])
    assert bad.exit_code != 0
    assert "unknown column colour" in bad.output


def test_csv_and_json_keep_every_column_at_full_precision(db: str) -> None:
    frame = _library_overview(db)
    rows = list(
        csv.DictReader(io.StringIO(_run("funnel", "--db", db, "--by", "channel", "-f", "csv")))
    )
    assert list(rows[0]) == list(frame.columns)
    assert len(rows) == len(frame)
    got = np.array([float(r["p_won_low"]) for r in rows])
    np.testing.assert_array_equal(got, frame["p_won_low"].to_numpy(float))
    records = json.loads(_run("funnel", "--db", db, "--by", "channel", "-f", "json"))
    assert [list(r) for r in records] == [list(frame.columns)] * len(frame)
    assert [r["median_days"] for r in records] == frame["median_days"].tolist()


def test_kpi_csv_keeps_every_column_and_tables_split_per_kpi(db: str) -> None:
    with open_store(db, read_only=True) as store:
        frame = evaluate_kpis(MetricSources.from_store(store), load_catalogue(), ["mqls", "lvr"])
    rows = list(csv.DictReader(io.StringIO(_run("kpi", "mqls", "lvr", "--db", db, "-f", "csv"))))
    assert list(rows[0]) == list(frame.columns)
    assert len(rows) == len(frame)
    table = _run("kpi", "mqls", "lvr", "--db", db)
    assert "· kpi mqls" in table and "· kpi lvr" in table
    # LVR is a ratio, shown as a percentage; the first month has no predecessor.
    second = frame[frame["kpi"] == "lvr"]["value"].iloc[1]
    assert f"{second * 100:.1f} %" in table


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.08789, "0.0879"),
        (3.0236, "3.02"),
        (169.52, "170"),
        (20_695, "20,695"),
        (892_065.51, "892k"),
        (1_850_284.06, "1.85M"),
        (999_960.0, "999,960"),
        (999_960.5, "1M"),
        (-12_345.6, "-12.3k"),
        (2.5e9, "2.5bn"),
        (0.0, "0"),
    ],
)
def test_compact_number(value: float, text: str) -> None:
    assert compact_number(value) == text


def test_long_frames_split_by_their_leading_text_column(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    frame = pd.DataFrame(
        {
            "team": ["Nord"] * 8 + ["Süd"] * 8,
            "month": list(range(1, 9)) * 2,
            "share": np.linspace(0.05, 0.8, 16),
            "empty": [None] * 16,
            "a_very_long_column_name": [123_456_789.0] * 16,
        }
    )
    print_table(frame, "orders", percent=("share",))
    out = capsys.readouterr().out
    assert "orders · team Nord" in out and "orders · team Süd" in out
    assert "80.0 %" in out and "5.0 %" in out
    assert "empty" not in out.split("not shown")[0]
    assert max(len(line) for line in out.splitlines()) <= 50
